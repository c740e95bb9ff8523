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
