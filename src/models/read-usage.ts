import type { AIMessage } from "@langchain/core/messages";
import { zeroUsage, type ModelUsage } from "../events/usage.js";

/** Reads the token counts a provider reported on a LangChain message (usage_metadata). */
export function readUsage(message: AIMessage): ModelUsage {
  const metadata = message.usage_metadata;
  if (!metadata) return { ...zeroUsage };
  const details = metadata.input_token_details ?? {};
  return {
    inputTokens: metadata.input_tokens ?? 0,
    outputTokens: metadata.output_tokens ?? 0,
    cachedInputTokens: details.cache_read ?? 0,
    cacheWriteTokens: details.cache_creation ?? 0,
  };
}

/**
 * Reads a cost in USD that the provider itself reported (OpenRouter and some gateways return
 * `usage.cost`); undefined when the response carries none.
 */
export function readProviderCost(message: AIMessage): number | undefined {
  const metadata = message.response_metadata as Record<string, unknown> | undefined;
  const candidates = [
    (metadata?.["usage"] as Record<string, unknown> | undefined)?.["cost"],
    (metadata?.["tokenUsage"] as Record<string, unknown> | undefined)?.["cost"],
    metadata?.["cost"],
  ];
  const cost = candidates.find((value) => typeof value === "number" && Number.isFinite(value));
  return cost as number | undefined;
}
