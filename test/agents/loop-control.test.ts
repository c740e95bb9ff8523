import { describe, expect, it } from "vitest";
import { createLoopMonitor, describeFailedApproach, type LoopProgress, type LoopStep } from "../../src/agents/loop-control.js";

const progress = (overrides: Partial<LoopProgress> = {}): LoopProgress => ({
  filesSeen: ["src/parser.ts"],
  diffHash: "diff-0",
  testStatusHash: "tests-0",
  ...overrides,
});

const failingEdit: LoopStep = {
  action: { tool: "edit_file", input: { path: "src/parser.ts", old_str: "a,", new_str: "a" } },
  progress: progress(),
};

const viewWindow = (startLine: number, seen: Partial<LoopProgress> = {}): LoopStep => ({
  action: { tool: "view_file", input: { path: "src/parser.ts", start_line: startLine } },
  progress: progress(seen),
});

describe("createLoopMonitor", () => {
  it("reports the same failing action three times in a row as repeating", () => {
    const monitor = createLoopMonitor();
    const verdicts = [failingEdit, failingEdit, failingEdit].map((step) => monitor.record(step));
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(["ok", "ok", "repeating"]);
    expect(verdicts[2]).toEqual({
      kind: "repeating",
      action: 'edit_file {"new_str":"a","old_str":"a,","path":"src/parser.ts"}',
      times: 3,
    });
  });

  it("lets the same action repeat when progress changes each time", () => {
    const monitor = createLoopMonitor();
    const runTests = (run: number): LoopStep => ({
      action: { tool: "run_shell", input: { command: "npm test" } },
      progress: progress({ diffHash: `diff-${run}`, testStatusHash: `tests-${run}` }),
    });
    const verdicts = [1, 2, 3, 4, 5].map((run) => monitor.record(runTests(run)));
    expect(verdicts.every((verdict) => verdict.kind === "ok")).toBe(true);
  });

  it("treats inputs that differ only in key order as the same action", () => {
    const monitor = createLoopMonitor();
    const reordered = (input: Record<string, unknown>): LoopStep => ({ action: { tool: "edit_file", input }, progress: progress() });
    monitor.record(reordered({ path: "src/parser.ts", old_str: "a,", new_str: "a", options: { x: 1, y: 2 } }));
    monitor.record(reordered({ new_str: "a", path: "src/parser.ts", old_str: "a,", options: { y: 2, x: 1 } }));
    expect(monitor.record(reordered({ old_str: "a,", options: { x: 1, y: 2 }, new_str: "a", path: "src/parser.ts" })).kind).toBe("repeating");
  });

  it("reports eight steps that only re-view a file already seen as stalled", () => {
    const monitor = createLoopMonitor();
    expect(monitor.record(viewWindow(1))).toEqual({ kind: "ok" });
    const verdicts = [101, 201, 301, 401, 501, 601, 701, 801].map((line) => monitor.record(viewWindow(line)));
    expect(verdicts.slice(0, 7).every((verdict) => verdict.kind === "ok")).toBe(true);
    expect(verdicts[7]).toEqual({ kind: "stalled", steps: 8 });
  });

  it("restarts the stall count when a new file is seen", () => {
    const monitor = createLoopMonitor();
    for (const line of [1, 101, 201, 301, 401, 501, 601, 701]) monitor.record(viewWindow(line));
    expect(monitor.record(viewWindow(801, { filesSeen: ["src/parser.ts", "src/lexer.ts"] }))).toEqual({ kind: "ok" });
    const verdicts = [901, 1001, 1101, 1201, 1301, 1401, 1501].map((line) => monitor.record(viewWindow(line)));
    expect(verdicts.every((verdict) => verdict.kind === "ok")).toBe(true);
  });

  it("counts a changed diff as progress", () => {
    const monitor = createLoopMonitor({ maxStepsWithoutProgress: 3 });
    monitor.record(viewWindow(1));
    monitor.record(viewWindow(101));
    monitor.record(viewWindow(201, { diffHash: "diff-1" }));
    expect(monitor.record(viewWindow(301, { diffHash: "diff-1" }))).toEqual({ kind: "ok" });
  });

  it("honours custom thresholds", () => {
    const monitor = createLoopMonitor({ maxRepeats: 2 });
    monitor.record(failingEdit);
    expect(monitor.record(failingEdit)).toMatchObject({ kind: "repeating", times: 2 });
  });

  it("clears the counts and the history on reset", () => {
    const monitor = createLoopMonitor();
    for (let attempt = 0; attempt < 3; attempt += 1) monitor.record(failingEdit);
    monitor.reset();
    expect(monitor.history()).toEqual([]);
    expect([monitor.record(failingEdit), monitor.record(failingEdit)]).toEqual([{ kind: "ok" }, { kind: "ok" }]);
  });

  it("keeps the steps recorded since the last reset", () => {
    const monitor = createLoopMonitor();
    monitor.record(viewWindow(1));
    monitor.record(failingEdit);
    expect(monitor.history()).toEqual([viewWindow(1), failingEdit]);
  });
});

describe("describeFailedApproach", () => {
  it("lists the recent actions with consecutive repeats folded", () => {
    expect(describeFailedApproach([viewWindow(1), failingEdit, failingEdit, failingEdit])).toBe(
      [
        "Actions (4):",
        '- view_file {"path":"src/parser.ts","start_line":1}',
        '- edit_file {"new_str":"a","old_str":"a,","path":"src/parser.ts"} (×3)',
      ].join("\n"),
    );
  });

  it("keeps only the most recent steps and shortens long inputs", () => {
    const longEdit: LoopStep = { action: { tool: "edit_file", input: { new_str: "z".repeat(500) } }, progress: progress() };
    const text = describeFailedApproach([viewWindow(1), viewWindow(2), longEdit], 1);
    expect(text).toBe(`Last 1 of 3 actions:\n- edit_file {"new_str":"${"z".repeat(108)}…`);
  });

  it("says so when nothing was recorded", () => {
    expect(describeFailedApproach([])).toBe("No actions were recorded.");
  });
});
