import { HumanMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { agentConfigSchema, type DeepPartial, type AgentConfig } from "../../src/config/schema.js";
import { AbortedError, ModelAuthError, ModelError } from "../../src/errors.js";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { createModel } from "../../src/models/create-model.js";
import type { ModelClient } from "../../src/models/model-client.js";
import { startFakeModelServer, type FakeModelServer, type FakeProtocol } from "../support/fake-model-server.js";

const readFileTool = tool(async ({ path }) => `contents of ${path}`, {
  name: "read_file",
  description: "Reads a file.",
  schema: z.object({ path: z.string() }),
});

let server: FakeModelServer;
let events: AgentEvent[];
let sleeps: number[];

beforeEach(async () => {
  server = await startFakeModelServer();
  events = [];
  sleeps = [];
});

afterEach(async () => {
  await server.close();
});

const baseUrls = (): Record<FakeProtocol, string> => ({
  openai: server.openaiBaseUrl,
  anthropic: server.anthropicBaseUrl,
  ollama: server.ollamaBaseUrl,
});

const modelNames: Record<FakeProtocol, string> = {
  openai: "openai:gpt-4.1",
  anthropic: "anthropic:claude-sonnet-4-5",
  ollama: "ollama:qwen2.5-coder",
};

const keys: Record<FakeProtocol, string | undefined> = {
  openai: "sk-test-openai-0123456789",
  anthropic: "sk-ant-test-0123456789",
  ollama: undefined,
};

async function modelFor(protocol: FakeProtocol, overrides: DeepPartial<AgentConfig> = {}): Promise<ModelClient> {
  const config = agentConfigSchema.parse({
    model: modelNames[protocol],
    modelRequest: { timeoutMs: 5_000, maxRetries: 3, ...overrides.modelRequest },
    providers: { [protocol]: { baseUrl: baseUrls()[protocol], ...(keys[protocol] ? { apiKey: keys[protocol] } : {}) } },
  });
  return createModel({
    config,
    userConfigPath: "/home/user/.config/agent/config.json",
    cwd: process.cwd(),
    emit: createEventEmitter("run-1", (event) => events.push(event)),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0,
  });
}

describe.each(["openai", "anthropic", "ollama"] as const)("the %s provider through the real LangChain client", (protocol) => {
  it("completes a tool-call round trip: the tool call, then the answer that uses its result", async () => {
    server.enqueue(
      protocol,
      { kind: "message", toolCalls: [{ name: "read_file", args: { path: "setup.py" } }] },
      { kind: "message", content: "The file defines the package." },
    );
    const model = await modelFor(protocol);
    const history: BaseMessage[] = [new HumanMessage("What does setup.py do?")];
    const first = await model.call({ messages: history, tools: [readFileTool] });
    const call = first.message.tool_calls?.[0];
    expect(call).toMatchObject({ name: "read_file", args: { path: "setup.py" } });
    history.push(first.message, new ToolMessage({ content: "from setuptools import setup", tool_call_id: call!.id! }));
    const second = await model.call({ messages: history, tools: [readFileTool] });
    expect(second.message.content).toBe("The file defines the package.");
    expect(JSON.stringify(server.requests[1]!.body)).toContain("from setuptools import setup");
  });

  it("streams text deltas and still returns the tool call", async () => {
    server.enqueue(protocol, {
      kind: "message",
      content: "Let me look at the file first.",
      toolCalls: [{ name: "read_file", args: { path: "a.py" } }],
    });
    const model = await modelFor(protocol);
    const result = await model.call({ messages: [new HumanMessage("go")], tools: [readFileTool], stream: true });
    const streamed = events.filter((e) => e.type === "text-delta").map((e) => (e as { text: string }).text);
    expect(streamed.join("")).toBe("Let me look at the file first.");
    expect(result.message.tool_calls?.[0]).toMatchObject({ name: "read_file", args: { path: "a.py" } });
  });

  it("retries a server error and then succeeds", async () => {
    server.enqueue(protocol, { kind: "error", status: 503 }, { kind: "message", content: "ok" });
    const model = await modelFor(protocol);
    const result = await model.call({ messages: [new HumanMessage("hi")] });
    expect(result.attempts).toBe(2);
    expect(server.requests).toHaveLength(2);
  });

  it("gives up on a request that gets no answer within the timeout", async () => {
    server.enqueue(protocol, { kind: "hang" }, { kind: "hang" });
    const model = await modelFor(protocol, { modelRequest: { timeoutMs: 300, maxRetries: 1 } });
    const failure = model.call({ messages: [new HumanMessage("hi")] });
    await expect(failure).rejects.toMatchObject({ code: "model-timeout", retryable: true });
    expect(server.requests).toHaveLength(2);
  });
});

describe.each(["openai", "anthropic"] as const)("%s errors", (protocol) => {
  it("waits as long as Retry-After says after a 429, then succeeds", async () => {
    server.enqueue(
      protocol,
      { kind: "error", status: 429, headers: { "retry-after": "2" } },
      { kind: "message", content: "ok" },
    );
    const model = await modelFor(protocol);
    const result = await model.call({ messages: [new HumanMessage("hi")] });
    expect(result.message.content).toBe("ok");
    expect(sleeps).toEqual([2_000]);
    expect(events.find((e) => e.type === "model-retry")).toMatchObject({ attempt: 1, delayMs: 2_000 });
  });

  it("does not retry a 401 and says which variable to set", async () => {
    server.enqueue(protocol, { kind: "error", status: 401 }, { kind: "message", content: "never sent" });
    const model = await modelFor(protocol);
    const failure = await model.call({ messages: [new HumanMessage("hi")] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelAuthError);
    expect((failure as Error).message).toContain(protocol === "openai" ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY");
    expect((failure as Error).message).not.toContain(keys[protocol]);
    expect(server.requests).toHaveLength(1);
  });

  it("stops after the configured number of retries on persistent 429s", async () => {
    server.enqueue(protocol, ...Array.from({ length: 3 }, () => ({ kind: "error" as const, status: 429 })));
    const model = await modelFor(protocol, { modelRequest: { maxRetries: 2 } });
    await expect(model.call({ messages: [new HumanMessage("hi")] })).rejects.toMatchObject({ code: "model-rate-limit" });
    expect(server.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1_000]);
  });
});

describe("usage and cost", () => {
  it("prices OpenAI usage with cached tokens from the price table", async () => {
    server.enqueue("openai", { kind: "message", content: "ok", usage: { input: 1_000_000, cachedInput: 400_000, output: 100_000 } });
    const result = await (await modelFor("openai")).call({ messages: [new HumanMessage("hi")] });
    expect(result.usage).toEqual({ inputTokens: 1_000_000, cachedInputTokens: 400_000, cacheWriteTokens: 0, outputTokens: 100_000 });
    expect(result.cost.basis).toBe("price-table");
    expect(result.cost.usd).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10);
  });

  it("prices Anthropic cache reads and writes separately", async () => {
    server.enqueue("anthropic", {
      kind: "message",
      content: "ok",
      usage: { input: 1_000_000, cachedInput: 500_000, cacheWrite: 100_000, output: 10_000 },
    });
    const result = await (await modelFor("anthropic")).call({ messages: [new HumanMessage("hi")] });
    expect(result.usage).toMatchObject({ inputTokens: 1_000_000, cachedInputTokens: 500_000, cacheWriteTokens: 100_000 });
    expect(result.cost.usd).toBeCloseTo(0.4 * 3 + 0.5 * 0.3 + 0.1 * 3.75 + 0.01 * 15, 10);
  });

  it("uses the cost the provider reports over the price table", async () => {
    server.enqueue("openai", { kind: "message", content: "ok", usage: { input: 100, output: 10, cost: 0.0123 } });
    const result = await (await modelFor("openai")).call({ messages: [new HumanMessage("hi")] });
    expect(result.cost).toEqual({ usd: 0.0123, basis: "provider" });
  });

  it("reports the cost of a model with no known price as unknown, not zero", async () => {
    server.enqueue("openai", { kind: "message", content: "ok", usage: { input: 100, output: 10 } });
    const config = agentConfigSchema.parse({
      model: "vllm:qwen2.5-coder-32b",
      providers: { vllm: { kind: "openai", baseUrl: server.openaiBaseUrl } },
    });
    const model = await createModel({ config, userConfigPath: "/u/config.json", cwd: process.cwd() });
    const result = await model.call({ messages: [new HumanMessage("hi")] });
    expect(result.cost).toEqual({ usd: null, basis: "unknown" });
  });

  it("emits a model-call-end event with the message, usage and cost", async () => {
    server.enqueue("openai", { kind: "message", toolCalls: [{ name: "read_file", args: { path: "x" } }], usage: { input: 10, output: 5 } });
    await (await modelFor("openai")).call({ messages: [new HumanMessage("hi")], tools: [readFileTool] });
    const end = events.find((e) => e.type === "model-call-end");
    expect(end).toMatchObject({
      runId: "run-1",
      model: "openai:gpt-4.1",
      message: { text: "", toolCalls: [{ name: "read_file", args: { path: "x" } }] },
      usage: { inputTokens: 10, outputTokens: 5 },
      cost: { basis: "price-table" },
      attempts: 1,
    });
  });
});

describe("cancellation and non-retryable errors", () => {
  it("stops at once with AbortedError when the caller aborts", async () => {
    server.enqueue("openai", { kind: "hang" });
    const model = await modelFor("openai");
    const controller = new AbortController();
    const call = model.call({ messages: [new HumanMessage("hi")], signal: controller.signal });
    await server.waitForRequests(1);
    controller.abort();
    await expect(call).rejects.toBeInstanceOf(AbortedError);
  });

  it("does not retry an exhausted quota", async () => {
    server.enqueue("openai", {
      kind: "error",
      status: 429,
      body: { error: { message: "You exceeded your current quota.", type: "insufficient_quota", param: null, code: "insufficient_quota" } },
    });
    const model = await modelFor("openai");
    await expect(model.call({ messages: [new HumanMessage("hi")] })).rejects.toMatchObject({ code: "model-quota" });
    expect(server.requests).toHaveLength(1);
  });

  it("explains an unreachable server and names its address", async () => {
    const address = server.openaiBaseUrl;
    await server.close();
    const config = agentConfigSchema.parse({
      model: "openai:gpt-4.1",
      modelRequest: { maxRetries: 1 },
      providers: { openai: { baseUrl: address } },
    });
    const model = await createModel({ config, userConfigPath: "/u/c.json", cwd: process.cwd(), sleep: async () => {} });
    const failure = await model.call({ messages: [new HumanMessage("hi")] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ModelError);
    expect((failure as ModelError).code).toBe("model-unreachable");
    expect((failure as Error).message).toContain(address);
    server = await startFakeModelServer();
  });

  it("fails at once, naming the address and the variable that sets it, when nothing listens on this machine", async () => {
    const address = server.ollamaBaseUrl;
    await server.close();
    const config = agentConfigSchema.parse({ model: "ollama:qwen2.5-coder", modelRequest: { maxRetries: 6 }, providers: { ollama: { baseUrl: address } } });
    let waits = 0;
    const model = await createModel({ config, userConfigPath: "/u/c.json", cwd: process.cwd(), sleep: async () => void (waits += 1) });
    const failure = (await model.call({ messages: [new HumanMessage("hi")] }).catch((error: unknown) => error)) as ModelError;
    expect(waits).toBe(0);
    expect(failure.retryable).toBe(false);
    expect(failure.message).toContain(`nothing answers at ${address} (connection refused)`);
    expect(failure.message).toContain("`ollama serve`");
    expect(failure.message).toContain("OLLAMA_HOST or providers.ollama.baseUrl");
    server = await startFakeModelServer();
  });
});
