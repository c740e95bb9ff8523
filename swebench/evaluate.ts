/**
 * `agent swebench eval`: evaluates a set of predictions against their instances, several at a
 * time, and writes the official per-instance files and run summary. Instances whose report.json
 * exists are skipped (a run can be resumed); `redo` evaluates them again.
 */
import { access, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { makeEvalScript } from "./eval-script.js";
import { debianEnvironmentSpec, ensureInstanceImage, EnvironmentError, repositorySource } from "./environments.js";
import { evaluateInstance, type InstanceOutcome, type InstanceTiming } from "./evaluate-instance.js";
import type { GradingMode, InstanceReportEntry } from "./grading.js";
import type { Prediction, SweBenchInstance } from "./instance.js";
import { AbortedError, ConfigError } from "../src/index.js";
import { evaluationLogDir, formatRunSummary, readReportTexts, runSummary, runSummaryFileName, type RunSummary } from "./run-summary.js";
import { chooseOfficialImage, type EnvironmentKind } from "./official-images.js";
import { setupFailureCache } from "./setup-failures.js";
import { specFor, type RepoVersionSpec } from "./specs/index.js";

export type { EnvironmentKind };

/** One instance's result, as the CLI shows it. */
export interface InstanceResult {
  instanceId: string;
  outcome: InstanceOutcome | { kind: "skipped"; reason: string; report?: InstanceReportEntry } | { kind: "empty-patch" };
  timing?: InstanceTiming;
}

/** Options of `evaluatePredictions`. */
export interface EvaluateOptions {
  docker: Docker;
  instances: readonly SweBenchInstance[];
  predictions: readonly Prediction[];
  runId: string;
  /** The directory under which logs/run_evaluation/<run_id>/... goes (the official layout; the CLI uses the current directory). */
  logRoot: string;
  /** Where the run summary `<model>.<run_id>.json` goes. */
  reportDir: string;
  environment: EnvironmentKind;
  /** Local mirrors, one git repository per owner/name. */
  reposDir?: string;
  /** The clone cache for repositories not in reposDir. */
  cacheDir: string;
  workers: number;
  timeoutSec: number;
  redo?: boolean;
  /** Run the tests of instances whose patch is empty (to validate environments: F2P should fail) instead of counting them as empty patches. */
  evaluateEmptyPatches?: boolean;
  gradingMode?: GradingMode;
  /** The spec of a (repository, version); default: the project's table. Tests add synthetic repositories. */
  specLookup?: (repo: string, version: string) => RepoVersionSpec;
  /** The apt packages of a repository's Debian environment; default: the project's table. */
  debianPackages?: (repo: string) => string[] | undefined;
  /** The official parser name per instance (a v5 dataset's log_parser column); default: by repository. */
  parserNames?: ReadonlyMap<string, string>;
  onResult?: (result: InstanceResult, done: number, total: number) => void;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** What a whole evaluation produced. */
export interface EvaluationRun {
  summary: RunSummary;
  summaryFile: string;
  results: InstanceResult[];
  /** Instances whose environment could not be made, with why (they count as errors in the official summary). */
  environmentErrors: Array<{ instanceId: string; reason: string }>;
}

/** Evaluates every prediction that has an instance, `workers` at a time. */
export async function evaluatePredictions(options: EvaluateOptions): Promise<EvaluationRun> {
  const byId = new Map(options.instances.map((instance) => [instance.instance_id, instance]));
  const unknown = options.predictions.filter((prediction) => !byId.has(prediction.instance_id)).map((prediction) => prediction.instance_id);
  if (unknown.length > 0) options.onProgress?.(`ignoring ${unknown.length} prediction(s) for instances not in the dataset: ${unknown.slice(0, 5).join(", ")}${unknown.length > 5 ? ", ..." : ""}`);
  const work = options.predictions.filter((prediction) => byId.has(prediction.instance_id));
  const results: InstanceResult[] = [];
  const environmentErrors: EvaluationRun["environmentErrors"] = [];
  const pending = [...work];
  const cleanups: Promise<unknown>[] = [];
  let done = 0;
  const worker = async () => {
    for (let prediction = pending.shift(); prediction; prediction = pending.shift()) {
      if (options.signal?.aborted) return;
      const result = await evaluateOne(options, byId.get(prediction.instance_id)!, prediction, (removal) => cleanups.push(removal));
      if (result.outcome.kind === "environment-error") environmentErrors.push({ instanceId: result.instanceId, reason: result.outcome.reason });
      results.push(result);
      done += 1;
      options.onResult?.(result, done, work.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, work.length || 1)) }, worker));
  } finally {
    await Promise.all(cleanups);
  }
  if (options.signal?.aborted) throw new AbortedError();

  const reports = await readReportTexts(options.logRoot, options.runId, options.predictions);
  const summary = runSummary({ instances: options.instances, predictions: options.predictions, reports });
  await mkdir(options.reportDir, { recursive: true });
  const summaryFile = join(options.reportDir, runSummaryFileName(options.predictions, options.runId));
  await writeFile(summaryFile, formatRunSummary(summary));
  if (environmentErrors.length > 0) {
    await writeFile(summaryFile.replace(/\.json$/, ".environment-errors.json"), `${JSON.stringify(environmentErrors, null, 2)}\n`);
  }
  return { summary, summaryFile, results, environmentErrors };
}

