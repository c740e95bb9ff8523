import type { TestOutcome } from "../../events/agent-event.js";
import type { TestProblem, TestVerdictDetail, Verdict, VerdictTestStatus } from "../../memory/blackboard.js";

/** One run of tests as the verifier sees it. */
export interface ObservedTestRun {
  outcomes: TestOutcome[];
  exitCode: number | null;
  timedOut: boolean;
  /** The tail of the run's output. */
  output: string;
}

/** Everything the verifier judges: the designed and the existing tests, each run on the base commit and on the patch. */
export interface JudgeTestRunsInput {
  round: number;
  /** The test designer's files; they group a run's outcomes by file (a file that did not load fails all its tests). */
  designedFiles: string[];
  /** Null when there was nothing to run (no designed tests, or no command to run them). */
  designedBefore: ObservedTestRun | null;
  designedAfter: ObservedTestRun | null;
  /** The existing test files that were run (the plan's relevant tests), to group their outcomes by file the same way. */
  existingFiles?: string[];
  /** The repository's own relevant tests; null when none were run. */
  existingBefore: ObservedTestRun | null;
  existingAfter: ObservedTestRun | null;
  hasPatch: boolean;
  /** Removes the designed tests' source from text meant for the programmer (blindness; identity by default). */
  hideTestSource?: (text: string) => string;
}

/** Characters of a run's output quoted in feedback. */
const FEEDBACK_OUTPUT_CHARS = 3_000;
/** Test names listed per line of feedback before the rest are counted. */
const LISTED_TESTS = 20;

const FAILING: ReadonlySet<VerdictTestStatus> = new Set(["failed", "error", "timeout"]);

/**
 * Errors that stop a test before it tests anything and that no change to the code under test
 * can cure: the test file does not parse, uses a fixture or module that is not there, or the
 * command itself is wrong. An ImportError of a name the fix is to add is not among them: that
 * is the usual reproduction of a missing function.
 */
const UNRELATED_ERRORS: readonly RegExp[] = [
  /^\s*(?:E\s+)?(SyntaxError|IndentationError|TabError)\b.*$/m,
  /^\s*(?:E\s+)?NameError: name '[^']+' is not defined.*$/m,
  /^.*fixture '[^']+' not found.*$/m,
  /^\s*(?:E\s+)?ModuleNotFoundError: No module named '[A-Za-z0-9_]+'.*$/m,
  /^.*: command not found.*$/m,
  /^.*(?:can't open file|No such file or directory|file or directory not found|ERROR: not found:).*$/m,
  /^.*(?:unrecognized arguments|error: unrecognized|Unknown option|usage: ).*$/im,
  /^.*Cannot find module '[^']+'.*$/m,
];

/** The first line of an output that shows a test broken for a reason the fix cannot cure, if any. */
export function findUnrelatedTestError(output: string): string | undefined {
  for (const pattern of UNRELATED_ERRORS) {
    const match = pattern.exec(output);
    if (match) return match[0].trim();
  }
  return undefined;
}

