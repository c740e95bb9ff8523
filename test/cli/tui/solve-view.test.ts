import { cleanup, render } from "ink-testing-library";
import { createElement } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { initialSolveView, reduceSolveView, type SolveViewState } from "../../../cli/tui/solve-view-state.js";
import { SolveView } from "../../../cli/tui/solve-view.js";
import type { AgentEvent } from "../../../src/events/agent-event.js";
import { sampleRunEvents, sampleRunStart } from "../../events/sample-run.js";

afterEach(cleanup);

function viewAfter(events: AgentEvent[]): SolveViewState {
  return events.reduce(reduceSolveView, initialSolveView());
}

/** The sample run up to (not including) the first event that matches. */
function sampleUntil(predicate: (event: AgentEvent) => boolean): AgentEvent[] {
  const events = sampleRunEvents();
  return events.slice(0, events.findIndex(predicate));
}

function frameOf(state: SolveViewState, nowMs = sampleRunStart + 5_000, maxRows?: number): string {
  return render(createElement(SolveView, { state, nowMs, ...(maxRows === undefined ? {} : { maxRows }) })).lastFrame() ?? "";
}

/** The sample run with every section full: a 9-step plan, 6 tool calls, 4 test runs, a recovery; `ended` adds run-end. */
function fullRun(ended: boolean): SolveViewState {
  const events = sampleRunEvents();
  const stamp = { runId: "r", timestamp: new Date(sampleRunStart + 1_000).toISOString() };
  const steps = Array.from({ length: 9 }, (_, index) => ({ owner: "programmer" as const, description: `Step ${index + 1}` }));
  const extra: AgentEvent[] = [
    { ...stamp, type: "plan-submitted", version: 2, summary: "s", steps, files: ["a.py"] },
    ...(["designed", "existing"] as const).flatMap((scope) =>
      (["base", "patched"] as const).map((phase): AgentEvent => ({ ...stamp, type: "test-run-end", phase, scope, command: "pytest", exitCode: 0, outcomes: [], durationMs: 1 })),
    ),
    { ...stamp, type: "recovery", node: "executor", reason: "pytest missing", action: "installed it" },
  ];
  return viewAfter([...events.slice(0, -1), ...extra, ...(ended ? [events.at(-1)!] : [])]);
}

