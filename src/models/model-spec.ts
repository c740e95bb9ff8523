import { ConfigError } from "../errors.js";

/** A model choice split into its provider and the provider's model name. */
export interface ModelSpec {
  provider: string;
  model: string;
}

const PROVIDER_NAME = /^[a-z][a-z0-9-]*$/;

/** An example line shown in every malformed-model message. */
export const MODEL_STRING_EXAMPLES = "openai:gpt-4.1, anthropic:claude-sonnet-4-5, ollama:qwen2.5-coder";

/**
 * Parses `provider:model` (the model part may itself contain colons, as Ollama tags do).
 * `origin` names where the string came from, for the error message.
 */
export function parseModelSpec(text: string, origin = "the model setting"): ModelSpec {
  const trimmed = text.trim();
  const colon = trimmed.indexOf(":");
  const provider = colon > 0 ? trimmed.slice(0, colon) : "";
  const model = colon > 0 ? trimmed.slice(colon + 1) : "";
  if (!PROVIDER_NAME.test(provider) || model.length === 0) {
    throw new ConfigError(
      `Malformed model "${text}" in ${origin}: expected provider:model, for example ${MODEL_STRING_EXAMPLES}.`,
    );
  }
  return { provider, model };
}

/** Formats a spec back into its `provider:model` string. */
export function formatModelSpec(spec: ModelSpec): string {
  return `${spec.provider}:${spec.model}`;
}
