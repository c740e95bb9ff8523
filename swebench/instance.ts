import type { RunStatus } from "../src/index.js";
/**
 * One SWE-bench task instance, with the 12 standard fields of the official datasets (Verified
 * adds `difficulty`). FAIL_TO_PASS and PASS_TO_PASS are JSON-encoded strings in the official
 * files and arrays in some copies; `testList` reads both.
 */
export interface SweBenchInstance {
  repo: string;
  instance_id: string;
  base_commit: string;
  patch: string;
  test_patch: string;
  problem_statement: string;
  hints_text: string;
  created_at: string;
  version: string;
  FAIL_TO_PASS: string | string[];
  PASS_TO_PASS: string | string[];
  environment_setup_commit: string;
  difficulty?: string;
}

/** A prediction in the official format (predictions.jsonl). */
export interface Prediction {
  instance_id: string;
  model_name_or_path: string;
  /** null or "" means the model produced no patch. */
  model_patch: string | null;
}

/** The test names of FAIL_TO_PASS or PASS_TO_PASS, whether stored as a JSON string or an array. */
export function testList(value: string | string[] | undefined | null): string[] {
  if (value === undefined || value === null || value === "") return [];
  if (Array.isArray(value)) return value.map(String);
  const parsed: unknown = JSON.parse(value);
  if (!Array.isArray(parsed)) throw new TypeError(`expected a JSON array of test names, not ${value.slice(0, 80)}`);
  return parsed.map(String);
}

/** One finished instance, as results.jsonl records it. */
export interface InferenceResult {
  instance_id: string;
  status: RunStatus | null | "environment-error" | "error";
  runId: string | null;
  runDir: string | null;
  costUsd: number | null;
  durationMs: number;
  patchBytes: number;
  /** host:pid of the process that ran it. */
  worker: string;
  error?: string;
}
