import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ChatAnthropic } from "@langchain/anthropic";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import { tool } from "@langchain/core/tools";
import type { AIMessageChunk } from "@langchain/core/messages";
import { z } from "zod";
import { startFakeModelServer } from "../support/fake-model-server.js";
import type { FakeModelServer, FakeToolCall, FakeUsage } from "../support/fake-model-server.js";

const getWeather = tool(async ({ city }) => `sunny in ${city}`, {
  name: "get_weather",
  description: "Get the weather for a city",
  schema: z.object({ city: z.string() }),
});
const weatherCall: FakeToolCall = { name: "get_weather", args: { city: "Paris" } };
const usage: FakeUsage = { input: 100, output: 20, cachedInput: 40, cacheWrite: 7 };

let server: FakeModelServer;

beforeEach(async () => {
  server = await startFakeModelServer();
});

afterEach(async () => {
  await server.close();
});

function openAi(options: { timeout?: number } = {}): ChatOpenAI {
  return new ChatOpenAI({ model: "gpt-4.1", apiKey: "sk-test", configuration: { baseURL: server.openaiBaseUrl }, maxRetries: 0, ...options });
}

function anthropic(options: { timeout?: number } = {}): ChatAnthropic {
  return new ChatAnthropic({
    model: "claude-sonnet-4-5",
    apiKey: "sk-ant-test",
    anthropicApiUrl: server.anthropicBaseUrl,
    maxRetries: 0,
    clientOptions: options,
  });
}

function ollama(): ChatOllama {
  return new ChatOllama({ model: "qwen2.5-coder", baseUrl: server.ollamaBaseUrl });
}

async function collect(stream: AsyncIterable<AIMessageChunk>): Promise<AIMessageChunk> {
  let message: AIMessageChunk | undefined;
  for await (const chunk of stream) message = message === undefined ? chunk : message.concat(chunk);
  if (message === undefined) throw new Error("stream yielded no chunks");
  return message;
}

/** The error a call rejects with, as a record so tests can read provider-specific fields. */
async function rejectionOf(run: () => Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await run();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error("expected the call to reject");
}

async function postJson(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.url}${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

describe("fake model server, OpenAI protocol", () => {
  it("answers a ChatOpenAI tool call with parsed arguments and token usage", async () => {
    server.enqueue("openai", { kind: "message", toolCalls: [weatherCall], usage });

    const reply = await openAi().bindTools([getWeather]).invoke("Weather in Paris?");

    expect(reply.tool_calls).toEqual([{ type: "tool_call", id: "call_1", name: "get_weather", args: { city: "Paris" } }]);
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 100, output_tokens: 20, input_token_details: { cache_read: 40 } });
  });

  it("records the request with its tools, messages and bearer token", async () => {
    server.enqueue("openai", { kind: "message", content: "hi" });

    await openAi().bindTools([getWeather]).invoke("Weather in Paris?");

    const [request] = server.requests;
    expect(request).toMatchObject({ protocol: "openai", method: "POST", path: "/v1/chat/completions" });
    expect(request?.headers.authorization).toBe("Bearer sk-test");
    expect(request?.body.tools[0].function.name).toBe("get_weather");
    expect(request?.body.messages).toEqual([{ role: "user", content: "Weather in Paris?" }]);
  });

  it("streams text, a tool call and usage that concatenate into one message", async () => {
    server.enqueue("openai", { kind: "message", content: "Let me check the weather.", toolCalls: [weatherCall], usage });

    const message = await collect(await openAi().bindTools([getWeather]).stream("Weather in Paris?"));

    expect(message.content).toBe("Let me check the weather.");
    expect(message.tool_calls).toEqual([{ type: "tool_call", id: "call_1", name: "get_weather", args: { city: "Paris" } }]);
    expect(message.usage_metadata).toMatchObject({ input_tokens: 100, output_tokens: 20, input_token_details: { cache_read: 40 } });
    expect(server.requests[0]?.body.stream_options).toEqual({ include_usage: true });
  });

  it("reports an OpenRouter-style cost inside usage when one is set", async () => {
    server.enqueue("openai", { kind: "message", content: "ok", usage: { input: 3, output: 2, cost: 0.0012 } });

    const reply = await openAi().invoke("hi");

    expect(reply.response_metadata.usage).toMatchObject({ prompt_tokens: 3, completion_tokens: 2, cost: 0.0012 });
  });

  it("sends server-sent chunks ending in a usage chunk and [DONE]", async () => {
    server.enqueue("openai", { kind: "message", content: "hello" });

    const response = await postJson("/v1/chat/completions", { model: "gpt-4.1", stream: true, stream_options: { include_usage: true } });
    const lines = (await response.text()).split("\n\n").filter((line) => line !== "");

    expect(response.headers.get("content-type")).toContain("text/event-stream");
    expect(lines.at(-1)).toBe("data: [DONE]");
    const chunks = lines.slice(0, -1).map((line) => JSON.parse(line.slice("data: ".length)));
    expect(chunks.every((chunk) => chunk.object === "chat.completion.chunk")).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 10, completion_tokens: 5 } });
    expect(chunks.at(-2).choices[0].finish_reason).toBe("stop");
  });

  it("answers queued replies in FIFO order", async () => {
    server.enqueue("openai", { kind: "message", content: "first" }, { kind: "message", content: "second" });

    const first = await openAi().invoke("a");
    const second = await openAi().invoke("b");

    expect([first.content, second.content]).toEqual(["first", "second"]);
  });
});

