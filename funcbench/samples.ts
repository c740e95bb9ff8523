/**
 * Samples in human-eval's format: JSON lines of `{"task_id", "completion"}`, several per task
 * for pass@k. The grades go to `<samples>_results.jsonl`, each sample with `result` ("passed",
 * "failed: …", "timed out") and `passed`, as human-eval's evaluate_functional_correctness writes.
 */
import { readFile, writeFile } from "node:fs/promises";
import { UsageError } from "../src/index.js";

export interface Sample {
  taskId: string | number;
  completion: string;
}

/** Reads a samples file; every line must name a task and give its completion. */
export async function loadSamples(path: string): Promise<Sample[]> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new UsageError(`Cannot read the samples ${path}: ${(error as Error).message}`, { cause: error });
  }
  const samples: Sample[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    let record: { task_id?: unknown; completion?: unknown };
    try {
      record = JSON.parse(line) as typeof record;
    } catch (error) {
      throw new UsageError(`${path} line ${index + 1} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    if ((typeof record.task_id !== "string" && typeof record.task_id !== "number") || typeof record.completion !== "string") {
      throw new UsageError(`${path} line ${index + 1} needs "task_id" and "completion" (human-eval's sample format).`);
    }
    samples.push({ taskId: record.task_id, completion: record.completion });
  }
  if (samples.length === 0) throw new UsageError(`${path} holds no samples.`);
  return samples;
}

/** One graded sample as a results line. */
export interface SampleResultLine {
  task_id: string | number;
  completion: string;
  result: string;
  passed: boolean;
}

/** Writes the results beside the samples (human-eval's `<samples>_results.jsonl`). */
export async function writeSampleResults(path: string, lines: readonly SampleResultLine[]): Promise<void> {
  await writeFile(path, lines.map((line) => JSON.stringify(line)).join("\n") + (lines.length ? "\n" : ""));
}

/** Writes samples in human-eval's format. */
export async function writeSamples(path: string, samples: readonly Sample[]): Promise<void> {
  await writeFile(path, samples.map((sample) => JSON.stringify({ task_id: sample.taskId, completion: sample.completion })).join("\n") + (samples.length ? "\n" : ""));
}
