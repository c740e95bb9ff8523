import { mkdtemp, rm } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createRedactor } from "../../src/memory/secret-patterns.js";
import { openDeliveryLog, type DeliveryLog } from "../../src/serve/delivery-log.js";
import { createInProcessQueue } from "../../src/serve/in-process-queue.js";
import type { JobHandler, JobQueue, JobWorker, ServeJob } from "../../src/serve/job-queue.js";
import { createStructuredLog } from "../../src/serve/structured-log.js";
import { startWebhookServer, type WebhookServer } from "../../src/serve/webhook-server.js";
import { gate, waitFor } from "./serve-fixtures.js";

const SECRET = "it's-a-secret-to-everybody";

const openedIssue = {
  action: "opened",
  repository: { name: "widgets", owner: { login: "acme" } },
  issue: { number: 12, title: "Crash on start" },
  sender: { login: "ada", type: "User" },
  installation: { id: 77 },
};

interface Harness {
  server: WebhookServer;
  queue: JobQueue;
  deliveries: DeliveryLog;
  worker?: JobWorker;
  lines: string[];
  stop(): Promise<void>;
}

let stateDir: string;
const running: Harness[] = [];

beforeEach(async () => {
  stateDir = await mkdtemp(join(tmpdir(), "webhook-server-"));
});
afterEach(async () => {
  for (const harness of running.splice(0)) await harness.stop();
  await rm(stateDir, { recursive: true, force: true });
});

/** The server with the product's parts on the state files of this test; a worker when `handler` is given. */
async function start(options: { handler?: JobHandler; maxBodyBytes?: number } = {}): Promise<Harness> {
  const lines: string[] = [];
  const log = createStructuredLog((line) => lines.push(line), { redact: createRedactor([SECRET]) });
  const queue = createInProcessQueue({ file: join(stateDir, "jobs.db"), log, backoffMs: 10 });
  const deliveries = openDeliveryLog(join(stateDir, "deliveries.db"));
  const server = await startWebhookServer({ secret: SECRET, queue, deliveries, log, maxBodyBytes: options.maxBodyBytes });
  const worker = options.handler ? await queue.process(options.handler, { concurrency: 2 }) : undefined;
  let stopped = false;
  const harness: Harness = {
    server,
    queue,
    deliveries,
    worker,
    lines,
    async stop() {
      if (stopped) return;
      stopped = true;
      await server.close();
      await queue.close();
      deliveries.close();
    },
  };
  running.push(harness);
  return harness;
}

interface Delivery {
  event?: string;
  id?: string;
  body?: string;
  payload?: unknown;
  signature?: string | null;
}

async function deliver(url: string, delivery: Delivery): Promise<{ status: number; body: Record<string, unknown> }> {
  const body = delivery.body ?? JSON.stringify(delivery.payload ?? openedIssue);
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "GitHub-Hookshot/test" };
  if (delivery.event !== undefined) headers["x-github-event"] = delivery.event;
  if (delivery.id !== undefined) headers["x-github-delivery"] = delivery.id;
  const signature = delivery.signature === undefined ? await sign(SECRET, body) : delivery.signature;
  if (signature !== null) headers["x-hub-signature-256"] = signature;
  const response = await fetch(url, { method: "POST", headers, body });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function recordingHandler() {
  const seen: ServeJob[] = [];
  const handler: JobHandler = async (job) => void seen.push(job);
  return { seen, handler };
}

