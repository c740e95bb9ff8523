/**
 * SWE-bench beyond one machine: `agent swebench run --queue redis://...` puts one BullMQ job per
 * instance on a queue (the job id is the instance id, so an instance is never queued twice) and
 * collects the results; `agent worker --queue redis://...` processes, each on its own Docker
 * daemon, take jobs and solve them. A worker that dies loses its lock; after the lock time the
 * job is stalled and another worker takes it again. Completed jobs stay in Redis with their
 * results, so a coordinator that stops and starts again picks them up instead of solving again.
 */
import { Queue, Worker, type Job } from "bullmq";
import { ensureRedisReachable, redactRedisUrl, redisConnectionOptions } from "../src/index.js";
import type { Prediction, SweBenchInstance } from "./instance.js";
import type { InferenceResult } from "./instance.js";
import type { EnvironmentKind } from "./official-images.js";

/** Where the queue is and how quickly a dead worker's job is given to another. */
export interface QueueSettings {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Queue name; coordinator and workers must agree. Default "agent-swebench". */
  name?: string;
  /** How long a worker's lock on a job lasts without renewal (renewed at half of it while alive). Default 30 s. */
  lockDurationMs?: number;
}

/** What a job carries: the instance and what the coordinator decides for it. Secrets never go on the queue. */
export interface SolveJobData {
  instance: SweBenchInstance;
  modelName: string;
  /** The images the agents work in (`agent swebench run --environment`), the same on every worker; absent in a job queued before it was carried: auto. */
  environment?: EnvironmentKind;
  maxTotalCostUsd?: number;
}

/** What a worker returns for a job. */
export interface SolveJobResult {
  result: InferenceResult;
  prediction?: Prediction;
}

const DEFAULT_QUEUE_NAME = "agent-swebench";
const POLL_MS = 500;

function queueName(settings: QueueSettings): string {
  return settings.name ?? DEFAULT_QUEUE_NAME;
}

function connection(settings: QueueSettings) {
  return redisConnectionOptions(settings.url);
}

/**
 * Queues the instances (unless Redis already has their job: a completed job's result is used, a
 * failed one is retried) and waits until every one is done, calling `onDone` once per instance.
 * `shouldStop` (the cost cap) removes the jobs that have not started.
 */
