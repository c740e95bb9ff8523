import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { OllamaEmbeddings } from "@langchain/ollama";
import { OpenAIEmbeddings } from "@langchain/openai";
import type { AgentConfig } from "../config/schema.js";
import { ConfigError } from "../errors.js";
import { DEFAULT_OLLAMA_URL, resolveProvider, type ResolvedProvider } from "./chat-model-factory.js";
import { parseModelSpec } from "./model-spec.js";

/** What `createEmbeddings` needs: the embedding model string and the configuration its provider is set up in. */
export interface CreateEmbeddingsOptions {
  /** `provider:model`, e.g. "openai:text-embedding-3-small" or "ollama:nomic-embed-text". */
  model: string;
  config: AgentConfig;
  /** The user's config file, named in messages that tell the user what to set. */
  userConfigPath: string;
  /** Where the model string was set, e.g. "--embeddings"; used in error messages. */
  modelOrigin?: string;
}

/** Retries of one embedding call: callers fall back to lexical matching, so a dead server is not waited on for long. */
const EMBEDDING_MAX_RETRIES = 2;

/** Example embedding models, named in every message about a model that cannot embed. */
const EMBEDDING_MODEL_EXAMPLES = "openai:text-embedding-3-small, ollama:nomic-embed-text";

/**
 * Builds a LangChain embedding model for `provider:model`, with the providers the chat models
 * use ("openai" kind: OpenAI and OpenAI-compatible servers with a base URL; "ollama" kind).
 * Throws a ConfigError when the provider is unknown, cannot embed, or has no API key.
 */
export function createEmbeddings(options: CreateEmbeddingsOptions): EmbeddingsInterface {
  const origin = options.modelOrigin ?? "the embedding model setting";
  const spec = parseModelSpec(options.model, origin);
  if (spec.provider === "scripted" || spec.provider === "replay") {
    throw new ConfigError(`The ${spec.provider} provider has no embeddings (${origin}). Use an embedding model such as ${EMBEDDING_MODEL_EXAMPLES}.`);
  }
  const provider = resolveProvider(spec, options.config, options.userConfigPath);
  const timeout = options.config.modelRequest.timeoutMs;
  switch (provider.kind) {
    case "openai": {
      const apiKey = requireEmbeddingApiKey(provider);
      const { baseUrl } = provider.settings;
      return new OpenAIEmbeddings({
        model: spec.model,
        apiKey: apiKey ?? "not-needed",
        configuration: baseUrl ? { baseURL: baseUrl } : {},
        timeout,
        maxRetries: EMBEDDING_MAX_RETRIES,
        // JSON floats, which every OpenAI-compatible server speaks (not all decode base64).
        encodingFormat: "float",
      });
    }
    case "ollama":
      return new OllamaEmbeddings({
        model: spec.model,
        baseUrl: provider.settings.baseUrl ?? DEFAULT_OLLAMA_URL,
        maxRetries: EMBEDDING_MAX_RETRIES,
      });
    case "anthropic":
      throw new ConfigError(
        `Provider "${provider.name}" (Anthropic) has no embeddings API, so "${options.model}" in ${origin} cannot embed. ` +
          `Use an embedding model such as ${EMBEDDING_MODEL_EXAMPLES}.`,
      );
  }
}

/**
 * The provider's API key; none is needed for an OpenAI-compatible server at a custom base URL
 * unless the configuration names a key variable (the chat models' rule).
 */
function requireEmbeddingApiKey(provider: ResolvedProvider): string | undefined {
  const { apiKey, apiKeyEnv, baseUrl } = provider.settings;
  if (apiKey) return apiKey;
  if (!baseUrl || apiKeyEnv) {
    throw new ConfigError(`No API key for provider "${provider.name}", needed for embeddings. ${provider.credentialsHint}`, {
      code: "missing-api-key",
    });
  }
  return undefined;
}
