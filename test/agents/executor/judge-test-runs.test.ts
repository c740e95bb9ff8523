import { describe, expect, it } from "vitest";
import { findUnrelatedTestError, judgeTestRuns, summarizeVerdict, type ObservedTestRun } from "../../../src/agents/executor/judge-test-runs.js";
import type { TestOutcome } from "../../../src/events/agent-event.js";
import type { TestVerdictDetail } from "../../../src/memory/blackboard.js";

type Observed = "passed" | "failed" | "error" | "skipped" | "missing" | "timeout";

const TARGET = "tests/test_repro.py::test_bug";
/** Another designed file whose test passes in every run, so that a run that omits the target is still a healthy run. */
const COMPANION = "tests/test_other.py::test_ok";
const EXISTING = "tests/test_core.py::test_existing";
const EXISTING_COMPANION = "tests/test_core.py::test_unrelated";

/** A run in which `test` has the given status, next to a companion test that passes. */
function runWith(test: string, companion: string, status: Observed): ObservedTestRun {
  const outcomes: TestOutcome[] = [{ test: companion, status: "passed" }];
  if (status !== "missing" && status !== "timeout") outcomes.push({ test, status });
  return {
    outcomes,
    exitCode: status === "timeout" ? null : status === "passed" || status === "missing" || status === "skipped" ? 0 : 1,
    timedOut: status === "timeout",
    output: status === "passed" ? "2 passed" : `${test} ${status.toUpperCase()}\nAssertionError: assert 1 == 2`,
  };
}

const STATUSES: Observed[] = ["failed", "error", "passed", "missing", "skipped", "timeout"];
/** Whether a run with this status names the test at all. */
const reported = (status: Observed) => status !== "missing" && status !== "timeout";
const pairs = STATUSES.flatMap((before) => STATUSES.map((after) => ({ before, after })));

/** What a careful reviewer says of a designed test, given its status before and after the change. */
function expectedDesigned(before: Observed, after: Observed): TestVerdictDetail["category"] {
  if (before === "passed") return after === "passed" ? "weak" : "broken-by-change";
  if (before === "skipped" || before === "missing") return "weak";
  return after === "passed" ? "fixed" : "not-fixed";
}

/** ... and of an existing test. */
function expectedExisting(before: Observed, after: Observed): TestVerdictDetail["category"] {
  const failing = (status: Observed) => status === "failed" || status === "error" || status === "timeout";
  if (before === "passed") return after === "passed" ? "kept" : "regression";
  if (failing(before)) return after === "passed" ? "also-fixed" : "already-failing";
  if (before === "missing" && failing(after)) return "regression";
  return "kept";
}

function judgeDesigned(before: Observed, after: Observed) {
  return judgeTestRuns({
    round: 1,
    designedFiles: ["tests/test_repro.py", "tests/test_other.py"],
    designedBefore: runWith(TARGET, COMPANION, before),
    designedAfter: runWith(TARGET, COMPANION, after),
    existingBefore: null,
    existingAfter: null,
    hasPatch: true,
  });
}

function judgeExisting(before: Observed, after: Observed) {
  const reproduced = { outcomes: [{ test: TARGET, status: "failed" as const }], exitCode: 1, timedOut: false, output: "1 failed" };
  return judgeTestRuns({
    round: 1,
    designedFiles: ["tests/test_repro.py"],
    designedBefore: reproduced,
    designedAfter: { ...reproduced, outcomes: [{ test: TARGET, status: "passed" }], exitCode: 0, output: "1 passed" },
    existingBefore: runWith(EXISTING, EXISTING_COMPANION, before),
    existingAfter: runWith(EXISTING, EXISTING_COMPANION, after),
    hasPatch: true,
  });
}