async function evaluateOne(options: EvaluateOptions, instance: SweBenchInstance, prediction: Prediction, deferCleanup: (removal: Promise<unknown>) => void): Promise<InstanceResult> {
  const instanceId = instance.instance_id;
  if (!options.evaluateEmptyPatches && (!prediction.model_patch || prediction.model_patch.trim() === "")) return { instanceId, outcome: { kind: "empty-patch" } };
  const logDir = evaluationLogDir(options.logRoot, options.runId, prediction.model_name_or_path, instanceId);
  const reportFile = join(logDir, "report.json");
  if (!options.redo && (await exists(reportFile))) {
    // The earlier report goes with the result, so a resumed --gold/--empty check still judges the instance.
    const report = await readReportEntry(reportFile, instanceId);
    return { instanceId, outcome: { kind: "skipped", reason: "report.json exists (use --redo)", ...(report ? { report } : {}) } };
  }
  await rm(logDir, { recursive: true, force: true });
  await mkdir(logDir, { recursive: true });
  const started = Date.now();
  const signal = options.signal ? { signal: options.signal } : {};
  let image: string;
  let evalScript: string;
  let localServices: RepoVersionSpec["localServices"];
  try {
    const spec = (options.specLookup ?? specFor)(instance.repo, instance.version);
    const official = await chooseOfficialImage(options.docker, instanceId, options.environment, {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...signal,
    });
    if (official) {
      image = official;
      evalScript = makeEvalScript(instance, spec, { environment: "conda" });
    } else {
      const environment = debianEnvironmentSpec(instance, spec, options.debianPackages?.(instance.repo));
      const sourceRepo = await repositorySource(instance.repo, { ...(options.reposDir ? { reposDir: options.reposDir } : {}), cacheDir: options.cacheDir });
      const failures = setupFailureCache(options.cacheDir, options.redo === true);
      image = (await ensureInstanceImage({ docker: options.docker, instance, environment, sourceRepo, failures, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...signal })).tag;
      evalScript = makeEvalScript(instance, environment.evalSpec, { environment: "debian" });
      localServices = spec.localServices;
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = (error as Error).message;
    await writeFile(join(logDir, "run_instance.log"), `${new Date().toISOString()} - Environment error: ${reason}\n`);
    return { instanceId, outcome: { kind: error instanceof EnvironmentError || isConfigError(error) ? "environment-error" : "harness-error", reason }, timing: { totalMs: Date.now() - started, testCommandMs: null } };
  }
  const parserName = options.parserNames?.get(instanceId);
  const { outcome, timing } = await evaluateInstance({
    docker: options.docker,
    instance,
    prediction,
    image,
    evalScript,
    logDir,
    timeoutSec: options.timeoutSec,
    deferCleanup,
    ...(localServices ? { localServices } : {}),
    ...(options.gradingMode ? { gradingMode: options.gradingMode } : {}),
    ...(parserName ? { parserName } : {}),
    ...signal,
  });
  return { instanceId, outcome, timing: { ...timing, totalMs: Date.now() - started } };
}

function isConfigError(error: unknown): boolean {
  return error instanceof ConfigError;
}

/** The entry of `instanceId` in a report.json, or undefined when the file cannot be read as one. */
async function readReportEntry(file: string, instanceId: string): Promise<InstanceReportEntry | undefined> {
  try {
    const entry = (JSON.parse(await readFile(file, "utf8")) as Record<string, InstanceReportEntry | undefined>)[instanceId];
    return entry && typeof entry.resolved === "boolean" ? entry : undefined;
  } catch {
    return undefined;
  }
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
