/**
 * The HTTP side of `agent serve`: receives GitHub's webhook deliveries, checks their signature
 * against the raw body, routes them, and queues the jobs (once per delivery id, even across
 * restarts). It acknowledges at once: queueing is the only thing a delivery waits for, never
 * the job's work, so GitHub's 10-second delivery timeout is never near.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import { ConfigError } from "../errors.js";
import type { DeliveryLog } from "./delivery-log.js";
import { repositoryName, type JobQueue, type ServeJob } from "./job-queue.js";
import { routeDelivery } from "./route-delivery.js";
import type { LogFields, StructuredLog } from "./structured-log.js";

/** What the server needs: the webhook secret, where to listen, and its ports (queue, delivery log, log). */
export interface WebhookServerOptions {
  /** The webhook secret set in the GitHub App's settings. */
  secret: string;
  /** Default 127.0.0.1 (put a proxy or tunnel in front to expose it). */
  host?: string;
  /** Default 0: an ephemeral port, read it from `url`. */
  port?: number;
  /** Default "/api/github/webhooks", Probot's path. */
  path?: string;
  queue: JobQueue;
  deliveries: DeliveryLog;
  log: StructuredLog;
  /** Bodies over this are refused with 413. Default 25 MB, GitHub's own cap on a payload. */
  maxBodyBytes?: number;
}

/** A listening server. */
export interface WebhookServer {
  /** The webhook URL to give GitHub, e.g. http://127.0.0.1:3000/api/github/webhooks. */
  url: string;
  /** Stops listening once the requests in progress are answered; the queue, delivery log and log stay open (they are the caller's). */
  close(): Promise<void>;
}

/** The path Probot apps use, so an App's existing webhook URL keeps working. */
export const DEFAULT_WEBHOOK_PATH = "/api/github/webhooks";
const DEFAULT_MAX_BODY_BYTES = 25 * 1024 * 1024;
const HEALTH_PATHS = new Set(["/healthz", "/api/health"]);
/** GitHub's delivery ids are GUIDs; BullMQ refuses ids with ":" and ids that are integers. */
const DELIVERY_ID_PATTERN = /^(?!\d+$)[A-Za-z0-9._-]{1,128}$/;

/** An answer; with `fields`, it is logged as a delivery (at `level`, default info). */
type Reply = { status: number; body: Record<string, unknown>; headers?: Record<string, string>; fields?: LogFields; level?: "info" | "warn" | "error" };

