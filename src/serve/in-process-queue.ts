/**
 * The embedded job queue of `agent serve` without Redis: jobs live in a SQLite file with their
 * state (waiting, active, completed, failed), so nothing is lost when the process dies. A job
 * that was active then (a crash, kill -9) is waiting again when the queue next opens, and is
 * retried. The file belongs to one process at a time (SQLite's exclusive locking mode): the
 * webhook server and the worker of one `agent serve` share it.
 */
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { AbortedError, AgentError, ConfigError } from "../errors.js";
import { repositoryLimit, repositoryName, type JobHandler, type JobQueue, type JobWorker, type ProcessOptions, type QueueCounts, type ServeJob } from "./job-queue.js";
import type { StructuredLog } from "./structured-log.js";

/** Where the queue keeps its jobs and how it retries them. */
export interface InProcessQueueOptions {
  /** The SQLite file; created with its folder when missing. */
  file: string;
  /** Attempts per job, the first included, before it is failed. Default 3. */
  attempts?: number;
  /** Wait before the first retry; doubled for each retry after it. Default 1,000 ms. */
  backoffMs?: number;
  /** How long completed and failed jobs are kept (their ids stay duplicates meanwhile). Default 7 days. */
  retentionDays?: number;
  /** Where job starts, retries and failures are logged. */
  log?: StructuredLog;
}