describe("judgeTestRuns on a designed test", () => {
  it.each(pairs.filter(({ before, after }) => reported(before) || reported(after)))("judges $before before and $after after as a reviewer would", ({ before, after }) => {
    const verdict = judgeDesigned(before, after);
    const detail = verdict.details?.find((candidate) => candidate.test === TARGET);
    expect(detail).toMatchObject({ before, after, category: expectedDesigned(before, after) });
    expect(verdict.solved).toBe(expectedDesigned(before, after) === "fixed" && after !== "timeout");
  });

  it.each(pairs.filter(({ before, after }) => !reported(before) && !reported(after)))(
    "cannot name a test that neither run reported ($before before, $after after), and does not call the change solved",
    ({ before, after }) => {
      const verdict = judgeDesigned(before, after);
      expect(verdict.details?.find((candidate) => candidate.test === TARGET)).toBeUndefined();
      expect(verdict.solved).toBe(false);
    },
  );

  it("says a run that timed out on the base commit reproduces a hang, and one that times out after the change is not solved", () => {
    const verdict = judgeDesigned("timeout", "timeout");
    expect(verdict.testProblem).toBeNull();
    expect(verdict.feedback).toContain("The designed tests timed out on your change");
  });

  it("gives the programmer feedback for every before/after combination", () => {
    const feedback = Object.fromEntries(pairs.map(({ before, after }) => [`${before} → ${after}`, judgeDesigned(before, after).feedback]));
    expect(feedback).toMatchSnapshot();
  });

  it("counts a reproduction that cannot import the function the fix adds, and passes once it is added, as fixed", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: {
        outcomes: [{ test: "tests/test_repro.py", status: "error" }],
        exitCode: 2,
        timedOut: false,
        output: "ERROR tests/test_repro.py - ImportError: cannot import name 'slugify_all' from 'slugs'\n!!! Interrupted: 1 error during collection !!!",
      },
      designedAfter: {
        outcomes: [
          { test: "tests/test_repro.py::test_many", status: "passed" },
          { test: "tests/test_repro.py::test_empty", status: "passed" },
        ],
        exitCode: 0,
        timedOut: false,
        output: "2 passed",
      },
      existingBefore: null,
      existingAfter: null,
      hasPatch: true,
    });
    expect(verdict).toMatchObject({ solved: true, reproduced: ["tests/test_repro.py::test_empty", "tests/test_repro.py::test_many"], notFixed: [], testProblem: null });
    expect(verdict.feedback).not.toContain("Still failing");
  });

  it("counts a unittest module that fails to import before, and runs after, as fixed", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: {
        outcomes: [{ test: "test_repro (unittest.loader._FailedTest.test_repro)", status: "error" }],
        exitCode: 1,
        timedOut: false,
        output: "ImportError: Failed to import test module: test_repro",
      },
      designedAfter: {
        outcomes: [{ test: "test_a (tests.test_repro.T.test_a)", status: "passed" }],
        exitCode: 0,
        timedOut: false,
        output: "OK",
      },
      existingBefore: null,
      existingAfter: null,
      hasPatch: true,
    });
    expect(verdict.reproduced).toEqual(["test_a (tests.test_repro.T.test_a)"]);
    expect(verdict.solved).toBe(true);
  });

  it("counts a run that crashed before reporting any test, then passes after the change, as fixed", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: { outcomes: [], exitCode: 1, timedOut: false, output: "Traceback ... AttributeError: module 'slugs' has no attribute 'slugify_all'" },
      designedAfter: { outcomes: [{ test: "tests/test_repro.py::test_many", status: "passed" }], exitCode: 0, timedOut: false, output: "1 passed" },
      existingBefore: null,
      existingAfter: null,
      hasPatch: true,
    });
    expect(verdict.reproduced).toEqual(["tests/test_repro.py::test_many"]);
  });

  it("does not call a fix that still fails at import after the change fixed", () => {
    const collectionError = { outcomes: [{ test: "tests/test_repro.py", status: "error" as const }], exitCode: 2, timedOut: false, output: "ERROR tests/test_repro.py - ImportError" };
    const verdict = judgeTestRuns({ round: 1, designedFiles: ["tests/test_repro.py"], designedBefore: collectionError, designedAfter: collectionError, existingBefore: null, existingAfter: null, hasPatch: true });
    expect(verdict).toMatchObject({ solved: false, notFixed: ["tests/test_repro.py"], testProblem: null });
    expect(verdict.feedback).toContain("Still failing after your change: tests/test_repro.py (error before, error after)");
  });

  it("hides the designed tests' source from the output it quotes to the programmer", () => {
    const verdict = judgeTestRuns({
      ...{ round: 1, designedFiles: ["tests/test_repro.py"], existingBefore: null, existingAfter: null, hasPatch: true },
      designedBefore: runWith(TARGET, COMPANION, "failed"),
      designedAfter: { ...runWith(TARGET, COMPANION, "failed"), output: "    assert slugify(' a ') == 'a'\nE   AssertionError: '-a-' != 'a'" },
      hideTestSource: (text) => text.replace("    assert slugify(' a ') == 'a'", "    [hidden]"),
    });
    expect(verdict.feedback).toContain("E   AssertionError: '-a-' != 'a'");
    expect(verdict.feedback).not.toContain("assert slugify");
  });

  it("is not solved without a change, whatever the tests say", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: runWith(TARGET, COMPANION, "failed"),
      designedAfter: runWith(TARGET, COMPANION, "passed"),
      existingBefore: null,
      existingAfter: null,
      hasPatch: false,
    });
    expect(verdict.solved).toBe(false);
    expect(verdict.feedback.split("\n")[0]).toBe("There is no change in the working tree yet.");
  });
});

