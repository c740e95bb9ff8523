import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { createEventRenderer, formatDuration, oneLine, renderEvent } from "../../src/events/render-event.js";
import { sampleRunEvents, sampleRunId } from "./sample-run.js";

const at = { runId: sampleRunId, timestamp: "2025-03-14T09:31:00.000Z" };

/** One event of each type: from the sample run, plus the types a solved run does not have. */
function oneOfEachType(): AgentEvent[] {
  const extra: AgentEvent[] = [
    { ...at, type: "recovery", node: "executor", reason: "pytest is not installed", action: "ran pip install pytest and retried" },
    { ...at, type: "approval-decision", node: "programmer", tool: "git_commit", decision: "deny", reason: "denied at the terminal" },
    { ...at, type: "approval-decision", node: "programmer", tool: "run_shell", decision: "deny", reason: "declined", guidance: "run only the unit tests" },
    { ...at, type: "turn-interrupted", node: "programmer", during: "tool", tool: "run_shell" },
    { ...at, type: "guidance-given", node: "programmer", text: "the bug is in parse(), not in render()" },
    { ...at, type: "plan-reviewed", version: 1, decision: "revise", feedback: "also handle empty input" },
    { ...at, type: "model-error", node: "planner", message: "openai:gpt-4.1: quota exceeded", choice: "retry" },
    {
      ...at,
      type: "candidates-selected",
      winner: 1,
      reason: "candidate 2 won: it breaks fewer tests that passed before (0 against 1)",
      candidates: [
        { index: 1, model: "openai:gpt-4.1", summary: "strip first", patch: "", fixed: 1, regressions: 0, agreement: 1, sameAs: 1, changedLines: 2, usable: true, verdict: "solved" },
        { index: 0, model: "openai:gpt-4.1", summary: "rewrite", patch: "", fixed: 1, regressions: 1, agreement: 1, sameAs: 0, changedLines: 9, usable: true, verdict: "1 regression" },
        { index: 2, model: "openai:gpt-4.1", summary: "failed", patch: "", fixed: 0, regressions: 0, agreement: 0, sameAs: 2, changedLines: 0, usable: false, verdict: null, error: "sandbox gone" },
      ],
    },
    {
      ...at,
      type: "tool-call-end",
      callId: "tc-9",
      node: "executor",
      tool: "run_shell",
      ok: false,
      output: "\u001b[31mE   TypeError: 'NoneType' object is not subscriptable\u001b[0m\n\tat line 15",
      durationMs: 61_500,
    },
    {
      ...at,
      type: "test-run-end",
      phase: "base",
      command: "pytest",
      exitCode: null,
      outcomes: [{ test: "t", status: "error" }],
      durationMs: 300_000,
    },
  ];
  const seen = new Set<string>();
  const first = sampleRunEvents().filter((event) => !seen.has(event.type) && seen.add(event.type));
  const types: Record<AgentEvent["type"], true> = {
    "model-call-start": true,
    "model-call-end": true,
    "model-retry": true,
    "text-delta": true,
    "run-start": true,
    "node-start": true,
    "plan-submitted": true,
    "node-end": true,
    "candidates-selected": true,
    "tool-call-start": true,
    "tool-call-end": true,
    "approval-request": true,
    "approval-decision": true,
    "test-run-end": true,
    recovery: true,
    "run-end": true,
    "turn-interrupted": true,
    "guidance-given": true,
    "plan-reviewed": true,
    "model-error": true,
  };
  const all = [...first, ...extra];
  const missing = Object.keys(types).filter((type) => !all.some((event) => event.type === type));
  if (missing.length > 0) throw new Error(`no sample event of type ${missing.join(", ")}`);
  return all;
}

describe("renderEvent", () => {
  it("renders one line per event type", () => {
    const lines = oneOfEachType().map((event) => `${event.type.padEnd(18)} ${renderEvent(event, { verbose: false, node: "planner" }) ?? "(hidden)"}`);
    expect(lines.join("\n")).toMatchSnapshot();
  });

  it("shows text deltas, model call starts and tool inputs only when verbose", () => {
    const lines = oneOfEachType().map((event) => `${event.type.padEnd(18)} ${renderEvent(event, { verbose: true, node: "planner" }) ?? "(hidden)"}`);
    expect(lines.join("\n")).toMatchSnapshot();
  });

  it("never puts a newline in a line", () => {
    for (const verbose of [false, true]) {
      for (const event of oneOfEachType()) expect(renderEvent(event, { verbose }) ?? "").not.toMatch(/[\n\r]/);
    }
  });

  it("renders an event type from a newer version by its name instead of failing", () => {
    const future = { ...at, type: "plan-updated", steps: 3 } as unknown as AgentEvent;
    expect(renderEvent(future, { verbose: false })).toBe("[run] plan-updated");
  });
});

describe("createEventRenderer", () => {
  it("names the node of model calls and test runs from the node that is running", () => {
    const render = createEventRenderer({ verbose: false });
    const lines = sampleRunEvents()
      .map(render)
      .filter((line): line is string => line !== undefined);
    expect(lines.find((line) => line.includes("] model "))).toMatch(/^\[planner\] model openai:gpt-4.1: 1200 in \/ 80 out, \$0.0031/);
    expect(lines.find((line) => line.includes("tests (patched)"))).toBe("[executor] tests (patched): 4 passed, 0 failed, 1 skipped (exit 0, 2.3 s)");
  });
});

describe("formatDuration and oneLine", () => {
  it("formats durations from milliseconds to hours", () => {
    expect([120, 3_400, 123_000, 3_900_000].map(formatDuration)).toEqual(["120 ms", "3.4 s", "2 m 03 s", "1 h 05 m"]);
  });

  it("strips colours and control characters and cuts long text with an ellipsis", () => {
    expect(oneLine("\u001b[32mok\u001b[0m\n\tdone   now", 100)).toBe("ok done now");
    expect(oneLine("abcdef", 4)).toBe("abc…");
  });
});
