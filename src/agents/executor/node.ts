import type { AgentStateUpdate, AgentStateValue, TestCommand, TestRun, Verdict } from "../../memory/blackboard.js";
import { exceededLimit } from "../../memory/run-limits.js";
import type { GraphRuntime, Workbench } from "../graph-runtime.js";
import { commandForTests } from "./detect-test-command.js";
import { createTestSourceHider, designedTestsDigest, runnableTestPaths, withDesignedTests } from "./designed-tests.js";
import { judgeReproduction } from "./judge-reproduction.js";
import { judgeTestRuns, summarizeVerdict, type ObservedTestRun } from "./judge-test-runs.js";
import { runTestCommand } from "./run-test-command.js";

type RunLabels = { round: number; phase: "base" | "patched"; scope: "designed" | "existing"; testsDigest?: string };

/** A test run as the blackboard keeps it, and its test-run-end event, emitted once the runs made together are all done. */
interface FinishedTestRun {
  run: TestRun;
  report(): void;
}

async function runTests(bench: Workbench, runtime: GraphRuntime, framework: string, command: string, labels: RunLabels): Promise<FinishedTestRun> {
  const run = await runTestCommand(bench.sandbox, { command, framework }, runtime.signal);
  return {
    run: { ...labels, command, exitCode: run.exitCode, timedOut: run.timedOut, outcomes: run.outcomes, outputExcerpt: run.output },
    report: () =>
      runtime.emit({ type: "test-run-end", phase: labels.phase, scope: labels.scope, command, exitCode: run.exitCode, outcomes: run.outcomes, durationMs: run.durationMs }),
  };
}

/**
 * Base runs per test-designer tree, kept while the tree lives. They are started ahead, once the
 * test designer has handed in (startBaseRuns), and candidates (search.candidates) are verified at
 * once against the same tree and base commit: whoever needs a run first starts it, the others
 * wait for it (rather than running the same tests side by side in one tree), and the first node
 * to report it emits its event. A run that failed is forgotten, so the next one tries again.
 */
const baseRunsOfTree = new WeakMap<Workbench, Map<string, Promise<FinishedTestRun>>>();

function sharedBaseRun(tree: Workbench, key: string, start: () => Promise<FinishedTestRun>): Promise<FinishedTestRun> {
  let runs = baseRunsOfTree.get(tree);
  if (!runs) baseRunsOfTree.set(tree, (runs = new Map()));
  const known = runs.get(key);
  if (known) return known;
  // Its test-run-end is emitted once, by the first node that reports it (not by a run started ahead, which reports nothing).
  const started = start().then((finished) => {
    let reported = false;
    return { run: finished.run, report: () => (reported ? undefined : ((reported = true), finished.report())) };
  });
  runs.set(key, started);
  started.catch(() => runs.delete(key));
  return started;
}

/**
 * Runs the base half (the test designer's tree, or an earlier round's run of the same tests) and
 * the patched half (the programmer's tree) at once: two trees, two sandboxes. Their events are
 * emitted base first, as a serial run would.
 */
async function runBeforeAndAfter(earlier: TestRun | undefined, base: () => Promise<FinishedTestRun>, patched: () => Promise<FinishedTestRun>): Promise<[TestRun, TestRun]> {
  const [before, after] = await Promise.all([earlier ? undefined : base(), patched()]);
  before?.report();
  after.report();
  return [before?.run ?? earlier!, after.run];
}

/** The base commit does not change: a run of the same command on the same tests is reused from an earlier round. */
function earlierBaseRun(state: AgentStateValue, scope: "designed" | "existing", command: string, testsDigest?: string): TestRun | undefined {
  return state.testRuns.find((run) => run.phase === "base" && run.scope === scope && run.command === command && run.testsDigest === testsDigest);
}

function observed(run: TestRun | undefined): ObservedTestRun | null {
  return run ? { outcomes: run.outcomes, exitCode: run.exitCode, timedOut: run.timedOut ?? false, output: run.outputExcerpt } : null;
}

/**
 * How to run the repository's existing tests: the test designer's command when it found one,
 * else the runner recognised from the repository's files before the run.
 */
function existingTestsCommand(state: AgentStateValue, runtime: GraphRuntime): TestCommand | null {
  if (state.testCommand) return state.testCommand;
  const guess = runtime.detectedTestCommands?.find((candidate) => candidate.selectTemplate.includes("{tests}"));
  return guess ? { framework: guess.framework, selectTemplate: guess.selectTemplate } : null;
}

/** What the executor writes: the round's runs, its verdict, and the best patch so far. */
export interface ExecutorUpdate {
  testRuns: TestRun[];
  verdict: Verdict;
  bestPatch: AgentStateValue["bestPatch"];
}

/** One of the two selections the executor runs before and after the change, with the command that runs it. */
interface TestSelection {
  scope: "designed" | "existing";
  framework: string;
  command: string;
  /** For the designed tests: a digest of their content, so a base run is reused only for the same tests. */
  testsDigest?: string;
}

/** What the executor runs for this blackboard: the designed tests, and the plan's relevant existing tests (those not designed). */
function selectionsOf(state: AgentStateValue, runtime: GraphRuntime): { designed?: TestSelection; existing?: TestSelection; relevant: string[] } {
  const command = state.testCommand;
  const designedPaths = runnableTestPaths(state.designedTests);
  const designed =
    command && designedPaths.length > 0
      ? { scope: "designed" as const, framework: command.framework, command: commandForTests(command, designedPaths), testsDigest: designedTestsDigest(state.designedTests) }
      : undefined;
  const relevant = (state.plan?.relevantTests ?? []).filter((path) => !designedPaths.includes(path));
  const existingCommand = existingTestsCommand(state, runtime);
  const existing = existingCommand && relevant.length > 0 ? { scope: "existing" as const, framework: existingCommand.framework, command: commandForTests(existingCommand, relevant) } : undefined;
  return { ...(designed ? { designed } : {}), ...(existing ? { existing } : {}), relevant };
}