interface JobRow {
  seq: number;
  id: string;
  repository: string;
  data: string;
  attempts_started: number;
  max_attempts: number;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 60 * 1000;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  repository TEXT NOT NULL,
  data TEXT NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('waiting', 'active', 'completed', 'failed')),
  attempts_started INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  available_at INTEGER NOT NULL,
  added_at INTEGER NOT NULL,
  finished_at INTEGER,
  error TEXT
);
CREATE INDEX IF NOT EXISTS jobs_by_state ON jobs (state, available_at, seq);
`;

/** Opens the queue in `options.file`, putting the jobs a dead process left active back to waiting (or failed, when that was their last attempt). */
export function createInProcessQueue(options: InProcessQueueOptions): JobQueue {
  const attempts = Math.max(1, options.attempts ?? 3);
  const backoffMs = options.backoffMs ?? 1_000;
  const retentionMs = (options.retentionDays ?? 7) * DAY_MS;
  const log = options.log;
  const db = openExclusive(options.file);

  const statements = {
    insert: db.prepare("INSERT OR IGNORE INTO jobs (id, repository, data, state, max_attempts, available_at, added_at) VALUES (?, ?, ?, 'waiting', ?, ?, ?)"),
    next: db.prepare(
      "SELECT seq, id, repository, data, attempts_started, max_attempts FROM jobs WHERE state = 'waiting' AND available_at <= ? AND repository NOT IN (SELECT value FROM json_each(?)) ORDER BY seq LIMIT 1",
    ),
    activate: db.prepare("UPDATE jobs SET state = 'active', attempts_started = attempts_started + 1 WHERE seq = ?"),
    complete: db.prepare("UPDATE jobs SET state = 'completed', finished_at = ?, error = NULL WHERE seq = ?"),
    fail: db.prepare("UPDATE jobs SET state = 'failed', finished_at = ?, error = ? WHERE seq = ?"),
    retry: db.prepare("UPDATE jobs SET state = 'waiting', available_at = ?, error = ? WHERE seq = ?"),
    nextAvailable: db.prepare("SELECT MIN(available_at) AS at FROM jobs WHERE state = 'waiting' AND available_at > ?"),
    counts: db.prepare(
      "SELECT COALESCE(SUM(state = 'waiting' AND available_at <= @now), 0) AS waiting, COALESCE(SUM(state = 'waiting' AND available_at > @now), 0) AS delayed, COALESCE(SUM(state = 'active'), 0) AS active, COALESCE(SUM(state = 'completed'), 0) AS completed, COALESCE(SUM(state = 'failed'), 0) AS failed FROM jobs",
    ),
    prune: db.prepare("DELETE FROM jobs WHERE state IN ('completed', 'failed') AND finished_at < ?"),
  };

  const recover = db.transaction((now: number) => {
    const exhausted = db
      .prepare("UPDATE jobs SET state = 'failed', finished_at = ?, error = 'the process stopped while the job ran, on every attempt' WHERE state = 'active' AND attempts_started >= max_attempts")
      .run(now).changes;
    const requeued = db.prepare("UPDATE jobs SET state = 'waiting', available_at = ? WHERE state = 'active'").run(now).changes;
    return { exhausted, requeued };
  });
  const recovered = recover.immediate(Date.now());
  if (recovered.requeued > 0 || recovered.exhausted > 0) {
    log?.warn("jobs of a process that stopped are recovered", { queueFile: options.file, requeued: recovered.requeued, failed: recovered.exhausted });
  }
  let lastPruneMs = Date.now();
  statements.prune.run(lastPruneMs - retentionMs);

  let worker: ReturnType<typeof startWorker> | undefined;
  let closed = false;

  const claimNext = db.transaction((now: number, saturated: string[]): JobRow | undefined => {
    const row = statements.next.get(now, JSON.stringify(saturated)) as JobRow | undefined;
    if (row) statements.activate.run(row.seq);
    return row;
  });

  function assertOpen(): void {
    if (closed) throw new AgentError("queue-closed", "The job queue is closed; open it again with createInProcessQueue.");
  }

  function startWorker(handler: JobHandler, processOptions: ProcessOptions) {
    const concurrency = Math.max(1, processOptions.concurrency);
    const running = new Map<number, { controller: AbortController; done: Promise<void> }>();
    const runningByRepository = new Map<string, number>();
    let stopping = false;
    let forced = false;
    let wakeTimer: NodeJS.Timeout | undefined;

    const pump = () => {
      if (stopping || closed) return;
      clearTimeout(wakeTimer);
      wakeTimer = undefined;
      const now = Date.now();
      while (running.size < concurrency) {
        const saturated = [...runningByRepository].filter(([repository, count]) => count >= repositoryLimit(processOptions, repository)).map(([repository]) => repository);
        const row = claimNext(now, saturated);
        if (!row) break;
        start(row);
      }
      const next = (statements.nextAvailable.get(now) as { at: number | null }).at;
      if (next !== null) wakeTimer = setTimeout(pump, Math.max(1, next - now));
    };

    const start = (row: JobRow) => {
      const job = JSON.parse(row.data) as ServeJob;
      const attempt = row.attempts_started + 1;
      const controller = new AbortController();
      runningByRepository.set(row.repository, (runningByRepository.get(row.repository) ?? 0) + 1);
      log?.info("job started", { jobId: row.id, repository: row.repository, type: job.type, attempt });
      const startedAt = Date.now();
      const done = Promise.resolve()
        .then(() => handler(job, { signal: controller.signal, attempt }))
        .then(
          () => finish(row, attempt, startedAt, undefined),
          (error: unknown) => finish(row, attempt, startedAt, error instanceof Error ? error : new Error(String(error))),
        );
      running.set(row.seq, { controller, done });
    };

    const finish = (row: JobRow, attempt: number, startedAt: number, error: Error | undefined) => {
      running.delete(row.seq);
      const left = (runningByRepository.get(row.repository) ?? 1) - 1;
      if (left > 0) runningByRepository.set(row.repository, left);
      else runningByRepository.delete(row.repository);
      // A forced close abandons its jobs: they stay active in the file and are retried on the next open.
      if (forced || closed) return;
      const now = Date.now();
      const fields = { jobId: row.id, repository: row.repository, attempt, durationMs: now - startedAt };
      if (!error) {
        statements.complete.run(now, row.seq);
        log?.info("job completed", fields);
      } else if (attempt >= row.max_attempts) {
        statements.fail.run(now, error.message, row.seq);
        log?.error("job failed", { ...fields, error: error.message });
      } else {
        const delayMs = backoffMs * 2 ** (attempt - 1);
        statements.retry.run(now + delayMs, error.message, row.seq);
        log?.warn("job attempt failed; retrying", { ...fields, error: error.message, retryInMs: delayMs });
      }
      pump();
    };

    return {
      pump,
      async close(closeOptions: { force?: boolean } = {}): Promise<void> {
        stopping = true;
        clearTimeout(wakeTimer);
        if (closeOptions.force) {
          forced = true;
          for (const { controller } of running.values()) controller.abort(new AbortedError("The job worker was closed; the job will be retried when the queue opens again."));
          return;
        }
        await Promise.all([...running.values()].map(({ done }) => done));
      },
    };
  }

  return {
    async add(job: ServeJob) {
      assertOpen();
      const now = Date.now();
      if (now - lastPruneMs > PRUNE_EVERY_MS) {
        lastPruneMs = now;
        statements.prune.run(now - retentionMs);
      }
      const inserted = statements.insert.run(job.id, repositoryName(job.repository), JSON.stringify(job), attempts, now, now).changes === 1;
      if (!inserted) return "duplicate";
      if (worker) setImmediate(worker.pump);
      return "queued";
    },
    async counts(): Promise<QueueCounts> {
      assertOpen();
      return statements.counts.get({ now: Date.now() }) as QueueCounts;
    },
    async process(handler: JobHandler, processOptions: ProcessOptions): Promise<JobWorker> {
      assertOpen();
      if (worker) throw new AgentError("queue-has-worker", "This in-process queue already has a worker; raise its concurrency instead of starting a second one.");
      const started = startWorker(handler, processOptions);
      worker = started;
      setImmediate(started.pump);
      return {
        async close(closeOptions) {
          await started.close(closeOptions);
          // A forced close's jobs stay active in the file until the queue is opened again.
          if (worker === started) worker = undefined;
        },
      };
    },
    async close() {
      if (closed) return;
      await worker?.close();
      closed = true;
      db.close();
    },
  };
}

/** Opens the file in WAL with an exclusive lock held until close; a second process gets a ConfigError. */
function openExclusive(file: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { timeout: 1_000 });
    // Exclusive before WAL: no shared-memory index, and the lock is held from the first write to close.
    db.pragma("locking_mode = EXCLUSIVE");
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = NORMAL");
    db.exec(SCHEMA);
    return db;
  } catch (error) {
    db?.close();
    const code = (error as { code?: string }).code;
    if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
      throw new ConfigError(`The job queue ${file} is in use by another process (another agent serve?); stop that process or give this one another state directory.`, { cause: error });
    }
    throw new ConfigError(`Cannot open the job queue ${file} (${(error as Error).message}); check that its folder is writable or choose another state directory.`, { cause: error });
  }
}
