import { describe, expect, it } from "vitest";
import { judgeReproduction, type JudgeReproductionInput } from "../../../src/agents/executor/judge-reproduction.js";
import type { ObservedTestRun } from "../../../src/agents/executor/judge-test-runs.js";
import type { DesignedTest } from "../../../src/memory/blackboard.js";

const reproTest: DesignedTest = { path: "tests/test_repro.py", content: "def test_strip(): ...\n", kind: "basic", description: "strips" };
const command = { framework: "pytest", selectTemplate: "python -m pytest -rA {tests}" };

function observed(partial: Partial<ObservedTestRun>): ObservedTestRun {
  return { outcomes: [], exitCode: 0, timedOut: false, output: "", ...partial };
}

function judge(run: ObservedTestRun | null, extra: Partial<JudgeReproductionInput> = {}) {
  return judgeReproduction({ designedTests: [reproTest], testCommand: command, run, ...extra });
}

describe("judgeReproduction", () => {
  it("could not run when the test designer handed in no test, and says why", () => {
    expect(judgeReproduction({ designedTests: [], testCommand: null, run: null, stoppedBy: "the step limit (30 tool calls) was reached" })).toEqual({
      verdict: "could-not-run",
      reason: "the test designer handed in no test (the step limit (30 tool calls) was reached)",
      failingTests: [],
    });
  });

  it("could not run when only support files were handed in", () => {
    const support: DesignedTest = { path: "tests/conftest.py", content: "", kind: "support", description: "fixtures" };
    expect(judgeReproduction({ designedTests: [support], testCommand: command, run: null }).reason).toBe("the test designer handed in no test");
  });

  it("could not run when there is no command to run the tests", () => {
    expect(judge(null, { testCommand: null }).reason).toBe("the test designer gave no command to run its tests");
  });

  it("could not run when the tests were not run, with what stopped the run", () => {
    expect(judge(null, { stoppedBy: "the run stopped: the sandbox died" })).toMatchObject({
      verdict: "could-not-run",
      reason: "the designed tests were not run (the run stopped: the sandbox died)",
    });
  });

  it("could not run when the tests timed out, even after some failed", () => {
    const run = observed({ timedOut: true, exitCode: null, outcomes: [{ test: "tests/test_repro.py::test_strip", status: "failed" }] });
    expect(judge(run)).toEqual({
      verdict: "could-not-run",
      reason: "the designed tests timed out on the base commit after 1 failed: a hang may be the bug, but a time-out does not show it",
      failingTests: [],
    });
  });

  it("could not run when a test does not parse, naming the line", () => {
    const run = observed({
      exitCode: 2,
      outcomes: [{ test: "tests/test_repro.py", status: "error" }],
      output: "ERROR collecting tests/test_repro.py\nE     def test_strip(:\nE     SyntaxError: invalid syntax\nERROR tests/test_repro.py\n",
    });
    expect(judge(run)).toEqual({
      verdict: "could-not-run",
      reason: "the designed tests broke before they tested anything, for a reason no fix can cure: `E     SyntaxError: invalid syntax`",
      failingTests: [],
    });
  });

  it("could not run when the command is not found, naming the line", () => {
    const run = observed({ exitCode: 127, output: "sh: 1: pytest: command not found\n" });
    expect(judge(run).reason).toBe("the designed tests broke before they tested anything, for a reason no fix can cure: `sh: 1: pytest: command not found`");
  });

  it("reproduces when a designed test fails or errors, listing them", () => {
    const run = observed({
      exitCode: 1,
      outcomes: [
        { test: "tests/test_repro.py::test_strip", status: "failed" },
        { test: "tests/test_repro.py::test_empty", status: "error" },
        { test: "tests/test_repro.py::test_lower", status: "passed" },
      ],
      output: "E   AssertionError: assert '-a-b-' == 'a-b'\n",
    });
    expect(judge(run)).toEqual({
      verdict: "reproduced",
      reason: "2 of 3 designed test(s) fail on the base commit: tests/test_repro.py::test_strip, tests/test_repro.py::test_empty",
      failingTests: ["tests/test_repro.py::test_strip", "tests/test_repro.py::test_empty"],
    });
  });

  it("reproduces when a test cannot import the name the fix is to add", () => {
    const run = observed({
      exitCode: 1,
      outcomes: [{ test: "tests/test_repro.py", status: "error" }],
      output: "E   ImportError: cannot import name 'strip_slug' from 'slugs'\nERROR tests/test_repro.py\n",
    });
    expect(judge(run)).toMatchObject({ verdict: "reproduced", failingTests: ["tests/test_repro.py"] });
  });

  it("does not reproduce when every designed test passes", () => {
    const run = observed({
      outcomes: [
        { test: "tests/test_repro.py::test_strip", status: "passed" },
        { test: "tests/test_repro.py::test_other", status: "skipped" },
      ],
    });
    expect(judge(run)).toEqual({
      verdict: "not-reproduced",
      reason: "every designed test passes on the base commit (1 passed, 1 skipped), so the issue did not show",
      failingTests: [],
    });
  });

  it("could not run when every designed test was skipped", () => {
    const run = observed({ outcomes: [{ test: "tests/test_repro.py::test_strip", status: "skipped" }] });
    expect(judge(run).reason).toBe("every designed test was skipped on the base commit (1), so they show nothing");
  });

  it("could not run when no result could be read from a failing command, giving its exit code", () => {
    expect(judge(observed({ exitCode: 3, output: "Traceback (most recent call last):\n  boom\n" }))).toEqual({
      verdict: "could-not-run",
      reason: "no test result could be read; exit 3",
      failingTests: [],
    });
  });

  it("could not run when the command exits 0 without a result that could be read", () => {
    expect(judge(observed({ exitCode: 0, output: "all good\n" })).reason).toBe(
      "the test command exited 0 but reported no test result that could be read, so nothing shows the tests ran",
    );
  });
});
