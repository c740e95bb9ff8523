import { randomUUID } from "node:crypto";
import type { BaseChatModel, BindToolsInput } from "@langchain/core/language_models/chat_models";
import { AIMessage, type AIMessageChunk, type BaseMessage } from "@langchain/core/messages";
import { AbortedError, ConfigError, ModelError } from "../errors.js";
import { ignoreEvents, type EmitEvent, type GraphNodeName, type RecordedModelMessage } from "../events/agent-event.js";
import { classifyModelError, toModelError, type ProviderIdentity } from "./classify-model-error.js";
import { estimateCost, type Billing, type ModelPrice } from "./prices.js";
import { computeRetryDelay, sleep as sleepWithSignal, type RetryPolicy } from "./retry-policy.js";
import type { CostEstimate, ModelUsage } from "../events/usage.js";
import { readProviderCost, readUsage } from "./read-usage.js";

/** One request to a model: the conversation, the tools it may call, and how to cancel it. */
export interface ModelCallRequest {
  messages: BaseMessage[];
  tools?: BindToolsInput[];
  signal?: AbortSignal;
  /** Stream the reply, emitting `text-delta` events as text arrives. */
  stream?: boolean;
  /** The graph node making the call, recorded in its events. */
  node?: GraphNodeName;
}

/** A model's reply with its accounting. */
export interface ModelCallResult {
  message: AIMessage;
  usage: ModelUsage;
  cost: CostEstimate;
  durationMs: number;
  attempts: number;
}

/** The port every agent talks to a model through: retries, timeouts, usage, cost and events. */
export interface ModelClient {
  /** The model as the user chose it, e.g. "anthropic:claude-sonnet-4-5". */
  readonly modelKey: string;
  call(request: ModelCallRequest): Promise<ModelCallResult>;
}

/** Everything a ModelClient is built from; the clock, sleep and randomness are injectable for tests. */
export interface ModelClientOptions {
  chatModel: BaseChatModel;
  provider: ProviderIdentity;
  billing: Billing;
  timeoutMs: number;
  retry: RetryPolicy;
  priceOverrides?: Readonly<Record<string, ModelPrice>>;
  emit?: EmitEvent;
  /** Removes secrets from error messages before they are thrown or logged. */
  redact?: (text: string) => string;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

/** The text of a model message, whether its content is a string or a list of blocks. */
export function messageText(message: BaseMessage): string {
  if (typeof message.content === "string") return message.content;
  return message.content
    .map((block) => (block.type === "text" && typeof block["text"] === "string" ? block["text"] : ""))
    .join("");
}

/** Reduces a model reply to plain JSON for events and trajectories. */
export function recordModelMessage(message: AIMessage): RecordedModelMessage {
  return {
    text: messageText(message),
    toolCalls: (message.tool_calls ?? []).map((call, index) => ({
      id: call.id ?? `call_${index}`,
      name: call.name,
      args: call.args,
    })),
  };
}

/** Settles with the promise, or rejects with the signal's reason as soon as it aborts. */
function raceWithSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

function toAIMessage(chunk: AIMessageChunk): AIMessage {
  return new AIMessage({
    content: chunk.content,
    tool_calls: chunk.tool_calls,
    invalid_tool_calls: chunk.invalid_tool_calls,
    usage_metadata: chunk.usage_metadata,
    response_metadata: chunk.response_metadata,
    id: chunk.id,
  });
}

/** Creates the model port around a LangChain chat model. */
export function createModelClient(options: ModelClientOptions): ModelClient {
  const emit = options.emit ?? ignoreEvents;
  const redact = options.redact ?? ((text: string) => text);
  const sleep = options.sleep ?? sleepWithSignal;
  const now = options.now ?? Date.now;
  const modelKey = options.provider.modelKey;

  function bindTools(tools: BindToolsInput[] | undefined) {
    if (!tools || tools.length === 0) return options.chatModel;
    if (typeof options.chatModel.bindTools !== "function") {
      throw new ConfigError(`${modelKey} does not support tool calling; choose a model that does.`);
    }
    return options.chatModel.bindTools(tools);
  }

  async function attempt(request: ModelCallRequest, callId: string, signal: AbortSignal): Promise<AIMessage> {
    const runnable = bindTools(request.tools);
    // Some clients (ChatOllama.invoke) ignore the signal while waiting: race it so timeouts hold.
    if (!request.stream) return (await raceWithSignal(runnable.invoke(request.messages, { signal }), signal)) as AIMessage;
    let accumulated: AIMessageChunk | undefined;
    for await (const chunk of await runnable.stream(request.messages, { signal })) {
      const piece = chunk as AIMessageChunk;
      accumulated = accumulated ? accumulated.concat(piece) : piece;
      const text = messageText(piece);
      if (text) emit({ type: "text-delta", callId, text });
    }
    if (!accumulated) throw new ModelError("the provider's stream ended without a message", { retryable: true, code: "model-empty-stream" });
    return toAIMessage(accumulated);
  }

  async function call(request: ModelCallRequest): Promise<ModelCallResult> {
    const callId = randomUUID();
    const started = now();
    const toolNames = (request.tools ?? []).map((tool) => String((tool as { name?: unknown }).name ?? "tool"));
    const node = request.node ? { node: request.node } : {};
    emit({ type: "model-call-start", callId, ...node, model: modelKey, messageCount: request.messages.length, toolNames });
    for (let attemptIndex = 0; ; attemptIndex += 1) {
      if (request.signal?.aborted) throw new AbortedError();
      const timeout = AbortSignal.timeout(options.timeoutMs);
      const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
      try {
        const message = await attempt(request, callId, signal);
        const usage = readUsage(message);
        const cost = estimateCost({
          modelKey,
          billing: options.billing,
          usage,
          providerCostUsd: readProviderCost(message),
          priceOverrides: options.priceOverrides,
        });
        const durationMs = now() - started;
        const attempts = attemptIndex + 1;
        emit({ type: "model-call-end", callId, ...node, model: modelKey, message: recordModelMessage(message), usage, cost, durationMs, attempts });
        return { message, usage, cost, durationMs, attempts };
      } catch (error) {
        if (request.signal?.aborted) throw new AbortedError("Interrupted.", { cause: error });
        if (error instanceof ConfigError) throw error;
        const failure = timeout.aborted
          ? { kind: "timeout" as const, retryable: true, detail: `no answer within ${options.timeoutMs} ms` }
          : classifyModelError(error, options.provider.baseUrl);
        failure.detail = redact(failure.detail);
        const tooLong = failure.retryAfterMs !== undefined && failure.retryAfterMs > options.retry.maxRetryAfterMs;
        if (!failure.retryable || attemptIndex >= options.retry.maxRetries || tooLong) {
          const modelError: ModelError = toModelError(failure, options.provider, attemptIndex + 1, error);
          modelError.message = redact(modelError.message);
          throw modelError;
        }
        const delayMs = computeRetryDelay(options.retry, attemptIndex, failure.retryAfterMs, options.random);
        const reason = `${failure.kind}${failure.status ? ` (HTTP ${failure.status})` : ""}: ${failure.detail}`;
        emit({ type: "model-retry", callId, ...node, model: modelKey, attempt: attemptIndex + 1, delayMs, reason });
        await sleep(delayMs, request.signal);
      }
    }
  }

  return { modelKey, call };
}
