import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../../../src/events/agent-event.js";
import { initialScreen, keepEnds, planStepStatuses, previewToolCall, reduceScreen, TRANSCRIPT_LIMIT, type SessionScreenState } from "../../../../cli/tui/session/screen-state.js";
import { sampleRunEvents, sampleRunId } from "../../../events/sample-run.js";

const at = (second: number) => ({ runId: sampleRunId, timestamp: new Date(Date.parse("2025-03-14T09:30:00.000Z") + second * 1000).toISOString() });

function screen(): SessionScreenState {
  return initialScreen({ sessionId: "s1", repository: "slugs", model: "scripted:x", approvalMode: "auto-edit", maxCostUsd: 5 });
}

function fold(events: AgentEvent[], start = screen()): SessionScreenState {
  return events.reduce((state, event) => reduceScreen(state, { type: "event", event }), start);
}

describe("reduceScreen", () => {
  it("turns a whole run into a transcript: roles, the plan, tool calls, tests and the end, in order", () => {
    const state = fold(sampleRunEvents());
    const kinds = state.entries.map((entry) => entry.kind);
    expect(kinds[0]).toBe("notice");
    expect(kinds).toContain("plan");
    expect(kinds).toContain("tool");
    expect(kinds.filter((kind) => kind === "tests")).toHaveLength(2);
    expect(kinds.at(-1)).toBe("run-end");
    expect(kinds.indexOf("role")).toBeLessThan(kinds.indexOf("plan"));
    expect(state.entries.at(-1)).toMatchObject({ kind: "run-end", status: "solved" });
    expect(state.sessionTotals.tasks).toBe(1);
  });

  it("never changes the state it is given", () => {
    const before = screen();
    const frozen = JSON.stringify(before);
    fold(sampleRunEvents(), before);
    reduceScreen(before, { type: "notice", text: "x" });
    expect(JSON.stringify(before)).toBe(frozen);
  });

  it("streams a model's text into one entry and replaces it with the whole reply at the end", () => {
    const deltas: AgentEvent[] = [
      { ...at(1), type: "node-start", node: "programmer", round: 1 },
      { ...at(1), type: "text-delta", callId: "c1", text: "Let me " },
      { ...at(1), type: "text-delta", callId: "c1", text: "look." },
    ];
    const streaming = fold(deltas);
    expect(streaming.entries.filter((entry) => entry.kind === "model-text")).toMatchObject([{ text: "Let me look.", node: "programmer" }]);
    const ended = fold(
      [
        {
          ...at(2),
          type: "model-call-end",
          callId: "c1",
          node: "programmer",
          model: "m",
          message: { text: "Let me look at parse().", toolCalls: [] },
          usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0 },
          cost: { usd: 0.01, basis: "price-table" },
          durationMs: 5,
          attempts: 1,
        },
      ],
      streaming,
    );
    expect(ended.entries.filter((entry) => entry.kind === "model-text")).toMatchObject([{ text: "Let me look at parse()." }]);
  });

  it("updates a tool call in place when it ends, keeping the head and tail of a long output", () => {
    const output = `${"a".repeat(10_000)}MIDDLE${"z".repeat(10_000)}`;
    const state = fold([
      { ...at(1), type: "tool-call-start", callId: "t1", node: "programmer", tool: "run_shell", input: { command: "pytest -q" } },
      { ...at(2), type: "tool-call-end", callId: "t1", node: "programmer", tool: "run_shell", ok: false, output, display: "$ pytest -q → exit 1 (0.4 s)", durationMs: 400 },
    ]);
    const tools = state.entries.filter((entry) => entry.kind === "tool");
    expect(tools).toHaveLength(1);
    expect(tools[0]).toMatchObject({ status: "failed", summary: "pytest -q", display: "$ pytest -q → exit 1 (0.4 s)" });
    const kept = (tools[0] as { output: string }).output;
    expect(kept.length).toBeLessThan(7_000);
    expect(kept.startsWith("aaa")).toBe(true);
    expect(kept.endsWith("zzz")).toBe(true);
    expect(kept).not.toContain("MIDDLE");
  });

  it("pauses on an interrupt and marks queued guidance as given when the role receives it", () => {
    let state = reduceScreen(screen(), { type: "task-started" });
    state = reduceScreen(state, { type: "guidance", text: "use parse()", queued: true });
    state = fold([{ ...at(1), type: "turn-interrupted", node: "programmer", during: "tool", tool: "run_shell" }], state);
    expect(state.paused).toBe(true);
    state = fold([{ ...at(2), type: "guidance-given", node: "programmer", text: "use parse()" }], state);
    expect(state.entries.filter((entry) => entry.kind === "guidance")).toMatchObject([{ text: "use parse()", queued: false, node: "programmer" }]);
  });

  it("tells each plan step's status from its owner's visits", () => {
    const steps = [
      { owner: "test-designer" as const, description: "reproduce" },
      { owner: "programmer" as const, description: "fix" },
      { owner: "executor" as const, description: "verify" },
    ];
    const state = fold([
      { ...at(1), type: "plan-submitted", version: 1, summary: "s", steps, files: [] },
      { ...at(2), type: "node-start", node: "test-designer", round: 0 },
      { ...at(3), type: "node-end", node: "test-designer", round: 0, summary: "" },
      { ...at(4), type: "node-start", node: "programmer", round: 1 },
    ]);
    expect(planStepStatuses(state)).toEqual(["done", "active", "pending"]);
  });

  it("keeps the transcript within its limit, dropping the oldest entries", () => {
    let state = screen();
    for (let index = 0; index < TRANSCRIPT_LIMIT + 50; index += 1) state = reduceScreen(state, { type: "notice", text: `n${index}` });
    expect(state.entries).toHaveLength(TRANSCRIPT_LIMIT);
    expect(state.entries[0]).toMatchObject({ text: "n50" });
  });

  it("adds each finished run's cost and tokens to the session's totals, unknown once one is unknown", () => {
    const end = (costUsd: number | null): AgentEvent => ({
      ...at(9),
      type: "run-end",
      status: "solved",
      summary: "",
      usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0 },
      costUsd,
      durationMs: 1,
    });
    const twice = fold([end(0.5), end(0.25)]);
    expect(twice.sessionTotals).toEqual({ costUsd: 0.75, inputTokens: 200, outputTokens: 20, tasks: 2 });
    expect(fold([end(0.5), end(null)]).sessionTotals.costUsd).toBeNull();
  });
});

