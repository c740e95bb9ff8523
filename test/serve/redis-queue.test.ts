import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startLocalRedisServer, type LocalRedisServer } from "../../bench/support/serve/local-redis-server.js";
import { describeWithRedis } from "../support/require-redis.js";
import { ConfigError } from "../../src/errors.js";
import type { JobQueue } from "../../src/serve/job-queue.js";
import { createRedisQueue, type RedisQueueOptions } from "../../src/serve/redis-queue.js";
import { createConcurrencyRecorder, gate, triageJob, waitFor } from "./serve-fixtures.js";


describe("createRedisQueue without Redis", () => {
  it("says to start redis-server or fix --queue when nothing answers", async () => {
    const refusal = await createRedisQueue({ url: "redis://127.0.0.1:1" }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toMatch(/^Cannot reach Redis at redis:\/\/127\.0\.0\.1:1 \(.+\); start redis-server there or fix --queue\.$/);
  });

  it("refuses a URL that is not redis://", async () => {
    await expect(createRedisQueue({ url: "http://127.0.0.1:6379" })).rejects.toThrow(/--queue takes a Redis URL/);
  });
});

describeWithRedis("createRedisQueue on a real redis-server", () => {
  let redis: LocalRedisServer;
  let queueCount = 0;
  let queueName = "";
  const opened: JobQueue[] = [];

  beforeAll(async () => {
    redis = await startLocalRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  afterEach(async () => {
    for (const queue of opened.splice(0)) await queue.close().catch(() => undefined);
  });

  /** A queue on this test's own queue name; every call is one more process's view of the same queue. */
  async function open(options: Partial<RedisQueueOptions> = {}): Promise<JobQueue> {
    const queue = await createRedisQueue({ url: redis.url, name: queueName, backoffMs: 20, repositoryBusyDelayMs: 20, ...options });
    opened.push(queue);
    return queue;
  }

  function nextQueue(): void {
    queueCount += 1;
    queueName = `serve-test-${queueCount}`;
  }

  it("answers duplicate for a delivery id it already holds, waiting or completed", async () => {
    nextQueue();
    const queue = await open();
    expect(await queue.add(triageJob("guid-1"))).toBe("queued");
    expect(await queue.add(triageJob("guid-1"))).toBe("duplicate");
    const done: string[] = [];
    await queue.process(async (job) => void done.push(job.id), { concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1, "the job to complete");
    expect(await queue.add(triageJob("guid-1"))).toBe("duplicate");
    expect(done).toEqual(["guid-1"]);
  });

  it("retries a failing job with backoff, then fails it after its attempts", async () => {
    nextQueue();
    const queue = await open({ attempts: 3 });
    const attempts: number[] = [];
    await queue.process(
      async (_job, { attempt }) => {
        attempts.push(attempt);
        throw new Error(`flaky ${attempt}`);
      },
      { concurrency: 1 },
    );
    await queue.add(triageJob("guid-1"));
    await waitFor(async () => (await queue.counts()).failed === 1, "the job to fail");
    expect(attempts).toEqual([1, 2, 3]);
  });

  it("gives the job of a worker that stopped renewing its lock to another worker after the lock time", async () => {
    nextQueue();
    const server = await open({ lockDurationMs: 1_000 });
    const doomed = await open({ lockDurationMs: 1_000 });
    const takenBy: string[] = [];
    let abandoned = false;
    const doomedWorker = await doomed.process(
      async (_job, { signal }) => {
        takenBy.push("doomed");
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
        abandoned = true;
      },
      { concurrency: 1 },
    );
    await server.add(triageJob("guid-1"));
    await waitFor(() => takenBy.length === 1, "the doomed worker to take the job");
    await doomedWorker.close({ force: true });
    expect(abandoned).toBe(true);

    const survivor = await open({ lockDurationMs: 1_000 });
    await survivor.process(async () => void takenBy.push("survivor"), { concurrency: 1 });
    await waitFor(async () => (await server.counts()).completed === 1, "the survivor to complete the job", 8_000);
    expect(takenBy).toEqual(["doomed", "survivor"]);
  });

  it("keeps every repository within its limit across two worker processes, under many jobs", async () => {
    nextQueue();
    const server = await open();
    const recorder = createConcurrencyRecorder();
    const processed: string[] = [];
    const limits: Record<string, number> = { "acme/a": 2, "acme/b": 1, "acme/c": 3 };
    const handle = async (job: { id: string; repository: { owner: string; repo: string } }) => {
      const repository = `${job.repository.owner}/${job.repository.repo}`;
      recorder.enter(repository);
      await new Promise((resolve) => setTimeout(resolve, 15 + (processed.length % 3) * 10));
      processed.push(job.id);
      recorder.leave(repository);
    };
    for (const worker of [await open(), await open()]) {
      await worker.process(handle, { concurrency: 4, concurrencyPerRepository: (repository) => limits[repository]! });
    }
    const ids = Array.from({ length: 36 }, (_, index) => `guid-${index}`);
    await Promise.all(ids.map((id, index) => server.add(triageJob(id, ["acme/a", "acme/b", "acme/c"][index % 3]))));
    await waitFor(() => processed.length === 36, "all 36 jobs", 15_000);
    await waitFor(async () => (await server.counts()).completed === 36, "BullMQ to record them completed");
    expect(processed.sort()).toEqual([...ids].sort());
    expect(Object.fromEntries(recorder.maxByRepository)).toEqual(limits);
    expect(await server.counts()).toEqual({ waiting: 0, active: 0, completed: 36, failed: 0, delayed: 0 });
  });

  it("does not count a wait for the repository's turn as an attempt", async () => {
    nextQueue();
    const queue = await open({ attempts: 1 });
    const first = gate();
    const attempts: Array<[string, number]> = [];
    await queue.process(
      async (job, { attempt }) => {
        attempts.push([job.id, attempt]);
        if (job.id === "guid-1") await first.promise;
      },
      { concurrency: 2, concurrencyPerRepository: () => 1 },
    );
    try {
      await queue.add(triageJob("guid-1"));
      await waitFor(() => attempts.length === 1, "the first job to start");
      await queue.add(triageJob("guid-2"));
      // guid-2 bounces to delayed while guid-1 holds the repository's one slot.
      await waitFor(async () => (await queue.counts()).delayed === 1, "the second job to wait for its turn");
    } finally {
      first.release();
    }
    await waitFor(async () => (await queue.counts()).completed === 2, "both jobs to complete");
    expect(attempts).toEqual([
      ["guid-1", 1],
      ["guid-2", 1],
    ]);
  });
});
