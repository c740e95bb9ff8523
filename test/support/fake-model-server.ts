import { createServer } from "node:http";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/** A tool call the fake model makes; `id` defaults to a counter-based provider-style id. */
export type FakeToolCall = { id?: string; name: string; args: Record<string, unknown> };

/**
 * Token usage of a fake reply. `input` is the TOTAL input, cached and cache-written tokens included,
 * so LangChain reports `usage_metadata.input_tokens === input` for every protocol (for Anthropic the
 * wire `input_tokens` is `input - cachedInput - cacheWrite`). `cacheWrite` is only sent by the
 * anthropic protocol; `cost` (OpenRouter-style `usage.cost` in USD) only by the openai protocol.
 */
export type FakeUsage = { input: number; output: number; cachedInput?: number; cacheWrite?: number; cost?: number };

/** What the fake server answers to one request: a model message, an HTTP error, or silence. */
export type FakeReply =
  | { kind: "message"; content?: string; toolCalls?: FakeToolCall[]; usage?: FakeUsage; model?: string }
  | { kind: "error"; status: number; body?: unknown; headers?: Record<string, string> }
  | { kind: "hang" };

/** The wire protocols the fake server speaks. */
export type FakeProtocol = "openai" | "anthropic" | "ollama";

/** One request as the server received it: parsed JSON body (raw text if not JSON), lower-cased headers. */
export interface RecordedRequest {
  protocol: FakeProtocol;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests inspect arbitrary provider payloads
}