/** Starts listening; resolves once the port is bound (a ConfigError when it cannot be). */
export async function startWebhookServer(options: WebhookServerOptions): Promise<WebhookServer> {
  if (!options.secret) throw new ConfigError("The webhook secret is empty; set it to the secret in the GitHub App's webhook settings.");
  const host = options.host ?? "127.0.0.1";
  const path = options.path ?? DEFAULT_WEBHOOK_PATH;
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const { queue, deliveries, log } = options;
  const startedAt = Date.now();

  const server = createServer((request, response) => {
    const begun = performance.now();
    handle(request)
      .catch((error: unknown): Reply => ({ status: 500, body: { error: "internal error; see the server's log" }, fields: { error: error instanceof Error ? error.message : String(error) } }))
      .then((reply) => {
        send(response, reply);
        if (reply.status === 500) log.error("request failed", { method: request.method, path: request.url, status: 500, ...reply.fields });
        else if (reply.fields) log[reply.level ?? "info"]("delivery", { status: reply.status, durationMs: round(performance.now() - begun), ...reply.fields });
      });
  });
  server.requestTimeout = 30_000;
  server.headersTimeout = 15_000;

  async function handle(request: IncomingMessage): Promise<Reply> {
    const pathname = new URL(request.url ?? "/", "http://localhost").pathname;
    if (HEALTH_PATHS.has(pathname)) {
      if (request.method !== "GET" && request.method !== "HEAD") return { status: 405, body: { error: `${pathname} answers GET only` }, headers: { allow: "GET, HEAD" } };
      return health();
    }
    if (pathname !== path) return { status: 404, body: { error: `nothing at ${pathname}; GitHub delivers to ${path}` } };
    if (request.method !== "POST") return { status: 405, body: { error: `${path} takes POST only (GitHub's webhook deliveries)` }, headers: { allow: "POST" } };
    return receive(request);
  }

  async function health(): Promise<Reply> {
    const uptimeSeconds = Math.round((Date.now() - startedAt) / 1000);
    try {
      return { status: 200, body: { status: "ok", queue: await queue.counts(), uptimeSeconds } };
    } catch (error) {
      return { status: 503, body: { status: "queue-unavailable", error: (error as Error).message, uptimeSeconds } };
    }
  }

  async function receive(request: IncomingMessage): Promise<Reply> {
    const event = header(request, "x-github-event");
    const deliveryId = header(request, "x-github-delivery");
    const fields: LogFields = { deliveryId, event };
    const signature = header(request, "x-hub-signature-256");
    if (!signature) return { status: 401, body: { error: "missing X-Hub-Signature-256: give the GitHub App a webhook secret" }, fields: { ...fields, outcome: "unsigned" }, level: "warn" };
    const raw = await readBody(request, maxBodyBytes);
    if (raw === "too-large") {
      return { status: 413, body: { error: `the body is over ${maxBodyBytes} bytes` }, fields: { ...fields, outcome: "too-large" }, level: "warn" };
    }
    const body = raw.toString("utf8");
    if (!(await verify(options.secret, body, signature).catch(() => false))) {
      return { status: 401, body: { error: "X-Hub-Signature-256 does not match: the secret here and the GitHub App's webhook secret differ" }, fields: { ...fields, outcome: "bad-signature" }, level: "warn" };
    }
    if (!event) return { status: 400, body: { error: "missing X-GitHub-Event" }, fields: { ...fields, outcome: "malformed" } };
    if (!deliveryId || !DELIVERY_ID_PATTERN.test(deliveryId)) {
      return { status: 400, body: { error: "missing or invalid X-GitHub-Delivery (a GUID)" }, fields: { ...fields, deliveryId: deliveryId?.slice(0, 128), outcome: "malformed" } };
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body);
    } catch {
      return { status: 400, body: { error: "the body is not JSON: set the GitHub App's webhook content type to application/json" }, fields: { ...fields, outcome: "malformed" } };
    }
    const routed = routeDelivery(event, payload);
    fields["action"] = (payload as { action?: unknown } | null)?.action;
    switch (routed.kind) {
      case "pong":
        return { status: 200, body: { pong: true }, fields: { ...fields, outcome: "pong" } };
      case "malformed":
        return { status: 400, body: { error: routed.reason }, fields: { ...fields, outcome: "malformed", reason: routed.reason } };
      case "ignored":
        return { status: 202, body: { ignored: routed.reason }, fields: { ...fields, outcome: "ignored", reason: routed.reason } };
      case "job": {
        const job: ServeJob = { ...routed.job, id: deliveryId, receivedAt: new Date().toISOString() };
        Object.assign(fields, { repository: repositoryName(job.repository), jobId: job.id, type: job.type });
        if (!deliveries.claim(deliveryId)) return { status: 200, body: { duplicate: true }, fields: { ...fields, outcome: "duplicate" } };
        let added: "queued" | "duplicate";
        try {
          added = await queue.add(job);
        } catch (error) {
          // Not queued: forget the id so that GitHub's redelivery of it is taken.
          deliveries.release(deliveryId);
          return { status: 503, body: { error: "the job queue is unavailable; redeliver this delivery once it is back" }, fields: { ...fields, outcome: "queue-unavailable", error: (error as Error).message }, level: "error" };
        }
        if (added === "duplicate") return { status: 200, body: { duplicate: true }, fields: { ...fields, outcome: "duplicate" } };
        return { status: 202, body: { queued: job.id }, fields: { ...fields, outcome: "queued" } };
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => {
      const reason = error.code === "EADDRINUSE" ? "the port is in use" : error.message;
      reject(new ConfigError(`Cannot listen on ${host}:${options.port ?? 0} (${reason}); choose another --port or --host.`, { cause: error }));
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  server.on("error", (error) => log.error("server error", { error: error.message }));
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  log.info("webhook server listening", { url });

  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      }),
  };
}

/** A header's value (the first, when sent more than once). */
function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The body's bytes, or "too-large" as soon as it is over the cap (by Content-Length or by what arrived). */
function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | "too-large"> {
  if (Number(request.headers["content-length"] ?? 0) > maxBytes) return Promise.resolve("too-large");
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      // Stop reading (the answer closes the connection) rather than drain an oversized body.
      request.off("data", onData);
      request.pause();
      resolve("too-large");
    };
    request.on("data", onData);
    request.once("end", () => resolve(Buffer.concat(chunks, size)));
    request.once("error", reject);
    request.once("close", () => reject(new Error("the client closed the connection before the body ended")));
  });
}

function send(response: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  // A body refused half-read is not drained: the connection is closed after the answer.
  if (reply.status === 413) response.setHeader("connection", "close");
  response.writeHead(reply.status, { ...reply.headers, "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