describe("judgeTestRuns on an existing test", () => {
  it.each(pairs)("judges $before before and $after after as a reviewer would", ({ before, after }) => {
    const verdict = judgeExisting(before, after);
    const category = expectedExisting(before, after);
    expect(verdict.regressions.includes(EXISTING)).toBe(category === "regression" && (reported(before) || reported(after)));
    expect(verdict.solved).toBe(category !== "regression" && after !== "timeout");
  });

  it("gives the programmer feedback for every before/after combination", () => {
    const feedback = Object.fromEntries(pairs.map(({ before, after }) => [`${before} → ${after}`, judgeExisting(before, after).feedback]));
    expect(feedback).toMatchSnapshot();
  });

  it("counts every test that passed before as a regression when the change breaks the module's import", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: { outcomes: [{ test: TARGET, status: "failed" }], exitCode: 1, timedOut: false, output: "" },
      designedAfter: { outcomes: [{ test: TARGET, status: "passed" }], exitCode: 0, timedOut: false, output: "" },
      existingBefore: { outcomes: [{ test: EXISTING, status: "passed" }, { test: EXISTING_COMPANION, status: "passed" }], exitCode: 0, timedOut: false, output: "" },
      existingFiles: ["tests/test_core.py"],
      existingAfter: { outcomes: [{ test: "tests/test_core.py", status: "error" }], exitCode: 2, timedOut: false, output: "ERROR tests/test_core.py - SyntaxError" },
      hasPatch: true,
    });
    expect(verdict.regressions).toEqual([EXISTING_COMPANION, EXISTING].sort());
    expect(verdict.feedback).toContain(`${EXISTING} (passed before, error after)`);
    expect(verdict.solved).toBe(false);
  });

  it("says when the existing tests could not run on the base commit", () => {
    const verdict = judgeTestRuns({
      round: 1,
      designedFiles: ["tests/test_repro.py"],
      designedBefore: runWith(TARGET, COMPANION, "failed"),
      designedAfter: runWith(TARGET, COMPANION, "passed"),
      existingBefore: { outcomes: [], exitCode: 4, timedOut: false, output: "ERROR: file or directory not found: tests/test_gone.py" },
      existingAfter: { outcomes: [], exitCode: 4, timedOut: false, output: "ERROR: file or directory not found: tests/test_gone.py" },
      hasPatch: true,
    });
    expect(verdict.feedback).toContain("The relevant existing tests could not be run on the base commit");
  });
});

describe("judgeTestRuns on tests that cannot judge a change", () => {
  const judge = (before: ObservedTestRun | null, after: ObservedTestRun | null) =>
    judgeTestRuns({ round: 1, designedFiles: ["tests/test_repro.py"], designedBefore: before, designedAfter: after, existingBefore: null, existingAfter: null, hasPatch: true });

  it("sends the run back when no tests were handed in", () => {
    expect(judge(null, null).testProblem?.kind).toBe("no-tests");
  });

  it("sends the run back when the command runs no test, with the base commit's output", () => {
    const notFound = { outcomes: [], exitCode: 127, timedOut: false, output: "bash: pytest: command not found" };
    const verdict = judge(notFound, notFound);
    expect(verdict.testProblem).toMatchObject({ kind: "did-not-run" });
    expect(verdict.testProblem!.feedback).toContain("exit code 127");
    expect(verdict.testProblem!.feedback).toContain("bash: pytest: command not found");
  });

  it("sends the run back when every test passes on the base commit", () => {
    const verdict = judge(runWith(TARGET, COMPANION, "passed"), runWith(TARGET, COMPANION, "passed"));
    expect(verdict.testProblem?.kind).toBe("not-reproducing");
  });

  it("sends the run back when the tests break the same way before and after for a reason no fix cures", () => {
    const broken = { outcomes: [{ test: "tests/test_repro.py", status: "error" as const }], exitCode: 2, timedOut: false, output: "E   fixture 'tmp_dir' not found" };
    const verdict = judge(broken, broken);
    expect(verdict.testProblem).toMatchObject({ kind: "broken" });
    expect(verdict.testProblem!.feedback).toContain("fixture 'tmp_dir' not found");
  });

  it("never shows the test designer the run on the programmer's change", () => {
    const before = { outcomes: [], exitCode: 1, timedOut: false, output: "base commit output" };
    const after = { outcomes: [], exitCode: 1, timedOut: false, output: "    return '-'.join(text.split())  # the programmer's line" };
    expect(judge(before, after).testProblem!.feedback).not.toContain("the programmer's line");
  });

  it("finds the errors that no change to the code can cure, and not a missing function", () => {
    expect(findUnrelatedTestError("E     File \"tests/test_repro.py\", line 3\nE   SyntaxError: invalid syntax")).toBe("E   SyntaxError: invalid syntax");
    expect(findUnrelatedTestError("E   ModuleNotFoundError: No module named 'hypothesis'")).toBe("E   ModuleNotFoundError: No module named 'hypothesis'");
    expect(findUnrelatedTestError("E   ImportError: cannot import name 'slugify_all' from 'slugs'")).toBeUndefined();
    expect(findUnrelatedTestError("E   ModuleNotFoundError: No module named 'slugs.extra'")).toBeUndefined();
  });
});

describe("summarizeVerdict", () => {
  it("says in one line what the executor found", () => {
    expect(summarizeVerdict(judgeDesigned("failed", "passed"))).toBe("solved: 1 reproduction test(s) fail before and pass after, no regression");
    expect(summarizeVerdict(judgeDesigned("failed", "failed"))).toBe("not solved: 1 still failing, 0 regression(s)");
    expect(summarizeVerdict(judgeDesigned("passed", "passed"))).toBe("not solved: 0 still failing, 0 regression(s); the tests: not-reproducing");
  });
});
