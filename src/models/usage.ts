import type { AIMessage } from "@langchain/core/messages";

/** Token counts of one model call. `inputTokens` includes the cached and cache-write tokens. */
export interface ModelUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  cacheWriteTokens: number;
}

/**
 * The cost of a call in USD and where the figure came from. `usd` is null when no price is
 * known: an unknown cost is never reported as $0.
 */
export interface CostEstimate {
  usd: number | null;
  basis: "provider" | "price-table" | "local" | "scripted" | "unknown";
}

/** A usage record with every count at zero. */
export const zeroUsage: ModelUsage = { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 };

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

/** Adds two usage records. */
export function addUsage(a: ModelUsage, b: ModelUsage): ModelUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cachedInputTokens: a.cachedInputTokens + b.cachedInputTokens,
    cacheWriteTokens: a.cacheWriteTokens + b.cacheWriteTokens,
  };
}

/** Formats a cost for people: "$0.0123", or "unknown" when no price is known. */
export function formatCost(cost: Pick<CostEstimate, "usd">): string {
  if (cost.usd === null) return "unknown";
  if (cost.usd === 0) return "$0";
  return cost.usd < 0.01 ? `$${cost.usd.toFixed(4)}` : `$${cost.usd.toFixed(2)}`;
}
