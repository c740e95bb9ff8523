/**
 * `agent swebench run`: the agent graph on SWE-bench instances. Each instance is solved from its
 * problem statement alone (never the gold patch, the test patch or the test names), in a Docker
 * sandbox made from the instance's image (the official one, or one built here from Debian: the
 * image the evaluation uses), on a clone of the repository at base_commit.
 * predictions.jsonl gets one official line per finished instance, appended as it finishes, so a
 * run can be stopped and resumed; results.jsonl says where each run's trajectory, cost and
 * timing are.
 */
import { appendFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import type { RunOutcome, RunTaskOptions, TaskSpec } from "../src/index.js";
import { debianEnvironmentSpec, ensureInstanceImage, EnvironmentError, repositorySource } from "./environments.js";
import { REPO_DIRECTORY } from "./eval-script.js";
import { chooseOfficialImage, officialSandboxEnvironment, type EnvironmentKind } from "./official-images.js";
import { seedBuildArtifacts } from "./seed-workspace.js";
import type { InferenceResult, Prediction, SweBenchInstance } from "./instance.js";
import { distributeInstances, type QueueSettings } from "./distributed.js";
import { specFor, type RepoVersionSpec } from "./specs/index.js";
import { AbortedError, ConfigError } from "../src/index.js";

/** Options of `runInference`. */
export interface InferenceOptions {
  docker: Docker;
  instances: readonly SweBenchInstance[];
  /** The output directory: predictions.jsonl, results.jsonl, runs/. */
  outputDir: string;
  /** The images the agents work in, as `agent swebench eval --environment` chooses them. */
  environment: EnvironmentKind;
  /** model_name_or_path of the predictions. */
  modelName: string;
  workers: number;
  /** Stop starting instances once the runs have cost this much (USD); each run gets the remaining budget as its limit. */
  maxTotalCostUsd?: number;
  redo?: boolean;
  reposDir?: string;
  cacheDir: string;
  specLookup?: (repo: string, version: string) => RepoVersionSpec;
  debianPackages?: (repo: string) => string[] | undefined;
  /** Runs the agent graph; the CLI passes runTask with its configuration. */
  solve: (options: Pick<RunTaskOptions, "task" | "repoPath" | "baseCommit" | "runsDir" | "limits" | "memoryPath" | "sandboxWorkdir" | "sandboxEnv" | "prepareWorkspace"> & { image: string }) => Promise<RunOutcome>;
  onResult?: (result: InferenceResult, progress: InferenceProgress) => void;
  /** Called when an instance starts here (not for instances handed to queue workers). */
  onStart?: (instance: SweBenchInstance) => void;
  /** Distribute the instances through this BullMQ queue to `agent worker` processes instead of solving them here. */
  queue?: QueueSettings;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Where a run stands, for the progress line. */
export interface InferenceProgress {
  done: number;
  total: number;
  costUsd: number;
  /** Estimated time to finish, from the mean time per instance so far; null before the first. */
  etaMs: number | null;
}

/** The task the agents see: the problem statement, nothing else of the instance. */
export function taskForInstance(instance: Pick<SweBenchInstance, "instance_id" | "problem_statement">): TaskSpec {
  const body = instance.problem_statement.trim();
  const title = body.split("\n")[0]!.replace(/^#+\s*/, "").trim().slice(0, 120) || instance.instance_id;
  return { title, body, source: `swebench:${instance.instance_id}` };
}

/** Ids already in predictions.jsonl (a resumed run skips them). */
export async function finishedInstanceIds(predictionsFile: string): Promise<Set<string>> {
  const text = await readFile(predictionsFile, "utf8").catch(() => "");
  const ids = new Set<string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      ids.add((JSON.parse(line) as Prediction).instance_id);
    } catch {
      // A line cut short by a crash: that instance runs again.
    }
  }
  return ids;
}

/** Removes the lines of these instances from predictions.jsonl (they are about to be solved again: one line per instance). */
async function dropPredictions(predictionsFile: string, ids: ReadonlySet<string>): Promise<void> {
  const text = await readFile(predictionsFile, "utf8").catch(() => undefined);
  if (text === undefined) return;
  const kept = text.split("\n").filter((line) => {
    if (line.trim() === "") return false;
    try {
      return !ids.has((JSON.parse(line) as Prediction).instance_id);
    } catch {
      return false;
    }
  });
  await writeFile(predictionsFile, kept.map((line) => `${line}\n`).join(""));
}

/** Runs the graph on every instance not finished yet, `workers` at a time. */
export async function runInference(options: InferenceOptions): Promise<{ results: InferenceResult[]; predictionsFile: string; stoppedForCost: boolean }> {
  await mkdir(options.outputDir, { recursive: true });
  const predictionsFile = join(options.outputDir, "predictions.jsonl");
  const resultsFile = join(options.outputDir, "results.jsonl");
  if (options.redo) await dropPredictions(predictionsFile, new Set(options.instances.map((instance) => instance.instance_id)));
  const finished = options.redo ? new Set<string>() : await finishedInstanceIds(predictionsFile);
  const skipped = options.instances.filter((instance) => finished.has(instance.instance_id)).length;
  if (skipped > 0) options.onProgress?.(`${skipped} instance(s) already have a prediction in ${predictionsFile}; skipping them (--redo runs them again)`);
  const pending = options.instances.filter((instance) => !finished.has(instance.instance_id));
  const total = pending.length;
  const results: InferenceResult[] = [];
  const started = Date.now();
  let costUsd = 0;
  let stoppedForCost = false;
  const overBudget = () => {
    if (options.maxTotalCostUsd !== undefined && costUsd >= options.maxTotalCostUsd) stoppedForCost = true;
    return stoppedForCost;
  };
  const record = async (result: InferenceResult, prediction: Prediction | undefined) => {
    if (prediction) await appendFile(predictionsFile, `${JSON.stringify(prediction)}\n`);
    costUsd += result.costUsd ?? 0;
    results.push(result);
    await appendFile(resultsFile, `${JSON.stringify(result)}\n`);
    const elapsed = Date.now() - started;
    const parallel = options.queue ? 1 : Math.max(1, options.workers);
    options.onResult?.(result, { done: results.length, total, costUsd, etaMs: (elapsed / results.length) * (total - results.length) / parallel });
  };
  if (options.queue) {
    await distributeInstances({
      queue: options.queue,
      instances: pending,
      jobData: (instance) => ({ instance, modelName: options.modelName, environment: options.environment, ...(options.maxTotalCostUsd !== undefined ? { maxTotalCostUsd: options.maxTotalCostUsd } : {}) }),
      onDone: record,
      shouldStop: overBudget,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } else {
    const worker = async () => {
      for (let instance = pending.shift(); instance; instance = pending.shift()) {
        if (options.signal?.aborted || overBudget()) return;
        options.onStart?.(instance);
        const { result, prediction } = await solveInstance(options, instance, options.maxTotalCostUsd === undefined ? undefined : options.maxTotalCostUsd - costUsd);
        await record(result, prediction);
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(options.workers, total || 1)) }, worker));
  }
  if (options.signal?.aborted) throw new AbortedError();
  return { results, predictionsFile, stoppedForCost };
}

/** What solving one instance needs (a local run or a queue worker). */
export type InstanceSolverOptions = Pick<InferenceOptions, "docker" | "outputDir" | "environment" | "modelName" | "reposDir" | "cacheDir" | "specLookup" | "debianPackages" | "solve" | "onProgress" | "signal">;

/**
 * Solves one instance: its image (official, or built here from Debian), its repository, the
 * agent graph. The prediction is undefined when no run happened (no environment, an error); the
 * result says why.
 */
export async function solveInstance(
  options: InstanceSolverOptions,
  instance: SweBenchInstance,
  remainingUsd: number | undefined,
): Promise<{ result: InferenceResult; prediction?: Prediction }> {
  const started = Date.now();
  const base = { instance_id: instance.instance_id, runId: null, runDir: null, costUsd: null, patchBytes: 0, worker: workerName() };
  const progress = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const source = { ...(options.reposDir ? { reposDir: options.reposDir } : {}), cacheDir: options.cacheDir };
  let image: string;
  let repoPath: string;
  let sandboxEnv: Record<string, string> | undefined;
  try {
    // The same image the evaluation uses: the environment with the repository installed at /testbed.
    const official = await chooseOfficialImage(options.docker, instance.instance_id, options.environment, progress);
    if (official) {
      options.onProgress?.(`${instance.instance_id}: the official image ${official}`);
      repoPath = await repositorySource(instance.repo, source);
      image = official;
      // The official harness runs its commands with conda's env activated; the agents' commands get the same variables.
      sandboxEnv = await officialSandboxEnvironment(options.docker, official, options.signal);
    } else {
      const spec = (options.specLookup ?? specFor)(instance.repo, instance.version);
      const environment = debianEnvironmentSpec(instance, spec, options.debianPackages?.(instance.repo));
      repoPath = await repositorySource(instance.repo, source);
      image = (await ensureInstanceImage({ docker: options.docker, instance, environment, sourceRepo: repoPath, ...progress })).tag;
    }
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const status = error instanceof EnvironmentError || error instanceof ConfigError ? "environment-error" : "error";
    return { result: { ...base, status, durationMs: Date.now() - started, error: (error as Error).message } };
  }
  try {
    const outcome = await options.solve({
      task: taskForInstance(instance),
      repoPath,
      baseCommit: instance.base_commit,
      runsDir: join(options.outputDir, "runs"),
      // One memory per instance: what a run learns must not leak into another instance's run.
      memoryPath: join(options.outputDir, "memory", `${instance.instance_id}.sqlite`),
      limits: remainingUsd !== undefined ? { maxCostUsd: Math.max(0.01, remainingUsd) } : {},
      image,
      sandboxWorkdir: REPO_DIRECTORY,
      ...(sandboxEnv ? { sandboxEnv } : {}),
      prepareWorkspace: async (hostWorkdir) => {
        await seedBuildArtifacts(options.docker, image, hostWorkdir, options.signal);
      },
    });
    return {
      result: {
        ...base,
        status: outcome.status,
        runId: outcome.runId,
        runDir: outcome.runDir,
        costUsd: outcome.report.cost.usd,
        durationMs: Date.now() - started,
        patchBytes: Buffer.byteLength(outcome.patch),
        // The run kept its record and its patch so far, which is the prediction; the error says why it stopped.
        ...(outcome.error ? { error: outcome.error instanceof Error ? outcome.error.message : String(outcome.error) } : {}),
      },
      prediction: { instance_id: instance.instance_id, model_name_or_path: options.modelName, model_patch: outcome.patch },
    };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return { result: { ...base, status: "error", durationMs: Date.now() - started, error: (error as Error).message } };
  }
}

/** Which process solved an instance: host and pid. */
function workerName(): string {
  return `${hostname()}:${process.pid}`;
}