describe("fake model server, Anthropic protocol", () => {
  it("answers a ChatAnthropic tool call with parsed input and cache usage", async () => {
    server.enqueue("anthropic", { kind: "message", content: "Checking.", toolCalls: [weatherCall], usage });

    const reply = await anthropic().bindTools([getWeather]).invoke("Weather in Paris?");

    expect(reply.tool_calls).toEqual([{ type: "tool_call", id: "toolu_1", name: "get_weather", args: { city: "Paris" } }]);
    expect(reply.usage_metadata).toMatchObject({
      input_tokens: 100,
      output_tokens: 20,
      input_token_details: { cache_read: 40, cache_creation: 7 },
    });
  });

  it("records the request path, tools and x-api-key header", async () => {
    server.enqueue("anthropic", { kind: "message", content: "hi" });

    await anthropic().bindTools([getWeather]).invoke("Weather in Paris?");

    const [request] = server.requests;
    expect(request).toMatchObject({ protocol: "anthropic", path: "/v1/messages" });
    expect(request?.headers["x-api-key"]).toBe("sk-ant-test");
    expect(request?.body.tools[0].name).toBe("get_weather");
    expect(request?.body.messages).toEqual([{ role: "user", content: "Weather in Paris?" }]);
  });

  it("streams a tool call and usage that concatenate into one message", async () => {
    server.enqueue("anthropic", { kind: "message", content: "Checking.", toolCalls: [weatherCall], usage });

    const message = await collect(await anthropic().bindTools([getWeather]).stream("Weather in Paris?"));

    expect(message.tool_calls).toEqual([{ type: "tool_call", id: "toolu_1", name: "get_weather", args: { city: "Paris" } }]);
    expect(message.usage_metadata).toMatchObject({ input_tokens: 100, output_tokens: 20, input_token_details: { cache_read: 40 } });
  });

  it("sends the real event sequence when streaming", async () => {
    server.enqueue("anthropic", { kind: "message", content: "hi", toolCalls: [weatherCall] });

    const response = await postJson("/v1/messages", { model: "claude-sonnet-4-5", stream: true, max_tokens: 10, messages: [] });
    const events = [...(await response.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);

    expect(events).toEqual([
      "message_start",
      "ping",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_delta",
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);
  });
});

describe("fake model server, Ollama protocol", () => {
  it("answers ChatOllama with plain text and token counts", async () => {
    server.enqueue("ollama", { kind: "message", content: "Hello there, friend.", usage: { input: 12, output: 4 } });

    const reply = await ollama().invoke("hi");

    expect(reply.content).toBe("Hello there, friend.");
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 12, output_tokens: 4, total_tokens: 16 });
    expect(server.requests[0]).toMatchObject({ protocol: "ollama", path: "/api/chat", body: { model: "qwen2.5-coder" } });
  });

  it("answers ChatOllama with a tool call", async () => {
    server.enqueue("ollama", { kind: "message", toolCalls: [weatherCall] });

    const reply = await ollama().bindTools([getWeather]).invoke("Weather in Paris?");

    expect(reply.tool_calls).toMatchObject([{ name: "get_weather", args: { city: "Paris" } }]);
    expect(server.requests[0]?.body.tools[0].function.name).toBe("get_weather");
  });

  it("answers a single JSON object when stream is false", async () => {
    server.enqueue("ollama", { kind: "message", content: "whole" });

    const response = await postJson("/api/chat", { model: "qwen2.5-coder", stream: false, messages: [] });

    expect(await response.json()).toMatchObject({
      model: "qwen2.5-coder",
      message: { role: "assistant", content: "whole" },
      done: true,
      done_reason: "stop",
    });
  });
});