describe("SolveView", () => {
  it("says the run is starting before any event", () => {
    const frame = frameOf(initialSolveView());
    expect(frame).toContain("agent solve starting…");
    expect(frame).toContain("preparing the run");
  });

  it("shows the task, model, sandbox, cost so far, tokens and elapsed time in the header", () => {
    const frame = frameOf(viewAfter(sampleUntil((event) => event.type === "node-start" && event.node === "test-designer")), sampleRunStart + 65_000);
    const [title, facts] = frame.split("\n");
    expect(title).toBe("agent solve Parsing an empty config file crashes with TypeError");
    expect(facts).toBe("openai:gpt-4.1 · sandbox docker · $0.0083 · 3300 in (1024 cached) / 430 out · 1 m 05 s");
  });

  it("says so when the cost is unknown", () => {
    const frame = frameOf(viewAfter(sampleRunEvents({ lastCallCostUsd: null }).filter((event) => event.type !== "run-end")));
    expect(frame).toContain("cost unknown");
  });

  it("shows the active role and round, and marks the plan steps that role owns", () => {
    const frame = frameOf(viewAfter(sampleUntil((event) => event.type === "model-call-start" && event.callId === "model-call-3")));
    expect(frame).toMatch(/^. test-designer \(round 1\)$/m);
    expect(frame).toContain("plan v1 · src/widgets/config.py");
    expect(frame).toContain("  ▸ 1. [test-designer] Write a test that loads an empty config file and expects the defaults.");
    expect(frame).toContain("  · 2. [programmer] Return the defaults in load_config when yaml gives None.");
  });

  it("shows the first plan steps of a long plan and how many more there are", () => {
    const steps = Array.from({ length: 8 }, (_, index) => ({ owner: "programmer" as const, description: `Step number ${index + 1}` }));
    const plan = { type: "plan-submitted" as const, runId: "r", timestamp: new Date(sampleRunStart).toISOString(), version: 1, summary: "s", steps, files: [] };
    const frame = frameOf(viewAfter([...sampleRunEvents().slice(0, 1), plan]));
    expect(frame).toContain("5. [programmer] Step number 5");
    expect(frame).not.toContain("Step number 6");
    expect(frame).toContain("  … 3 more steps");
  });

  it("lists recent tool calls with a marker for ok, failed and running ones", () => {
    const frame = frameOf(viewAfter(sampleUntil((event) => event.type === "tool-call-end" && event.callId === "tc-6")));
    expect(frame).toContain("  ✓ view_file src/widgets/config.py 12 ms");
    expect(frame).toContain("  ✗ edit_file str_replace src/widgets/config.py 8 ms");
    expect(frame).toMatch(/^ {2}[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] run_shell python -m pytest -q tests\/test_config\.py/m);
  });

  it("moves the spinner of a running tool call as time passes", () => {
    const state = viewAfter(sampleUntil((event) => event.type === "tool-call-end" && event.callId === "tc-6"));
    const marker = (nowMs: number) => /^ {2}(\S) run_shell/m.exec(frameOf(state, nowMs))?.[1];
    expect(marker(sampleRunStart)).not.toBe(marker(sampleRunStart + 250));
  });

  it("shows a pending approval", () => {
    const frame = frameOf(viewAfter(sampleUntil((event) => event.type === "approval-decision")));
    expect(frame).toContain("waiting for approval: programmer wants run_shell (commands need approval in auto-edit mode)");
  });

  it("shows the test results of each phase", () => {
    const frame = frameOf(viewAfter(sampleRunEvents().filter((event) => event.type !== "run-end")));
    expect(frame).toContain("tests designed base    2 passed, 2 failed, 1 skipped (exit 1, 2.4 s) python -m pytest");
    expect(frame).toContain("tests designed patched 4 passed, 0 failed, 1 skipped (exit 0, 2.3 s) python -m pytest");
  });

  it("shows only the phase of a test run from an older trajectory, which names no scope", () => {
    const unscoped: AgentEvent = {
      type: "test-run-end",
      runId: "r",
      timestamp: new Date(sampleRunStart + 1_000).toISOString(),
      phase: "base",
      command: "pytest tests/test_repro.py",
      exitCode: 1,
      outcomes: [{ test: "tests/test_repro.py::test_empty", status: "failed" }],
      durationMs: 900,
    };
    const frame = frameOf(viewAfter([...sampleRunEvents().slice(0, 1), unscoped]));
    expect(frame).toContain("tests base             0 passed, 1 failed (exit 1, 900 ms) pytest tests/test_repro.py");
  });

  it("stays shorter than a 24-row terminal with every section full", () => {
    const frame = frameOf(fullRun(true));
    expect(frame).toContain("patch runs/");
    expect(frame).toContain("  … 4 more steps");
    expect(frame).toContain("tests existing patched");
    expect(frame).toContain("recovery: executor: pytest missing → installed it");
    expect(frame.split("\n").length).toBeLessThanOrEqual(23);
  });

  it("fits in the rows it is given, down to those of a 10-row terminal, saying what it leaves out", () => {
    for (const ended of [false, true]) {
      const state = fullRun(ended);
      for (let maxRows = 9; maxRows <= 24; maxRows += 1) {
        const lines = frameOf(state, sampleRunStart + 5_000, maxRows).split("\n");
        expect(lines.length).toBeLessThanOrEqual(maxRows);
        expect(lines[0]).toContain("agent solve ");
        expect(lines).toContainEqual(expect.stringContaining("recovery: executor"));
        if (maxRows < 23) expect(lines).toContainEqual(expect.stringMatching(/… \d+ more (step|tool call|test run)s?$/));
      }
    }
  });

  it("keeps the first plan steps, the latest tool calls and the latest test runs when rows are short", () => {
    const frame = frameOf(fullRun(false), sampleRunStart + 5_000, 14);
    expect(frame.split("\n")).toEqual([
      "agent solve Parsing an empty config file crashes with TypeError",
      expect.stringContaining("openai:gpt-4.1 · sandbox docker"),
      expect.stringMatching(/programmer \(round 1\)$|between roles/),
      "plan v2 · a.py",
      "  · 1. [programmer] Step 1",
      "  … 8 more steps",
      "tools",
      "  … 4 more tool calls",
      "  ✓ edit_file str_replace src/widgets/config.py 15 ms",
      expect.stringMatching(/^ {2}✓ run_shell python -m pytest/),
      "tests … 2 more test runs",
      expect.stringMatching(/^tests existing base/),
      expect.stringMatching(/^tests existing patched/),
      "recovery: executor: pytest missing → installed it",
    ]);
    expect(frameOf(fullRun(false), sampleRunStart + 5_000, 11).split("\n").slice(3)).toEqual([
      "plan v2 · a.py … 9 more steps",
      "tools",
      "  … 5 more tool calls",
      expect.stringMatching(/^ {2}✓ run_shell python -m pytest/),
      "tests … 2 more test runs",
      expect.stringMatching(/^tests existing base/),
      expect.stringMatching(/^tests existing patched/),
      "recovery: executor: pytest missing → installed it",
    ]);
  });

  it("shows the whole view when the rows allow it", () => {
    const state = fullRun(true);
    expect(frameOf(state, sampleRunStart + 5_000, 23)).toBe(frameOf(state));
  });

  it("ends with the final status, its summary and the patch", () => {
    const frame = frameOf(viewAfter(sampleRunEvents()));
    expect(frame).toContain("solved: load_config now returns the defaults for an empty file;");
    expect(frame).toContain("patch runs/20250314-093000-a1b2c3/patch.diff");
    expect(frame).toContain("$0.04 · 20400 in (12288 cached) / 1100 out · 17.9 s");
    expect(frame).not.toContain("▸");
  });

  it("keeps every line within the terminal width", () => {
    const frame = frameOf(viewAfter(sampleRunEvents()));
    for (const line of frame.split("\n")) expect(line.length).toBeLessThanOrEqual(100);
  });

  it("updates when it is rendered again with the next state", () => {
    const events = sampleRunEvents();
    const instance = render(createElement(SolveView, { state: viewAfter(events.slice(0, 1)), nowMs: sampleRunStart }));
    expect(instance.lastFrame()).not.toContain("plan v1");
    instance.rerender(createElement(SolveView, { state: viewAfter(events), nowMs: sampleRunStart }));
    expect(instance.lastFrame()).toContain("plan v1");
  });
});
