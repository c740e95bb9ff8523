import { ChatAnthropic } from "@langchain/anthropic";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { ChatOllama } from "@langchain/ollama";
import { ChatOpenAI } from "@langchain/openai";
import type { AgentConfig, ProviderConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import type { ModelSpec } from "./model-spec.js";

/** The wire protocols the project speaks. */
export type ProviderKind = "openai" | "anthropic" | "ollama";

interface BuiltInProvider {
  kind: ProviderKind;
  keyEnv?: string;
  baseUrlEnv: string;
}

/** The providers known without configuration, and the environment variables that set them up. */
export const builtInProviders: Readonly<Record<string, BuiltInProvider>> = {
  openai: { kind: "openai", keyEnv: "OPENAI_API_KEY", baseUrlEnv: "OPENAI_BASE_URL" },
  anthropic: { kind: "anthropic", keyEnv: "ANTHROPIC_API_KEY", baseUrlEnv: "ANTHROPIC_BASE_URL" },
  ollama: { kind: "ollama", baseUrlEnv: "OLLAMA_HOST" },
};

/** Default address of a local Ollama server. */
export const DEFAULT_OLLAMA_URL = "http://127.0.0.1:11434";

/** A provider resolved from the built-in table and the configuration. */
export interface ResolvedProvider {
  name: string;
  kind: ProviderKind;
  settings: ProviderConfig;
  credentialsHint: string;
  /** Where this provider's address is set, for messages. */
  addressHint: string;
}

/** Finds the provider of a model spec, or explains which providers exist. */
export function resolveProvider(spec: ModelSpec, config: AgentConfig, userConfigPath: string): ResolvedProvider {
  const builtIn = builtInProviders[spec.provider];
  const settings = config.providers[spec.provider] ?? {};
  const kind = settings.kind ?? builtIn?.kind;
  if (!kind) {
    const known = [...new Set([...Object.keys(builtInProviders), ...Object.keys(config.providers), "scripted", "replay"])];
    throw new ConfigError(
      `Unknown provider "${spec.provider}" in model "${spec.provider}:${spec.model}". Known providers: ${known.join(", ")}. ` +
        `To use another OpenAI-compatible server, define providers.${spec.provider} with "kind": "openai" and "baseUrl" in ${userConfigPath}.`,
    );
  }
  const keyEnv = settings.apiKeyEnv ?? builtIn?.keyEnv;
  const credentialsHint = keyEnv
    ? `Set ${keyEnv} (or providers.${spec.provider}.apiKey in ${userConfigPath}).`
    : `Set providers.${spec.provider}.apiKey or providers.${spec.provider}.apiKeyEnv in ${userConfigPath}.`;
  const addressHint = builtIn ? `${builtIn.baseUrlEnv} or providers.${spec.provider}.baseUrl` : `providers.${spec.provider}.baseUrl`;
  return { name: spec.provider, kind, settings, credentialsHint, addressHint };
}

/**
 * Checks that a provider that needs a key has one. A custom base URL (vLLM, llama.cpp, LM
 * Studio) may need none, unless the configuration names a key variable.
 */
function requireApiKey(provider: ResolvedProvider): string | undefined {
  const { apiKey, apiKeyEnv, baseUrl } = provider.settings;
  if (apiKey) return apiKey;
  const needsKey = provider.kind === "anthropic" ? !baseUrl || !!apiKeyEnv : provider.kind === "openai" && (!baseUrl || !!apiKeyEnv);
  if (needsKey) {
    throw new ConfigError(`No API key for provider "${provider.name}". ${provider.credentialsHint}`, { code: "missing-api-key" });
  }
  return undefined;
}

/** Request settings that every provider's chat model takes. */
export interface ChatModelSettings {
  timeoutMs: number;
  temperature?: number;
  maxOutputTokens?: number;
}

/** Default output budget for Anthropic, whose API requires one. */
const ANTHROPIC_DEFAULT_MAX_TOKENS = 8_192;

/**
 * Builds the LangChain chat model for a provider. SDK-level retries are off: the model layer
 * retries itself, so every provider gets the same backoff, Retry-After handling and events.
 */
export function createChatModel(provider: ResolvedProvider, model: string, settings: ChatModelSettings): BaseChatModel {
  const apiKey = requireApiKey(provider);
  const { baseUrl } = provider.settings;
  const sampling = settings.temperature === undefined ? {} : { temperature: settings.temperature };
  switch (provider.kind) {
    case "openai":
      return new ChatOpenAI({
        model,
        apiKey: apiKey ?? "not-needed",
        configuration: baseUrl ? { baseURL: baseUrl } : {},
        maxRetries: 0,
        timeout: settings.timeoutMs,
        streamUsage: true,
        ...sampling,
        ...(settings.maxOutputTokens ? { maxTokens: settings.maxOutputTokens } : {}),
      });
    case "anthropic":
      return new ChatAnthropic({
        model,
        apiKey: apiKey ?? "not-needed",
        ...(baseUrl ? { anthropicApiUrl: baseUrl } : {}),
        maxRetries: 0,
        clientOptions: { timeout: settings.timeoutMs },
        maxTokens: settings.maxOutputTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
        ...sampling,
      });
    case "ollama":
      return new ChatOllama({
        model,
        baseUrl: baseUrl ?? DEFAULT_OLLAMA_URL,
        ...sampling,
        ...(settings.maxOutputTokens ? { numPredict: settings.maxOutputTokens } : {}),
      });
  }
}
