import { describe, expect, it } from "vitest";
import { createLoopMonitor, describeFailedApproach, type LoopStep } from "../../src/agents/loop-control.js";

const step = (tool: string, input: Record<string, unknown>, treeDigest: string, testDigest?: string): LoopStep => ({
  action: { tool, input },
  treeDigest,
  ...(testDigest ? { testDigest } : {}),
});

const failingEdit = step("edit_file", { path: "src/parser.ts", old_str: "a,", new_str: "a" }, "tree-0");
const viewWindow = (startLine: number, tree = "tree-0"): LoopStep => step("view_file", { path: "src/parser.ts", start_line: startLine }, tree);

describe("createLoopMonitor", () => {
  it("reports the same failing action on the same code three times as repeating", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const verdicts = [failingEdit, failingEdit, failingEdit].map((taken) => monitor.record(taken));
    expect(verdicts.map((verdict) => verdict.kind)).toEqual(["ok", "ok", "repeating"]);
    expect(verdicts[2]).toEqual({
      kind: "repeating",
      action: 'edit_file {"new_str":"a","old_str":"a,","path":"src/parser.ts"}',
      times: 3,
    });
  });

  it("never flags ten edit-and-test cycles on one file, each changing the diff", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const verdicts: string[] = [];
    for (let cycle = 1; cycle <= 10; cycle += 1) {
      verdicts.push(monitor.record(step("view_file", { path: "src/parser.ts" }, `tree-${cycle - 1}`)).kind);
      verdicts.push(monitor.record(step("edit_file", { path: "src/parser.ts", old_str: `v${cycle - 1}`, new_str: `v${cycle}` }, `tree-${cycle}`)).kind);
      verdicts.push(monitor.record(step("run_shell", { command: "pytest -q tests/test_parser.py" }, `tree-${cycle}`, cycle < 10 ? "one-failing" : "all-passing")).kind);
    }
    expect(verdicts.every((kind) => kind === "ok")).toBe(true);
  });

  it("catches the same edit made, undone and made again, with other steps between", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const edit = step("edit_file", { path: "a.py", old_str: "x", new_str: "y" }, "tree-1");
    const runTests = step("run_shell", { command: "pytest" }, "tree-1", "failing");
    const undo = step("git_restore", { path: "a.py" }, "tree-0");
    const verdicts = [edit, runTests, undo, edit, runTests, undo, edit].map((taken) => monitor.record(taken).kind);
    expect(verdicts).toEqual(["ok", "ok", "ok", "ok", "ok", "ok", "repeating"]);
  });

  it("lets the same command run again once the code has changed", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const verdicts = [1, 2, 3, 4, 5].map((run) => monitor.record(step("run_shell", { command: "npm test" }, `tree-${run}`, `tests-${run}`)));
    expect(verdicts.every((verdict) => verdict.kind === "ok")).toBe(true);
  });

  it("treats inputs that differ only in key order as the same action", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    monitor.record(step("edit_file", { path: "src/parser.ts", old_str: "a,", new_str: "a", options: { x: 1, y: 2 } }, "tree-0"));
    monitor.record(step("edit_file", { new_str: "a", path: "src/parser.ts", old_str: "a,", options: { y: 2, x: 1 } }, "tree-0"));
    expect(monitor.record(step("edit_file", { old_str: "a,", options: { x: 1, y: 2 }, new_str: "a", path: "src/parser.ts" }, "tree-0")).kind).toBe("repeating");
  });

  it("counts reading new windows of a file as progress", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const verdicts = [1, 101, 201, 301, 401, 501, 601, 701, 801, 901, 1001, 1101].map((line) => monitor.record(viewWindow(line)));
    expect(verdicts.every((verdict) => verdict.kind === "ok")).toBe(true);
  });

  it("reports steps that bring nothing new as stalled", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0", maxRepeats: 100, maxStepsWithoutProgress: 4 });
    const windows = [1, 101, 1, 101, 1, 101];
    const verdicts = windows.map((line) => monitor.record(viewWindow(line)).kind);
    expect(verdicts).toEqual(["ok", "ok", "ok", "ok", "ok", "stalled"]);
  });

  it("counts new test results as progress even on the same code", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    const flaky = ["pass", "fail", "error"].map((result) => monitor.record(step("run_shell", { command: "pytest" }, "tree-0", result)));
    expect(flaky.every((verdict) => verdict.kind === "ok")).toBe(true);
  });

  it("honours custom thresholds", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0", maxRepeats: 2 });
    monitor.record(failingEdit);
    expect(monitor.record(failingEdit)).toMatchObject({ kind: "repeating", times: 2 });
  });

  it("clears the counts and the history on reset", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
    for (let attempt = 0; attempt < 3; attempt += 1) monitor.record(failingEdit);
    monitor.reset();
    expect(monitor.history()).toEqual([]);
    expect([monitor.record(failingEdit), monitor.record(failingEdit)]).toEqual([{ kind: "ok" }, { kind: "ok" }]);
  });

  it("keeps the steps recorded since the last reset", () => {
    const monitor = createLoopMonitor({ initialTreeDigest: "tree-0" });
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
    const longEdit = step("edit_file", { new_str: "z".repeat(500) }, "tree-0");
    const text = describeFailedApproach([viewWindow(1), viewWindow(2), longEdit], 1);
    expect(text).toBe(`Last 1 of 3 actions:\n- edit_file {"new_str":"${"z".repeat(108)}…`);
  });

  it("says so when nothing was recorded", () => {
    expect(describeFailedApproach([])).toBe("No actions were recorded.");
  });
});