/** A selection's run on the base commit, in the test designer's tree: one per tree and command (sharedBaseRun). */
function baseRun(runtime: GraphRuntime, selection: TestSelection, round: number): Promise<FinishedTestRun> {
  const labels = { round, phase: "base", scope: selection.scope, ...(selection.testsDigest ? { testsDigest: selection.testsDigest } : {}) } as const;
  return sharedBaseRun(runtime.testDesigner, `${selection.scope}\0${selection.command}\0${selection.testsDigest ?? ""}`, () =>
    runTests(runtime.testDesigner, runtime, selection.framework, selection.command, labels),
  );
}

/**
 * Starts, in the background, the base-commit runs the executor will need for this blackboard,
 * in the test designer's tree, which nothing else uses until then: called once the test designer
 * has handed in, they run while the programmer works, and the executor takes them up
 * (sharedBaseRun) and is left with the patched runs. A run the blackboard already has is not
 * started; a failure is the executor's to meet when it runs the tests itself.
 */
export function startBaseRuns(state: AgentStateValue, runtime: GraphRuntime): void {
  const { designed, existing } = selectionsOf(state, runtime);
  // The round the executor judges in: after the programmer's first round, or the current one after a redesign.
  const round = Math.max(1, state.round);
  for (const selection of [designed, existing]) {
    if (!selection || earlierBaseRun(state, selection.scope, selection.command, selection.testsDigest)) continue;
    baseRun(runtime, selection, round).catch(() => {});
  }
}

/**
 * Creates the executor node. It is code, not a model: it runs the designed tests and the
 * relevant existing tests on the base commit (the test designer's clean tree) and on the
 * patched tree, judges every test (judgeTestRuns), and turns that into feedback, the route's
 * facts and the best patch so far.
 */
export function createExecutorNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<ExecutorUpdate> => {
    const round = state.round;
    runtime.emit({ type: "node-start", node: "executor", round });
    const runs: TestRun[] = [];
    let designedBefore: TestRun | undefined;
    let designedAfter: TestRun | undefined;
    let existingBefore: TestRun | undefined;
    let existingAfter: TestRun | undefined;
    const { designed, existing, relevant } = selectionsOf(state, runtime);
    if (designed) {
      // The base run is in the test designer's tree, the patched one in the programmer's: they run at once.
      [designedBefore, designedAfter] = await runBeforeAndAfter(
        earlierBaseRun(state, "designed", designed.command, designed.testsDigest),
        () => baseRun(runtime, designed, round),
        () =>
          withDesignedTests(runtime.programmer, state.designedTests, () =>
            runTests(runtime.programmer, runtime, designed.framework, designed.command, { round, phase: "patched", scope: "designed", testsDigest: designed.testsDigest! }),
          ),
      );
      if (!state.testRuns.includes(designedBefore)) runs.push(designedBefore);
      runs.push(designedAfter);
    }
    if (existing) {
      [existingBefore, existingAfter] = await runBeforeAndAfter(
        earlierBaseRun(state, "existing", existing.command),
        () => baseRun(runtime, existing, round),
        () => runTests(runtime.programmer, runtime, existing.framework, existing.command, { round, phase: "patched", scope: "existing" }),
      );
      if (!state.testRuns.includes(existingBefore)) runs.push(existingBefore);
      runs.push(existingAfter);
    }
    const verdict = judgeTestRuns({
      round,
      designedFiles: state.designedTests.map((test) => test.path),
      designedBefore: observed(designedBefore),
      designedAfter: observed(designedAfter),
      existingFiles: relevant,
      existingBefore: observed(existingBefore),
      existingAfter: observed(existingAfter),
      hasPatch: state.patch.trim().length > 0,
      hideTestSource: createTestSourceHider(state.designedTests),
    });
    const best = state.bestPatch;
    const bestPatch = state.patch && (!best || verdict.score > best.score) ? { patch: state.patch, score: verdict.score, round } : best;
    runtime.emit({ type: "node-end", node: "executor", round, summary: summarizeVerdict(verdict) });
    return { testRuns: runs, verdict, bestPatch };
  };
}

/**
 * Creates the node that ends a reproduction: the executor's base-commit half alone. Code, not a
 * model: it runs the designed tests once, with the test designer's command, in the test
 * designer's tree (the base commit plus the tests), keeps the run in testRuns, and says in its
 * node-end whether they reproduce the issue (judgeReproduction). Nothing is patched, so the run
 * ends failed (no change), or limits-exceeded when a budget was spent.
 */
export function createReproduceNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    const round = state.round;
    runtime.emit({ type: "node-start", node: "executor", round });
    const command = state.testCommand;
    const { designed } = selectionsOf(state, runtime);
    const finished = designed ? await baseRun(runtime, designed, round) : undefined;
    finished?.report();
    const run = finished?.run;
    // As the finish node does: the budget may be spent without a node having said so (the test designer's visit used the last step).
    const limit = exceededLimit(state, runtime.limits, runtime.now());
    const judged = judgeReproduction({ designedTests: state.designedTests, testCommand: command, run: observed(run), ...(limit ? { stoppedBy: `the ${limit} was reached` } : {}) });
    runtime.emit({ type: "node-end", node: "executor", round, summary: `${judged.verdict}: ${judged.reason}` });
    return { testRuns: run ? [run] : [], status: limit ? "limits-exceeded" : "failed", limitHit: limit };
  };
}
