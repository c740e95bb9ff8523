/**
 * Environment validation with `--gold` and `--empty`: the gold patch must resolve an instance,
 * and without a patch its FAIL_TO_PASS tests must fail while PASS_TO_PASS pass. Each instance
 * gets a verdict with the reason in full when it is not valid, and what kind of problem it is:
 * an environment that cannot be made or whose tests never ran is an environment problem,
 * whatever the patch; tests that ran and disagree are a problem of the grade.
 */
import type { InstanceResult } from "./evaluate.js";
import type { TestsStatus } from "./grading.js";

/** Which validation: the gold patches, or no patch at all. */
export type EnvironmentCheck = "gold" | "empty";

/** What kind of problem makes an instance's environment not valid. */
export type EnvironmentProblem =
  /** The environment or instance image could not be made. */
  | "environment"
  /** The eval script ran but no test result was parsed: a missing command, an import error at start. */
  | "tests-never-ran"
  /** The tests ran, and some disagree with the dataset. */
  | "tests"
  | "patch-failed"
  | "timed-out"
  | "harness-error";

/** One instance's verdict. `valid` is null when it was not evaluated in this run (its report.json exists). */
export interface EnvironmentVerdict {
  instanceId: string;
  valid: boolean | null;
  problem?: EnvironmentProblem;
  reason?: string;
}

const LISTED_TESTS = 5;

/** The verdict of one result under `check`. */
export function environmentVerdict(result: InstanceResult, check: EnvironmentCheck): EnvironmentVerdict {
  const { instanceId, outcome } = result;
  switch (outcome.kind) {
    case "skipped":
      // Judged from the report.json it was skipped for, when that has test results.
      return outcome.report?.tests_status
        ? judgeTests(instanceId, check, outcome.report.resolved, outcome.report.tests_status, undefined, "")
        : { instanceId, valid: null, reason: outcome.reason };
    case "empty-patch":
      return { instanceId, valid: false, problem: "harness-error", reason: "the prediction's patch is empty, so nothing was evaluated" };
    case "environment-error":
      return { instanceId, valid: false, problem: "environment", reason: outcome.reason };
    case "patch-failed":
    case "timed-out":
    case "harness-error":
      return { instanceId, valid: false, problem: outcome.kind, reason: outcome.reason };
    case "graded":
      break;
  }
  const { grade, diagnosis } = outcome;
  const said = diagnosis.environmentLines.length ? ` The output says: ${diagnosis.environmentLines.join(" | ")}` : "";
  if (diagnosis.testsParsed === 0 && !diagnosis.runnerStarted) {
    return { instanceId, valid: false, problem: "tests-never-ran", reason: `no test result was parsed: the tests never ran.${said}` };
  }
  if (diagnosis.testsParsed === 0) {
    return { instanceId, valid: false, problem: "tests", reason: `no test result was parsed although the test runner started: the run ended before its report (e.g. an INTERNALERROR).${said}` };
  }
  return judgeTests(instanceId, check, grade.resolved, grade.testsStatus, grade.invalidReason, said);
}

/** The verdict of tests that ran: resolved for gold; FAIL_TO_PASS failing and PASS_TO_PASS passing for empty. */
function judgeTests(instanceId: string, check: EnvironmentCheck, resolved: boolean, testsStatus: TestsStatus, invalidReason: string | undefined, said: string): EnvironmentVerdict {
  const { FAIL_TO_PASS: failToPass, PASS_TO_PASS: passToPass } = testsStatus;
  const problems: string[] = [];
  if (check === "gold") {
    if (resolved) return { instanceId, valid: true };
    if (failToPass.failure.length) problems.push(`FAIL_TO_PASS failing with the gold patch: ${listTests(failToPass.failure)}`);
    if (passToPass.failure.length) problems.push(`PASS_TO_PASS failing: ${listTests(passToPass.failure)}`);
    if (invalidReason) problems.push(`the run is not trusted: ${invalidReason}`);
  } else {
    if (failToPass.success.length === 0 && failToPass.failure.length > 0 && passToPass.failure.length === 0) return { instanceId, valid: true };
    if (failToPass.success.length) problems.push(`FAIL_TO_PASS passing without a patch: ${listTests(failToPass.success)}`);
    if (failToPass.failure.length === 0 && failToPass.success.length === 0) problems.push("the instance has no FAIL_TO_PASS test");
    if (passToPass.failure.length) problems.push(`PASS_TO_PASS failing: ${listTests(passToPass.failure)}`);
  }
  return { instanceId, valid: false, problem: "tests", reason: `${problems.join("; ") || "not resolved"}.${said}` };
}

function listTests(tests: readonly string[]): string {
  const shown = tests.slice(0, LISTED_TESTS).join(", ");
  return tests.length > LISTED_TESTS ? `${shown} (and ${tests.length - LISTED_TESTS} more)` : shown;
}

/** How many results fell in each outcome; the counts add up to the number of results. */
export interface ResultCounts {
  total: number;
  resolved: number;
  unresolved: number;
  /** Graded, but no test result was parsed (counted apart from unresolved). */
  testsNeverRan: number;
  patchFailed: number;
  timedOut: number;
  environmentErrors: number;
  harnessErrors: number;
  emptyPatches: number;
  skipped: number;
}

type OutcomeKind = InstanceResult["outcome"]["kind"];

/** The counter of each outcome kind but "graded", which splits into three. */
const COUNTER_OF_KIND: Readonly<Record<Exclude<OutcomeKind, "graded">, keyof ResultCounts>> = {
  "patch-failed": "patchFailed",
  "timed-out": "timedOut",
  "environment-error": "environmentErrors",
  "harness-error": "harnessErrors",
  "empty-patch": "emptyPatches",
  skipped: "skipped",
};

/** The outcome counts of a run, each result in exactly one. */
export function countResults(results: readonly InstanceResult[]): ResultCounts {
  const counts: ResultCounts = { total: results.length, resolved: 0, unresolved: 0, testsNeverRan: 0, patchFailed: 0, timedOut: 0, environmentErrors: 0, harnessErrors: 0, emptyPatches: 0, skipped: 0 };
  for (const { outcome } of results) {
    if (outcome.kind !== "graded") counts[COUNTER_OF_KIND[outcome.kind]] += 1;
    else if (outcome.grade.resolved) counts.resolved += 1;
    else if (outcome.diagnosis.testsParsed === 0 && !outcome.diagnosis.runnerStarted) counts.testsNeverRan += 1;
    else counts.unresolved += 1;
  }
  return counts;
}

/** The counts as one line, naming only the outcomes that happened. */
export function formatResultCounts(counts: ResultCounts): string {
  const parts: Array<[number, string]> = [
    [counts.resolved, "resolved"],
    [counts.unresolved, "unresolved"],
    [counts.testsNeverRan, "tests never ran (environment)"],
    [counts.environmentErrors, "no environment"],
    [counts.patchFailed, "patch did not apply"],
    [counts.timedOut, "timed out"],
    [counts.harnessErrors, "harness error"],
    [counts.emptyPatches, "empty patch"],
    [counts.skipped, "skipped (report.json exists; --redo runs them again)"],
  ];
  const named = parts.filter(([count]) => count > 0).map(([count, label]) => `${count} ${label}`);
  return `${counts.total} instance(s): ${named.join(", ") || "none evaluated"}`;
}