describe("startWebhookServer", () => {
  it("refuses a delivery without a signature or with a wrong one (401), and queues nothing", async () => {
    const { server, queue } = await start();
    const unsigned = await deliver(server.url, { event: "issues", id: "guid-1", signature: null });
    expect(unsigned).toEqual({ status: 401, body: { error: expect.stringContaining("X-Hub-Signature-256") } });
    const wrong = await deliver(server.url, { event: "issues", id: "guid-2", signature: await sign("another-secret", JSON.stringify(openedIssue)) });
    expect(wrong.status).toBe(401);
    const tampered = await deliver(server.url, { event: "issues", id: "guid-3", body: JSON.stringify({ ...openedIssue, action: "edited" }), signature: await sign(SECRET, JSON.stringify(openedIssue)) });
    expect(tampered.status).toBe(401);
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
  });

  it("queues a signed delivery once and answers its redelivery as a duplicate", async () => {
    const { seen, handler } = recordingHandler();
    const { server, queue } = await start({ handler });
    const first = await deliver(server.url, { event: "issues", id: "guid-1" });
    expect(first).toEqual({ status: 202, body: { queued: "guid-1" } });
    const again = await deliver(server.url, { event: "issues", id: "guid-1" });
    expect(again).toEqual({ status: 200, body: { duplicate: true } });
    await waitFor(async () => (await queue.counts()).completed === 1, "the job to complete");
    expect(seen).toEqual([
      { type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 12, installationId: 77, sender: "ada", id: "guid-1", receivedAt: expect.any(String) },
    ]);
  });

  it("still processes a delivery once when it comes again after a restart on the same state files", async () => {
    const { seen, handler } = recordingHandler();
    const before = await start({ handler });
    expect((await deliver(before.server.url, { event: "issues", id: "guid-1" })).status).toBe(202);
    await waitFor(async () => (await before.queue.counts()).completed === 1, "the job to complete");
    await before.stop();

    const after = await start({ handler });
    expect(await deliver(after.server.url, { event: "issues", id: "guid-1" })).toEqual({ status: 200, body: { duplicate: true } });
    expect((await deliver(after.server.url, { event: "issues", id: "guid-2" })).status).toBe(202);
    await waitFor(async () => (await after.queue.counts()).completed === 2, "the new job to complete");
    expect(seen.map((job) => job.id)).toEqual(["guid-1", "guid-2"]);
  });

  it("answers an event it does not handle with 202 and the reason, queueing nothing", async () => {
    const { server, queue } = await start();
    const push = await deliver(server.url, { event: "push", id: "guid-1", payload: { ref: "refs/heads/main" } });
    expect(push).toEqual({ status: 202, body: { ignored: 'the bot does not handle "push" events' } });
    const closed = await deliver(server.url, { event: "issues", id: "guid-2", payload: { ...openedIssue, action: "closed" } });
    expect(closed).toEqual({ status: 202, body: { ignored: "issues.closed needs no triage" } });
    expect((await queue.counts()).waiting).toBe(0);
  });

  it("refuses a body that is not JSON, or JSON without the issue, with 400 and queues nothing", async () => {
    const { server, queue } = await start();
    const notJson = await deliver(server.url, { event: "issues", id: "guid-1", body: "action=opened&issue=12" });
    expect(notJson).toEqual({ status: 400, body: { error: expect.stringContaining("not JSON") } });
    const noIssue = await deliver(server.url, { event: "issues", id: "guid-2", payload: { ...openedIssue, issue: undefined } });
    expect(noIssue).toEqual({ status: 400, body: { error: expect.stringContaining("issue") } });
    expect(await queue.counts()).toEqual({ waiting: 0, active: 0, completed: 0, failed: 0, delayed: 0 });
  });

  it("refuses a signed delivery without its event or delivery header (400)", async () => {
    const { server } = await start();
    expect((await deliver(server.url, { id: "guid-1" })).status).toBe(400);
    expect((await deliver(server.url, { event: "issues" })).status).toBe(400);
    expect((await deliver(server.url, { event: "issues", id: "bad:id" })).status).toBe(400);
  });

  it("answers a ping with 200", async () => {
    const { server } = await start();
    expect(await deliver(server.url, { event: "ping", id: "guid-1", payload: { zen: "Design for failure.", hook_id: 1 } })).toEqual({ status: 200, body: { pong: true } });
  });

  it("acknowledges a delivery before its job is done: the handler is still blocked when the answer arrives", async () => {
    const blocked = gate();
    const started: string[] = [];
    let finished = false;
    const { server, queue } = await start({
      handler: async (job) => {
        started.push(job.id);
        await blocked.promise;
        finished = true;
      },
    });
    const begun = performance.now();
    const answer = await deliver(server.url, { event: "issues", id: "guid-1" });
    const elapsedMs = performance.now() - begun;
    expect(answer.status).toBe(202);
    expect(finished).toBe(false);
    expect(elapsedMs).toBeLessThan(1_000);
    await waitFor(() => started.length === 1, "the job to start");
    expect((await queue.counts()).active).toBe(1);
    blocked.release();
    await waitFor(async () => (await queue.counts()).completed === 1, "the job to complete once released");
    expect(finished).toBe(true);
  });

  it("answers /healthz and /api/health with the queue's counts, 404 elsewhere and 405 for other methods", async () => {
    const { server } = await start();
    await deliver(server.url, { event: "issues", id: "guid-1" });
    const health = await fetch(new URL("/healthz", server.url));
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok", queue: { waiting: 1, active: 0, completed: 0, failed: 0, delayed: 0 }, uptimeSeconds: expect.any(Number) });
    expect((await fetch(new URL("/api/health", server.url))).status).toBe(200);
    expect((await fetch(new URL("/elsewhere", server.url))).status).toBe(404);
    const get = await fetch(server.url);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await fetch(new URL("/healthz", server.url), { method: "DELETE" })).status).toBe(405);
  });

  it("refuses a body over the cap with 413, whether announced by Content-Length or streamed", async () => {
    const { server, queue } = await start({ maxBodyBytes: 1_000 });
    const big = JSON.stringify({ ...openedIssue, padding: "x".repeat(2_000) });
    expect((await deliver(server.url, { event: "issues", id: "guid-1", body: big })).status).toBe(413);
    const streamed = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(server.url, { method: "POST", headers: { "x-github-event": "issues", "x-github-delivery": "guid-2", "x-hub-signature-256": "sha256=00", "transfer-encoding": "chunked" } }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      request.on("error", reject);
      request.write("x".repeat(800));
      request.write("x".repeat(800));
    });
    expect(streamed).toBe(413);
    expect((await queue.counts()).waiting).toBe(0);
  });

  it("logs one JSON line per delivery with its id, event and repository, and never the secret", async () => {
    const { server, lines } = await start();
    await deliver(server.url, { event: "issues", id: "guid-1" });
    await deliver(server.url, { event: "issues", id: "guid-2", signature: `sha256=${SECRET}` });
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.find((record) => record["deliveryId"] === "guid-1")).toMatchObject({ level: "info", msg: "delivery", event: "issues", action: "opened", repository: "acme/widgets", jobId: "guid-1", status: 202, outcome: "queued" });
    expect(records.find((record) => record["deliveryId"] === "guid-2")).toMatchObject({ level: "warn", status: 401, outcome: "bad-signature" });
    expect(lines.join("\n")).not.toContain(SECRET);
  });
});
