import { resolve } from "node:path";
import type { AgentConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import type { EmitEvent } from "../events/agent-event.js";
import { createSecretRedactor } from "../events/redact-secrets.js";
import { createChatModel, DEFAULT_OLLAMA_URL, resolveProvider } from "./chat-model-factory.js";
import { createModelClient, type ModelClient } from "./model-client.js";
import { formatModelSpec, parseModelSpec } from "./model-spec.js";
import { loadReplayTurns } from "./replay-turns.js";
import { createRetryPolicy } from "./retry-policy.js";
import { loadModelScript, ScriptedChatModel } from "./scripted-chat-model.js";

/** What `createModel` needs: the effective configuration and where its model setting came from. */
export interface CreateModelOptions {
  config: AgentConfig;
  /** Where `config.model` was set, e.g. "--model" or "env AGENT_MODEL"; used in error messages. */
  modelOrigin?: string;
  /** The user's config file, named in messages that tell the user what to set. */
  userConfigPath: string;
  /** Resolves relative `scripted:` and `replay:` paths. */
  cwd: string;
  emit?: EmitEvent;
  /** For scripted and replayed models: turns already played by the run being resumed. */
  scriptOffset?: number;
  /** Overrides for tests: how the retry loop waits and draws jitter. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
}

/** The message for every command that needs a model when none is configured. */
export function noModelMessage(userConfigPath: string): string {
  return (
    "No model is configured. Pass --model provider:model, set AGENT_MODEL, or set \"model\" in " +
    `${userConfigPath}. For example: AGENT_MODEL=openai:gpt-4.1 with OPENAI_API_KEY; ` +
    "AGENT_MODEL=anthropic:claude-sonnet-4-5 with ANTHROPIC_API_KEY; AGENT_MODEL=ollama:qwen2.5-coder with a local Ollama " +
    "(OLLAMA_HOST); or any OpenAI-compatible server with OPENAI_BASE_URL."
  );
}

/** Builds the model port for the configured model string (provider:model, scripted:FILE, replay:RUN). */
export async function createModel(options: CreateModelOptions): Promise<ModelClient> {
  const { config } = options;
  if (!config.model) throw new ConfigError(noModelMessage(options.userConfigPath), { code: "no-model" });
  const spec = parseModelSpec(config.model, options.modelOrigin ?? "the model setting");
  const modelKey = formatModelSpec(spec);
  const common = {
    timeoutMs: config.modelRequest.timeoutMs,
    retry: createRetryPolicy(config.modelRequest.maxRetries),
    priceOverrides: config.prices,
    emit: options.emit,
    sleep: options.sleep,
    random: options.random,
  };
  if (spec.provider === "scripted" || spec.provider === "replay") {
    const path = resolve(options.cwd, spec.model);
    const script = spec.provider === "scripted" ? await loadModelScript(path) : { turns: await loadReplayTurns(path) };
    const chatModel = new ScriptedChatModel({ ...script, label: `${spec.provider} model ${spec.model}`, startAt: options.scriptOffset ?? 0 });
    return createModelClient({
      ...common,
      chatModel,
      billing: "scripted",
      provider: { modelKey, credentialsHint: "A scripted model needs no credentials." },
    });
  }
  const provider = resolveProvider(spec, config, options.userConfigPath);
  const chatModel = createChatModel(provider, spec.model, {
    timeoutMs: config.modelRequest.timeoutMs,
    temperature: config.modelRequest.temperature,
    maxOutputTokens: config.modelRequest.maxOutputTokens,
  });
  const secrets = Object.values(config.providers).map((settings) => settings.apiKey);
  return createModelClient({
    ...common,
    chatModel,
    billing: provider.kind === "ollama" ? "local" : "metered",
    provider: {
      modelKey,
      credentialsHint: provider.credentialsHint,
      baseUrl: provider.settings.baseUrl ?? (provider.kind === "ollama" ? DEFAULT_OLLAMA_URL : undefined),
      addressHint: provider.addressHint,
    },
    redact: createSecretRedactor(secrets),
  });
}
