import { describe, expect, it } from "vitest";
import { lessonsOfRun, type RunLessonsInput } from "../../src/graph/lessons-of-run.js";
import type { TestRun, Verdict } from "../../src/memory/blackboard.js";
import { blackboardState } from "../support/blackboard-state.js";

const PATCH = "diff --git a/slugs/core.py b/slugs/core.py\n--- a/slugs/core.py\n+++ b/slugs/core.py\n@@ -1 +1 @@\n-a\n+b\n";
const designedRun = (outcomes: TestRun["outcomes"]): TestRun => ({ round: 1, phase: "base", scope: "designed", command: "pytest -rA tests/test_repro.py", exitCode: 1, outcomes, outputExcerpt: "" });
const verdict = (overrides: Partial<Verdict>): Verdict => ({ round: 1, reproduced: [], weak: [], notFixed: [], regressions: [], solved: false, feedback: "", score: 0, testProblem: null, ...overrides });

function lessons(overrides: Partial<RunLessonsInput["state"]>, changedFiles = ["slugs/core.py"]) {
  const state = blackboardState({
    task: { title: "slugify keeps surrounding spaces", body: "", source: "typed" },
    testCommand: { framework: "pytest", selectTemplate: "python3 -m pytest -rA {tests}" },
    testRuns: [designedRun([{ test: "tests/test_repro.py::test_strips", status: "failed" }])],
    patch: PATCH,
    notes: [{ role: "programmer", text: "Split on whitespace." }],
    learned: { conventions: ["Tests live in tests/ and use pytest."], setupCommands: [{ command: "pip install -e .", purpose: "install the package" }] },
    status: "solved",
    verdict: verdict({ solved: true, reproduced: ["tests/test_repro.py::test_strips"] }),
    ...overrides,
  });
  return lessonsOfRun({ state, changedFiles, runId: "run-1" });
}

const kinds = (entries: ReturnType<typeof lessons>) => entries.map((entry) => entry.kind);

describe("lessonsOfRun", () => {
  it("remembers from a solved run the test command, set-up, conventions and the fix with its files", () => {
    const entries = lessons({});
    expect(kinds(entries)).toEqual(["test-command", "setup-command", "convention", "fix-summary"]);
    expect(entries.find((entry) => entry.kind === "fix-summary")?.value).toEqual({
      task: "slugify keeps surrounding spaces",
      summary: "Split on whitespace.",
      files: ["slugs/core.py"],
      status: "solved",
    });
  });

  it("does not remember a test command whose tests never reported a result", () => {
    expect(kinds(lessons({ testRuns: [designedRun([])] }))).not.toContain("test-command");
  });

  it("keeps set-up and conventions out of memory when the run was not solved", () => {
    const entries = lessons({ status: "patched", verdict: verdict({ testProblem: { kind: "not-reproducing", feedback: "" } }) });
    expect(kinds(entries)).not.toContain("setup-command");
    expect(kinds(entries)).not.toContain("convention");
  });

  it("records a failed approach when the executor judged the change and it failed", () => {
    const entries = lessons({ status: "limits-exceeded", verdict: verdict({ notFixed: ["tests/test_repro.py::test_strips"] }) });
    const failed = entries.find((entry) => entry.kind === "failed-approach");
    expect(failed?.value).toEqual({
      task: "slugify keeps surrounding spaces",
      approach: "Split on whitespace. (changed slugs/core.py)",
      reason: "the executor judged it: 1 reproduction test(s) still failed (tests/test_repro.py::test_strips)",
    });
  });

  it("records no failed approach when the tests could not judge the change, or loop control stepped in", () => {
    const untested = lessons({ status: "patched", verdict: verdict({ notFixed: ["x"], testProblem: { kind: "broken", feedback: "" } }) });
    const redirected = lessons({ status: "patched", verdict: null, notes: [{ role: "loop-control", text: "Actions (3): ..." }] });
    expect(kinds(untested)).not.toContain("failed-approach");
    expect(kinds(redirected)).not.toContain("failed-approach");
  });

  it("remembers no fix when the run kept no patch", () => {
    expect(kinds(lessons({ patch: "", status: "failed", verdict: null }, []))).toEqual(["test-command"]);
  });
});