describe("previewToolCall", () => {
  const request = (tool: string, input: Record<string, unknown>) => ({ node: "programmer" as const, tool, input, reason: "r" });

  it("shows a command as the shell would", () => {
    expect(previewToolCall(request("run_shell", { command: "pytest -q\necho done" }))).toEqual(["$ pytest -q", "echo done"]);
  });

  it("shows a replacement as removed and added lines, and a new file as added lines", () => {
    expect(previewToolCall(request("edit_file", { command: "str_replace", path: "a.py", old_str: "x = 1", new_str: "x = 2\ny = 3" }))).toEqual(["str_replace a.py", "-x = 1", "+x = 2", "+y = 3"]);
    expect(previewToolCall(request("edit_file", { command: "create", path: "t.py", file_text: "import a\n" }))).toEqual(["create t.py", "+import a", "+"]);
  });

  it("cuts a long preview and says how much is left out", () => {
    const lines = previewToolCall(request("edit_file", { command: "create", path: "big.py", file_text: "x\n".repeat(100) }), 10);
    expect(lines).toHaveLength(10);
    expect(lines.at(-1)).toBe("… 93 more lines");
  });
});

describe("keepEnds", () => {
  it("keeps a short text whole", () => {
    expect(keepEnds("short", 100)).toBe("short");
  });
});