describe("fake model server, errors", () => {
  it("surfaces an OpenAI 429 with its status and retry-after header", async () => {
    server.enqueue("openai", { kind: "error", status: 429, headers: { "retry-after": "1" } });

    const error = await rejectionOf(() => openAi().invoke("hi"));

    expect(error.status).toBe(429);
    expect((error.headers as Headers).get("retry-after")).toBe("1");
    expect(error.lc_error_code).toBe("MODEL_RATE_LIMIT");
  });

  it("surfaces an OpenAI 401 as an authentication error", async () => {
    server.enqueue("openai", { kind: "error", status: 401 });

    const error = await rejectionOf(() => openAi().invoke("hi"));

    expect(error.status).toBe(401);
    expect(error.code).toBe("invalid_api_key");
    expect(error.lc_error_code).toBe("MODEL_AUTHENTICATION");
  });

  it("surfaces an Anthropic 429 with its status, error type and retry-after header", async () => {
    server.enqueue("anthropic", { kind: "error", status: 429, headers: { "retry-after": "1" } });

    const error = await rejectionOf(() => anthropic().invoke("hi"));

    expect(error.status).toBe(429);
    expect(error.type).toBe("rate_limit_error");
    expect((error.headers as Headers).get("retry-after")).toBe("1");
    expect(error.lc_error_code).toBe("MODEL_RATE_LIMIT");
  });

  it("surfaces an Anthropic 401 as an authentication error", async () => {
    server.enqueue("anthropic", { kind: "error", status: 401 });

    const error = await rejectionOf(() => anthropic().invoke("hi"));

    expect(error.status).toBe(401);
    expect(error.type).toBe("authentication_error");
    expect(error.lc_error_code).toBe("MODEL_AUTHENTICATION");
  });

  it("surfaces an Ollama 500 as a ResponseError with status_code and the server's message", async () => {
    server.enqueue("ollama", { kind: "error", status: 500, body: { error: "model runner crashed" } });

    const error = await rejectionOf(() => ollama().invoke("hi"));

    expect(error.name).toBe("ResponseError");
    expect(error.status_code).toBe(500);
    expect(error.message).toBe("model runner crashed");
  });

  it("fails clearly when no reply is queued for a protocol", async () => {
    const error = await rejectionOf(() => openAi().invoke("hi"));

    expect(error.status).toBe(500);
    expect(error.message).toContain("fake model server: no reply queued for openai");
  });

  it("answers unknown routes with 404", async () => {
    const response = await postJson("/v1/completions", {});

    expect(response.status).toBe(404);
    expect(server.requests).toEqual([]);
  });
});

describe("fake model server, hanging and lifecycle", () => {
  it("lets a ChatOpenAI timeout fire against a hanging reply", async () => {
    server.enqueue("openai", { kind: "hang" });

    const error = await rejectionOf(() => openAi({ timeout: 200 }).invoke("hi"));

    expect(error.name).toBe("TimeoutError");
    expect(error.message).toBe("Request timed out.");
  });

  it("lets a ChatAnthropic client timeout fire against a hanging reply", async () => {
    server.enqueue("anthropic", { kind: "hang" });

    const error = await rejectionOf(() => anthropic({ timeout: 200 }).invoke("hi"));

    expect(error.constructor.name).toBe("APIConnectionTimeoutError");
    expect(error.message).toBe("Request timed out.");
  });

  it("records a hanging request and ends it on close", async () => {
    server.enqueue("ollama", { kind: "hang" });
    const pending = postJson("/api/chat", { model: "m", messages: [] });

    await server.waitForRequests(1);
    await server.close();

    await expect(pending).rejects.toThrow();
    expect(server.requests[0]?.body).toEqual({ model: "m", messages: [] });
  });

  it("rejects waitForRequests with a clear message when too few requests arrive", async () => {
    await expect(server.waitForRequests(1, 20)).rejects.toThrow("expected 1 requests within 20 ms, got 0");
  });
});