/** The ways a test file's id can appear in a runner's test ids. */
function fileAliases(path: string): { path: string; dotted: string; base: string } {
  const withoutExtension = path.replace(/\.[A-Za-z0-9]+$/, "");
  return { path, dotted: withoutExtension.replace(/[\\/]/g, "."), base: withoutExtension.split(/[\\/]/).pop() ?? withoutExtension };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** The designed file a test id belongs to, or undefined when the id does not name one. */
function designedFileOf(id: string, files: readonly string[]): string | undefined {
  const normalised = id.replace(/[\\/]/g, ".");
  for (const file of files) {
    const { path, dotted, base } = fileAliases(file);
    if (id.includes(path) || normalised.includes(dotted)) return file;
    if (new RegExp(`(^|[^A-Za-z0-9_])${escapeRegExp(base)}([^A-Za-z0-9_]|$)`).test(id)) return file;
  }
  return undefined;
}

/** An id that is a bare source file path, as runners report a file that did not load (`ERROR tests/test_x.py`). */
const BARE_FILE_ID = /^[^\s:]+\.(?:py|[cm]?[jt]sx?|go|rs|rb)$/;

/** An outcome that stands for a whole file (it did not load), not for one test in it. */
function isFileLevel(id: string, file: string | undefined): boolean {
  if (/_FailedTest\b/.test(id) || BARE_FILE_ID.test(id)) return true;
  if (file === undefined) return false;
  const { path, dotted } = fileAliases(file);
  return id === path || id === dotted;
}

/** The tests of one group (a designed file, or everything else) as one run reported them. */
interface GroupRun {
  tests: Map<string, VerdictTestStatus>;
  /** A file-level error or failure (the file did not load). */
  fileFailed: boolean;
  fileLevelIds: string[];
}

function groupRun(run: ObservedTestRun | null, files: readonly string[]): Map<string, GroupRun> {
  const groups = new Map<string, GroupRun>();
  for (const outcome of run?.outcomes ?? []) {
    const file = designedFileOf(outcome.test, files);
    const key = file ?? "";
    const group: GroupRun = groups.get(key) ?? { tests: new Map(), fileFailed: false, fileLevelIds: [] };
    groups.set(key, group);
    if (isFileLevel(outcome.test, file)) {
      group.fileLevelIds.push(outcome.test);
      if (outcome.status === "error" || outcome.status === "failed") group.fileFailed = true;
    } else {
      group.tests.set(outcome.test, outcome.status);
    }
  }
  return groups;
}

/** A run that crashed before reporting any test: every test it should have run counts as an error. */
function crashedWithoutResults(run: ObservedTestRun): boolean {
  return run.outcomes.length === 0 && run.exitCode !== 0;
}

/** What one run says of one test, filling in what it did not report. */
function statusIn(run: ObservedTestRun | null, groups: Map<string, GroupRun>, group: string, test: string): VerdictTestStatus {
  if (!run) return "missing";
  const reported = groups.get(group)?.tests.get(test);
  if (reported) return reported;
  if (groups.get(group)?.fileLevelIds.includes(test)) {
    return groups.get(group)!.fileFailed ? "error" : "passed";
  }
  if (run.timedOut) return "timeout";
  if (groups.get(group)?.fileFailed || crashedWithoutResults(run)) return "error";
  return "missing";
}

/** Every (group, test) pair either run reported; a group with no test-level id is judged by its file-level outcome. */
function testsOf(...runs: Array<Map<string, GroupRun>>): Array<{ group: string; test: string }> {
  const pairs = new Map<string, { group: string; test: string }>();
  const groupNames = new Set(runs.flatMap((run) => [...run.keys()]));
  for (const group of [...groupNames].sort()) {
    const tests = new Set(runs.flatMap((run) => [...(run.get(group)?.tests.keys() ?? [])]));
    if (tests.size === 0) for (const run of runs) for (const id of run.get(group)?.fileLevelIds ?? []) tests.add(id);
    for (const test of [...tests].sort()) pairs.set(`${group}\0${test}`, { group, test });
  }
  return [...pairs.values()];
}

/** Classifies one designed test from its status before and after the change. */
function classifyDesigned(before: VerdictTestStatus, after: VerdictTestStatus): TestVerdictDetail["category"] {
  if (before === "passed") return after === "passed" ? "weak" : "broken-by-change";
  if (before === "skipped" || before === "missing") return "weak";
  if (after === "passed") return "fixed";
  return "not-fixed";
}

/** Classifies one existing test; `beforeHealthy` says whether the base run reported its tests normally. */
function classifyExisting(before: VerdictTestStatus, after: VerdictTestStatus, beforeHealthy: boolean): TestVerdictDetail["category"] {
  if (before === "passed") return after === "passed" ? "kept" : "regression";
  if (FAILING.has(before)) return after === "passed" ? "also-fixed" : "already-failing";
  if (before === "missing" && beforeHealthy && FAILING.has(after)) return "regression";
  return "kept";
}

function list(tests: readonly string[]): string {
  const shown = tests.slice(0, LISTED_TESTS).join(", ");
  return tests.length > LISTED_TESTS ? `${shown} and ${tests.length - LISTED_TESTS} more` : shown;
}

function describeChange(detail: TestVerdictDetail): string {
  return `${detail.test} (${detail.before} before, ${detail.after} after)`;
}

function tail(text: string): string {
  const trimmed = text.trim();
  return trimmed.length > FEEDBACK_OUTPUT_CHARS ? `…${trimmed.slice(-FEEDBACK_OUTPUT_CHARS)}` : trimmed;
}

/**
 * Judges whether the tests of the issue reproduce on the base commit and pass on the patch:
 * what a careful reviewer would say. Designed tests: a failure, an error or a timeout before
 * and a pass after is a fix (a reproduction that cannot even import the function the fix adds
 * errors before, and that is a fix); anything but a pass after is not fixed; a pass before
 * proves nothing (weak); a pass before and a failure after is broken by the change. Existing
 * tests: a pass before and anything else after (a failure, an error, a skip, or a test that no
 * longer runs) is a regression; a test that already failed does not count. Also says when the
 * designed tests themselves are the problem (they did not run, do not reproduce, or break for
 * a reason no fix can cure), with feedback for the test designer made of base-commit facts only,
 * so the test designer never sees the programmer's change. Pure.
 */
export function judgeTestRuns(input: JudgeTestRunsInput): Verdict {
  const hide = input.hideTestSource ?? ((text: string) => text);
  const designedBefore = groupRun(input.designedBefore, input.designedFiles);
  const designedAfter = groupRun(input.designedAfter, input.designedFiles);
  const designed: TestVerdictDetail[] = testsOf(designedBefore, designedAfter).map(({ group, test }) => {
    const before = statusIn(input.designedBefore, designedBefore, group, test);
    const after = statusIn(input.designedAfter, designedAfter, group, test);
    return { test, scope: "designed", before, after, category: classifyDesigned(before, after) };
  });
  const existingFiles = input.existingFiles ?? [];
  const existingBeforeGroups = groupRun(input.existingBefore, existingFiles);
  const existingAfterGroups = groupRun(input.existingAfter, existingFiles);
  const beforeHealthy = input.existingBefore !== null && !input.existingBefore.timedOut && input.existingBefore.outcomes.length > 0;
  const existing: TestVerdictDetail[] = testsOf(existingBeforeGroups, existingAfterGroups).map(({ group, test }) => {
    const before = statusIn(input.existingBefore, existingBeforeGroups, group, test);
    const after = statusIn(input.existingAfter, existingAfterGroups, group, test);
    return { test, scope: "existing", before, after, category: classifyExisting(before, after, beforeHealthy) };
  });

  const named = (details: TestVerdictDetail[], category: TestVerdictDetail["category"]) => details.filter((detail) => detail.category === category);
  const reproduced = named(designed, "fixed").map((detail) => detail.test);
  const notFixedDetails = named(designed, "not-fixed");
  const weak = named(designed, "weak").map((detail) => detail.test);
  const regressionDetails = [...named(designed, "broken-by-change"), ...named(existing, "regression")];
  const alreadyFailing = named(existing, "already-failing").map((detail) => detail.test);
  const alsoFixed = named(existing, "also-fixed").map((detail) => detail.test);
  const testProblem = findTestProblem(input, designed);
  const timedOutAfter = [input.designedAfter, input.existingAfter].some((run) => run?.timedOut === true);
  const solved = input.hasPatch && reproduced.length > 0 && notFixedDetails.length === 0 && regressionDetails.length === 0 && !timedOutAfter;

  const lines: string[] = [];
  if (!input.hasPatch) lines.push("There is no change in the working tree yet.");
  if (testProblem) lines.push(programmerNoteFor(testProblem));
  if (reproduced.length) lines.push(`Fixed (failed before, pass now): ${list(reproduced)}.`);
  if (notFixedDetails.length) lines.push(`Still failing after your change: ${list(notFixedDetails.map(describeChange))}.`);
  if (regressionDetails.length) lines.push(`Regressions (passed before, not now): ${list(regressionDetails.map(describeChange))}.`);
  if (input.designedAfter?.timedOut) lines.push("The designed tests timed out on your change: it may hang, or be far slower than before.");
  if (input.existingAfter?.timedOut) lines.push("The existing tests timed out on your change: it may hang, or be far slower than before.");
  if (weak.length && !testProblem) lines.push(`Weak tests (they do not fail before the change, so they prove nothing): ${list(weak)}.`);
  if (input.existingBefore && !beforeHealthy) lines.push("The relevant existing tests could not be run on the base commit, so regressions could not be checked.");
  if (alreadyFailing.length) lines.push(`Existing tests that already failed before your change (not counted against it): ${list(alreadyFailing)}.`);
  if (alsoFixed.length) lines.push(`Existing tests that failed before and pass now: ${list(alsoFixed)}.`);
  if (solved) lines.push("Every designed test that reproduces the issue now passes, and nothing that passed before fails.");
  if (!solved) {
    const failingDesigned = notFixedDetails.length > 0 || named(designed, "broken-by-change").length > 0;
    const failingRun = failingDesigned || input.designedAfter?.timedOut ? input.designedAfter : named(existing, "regression").length > 0 || input.existingAfter?.timedOut ? input.existingAfter : null;
    const which = failingRun === input.designedAfter ? "the designed tests on your change (lines of their source are hidden)" : "the existing tests on your change";
    if (failingRun?.output.trim()) lines.push(`Output of ${which}:\n${tail(hide(failingRun.output))}`);
  }
  return {
    round: input.round,
    reproduced,
    weak,
    notFixed: notFixedDetails.map((detail) => detail.test),
    regressions: regressionDetails.map((detail) => detail.test),
    details: [...designed, ...regressionDetails.filter((detail) => detail.scope === "existing")],
    solved,
    testProblem,
    feedback: lines.join("\n"),
    score: reproduced.length * 10 - notFixedDetails.length * 5 - regressionDetails.length * 20 + (input.hasPatch ? 1 : 0),
  };
}

/** When the designed tests, not the code, are what stands in the way; null when they did their job. */
function findTestProblem(input: JudgeTestRunsInput, designed: TestVerdictDetail[]): TestProblem | null {
  const before = input.designedBefore;
  if (!before || !input.designedAfter) {
    return { kind: "no-tests", feedback: "No reproduction tests were handed in, so no change can be verified. Write them and hand them in with submit_tests." };
  }
  const baseOutput = tail(before.output) || "(no output)";
  const reportedNothing = before.outcomes.length === 0 && input.designedAfter.outcomes.length === 0;
  if (reportedNothing) {
    const reason = before.timedOut ? "timed out before it reported any test" : `reported no test the executor can read (exit code ${before.exitCode ?? "none"})`;
    return {
      kind: "did-not-run",
      feedback:
        `Your test command ${reason} on the base commit. Fix the command template or the test files so the runner reports each test ` +
        `(for example \`python -m pytest -rA {tests}\` or \`python -m unittest -v {tests}\`). Its output on the base commit:\n${baseOutput}`,
    };
  }
  if (designed.length > 0 && !before.timedOut && designed.every((detail) => !FAILING.has(detail.before))) {
    return {
      kind: "not-reproducing",
      feedback:
        `None of your tests fails on the base commit (${list(designed.map((detail) => `${detail.test}: ${detail.before}`))}), so they do not reproduce the issue. ` +
        `Rework them so that they fail on the current code for the reason the issue describes. Their output on the base commit:\n${baseOutput}`,
    };
  }
  const errorBefore = findUnrelatedTestError(before.output);
  const errorAfter = findUnrelatedTestError(input.designedAfter.output);
  const stuck = designed.length > 0 && designed.every((detail) => detail.before === "error" && (detail.after === "error" || detail.after === "missing"));
  if (stuck && errorBefore !== undefined && errorBefore === errorAfter) {
    return {
      kind: "broken",
      feedback: `Your tests break before they test anything, on the base commit and after the fix alike: \`${errorBefore}\`. Fix the test files (or the command). Their output on the base commit:\n${baseOutput}`,
    };
  }
  return null;
}

/** The verdict in one line, for node and run summaries. */
export function summarizeVerdict(verdict: Verdict): string {
  if (verdict.solved) return `solved: ${verdict.reproduced.length} reproduction test(s) fail before and pass after, no regression`;
  const parts = [`${verdict.notFixed.length} still failing`, `${verdict.regressions.length} regression(s)`];
  if (verdict.reproduced.length) parts.unshift(`${verdict.reproduced.length} fixed`);
  return `not solved: ${parts.join(", ")}${verdict.testProblem ? `; the tests: ${verdict.testProblem.kind}` : ""}`;
}

/** What the programmer hears when the designed tests cannot judge its change. */
function programmerNoteFor(problem: TestProblem): string {
  switch (problem.kind) {
    case "no-tests":
      return "There are no reproduction tests yet, so your change could not be verified.";
    case "did-not-run":
      return "The designed tests did not run, or their output could not be read, so your change could not be verified.";
    case "not-reproducing":
      return "None of the designed tests fails on the base commit, so they cannot show whether your change fixes the issue.";
    case "broken":
      return "The designed tests break before they test anything, for a reason no change to the code can cure.";
  }
}
