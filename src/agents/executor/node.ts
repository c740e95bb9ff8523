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
 * Base runs per test-designer tree, kept while the tree lives. Candidates (search.candidates) are
 * verified at once against the same tree and the same base commit: the first to need a run
 * starts it, the others wait for it (rather than running the same tests side by side in one tree)
 * and only the first reports it. A run that failed to start is forgotten, so the next one tries again.
 */
const baseRunsOfTree = new WeakMap<Workbench, Map<string, Promise<FinishedTestRun>>>();

function sharedBaseRun(tree: Workbench, key: string, start: () => Promise<FinishedTestRun>): Promise<FinishedTestRun> {
  let runs = baseRunsOfTree.get(tree);
  if (!runs) baseRunsOfTree.set(tree, (runs = new Map()));
  const known = runs.get(key);
  if (known) return known.then((finished) => ({ run: finished.run, report: () => {} }));
  const started = start();
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
    const command = state.testCommand;
    const designedPaths = runnableTestPaths(state.designedTests);
    if (command && designedPaths.length > 0) {
      const designedCommand = commandForTests(command, designedPaths);
      const testsDigest = designedTestsDigest(state.designedTests);
      const labels = { round, scope: "designed", testsDigest } as const;
      // The base run is in the test designer's tree, the patched one in the programmer's: they run at once.
      [designedBefore, designedAfter] = await runBeforeAndAfter(
        earlierBaseRun(state, "designed", designedCommand, testsDigest),
        () => sharedBaseRun(runtime.testDesigner, `designed\0${designedCommand}\0${testsDigest}`, () => runTests(runtime.testDesigner, runtime, command.framework, designedCommand, { ...labels, phase: "base" })),
        () => withDesignedTests(runtime.programmer, state.designedTests, () => runTests(runtime.programmer, runtime, command.framework, designedCommand, { ...labels, phase: "patched" })),
      );
      if (!state.testRuns.includes(designedBefore)) runs.push(designedBefore);
      runs.push(designedAfter);
    }
    const relevant = (state.plan?.relevantTests ?? []).filter((path) => !designedPaths.includes(path));
    const existingCommand = existingTestsCommand(state, runtime);
    if (existingCommand && relevant.length > 0) {
      const selected = commandForTests(existingCommand, relevant);
      [existingBefore, existingAfter] = await runBeforeAndAfter(
        earlierBaseRun(state, "existing", selected),
        () => sharedBaseRun(runtime.testDesigner, `existing\0${selected}`, () => runTests(runtime.testDesigner, runtime, existingCommand.framework, selected, { round, phase: "base", scope: "existing" })),
        () => runTests(runtime.programmer, runtime, existingCommand.framework, selected, { round, phase: "patched", scope: "existing" }),
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
    const paths = runnableTestPaths(state.designedTests);
    const finished =
      command && paths.length > 0
        ? await runTests(runtime.testDesigner, runtime, command.framework, commandForTests(command, paths), {
            round,
            phase: "base",
            scope: "designed",
            testsDigest: designedTestsDigest(state.designedTests),
          })
        : undefined;
    finished?.report();
    const run = finished?.run;
    // As the finish node does: the budget may be spent without a node having said so (the test designer's visit used the last step).
    const limit = exceededLimit(state, runtime.limits, runtime.now());
    const judged = judgeReproduction({ designedTests: state.designedTests, testCommand: command, run: observed(run), ...(limit ? { stoppedBy: `the ${limit} was reached` } : {}) });
    runtime.emit({ type: "node-end", node: "executor", round, summary: `${judged.verdict}: ${judged.reason}` });
    return { testRuns: run ? [run] : [], status: limit ? "limits-exceeded" : "failed", limitHit: limit };
  };
}
