import { appendFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { judgeReproduction, type ReproductionJudgement, type ReproductionVerdict } from "../agents/executor/judge-reproduction.js";
import { AbortedError } from "../errors.js";
import type { EventSink } from "../events/agent-event.js";
import { newRunId, RUN_FILES } from "../events/run-recorder.js";
import { zeroUsage, type ModelUsage } from "../events/usage.js";
import type { DesignedTest, TestRun } from "../memory/blackboard.js";
import { createRedactor } from "../memory/secret-patterns.js";
import { buildReproductionGraph } from "./build-reproduction-graph.js";
import { startRun, type FinishedRun, type RunTaskOptions } from "./run-task.js";

/** What a reproduction needs: a run's options without the programmer's branch (nothing is patched). Pass small limits: a triage must be cheap. */
export type ReproduceIssueOptions = Omit<RunTaskOptions, "branch">;

/** A reproduction's record: the verdict and why, the tests and how they were run, their log, and the run that did it. */
export interface ReproductionResult {
  verdict: ReproductionVerdict;
  reason: string;
  /** The designed tests that fail on the base commit; empty unless reproduced. */
  failingTests: string[];
  /** Every file the test designer handed in (support files have kind `support`). */
  tests: Array<{ path: string; content: string; kind: DesignedTest["kind"] }>;
  /** The command that ran the tests, when they were run. */
  command?: string;
  /** The tail of the test run's output, secrets removed; empty when the tests were not run. */
  log: string;
  /** The commit the tests ran on; null when the run did not start. */
  baseCommit: string | null;
  runId: string;
  runDir: string;
  usage: ModelUsage;
  /** Null when a model call's price is unknown. */
  costUsd: number | null;
}

/** The record a reproduction adds to its run directory, beside run.json and report.json. */
const REPRODUCTION_FILE = "reproduction.json";

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reproduces an issue without fixing it: the test designer writes tests from the issue text
 * alone and they run once on the base commit (buildReproductionGraph), as an ordinary recorded
 * run (run.json, trajectory, checkpoints, report, summary; plus reproduction.json, and the
 * verdict at the end of summary.md). The source repository is never changed. Every failure
 * ends in a record: a model error, a spent budget or a sandbox that cannot start is
 * could-not-run with its message. Only an interrupt throws (an AbortedError); an interrupted
 * reproduction is started again, not resumed.
 */
export async function reproduceIssue(options: ReproduceIssueOptions): Promise<ReproductionResult> {
  const runId = options.runId ?? newRunId();
  const runDir = join(options.runsDir, runId);
  const redact = createRedactor([...Object.values(options.config.providers).map((provider) => provider.apiKey), ...(options.secrets ?? [])]);
  let designerSummary: string | undefined;
  const sink: EventSink = (event) => {
    if (event.type === "node-end" && event.node === "test-designer") designerSummary = event.summary;
    options.sink?.(event);
  };
  let finished: FinishedRun;
  try {
    finished = await startRun({ ...options, runId, sink }, buildReproductionGraph, "reproduction");
  } catch (error) {
    if (error instanceof AbortedError || options.signal?.aborted) {
      throw new AbortedError(`interrupted; the reproduction's record is in ${runDir}; start the reproduction again (it is not resumed)`, { cause: error });
    }
    const judged: ReproductionJudgement = { verdict: "could-not-run", reason: redact(`the run could not start: ${messageOf(error)}`), failingTests: [] };
    return record({ ...judged, tests: [], log: "", baseCommit: null, runId, runDir, usage: zeroUsage, costUsd: 0 });
  }
  const { outcome, state } = finished;
  const run: TestRun | undefined = state.testRuns.filter((candidate) => candidate.phase === "base" && candidate.scope === "designed").at(-1);
  const stoppedBy =
    outcome.error !== undefined
      ? `the run stopped: ${messageOf(outcome.error)}`
      : state.limitHit
        ? `the ${state.limitHit} was reached`
        : designerSummary && `the test designer's visit ended with ${designerSummary}`;
  const judged = judgeReproduction({
    designedTests: state.designedTests,
    testCommand: state.testCommand,
    run: run ? { outcomes: run.outcomes, exitCode: run.exitCode, timedOut: run.timedOut ?? false, output: run.outputExcerpt } : null,
    ...(stoppedBy ? { stoppedBy } : {}),
  });
  return record({
    ...judged,
    reason: redact(judged.reason),
    tests: state.designedTests.map((test) => ({ path: test.path, content: test.content, kind: test.kind })),
    ...(run ? { command: run.command } : {}),
    log: run ? redact(run.outputExcerpt) : "",
    baseCommit: outcome.report.baseCommit,
    runId,
    runDir,
    usage: outcome.report.usage,
    costUsd: outcome.report.cost.usd,
  });
}

/** Adds the result to its run directory, when the run got as far as making one: reproduction.json, and the verdict at the end of summary.md. */
async function record(result: ReproductionResult): Promise<ReproductionResult> {
  const made = await stat(join(result.runDir, "run.json")).then(() => true, () => false);
  if (!made) return result;
  await writeFile(join(result.runDir, REPRODUCTION_FILE), `${JSON.stringify(result, null, 2)}\n`);
  const summary = join(result.runDir, RUN_FILES.summary);
  const hasSummary = await stat(summary).then(() => true, () => false);
  if (hasSummary) {
    const failing = result.failingTests.map((test) => `- \`${test}\``);
    await appendFile(summary, ["", "## Reproduction", "", `Verdict: **${result.verdict}**: ${result.reason}.`, ...(failing.length ? ["", ...failing] : []), ""].join("\n"));
  }
  return result;
}