export async function distributeInstances(options: {
  queue: QueueSettings;
  instances: readonly SweBenchInstance[];
  jobData: (instance: SweBenchInstance) => SolveJobData;
  onDone: (result: InferenceResult, prediction: Prediction | undefined) => Promise<void>;
  shouldStop: () => boolean;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}): Promise<void> {
  await ensureRedisReachable(options.queue.url);
  const queue = new Queue<SolveJobData, SolveJobResult>(queueName(options.queue), { connection: connection(options.queue) });
  try {
    const outstanding = new Set<string>();
    for (const instance of options.instances) {
      const id = instance.instance_id;
      const existing = await queue.getJob(id);
      const state = existing ? await existing.getState() : undefined;
      if (existing && state === "failed") await existing.retry();
      else if (!existing) await queue.add("solve", options.jobData(instance), { jobId: id, attempts: 2, removeOnComplete: false, removeOnFail: false });
      outstanding.add(id);
    }
    options.onProgress?.(`${outstanding.size} instance(s) on the queue ${queueName(options.queue)} at ${redactRedisUrl(options.queue.url)}; waiting for agent worker processes`);
    let stopping = false;
    while (outstanding.size > 0) {
      if (options.signal?.aborted) return;
      if (!stopping && options.shouldStop()) {
        stopping = true;
        for (const id of outstanding) {
          const job = await queue.getJob(id);
          const state = job ? await job.getState() : "unknown";
          if (job && (state === "waiting" || state === "delayed" || state === "prioritized")) {
            await job.remove();
            outstanding.delete(id);
          }
        }
      }
      for (const { id, job, state } of await jobStates(queue, [...outstanding])) {
        if (!job) {
          outstanding.delete(id);
          continue;
        }
        if (state === "completed") {
          outstanding.delete(id);
          const value = job.returnvalue as SolveJobResult | null | undefined;
          if (value?.result) await options.onDone(value.result, value.prediction);
          else await options.onDone(missingResult(job), undefined);
        } else if (state === "failed" && job.attemptsMade >= (job.opts.attempts ?? 1)) {
          outstanding.delete(id);
          await options.onDone(failedResult(job), undefined);
        }
      }
      if (outstanding.size > 0) await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  } finally {
    await queue.close().catch(() => undefined);
  }
}

/**
 * The jobs and states of these ids, asked a hundred at a time (a run may have thousands outstanding).
 * The state is read before the job: a job read first and then seen "completed" may have finished in
 * between, and its copy would lack the return value (BullMQ writes both in one step).
 */
async function jobStates(queue: Queue<SolveJobData, SolveJobResult>, ids: string[]): Promise<Array<{ id: string; job: Job<SolveJobData, SolveJobResult> | undefined; state: string }>> {
  const states: Array<{ id: string; job: Job<SolveJobData, SolveJobResult> | undefined; state: string }> = [];
  for (let start = 0; start < ids.length; start += 100) {
    const batch = await Promise.all(
      ids.slice(start, start + 100).map(async (id) => {
        const state = await queue.getJobState(id);
        const job = await queue.getJob(id);
        return { id, job, state: job ? state : "missing" };
      }),
    );
    states.push(...batch);
  }
  return states;
}

/** A completed job whose return value is not a result (a worker of another version wrote it): an error, never a crash. */
function missingResult(job: Job<SolveJobData, SolveJobResult>): InferenceResult {
  return { ...failedResult(job), error: "the job completed on a worker without a result (a worker of another version?); run it again under another --queue-name" };
}

function failedResult(job: Job<SolveJobData, SolveJobResult>): InferenceResult {
  return {
    instance_id: job.data.instance.instance_id,
    status: "error",
    runId: null,
    runDir: null,
    costUsd: null,
    durationMs: job.finishedOn && job.processedOn ? job.finishedOn - job.processedOn : 0,
    patchBytes: 0,
    worker: "queue",
    error: `the job failed on the workers: ${job.failedReason}`,
  };
}

/** A running worker; `close` lets the jobs in progress finish first. */
export interface QueueWorker {
  close(): Promise<void>;
  /** Resolves when the worker has stopped. */
  closed: Promise<void>;
}

/** Starts taking jobs: `concurrency` instances at a time, each solved by `solve`. */
export async function startQueueWorker(options: {
  queue: QueueSettings;
  concurrency: number;
  solve: (data: SolveJobData) => Promise<SolveJobResult>;
  onEvent?: (line: string) => void;
}): Promise<QueueWorker> {
  await ensureRedisReachable(options.queue.url);
  const lockDuration = options.queue.lockDurationMs ?? 30_000;
  const worker = new Worker<SolveJobData, SolveJobResult>(queueName(options.queue), async (job) => options.solve(job.data), {
    connection: connection(options.queue),
    concurrency: options.concurrency,
    lockDuration,
    stalledInterval: lockDuration,
    maxStalledCount: 2,
  });
  worker.on("active", (job) => options.onEvent?.(`${job.id}: started`));
  worker.on("completed", (job, value) => options.onEvent?.(`${job.id}: ${value.result.status}`));
  worker.on("failed", (job, error) => options.onEvent?.(`${job?.id ?? "?"}: failed: ${error.message}`));
  worker.on("error", (error) => options.onEvent?.(`worker error: ${error.message}`));
  let resolveClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => (resolveClosed = resolve));
  worker.on("closed", () => resolveClosed());
  await worker.waitUntilReady();
  return { close: () => worker.close(), closed };
}
