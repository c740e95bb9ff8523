import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { UsageError } from "../src/index.js";
import { toPythonJson } from "./grading.js";
import type { Prediction, SweBenchInstance } from "./instance.js";

/** The official run summary `<model>.<run_id>.json` (schema_version 2), keys in the official order. */
export interface RunSummary {
  total_instances: number;
  submitted_instances: number;
  completed_instances: number;
  resolved_instances: number;
  unresolved_instances: number;
  empty_patch_instances: number;
  error_instances: number;
  completed_ids: string[];
  incomplete_ids: string[];
  empty_patch_ids: string[];
  submitted_ids: string[];
  resolved_ids: string[];
  unresolved_ids: string[];
  error_ids: string[];
  schema_version: 2;
  unstopped_instances?: number;
  unstopped_containers?: string[];
  unremoved_images?: string[];
}

/** Containers and images of the run still present after it, when a Docker client was at hand. */
export interface DockerLeftovers {
  unstoppedContainers: readonly string[];
  unremovedImages: readonly string[];
}

/** What `runSummary` classifies. */
export interface RunSummaryInput {
  /** The full dataset of the run (after any instance-id filter). */
  instances: readonly Pick<SweBenchInstance, "instance_id">[];
  /** Every submitted prediction, including any for instances outside `instances`. */
  predictions: readonly Prediction[];
  /** instance_id → the raw text of its report.json; an id without an entry has no report.json. */
  reports: ReadonlyMap<string, string>;
  /** Given: the three unstopped/unremoved fields are added, as when the official harness has a Docker client. */
  docker?: DockerLeftovers;
}

/**
 * Classifies a run as the official make_run_report does. Per dataset instance: no prediction →
 * incomplete; an empty or null patch → empty_patch; no report.json → error; a report.json that is
 * there → completed, and then error if it is empty, not JSON or lacks [id].resolved, else resolved or
 * unresolved by that flag. submitted counts every prediction. Ids are sorted by code point, like Python.
 */
export function runSummary(input: RunSummaryInput): RunSummary {
  const predictions = new Map(input.predictions.map((prediction) => [prediction.instance_id, prediction]));
  const completed = new Set<string>();
  const incomplete = new Set<string>();
  const emptyPatch = new Set<string>();
  const resolved = new Set<string>();
  const unresolved = new Set<string>();
  const errored = new Set<string>();
  for (const { instance_id: id } of input.instances) {
    const prediction = predictions.get(id);
    if (prediction === undefined) {
      incomplete.add(id);
      continue;
    }
    if (prediction.model_patch === null || prediction.model_patch === undefined || prediction.model_patch === "") {
      emptyPatch.add(id);
      continue;
    }
    const text = input.reports.get(id);
    if (text === undefined) {
      errored.add(id);
      continue;
    }
    completed.add(id);
    const verdict = reportVerdict(text, id);
    if (verdict === "error") errored.add(id);
    else if (verdict === "resolved") resolved.add(id);
    else unresolved.add(id);
  }
  const summary: RunSummary = {
    total_instances: input.instances.length,
    submitted_instances: predictions.size,
    completed_instances: completed.size,
    resolved_instances: resolved.size,
    unresolved_instances: unresolved.size,
    empty_patch_instances: emptyPatch.size,
    error_instances: errored.size,
    completed_ids: pythonSorted(completed),
    incomplete_ids: pythonSorted(incomplete),
    empty_patch_ids: pythonSorted(emptyPatch),
    submitted_ids: pythonSorted(predictions.keys()),
    resolved_ids: pythonSorted(resolved),
    unresolved_ids: pythonSorted(unresolved),
    error_ids: pythonSorted(errored),
    schema_version: 2,
  };
  if (input.docker !== undefined) {
    const containers = pythonSorted(new Set(input.docker.unstoppedContainers));
    summary.unstopped_instances = containers.length;
    summary.unstopped_containers = containers;
    summary.unremoved_images = pythonSorted(new Set(input.docker.unremovedImages));
  }
  return summary;
}

/** Reads report.json the way make_run_report does: stripped text, JSON, then report[id]["resolved"] by Python truthiness. */
function reportVerdict(text: string, instanceId: string): "resolved" | "unresolved" | "error" {
  const content = text.trim();
  if (content === "") return "error";
  let report: unknown;
  try {
    report = JSON.parse(content);
  } catch {
    return "error";
  }
  if (!isObject(report) || !Object.hasOwn(report, instanceId)) return "error";
  const entry = report[instanceId];
  if (!isObject(entry) || !Object.hasOwn(entry, "resolved")) return "error";
  return isPythonTruthy(entry["resolved"]) ? "resolved" : "unresolved";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isPythonTruthy(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (isObject(value)) return Object.keys(value).length > 0;
  return Boolean(value);
}

/** Sorts strings by Unicode code point, as Python's sorted() does for str. */
export function pythonSorted(values: Iterable<string>): string[] {
  return [...values].sort(compareCodePoints);
}

function compareCodePoints(left: string, right: string): number {
  const a = [...left];
  const b = [...right];
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const difference = (a[index]?.codePointAt(0) ?? 0) - (b[index]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return a.length - b.length;
}

/** The summary's file name, `<model with "/"→"__">.<run_id>.json`, the model taken from the first prediction as officially. */
export function runSummaryFileName(predictions: readonly Pick<Prediction, "model_name_or_path">[], runId: string): string {
  const first = predictions[0];
  if (first === undefined) throw new UsageError("There are no predictions, so the run summary has no model name to be filed under; submit at least one prediction.");
  return `${first.model_name_or_path.replaceAll("/", "__")}.${runId}.json`;
}

/** The summary's text as the official harness writes it: json.dumps(report, indent=4) and a newline. */
export function formatRunSummary(summary: RunSummary): string {
  return `${toPythonJson(summary)}\n`;
}

/** An instance's log directory: <root>/logs/run_evaluation/<run_id>/<model with "/"→"__">/<instance_id>. */
export function evaluationLogDir(root: string, runId: string, modelName: string, instanceId: string): string {
  return join(root, "logs", "run_evaluation", runId, modelName.replaceAll("/", "__"), instanceId);
}

/** Reads the report.json of each prediction's log directory that has one, for `runSummary`. */
export async function readReportTexts(root: string, runId: string, predictions: readonly Prediction[]): Promise<Map<string, string>> {
  const reports = new Map<string, string>();
  for (const prediction of predictions) {
    const path = join(evaluationLogDir(root, runId, prediction.model_name_or_path, prediction.instance_id), "report.json");
    const text = await readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (text !== undefined) reports.set(prediction.instance_id, text);
  }
  return reports;
}
