/**
 * The port between the webhook server and the workers: jobs go in with `add`, a worker takes
 * them with `process`. Two implementations: an embedded SQLite queue for one process
 * (in-process-queue.ts) and BullMQ on Redis for several (redis-queue.ts).
 */
import type { RepositoryReference } from "../github/issue-summary.js";
import type { JobRequest } from "./route-delivery.js";

/** A job on a queue: the routed request, the delivery id it came with (also the job id) and when it arrived. */
export type ServeJob = JobRequest & {
  /** The X-GitHub-Delivery id; a queue holds at most one job per id. */
  id: string;
  /** ISO 8601 time the delivery was received. */
  receivedAt: string;
};

/** How many jobs are in each state. `delayed` counts jobs waiting for a retry or for their repository's turn. */
export interface QueueCounts {
  waiting: number;
  active: number;
  completed: number;
  failed: number;
  delayed: number;
}

/** What a handler learns besides the job: when to stop, and which attempt this is (1 for the first). */
export interface JobContext {
  signal: AbortSignal;
  attempt: number;
}

/** Does a job's work; a throw fails the attempt (retried with backoff until the queue's `attempts`). */
export type JobHandler = (job: ServeJob, context: JobContext) => Promise<void>;

/** How many jobs one worker runs at once, in all and per repository ("owner/repo"). */
export interface ProcessOptions {
  concurrency: number;
  /** The most jobs of one repository running at once (across every worker of the queue). Default 1. */
  concurrencyPerRepository?: (repository: string) => number;
}

/**
 * A worker taking jobs. `close` lets the jobs in progress finish; `close({ force: true })` aborts
 * their signals and abandons them, as a dead process would: BullMQ gives them to another worker
 * when their lock expires, the in-process queue retries them when its file is next opened.
 */
export interface JobWorker {
  close(options?: { force?: boolean }): Promise<void>;
}

/** Where the webhook server puts jobs and workers take them. */
export interface JobQueue {
  /** Queues a job; "duplicate" when a job with its id is already on the queue (waiting, running or done). */
  add(job: ServeJob): Promise<"queued" | "duplicate">;
  counts(): Promise<QueueCounts>;
  /** Starts a worker on this queue. */
  process(handler: JobHandler, options: ProcessOptions): Promise<JobWorker>;
  /** Closes the workers (gracefully) and the queue's storage or connections. */
  close(): Promise<void>;
}

/** The repository key per-repository limits are keyed by: "owner/repo". */
export function repositoryName(repository: RepositoryReference): string {
  return `${repository.owner}/${repository.repo}`;
}

/** A repository's limit as a whole number of at least 1 (a limit of 0 would stall its jobs forever). */
export function repositoryLimit(options: ProcessOptions, repository: string): number {
  const limit = options.concurrencyPerRepository?.(repository) ?? 1;
  return Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : Number.MAX_SAFE_INTEGER;
}