/** A running fake provider server; every base URL is ready to hand to the matching LangChain client. */
export interface FakeModelServer {
  url: string;
  openaiBaseUrl: string;
  anthropicBaseUrl: string;
  ollamaBaseUrl: string;
  requests: RecordedRequest[];
  enqueue(protocol: FakeProtocol, ...replies: FakeReply[]): void;
  waitForRequests(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

type MessageReply = Extract<FakeReply, { kind: "message" }>;
type ErrorReply = Extract<FakeReply, { kind: "error" }>;

const DEFAULT_USAGE: FakeUsage = { input: 10, output: 5 };
const DEFAULT_WAIT_MS = 5_000;

const ROUTES: Record<string, FakeProtocol> = {
  "/v1/chat/completions": "openai",
  "/v1/messages": "anthropic",
  "/api/chat": "ollama",
};

/** Starts a fake OpenAI / Anthropic / Ollama server on 127.0.0.1 with an ephemeral port. */
export async function startFakeModelServer(): Promise<FakeModelServer> {
  const queues: Record<FakeProtocol, FakeReply[]> = { openai: [], anthropic: [], ollama: [] };
  const requests: RecordedRequest[] = [];
  const waiters = new Set<{ count: number; resolve: () => void }>();
  const sockets = new Set<Socket>();
  const hanging = new Set<ServerResponse>();
  const ids = createIdGenerator();

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `fake model server crashed: ${String(error)}` }));
    });
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawBody = await readBody(req);
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const protocol = req.method === "POST" ? ROUTES[path] : undefined;
    if (protocol === undefined) {
      sendJson(res, 404, { error: `fake model server: no route for ${req.method ?? "?"} ${path}` });
      return;
    }
    const body: unknown = parseJson(rawBody);
    requests.push({ protocol, method: req.method ?? "POST", path, headers: lowerCaseHeaders(req), body });
    for (const waiter of waiters) {
      if (requests.length >= waiter.count) {
        waiters.delete(waiter);
        waiter.resolve();
      }
    }

    const reply = queues[protocol].shift();
    if (reply === undefined) {
      sendError(res, protocol, { kind: "error", status: 500 }, `fake model server: no reply queued for ${protocol}`, ids);
      return;
    }
    if (reply.kind === "hang") {
      hanging.add(res);
      res.on("close", () => hanging.delete(res));
      return;
    }
    if (reply.kind === "error") {
      sendError(res, protocol, reply, undefined, ids);
      return;
    }
    const request = isRecord(body) ? body : {};
    const model = reply.model ?? (typeof request.model === "string" ? request.model : "fake-model");
    const message = { ...reply, model };
    if (protocol === "openai") {
      const includeUsage = isRecord(request.stream_options) && request.stream_options.include_usage === true;
      if (request.stream === true) sendOpenAiStream(res, message, includeUsage, ids);
      else sendJson(res, 200, openAiCompletion(message, ids), { "x-request-id": ids.next("req_") });
    } else if (protocol === "anthropic") {
      if (request.stream === true) sendAnthropicStream(res, message, ids);
      else sendJson(res, 200, anthropicMessage(message, ids), { "request-id": ids.next("req_") });
    } else if (request.stream === false) {
      sendJson(res, 200, { ...ollamaFinal(message), message: ollamaMessage(message, ids) });
    } else {
      sendOllamaStream(res, message, ids);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openaiBaseUrl: `${url}/v1`,
    anthropicBaseUrl: url,
    ollamaBaseUrl: url,
    requests,
    enqueue(protocol, ...replies) {
      queues[protocol].push(...replies);
    },
    waitForRequests(count, timeoutMs = DEFAULT_WAIT_MS) {
      if (requests.length >= count) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          count,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`fake model server: expected ${count} requests within ${timeoutMs} ms, got ${requests.length}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      hanging.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function createIdGenerator(): { next(prefix: string): string } {
  const counters = new Map<string, number>();
  return {
    next(prefix) {
      const value = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, value);
      return `${prefix}${value}`;
    },
  };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function lowerCaseHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  }
  return headers;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(JSON.stringify(body));
}

/** Splits text into up to `count` non-empty pieces so streams carry several deltas. */
function splitIntoPieces(text: string, count = 3): string[] {
  if (text.length === 0) return [];
  const size = Math.ceil(text.length / count);
  const pieces: string[] = [];
  for (let start = 0; start < text.length; start += size) pieces.push(text.slice(start, start + size));
  return pieces;
}

function toolCallId(call: FakeToolCall, prefix: string, ids: { next(prefix: string): string }): string {
  return call.id ?? ids.next(prefix);
}

function sendError(
  res: ServerResponse,
  protocol: FakeProtocol,
  reply: ErrorReply,
  message: string | undefined,
  ids: { next(prefix: string): string },
): void {
  const text = message ?? defaultErrorMessage(protocol, reply.status);
  const body = reply.body ?? defaultErrorBody(protocol, reply.status, text);
  const requestIdHeader: Record<string, string> =
    protocol === "openai" ? { "x-request-id": ids.next("req_") } : protocol === "anthropic" ? { "request-id": ids.next("req_") } : {};
  const contentType = typeof body === "string" ? "text/plain" : "application/json";
  res.writeHead(reply.status, { "content-type": contentType, ...requestIdHeader, ...reply.headers });
  res.end(typeof body === "string" ? body : JSON.stringify(body));
}

function defaultErrorMessage(protocol: FakeProtocol, status: number): string {
  if (status === 401) return protocol === "anthropic" ? "invalid x-api-key" : "Incorrect API key provided: sk-test.";
  if (status === 429) return "Rate limit reached for requests";
  if (status === 404) return protocol === "ollama" ? 'model "fake-model" not found, try pulling it first' : "The model does not exist";
  if (status === 529) return "Overloaded";
  if (status >= 500) return "The server had an error while processing your request.";
  return "Invalid request";
}

function defaultErrorBody(protocol: FakeProtocol, status: number, message: string): unknown {
  if (protocol === "ollama") return { error: message };
  if (protocol === "anthropic") return { type: "error", error: { type: anthropicErrorType(status), message } };
  const [type, code] = openAiErrorTypeAndCode(status);
  return { error: { message, type, param: null, code } };
}

function anthropicErrorType(status: number): string {
  const types: Record<number, string> = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    413: "request_too_large",
    429: "rate_limit_error",
    529: "overloaded_error",
  };
  return types[status] ?? (status >= 500 ? "api_error" : "invalid_request_error");
}

function openAiErrorTypeAndCode(status: number): [string, string | null] {
  if (status === 401) return ["invalid_request_error", "invalid_api_key"];
  if (status === 404) return ["invalid_request_error", "model_not_found"];
  if (status === 429) return ["requests", "rate_limit_exceeded"];
  if (status >= 500) return ["server_error", null];
  return ["invalid_request_error", null];
}

function openAiUsage(usage: FakeUsage): Record<string, unknown> {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cachedInput ?? 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    ...(usage.cost === undefined ? {} : { cost: usage.cost }),
  };
}

function openAiCompletion(reply: MessageReply & { model: string }, ids: { next(prefix: string): string }): unknown {
  const toolCalls = (reply.toolCalls ?? []).map((call) => ({
    id: toolCallId(call, "call_", ids),
    type: "function",
    function: { name: call.name, arguments: JSON.stringify(call.args) },
  }));
  return {
    id: ids.next("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [
      {
        index: 0,
        message: {
          role: "assistant",
          content: reply.content ?? (toolCalls.length > 0 ? null : ""),
          refusal: null,
          annotations: [],
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? "tool_calls" : "stop",
      },
    ],
    usage: openAiUsage(reply.usage ?? DEFAULT_USAGE),
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
}

function sendOpenAiStream(
  res: ServerResponse,
  reply: MessageReply & { model: string },
  includeUsage: boolean,
  ids: { next(prefix: string): string },
): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-request-id": ids.next("req_") });
  const base = {
    id: ids.next("chatcmpl-"),
    object: "chat.completion.chunk",
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
  const write = (choices: unknown[], extra: Record<string, unknown> = {}): void => {
    const usageField = includeUsage ? { usage: null } : {};
    res.write(`data: ${JSON.stringify({ ...base, choices, ...usageField, ...extra })}\n\n`);
  };
  const delta = (fields: Record<string, unknown>, finishReason: string | null = null): unknown => ({
    index: 0,
    delta: fields,
    logprobs: null,
    finish_reason: finishReason,
  });
  const toolCalls = reply.toolCalls ?? [];
  const content = reply.content ?? "";

  write([delta({ role: "assistant", content: content === "" && toolCalls.length > 0 ? null : "", refusal: null })]);
  for (const piece of splitIntoPieces(content)) write([delta({ content: piece })]);
  toolCalls.forEach((call, index) => {
    const id = toolCallId(call, "call_", ids);
    write([delta({ tool_calls: [{ index, id, type: "function", function: { name: call.name, arguments: "" } }] })]);
    for (const piece of splitIntoPieces(JSON.stringify(call.args))) {
      write([delta({ tool_calls: [{ index, function: { arguments: piece } }] })]);
    }
  });
  write([delta({}, toolCalls.length > 0 ? "tool_calls" : "stop")]);
  if (includeUsage) write([], { usage: openAiUsage(reply.usage ?? DEFAULT_USAGE) });
  res.end("data: [DONE]\n\n");
}

function anthropicUsage(usage: FakeUsage): Record<string, unknown> {
  const cacheRead = usage.cachedInput ?? 0;
  const cacheWrite = usage.cacheWrite ?? 0;
  return {
    input_tokens: Math.max(0, usage.input - cacheRead - cacheWrite),
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
    output_tokens: usage.output,
    service_tier: "standard",
  };
}

function anthropicMessage(reply: MessageReply & { model: string }, ids: { next(prefix: string): string }): unknown {
  const toolCalls = reply.toolCalls ?? [];
  const content: unknown[] = [];
  if (reply.content !== undefined && reply.content !== "") content.push({ type: "text", text: reply.content });
  for (const call of toolCalls) content.push({ type: "tool_use", id: toolCallId(call, "toolu_", ids), name: call.name, input: call.args });
  return {
    id: ids.next("msg_"),
    type: "message",
    role: "assistant",
    model: reply.model,
    content,
    stop_reason: toolCalls.length > 0 ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage: anthropicUsage(reply.usage ?? DEFAULT_USAGE),
  };
}

function sendAnthropicStream(res: ServerResponse, reply: MessageReply & { model: string }, ids: { next(prefix: string): string }): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "request-id": ids.next("req_") });
  const write = (event: string, data: Record<string, unknown>): void => {
    res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);
  };
  const usage = anthropicUsage(reply.usage ?? DEFAULT_USAGE);
  const toolCalls = reply.toolCalls ?? [];
  // Real message_start carries a small provisional output_tokens; 0 keeps LangChain's summed total exact.
  write("message_start", {
    message: {
      id: ids.next("msg_"),
      type: "message",
      role: "assistant",
      model: reply.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: { ...usage, output_tokens: 0 },
    },
  });
  write("ping", {});
  let index = 0;
  if (reply.content !== undefined && reply.content !== "") {
    write("content_block_start", { index, content_block: { type: "text", text: "" } });
    for (const piece of splitIntoPieces(reply.content)) write("content_block_delta", { index, delta: { type: "text_delta", text: piece } });
    write("content_block_stop", { index });
    index += 1;
  }
  for (const call of toolCalls) {
    const id = toolCallId(call, "toolu_", ids);
    write("content_block_start", { index, content_block: { type: "tool_use", id, name: call.name, input: {} } });
    write("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: "" } });
    for (const piece of splitIntoPieces(JSON.stringify(call.args))) {
      write("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: piece } });
    }
    write("content_block_stop", { index });
    index += 1;
  }
  write("message_delta", {
    delta: { stop_reason: toolCalls.length > 0 ? "tool_use" : "end_turn", stop_sequence: null },
    usage: { output_tokens: usage.output_tokens },
  });
  write("message_stop", {});
  res.end();
}

function ollamaMessage(reply: MessageReply, ids: { next(prefix: string): string }): Record<string, unknown> {
  const toolCalls = (reply.toolCalls ?? []).map((call, index) => ({
    id: toolCallId(call, "call_", ids),
    function: { index, name: call.name, arguments: call.args },
  }));
  return { role: "assistant", content: reply.content ?? "", ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}) };
}

function ollamaFinal(reply: MessageReply & { model: string }): Record<string, unknown> {
  const usage = reply.usage ?? DEFAULT_USAGE;
  return {
    model: reply.model,
    created_at: new Date().toISOString(),
    message: { role: "assistant", content: "" },
    done: true,
    done_reason: "stop",
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: usage.input,
    prompt_eval_duration: 400_000,
    eval_count: usage.output,
    eval_duration: 500_000,
  };
}

function sendOllamaStream(res: ServerResponse, reply: MessageReply & { model: string }, ids: { next(prefix: string): string }): void {
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const write = (message: Record<string, unknown>): void => {
    res.write(`${JSON.stringify({ model: reply.model, created_at: new Date().toISOString(), message, done: false })}\n`);
  };
  for (const piece of splitIntoPieces(reply.content ?? "")) write({ role: "assistant", content: piece });
  // LangChain gives every Ollama tool call chunk index 0, so all calls travel in one chunk as Ollama sends them.
  if ((reply.toolCalls ?? []).length > 0) write(ollamaMessage({ ...reply, content: "" }, ids));
  res.end(`${JSON.stringify(ollamaFinal(reply))}\n`);
}
