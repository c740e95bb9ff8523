import type { DesignedTest, TestCommand } from "../../memory/blackboard.js";
import { runnableTestPaths } from "./designed-tests.js";
import { findUnrelatedTestError, type ObservedTestRun } from "./judge-test-runs.js";

/** What a reproduction found: the issue shows on the base commit, it does not, or the tests could not tell. */
export type ReproductionVerdict = "reproduced" | "not-reproduced" | "could-not-run";

/** The designed tests and their one run on the base commit. */
export interface JudgeReproductionInput {
  designedTests: readonly DesignedTest[];
  testCommand: TestCommand | null;
  /** The designed tests' run on the base commit; null when they were not run. */
  run: ObservedTestRun | null;
  /** Why the run stopped short, when it did: the limit reached, the error, or how the test designer's visit ended. */
  stoppedBy?: string;
}

/** The verdict, why, and the designed tests that fail on the base commit (only when reproduced). */
export interface ReproductionJudgement {
  verdict: ReproductionVerdict;
  reason: string;
  failingTests: string[];
}

/** Test names listed in a reason before the rest are counted. */
const LISTED_TESTS = 10;

function list(tests: readonly string[]): string {
  const shown = tests.slice(0, LISTED_TESTS).join(", ");
  return tests.length > LISTED_TESTS ? `${shown} and ${tests.length - LISTED_TESTS} more` : shown;
}

function couldNotRun(reason: string): ReproductionJudgement {
  return { verdict: "could-not-run", reason, failingTests: [] };
}

/**
 * Judges whether the test designer's tests reproduce the issue on the base commit, from their
 * one run there. A failure or an error of a designed test reproduces it; a run where every test
 * passes does not; anything else could not tell — no test handed in, a time-out, a run that
 * broke for a reason no fix can cure (the test does not parse, a fixture or the command is
 * missing), only skips, or no result the framework's parser could read. Errs towards
 * could-not-run: a bug is called reproduced only on a test that ran and failed. Pure.
 */
export function judgeReproduction(input: JudgeReproductionInput): ReproductionJudgement {
  const stopped = input.stoppedBy ? ` (${input.stoppedBy})` : "";
  if (runnableTestPaths(input.designedTests).length === 0) return couldNotRun(`the test designer handed in no test${stopped}`);
  if (!input.testCommand) return couldNotRun(`the test designer gave no command to run its tests${stopped}`);
  const { run } = input;
  if (!run) return couldNotRun(`the designed tests were not run${stopped}`);
  const count = (status: string) => run.outcomes.filter((outcome) => outcome.status === status).length;
  const failedBefore = count("failed") + count("error");
  if (run.timedOut) return couldNotRun(`the designed tests timed out on the base commit${failedBefore ? ` after ${failedBefore} failed` : ""}: a hang may be the bug, but a time-out does not show it`);
  const unrelated = findUnrelatedTestError(run.output);
  if (unrelated !== undefined) return couldNotRun(`the designed tests broke before they tested anything, for a reason no fix can cure: \`${unrelated}\``);
  const failing = run.outcomes.filter((outcome) => outcome.status === "failed" || outcome.status === "error").map((outcome) => outcome.test);
  if (failing.length > 0) {
    return { verdict: "reproduced", reason: `${failing.length} of ${run.outcomes.length} designed test(s) fail on the base commit: ${list(failing)}`, failingTests: failing };
  }
  const skipped = count("skipped");
  if (count("passed") > 0) {
    return { verdict: "not-reproduced", reason: `every designed test passes on the base commit (${count("passed")} passed${skipped ? `, ${skipped} skipped` : ""}), so the issue did not show`, failingTests: [] };
  }
  if (skipped > 0) return couldNotRun(`every designed test was skipped on the base commit (${skipped}), so they show nothing`);
  if (run.exitCode === 0) return couldNotRun("the test command exited 0 but reported no test result that could be read, so nothing shows the tests ran");
  return couldNotRun(`no test result could be read; exit ${run.exitCode ?? "none (the command was stopped)"}`);
}
