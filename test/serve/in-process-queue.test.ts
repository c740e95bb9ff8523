import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { createInProcessQueue } from "../../src/serve/in-process-queue.js";
import type { JobQueue, ServeJob } from "../../src/serve/job-queue.js";
import { createStructuredLog } from "../../src/serve/structured-log.js";
import { createConcurrencyRecorder, gate, triageJob, waitFor } from "./serve-fixtures.js";

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
let dir: string;
const opened: JobQueue[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "in-process-queue-"));
});
afterEach(async () => {
  for (const queue of opened.splice(0)) await queue.close().catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
});

function open(options: { attempts?: number; backoffMs?: number; lines?: string[] } = {}): JobQueue {
  const log = options.lines ? createStructuredLog((line) => options.lines!.push(line)) : undefined;
  const queue = createInProcessQueue({ file: join(dir, "jobs.db"), attempts: options.attempts, backoffMs: options.backoffMs ?? 10, log });
  opened.push(queue);
  return queue;
}

describe("createInProcessQueue", () => {
  it("answers duplicate for an id it already holds, waiting or done", async () => {
    const queue = open();
    expect(await queue.add(triageJob("d-1"))).toBe("queued");
    expect(await queue.add(triageJob("d-1"))).toBe("duplicate");
    const done: string[] = [];
    await queue.process(async (job) => void done.push(job.id), { concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1, "the job to complete");
    expect(await queue.add(triageJob("d-1"))).toBe("duplicate");
    expect(done).toEqual(["d-1"]);
  });

  it("retries a failing job with growing backoff, then fails it with the error logged", async () => {
    const lines: string[] = [];
    const queue = open({ attempts: 3, backoffMs: 40, lines });
    const attempts: Array<{ attempt: number; at: number }> = [];
    await queue.process(
      async (_job, { attempt }) => {
        attempts.push({ attempt, at: Date.now() });
        throw new Error(`flaky ${attempt}`);
      },
      { concurrency: 1 },
    );
    await queue.add(triageJob("d-1"));
    await waitFor(async () => (await queue.counts()).failed === 1, "the job to fail");
    expect(attempts.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(40);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(80);
    const failed = lines.map((line) => JSON.parse(line) as { msg: string; error?: string }).find((line) => line.msg === "job failed");
    expect(failed).toMatchObject({ error: "flaky 3", jobId: "d-1", attempt: 3 });
  });

  it("completes a job that succeeds on a retry", async () => {
    const queue = open({ attempts: 3 });
    await queue.process(
      async (_job, { attempt }) => {
        if (attempt === 1) throw new Error("transient");
      },
      { concurrency: 1 },
    );
    await queue.add(triageJob("d-1"));
    await waitFor(async () => (await queue.counts()).completed === 1, "the retry to complete");
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, completed: 1, failed: 0, delayed: 0 });
  });

  it("keeps every repository within its limit and the worker within its concurrency, under many jobs", async () => {
    const queue = open();
    const recorder = createConcurrencyRecorder();
    const processed: string[] = [];
    const limits: Record<string, number> = { "acme/a": 2, "acme/b": 3, "acme/c": 1 };
    await queue.process(
      async (job) => {
        const repository = `${job.repository.owner}/${job.repository.repo}`;
        recorder.enter(repository);
        await new Promise((resolve) => setTimeout(resolve, 5 + (processed.length % 3) * 5));
        processed.push(job.id);
        recorder.leave(repository);
      },
      { concurrency: 5, concurrencyPerRepository: (repository) => limits[repository]! },
    );
    const ids = Array.from({ length: 60 }, (_, index) => `d-${index}`);
    await Promise.all(ids.map((id, index) => queue.add(triageJob(id, ["acme/a", "acme/b", "acme/c"][index % 3]))));
    await waitFor(() => processed.length === 60, "all 60 jobs", 15_000);
    expect(processed.sort()).toEqual([...ids].sort());
    expect(Object.fromEntries(recorder.maxByRepository)).toEqual(limits);
    expect(recorder.maxTotal()).toBeLessThanOrEqual(5);
  });

  it("runs other repositories' jobs while a repository at its limit waits", async () => {
    const queue = open();
    const first = gate();
    const started: string[] = [];
    await queue.process(
      async (job) => {
        started.push(job.id);
        if (job.id === "a-1") await first.promise;
      },
      { concurrency: 4, concurrencyPerRepository: () => 1 },
    );
    await queue.add(triageJob("a-1", "acme/a"));
    await waitFor(() => started.includes("a-1"), "a-1 to start");
    await queue.add(triageJob("a-2", "acme/a"));
    await queue.add(triageJob("b-1", "acme/b"));
    await waitFor(async () => (await queue.counts()).completed === 1, "b-1 to complete");
    expect(started).toEqual(["a-1", "b-1"]);
    first.release();
    await waitFor(async () => (await queue.counts()).completed === 3, "a-1 and a-2 to complete");
    expect(started).toEqual(["a-1", "b-1", "a-2"]);
  });

  it("retries, after a kill -9 of its process, the job that process was running", async () => {
    const file = join(dir, "jobs.db");
    const modulePath = pathToFileURL(join(projectRoot, "dist/src/serve/in-process-queue.js")).href;
    const script = `
      const { createInProcessQueue } = await import(${JSON.stringify(modulePath)});
      const queue = createInProcessQueue({ file: ${JSON.stringify(file)} });
      await queue.add(${JSON.stringify(triageJob("d-crash"))});
      await queue.process(async (job, { attempt }) => {
        process.stdout.write("started " + job.id + " " + attempt + "\\n");
        await new Promise(() => {});
      }, { concurrency: 1 });
      setInterval(() => {}, 1000);
    `;
    const child = spawn(process.execPath, ["--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    await waitFor(() => output.includes("started d-crash 1") || child.exitCode !== null, "the child to start the job");
    expect(output).toContain("started d-crash 1");
    child.kill("SIGKILL");
    await exited;

    const queue = open();
    expect(await queue.counts()).toMatchObject({ waiting: 1, active: 0, completed: 0 });
    const attempts: number[] = [];
    await queue.process(async (job: ServeJob, { attempt }) => void attempts.push(attempt), { concurrency: 1 });
    await waitFor(async () => (await queue.counts()).completed === 1, "the recovered job to complete");
    expect(attempts).toEqual([2]);
  });

  it("leaves the jobs of a worker closed with force for the next open, and fails one interrupted on its last attempt", async () => {
    const first = open({ attempts: 2 });
    await first.add(triageJob("d-1"));
    const started: number[] = [];
    const worker = await first.process(
      async (_job, { attempt, signal }) => {
        started.push(attempt);
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { concurrency: 1 },
    );
    await waitFor(() => started.length === 1, "the first attempt");
    await worker.close({ force: true });
    await first.close();

    const second = open({ attempts: 2 });
    expect(await second.counts()).toMatchObject({ waiting: 1, active: 0 });
    const again = await second.process(
      async (_job, { attempt, signal }) => {
        started.push(attempt);
        await new Promise((resolve) => signal.addEventListener("abort", resolve));
      },
      { concurrency: 1 },
    );
    await waitFor(() => started.length === 2, "the second attempt");
    await again.close({ force: true });
    await second.close();

    const third = open({ attempts: 2 });
    expect(await third.counts()).toMatchObject({ waiting: 0, active: 0, failed: 1 });
    expect(started).toEqual([1, 2]);
  });

  it("lets a closing worker finish its job, and a new worker take the next ones", async () => {
    const queue = open();
    const blocked = gate();
    const done: string[] = [];
    const worker = await queue.process(
      async (job) => {
        if (job.id === "d-1") await blocked.promise;
        done.push(job.id);
      },
      { concurrency: 1 },
    );
    await queue.add(triageJob("d-1"));
    await waitFor(async () => (await queue.counts()).active === 1, "d-1 to start");
    const closing = worker.close();
    await queue.add(triageJob("d-2"));
    blocked.release();
    await closing;
    expect(done).toEqual(["d-1"]);
    expect(await queue.counts()).toMatchObject({ waiting: 1, completed: 1 });
    await queue.process(async (job) => void done.push(job.id), { concurrency: 1 });
    await waitFor(() => done.length === 2, "d-2 on the new worker");
    expect(done).toEqual(["d-1", "d-2"]);
  });

  it("refuses a file another open queue holds, saying what to do", () => {
    open();
    let refusal: unknown;
    try {
      opened.push(createInProcessQueue({ file: join(dir, "jobs.db") }));
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ConfigError);
    expect((refusal as Error).message).toMatch(/in use by another process .* stop that process or give this one another state directory/);
  });
});
