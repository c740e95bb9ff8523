/**
 * The job queue of `agent serve --queue redis://...`: BullMQ on Redis, for a webhook server and
 * worker processes on several machines. The job id is the delivery id, so BullMQ refuses a second
 * job for one delivery; a dead worker's job is stalled when its lock expires and BullMQ gives it
 * to another worker; completed jobs are kept a week, which keeps their ids duplicates. The
 * per-repository limit holds across every worker through a Redis semaphore per repository: a job
 * whose repository is at its limit goes back to delayed, which does not count as an attempt.
 */
import { randomUUID } from "node:crypto";
import { DelayedError, Queue, Worker } from "bullmq";
import { AbortedError, AgentError } from "../errors.js";
import { repositoryLimit, repositoryName, type JobHandler, type JobQueue, type JobWorker, type ProcessOptions, type QueueCounts, type ServeJob } from "./job-queue.js";
import { ensureRedisReachable, redisConnectionOptions } from "./redis-connection.js";
import { createRepositorySemaphore } from "./repository-semaphore.js";
import type { StructuredLog } from "./structured-log.js";

/** Where the queue is and how it treats its jobs. */
export interface RedisQueueOptions {
  /** redis://[user:password@]host:port[/db] */
  url: string;
  /** Queue name; the server and its workers must agree. Default "agent-serve". */
  name?: string;
  /** How long a worker's lock on a job (and its repository lease) lasts without renewal; renewed at half of it while alive. Default 30 s. */
  lockDurationMs?: number;
  /** Attempts per job, the first included. Default 3. */
  attempts?: number;
  /** Wait before the first retry, doubled for each retry after it. Default 1,000 ms. */
  backoffMs?: number;
  /** How long completed jobs are kept (their ids stay duplicates meanwhile); failed ones are kept four times as long. Default 7 days. */
  retentionDays?: number;
  /** About how long a job whose repository is at its limit waits before it is tried again (±50 %). Default 200 ms. */
  repositoryBusyDelayMs?: number;
  log?: StructuredLog;
}

/** What the queue stores per job: the job, and the token of the `add` that stored it (to tell a duplicate). */
interface RedisJobData {
  job: ServeJob;
  enqueueToken: string;
}

const DAY_SECONDS = 24 * 60 * 60;

/** Connects to Redis (a ConfigError saying to start redis-server when it does not answer) and opens the queue. */
export async function createRedisQueue(options: RedisQueueOptions): Promise<JobQueue> {
  const connection = redisConnectionOptions(options.url);
  await ensureRedisReachable(options.url);
  const name = options.name ?? "agent-serve";
  const lockDurationMs = options.lockDurationMs ?? 30_000;
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 1_000;
  const retentionSeconds = (options.retentionDays ?? 7) * DAY_SECONDS;
  const busyDelayMs = options.repositoryBusyDelayMs ?? 200;
  const log = options.log;
  const queue = new Queue<RedisJobData>(name, { connection });
  queue.on("error", (error) => log?.error("queue connection error", { queue: name, error: error.message }));
  const workers = new Set<JobWorker>();
  let closed = false;

  async function startWorker(handler: JobHandler, processOptions: ProcessOptions): Promise<JobWorker> {
    const semaphore = createRepositorySemaphore({
      url: options.url,
      keyPrefix: `bull:${name}:repository-leases`,
      leaseMs: lockDurationMs,
      onError: (error) => log?.error("repository semaphore connection error", { queue: name, error: error.message }),
    });
    const forced = new AbortController();
    const renewals = new Set<NodeJS.Timeout>();

    const worker = new Worker<RedisJobData>(
      name,
      async (bullJob, token, signal) => {
        const job = bullJob.data.job;
        const repository = repositoryName(job.repository);
        const holder = bullJob.id ?? job.id;
        if (!(await semaphore.acquire(repository, holder, repositoryLimit(processOptions, repository)))) {
          await bullJob.moveToDelayed(Date.now() + Math.round(busyDelayMs * (0.5 + Math.random())), token);
          throw new DelayedError();
        }
        const attempt = bullJob.attemptsMade + 1;
        const renewal = setInterval(() => {
          semaphore
            .renew(repository, holder)
            .then((held) => {
              if (!held) log?.warn("the repository lease expired while the job ran", { jobId: holder, repository });
            })
            .catch((error: Error) => log?.warn("cannot renew the repository lease", { jobId: holder, repository, error: error.message }));
        }, lockDurationMs / 2);
        renewals.add(renewal);
        log?.info("job started", { jobId: holder, repository, type: job.type, attempt });
        const startedAt = Date.now();
        try {
          await handler(job, { signal: signal ? AbortSignal.any([signal, forced.signal]) : forced.signal, attempt });
          log?.info("job completed", { jobId: holder, repository, attempt, durationMs: Date.now() - startedAt });
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          const last = attempt >= (bullJob.opts.attempts ?? 1);
          if (!forced.signal.aborted) log?.[last ? "error" : "warn"](last ? "job failed" : "job attempt failed; retrying", { jobId: holder, repository, attempt, durationMs: Date.now() - startedAt, error: message });
          throw error;
        } finally {
          clearInterval(renewal);
          renewals.delete(renewal);
          // A forced close stands for a dead worker: its lease is left to expire, as a dead worker's would.
          if (!forced.signal.aborted) await semaphore.release(repository, holder).catch(() => undefined);
        }
      },
      { connection, concurrency: Math.max(1, processOptions.concurrency), lockDuration: lockDurationMs, stalledInterval: lockDurationMs, maxStalledCount: 2 },
    );
    worker.on("error", (error) => log?.error("worker connection error", { queue: name, error: error.message }));
    worker.on("stalled", (jobId) => log?.warn("a job's worker stopped; the job is queued again", { jobId, queue: name }));
    await worker.waitUntilReady();

    const jobWorker: JobWorker = {
      async close(closeOptions = {}) {
        workers.delete(jobWorker);
        if (closeOptions.force) {
          forced.abort(new AbortedError("The job worker was closed; another worker takes the job when its lock expires."));
          for (const renewal of renewals) clearInterval(renewal);
          renewals.clear();
          await worker.close(true);
        } else {
          await worker.close();
        }
        await semaphore.close();
      },
    };
    workers.add(jobWorker);
    return jobWorker;
  }

  return {
    async add(job: ServeJob) {
      if (closed) throw new AgentError("queue-closed", "The job queue is closed; open it again with createRedisQueue.");
      const enqueueToken = randomUUID();
      await queue.add(job.type, { job, enqueueToken }, {
        jobId: job.id,
        attempts,
        backoff: { type: "exponential", delay: backoffMs },
        removeOnComplete: { age: retentionSeconds },
        removeOnFail: { age: 4 * retentionSeconds },
      });
      // BullMQ answers an existing id with that job, silently: whose token it holds tells which.
      const stored = await queue.getJob(job.id);
      return stored === undefined || stored.data.enqueueToken === enqueueToken ? "queued" : "duplicate";
    },
    async counts(): Promise<QueueCounts> {
      const counts = await queue.getJobCounts("waiting", "prioritized", "active", "completed", "failed", "delayed");
      return {
        waiting: (counts["waiting"] ?? 0) + (counts["prioritized"] ?? 0),
        active: counts["active"] ?? 0,
        completed: counts["completed"] ?? 0,
        failed: counts["failed"] ?? 0,
        delayed: counts["delayed"] ?? 0,
      };
    },
    process: startWorker,
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...workers].map((worker) => worker.close()));
      await queue.close();
    },
  };
}
