import type { ModelPrice } from "../config/schema.js";
import type { CostEstimate, ModelUsage } from "../events/usage.js";

export type { ModelPrice };

/**
 * Public list prices (USD per million tokens, standard tier, short context) as last checked
 * for this table. They are the fallback when the provider reports no cost; users override or
 * extend them with `prices` in their configuration.
 */
export const builtInPrices: Readonly<Record<string, ModelPrice>> = {
  "openai:gpt-5": { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
  "openai:gpt-5-mini": { inputPerMTok: 0.25, cachedInputPerMTok: 0.025, outputPerMTok: 2 },
  "openai:gpt-5-nano": { inputPerMTok: 0.05, cachedInputPerMTok: 0.005, outputPerMTok: 0.4 },
  "openai:gpt-5-codex": { inputPerMTok: 1.25, cachedInputPerMTok: 0.125, outputPerMTok: 10 },
  "openai:gpt-4.1": { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  "openai:gpt-4.1-mini": { inputPerMTok: 0.4, cachedInputPerMTok: 0.1, outputPerMTok: 1.6 },
  "openai:gpt-4.1-nano": { inputPerMTok: 0.1, cachedInputPerMTok: 0.025, outputPerMTok: 0.4 },
  "openai:gpt-4o": { inputPerMTok: 2.5, cachedInputPerMTok: 1.25, outputPerMTok: 10 },
  "openai:gpt-4o-mini": { inputPerMTok: 0.15, cachedInputPerMTok: 0.075, outputPerMTok: 0.6 },
  "openai:o3": { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 },
  "openai:o3-mini": { inputPerMTok: 1.1, cachedInputPerMTok: 0.55, outputPerMTok: 4.4 },
  "openai:o4-mini": { inputPerMTok: 1.1, cachedInputPerMTok: 0.275, outputPerMTok: 4.4 },
  "anthropic:claude-opus-4-5": { inputPerMTok: 5, cachedInputPerMTok: 0.5, cacheWritePerMTok: 6.25, outputPerMTok: 25 },
  "anthropic:claude-opus-4-1": { inputPerMTok: 15, cachedInputPerMTok: 1.5, cacheWritePerMTok: 18.75, outputPerMTok: 75 },
  "anthropic:claude-opus-4-0": { inputPerMTok: 15, cachedInputPerMTok: 1.5, cacheWritePerMTok: 18.75, outputPerMTok: 75 },
  "anthropic:claude-sonnet-4-5": { inputPerMTok: 3, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15 },
  "anthropic:claude-sonnet-4-0": { inputPerMTok: 3, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15 },
  "anthropic:claude-3-7-sonnet": { inputPerMTok: 3, cachedInputPerMTok: 0.3, cacheWritePerMTok: 3.75, outputPerMTok: 15 },
  "anthropic:claude-haiku-4-5": { inputPerMTok: 1, cachedInputPerMTok: 0.1, cacheWritePerMTok: 1.25, outputPerMTok: 5 },
  "anthropic:claude-3-5-haiku": { inputPerMTok: 0.8, cachedInputPerMTok: 0.08, cacheWritePerMTok: 1, outputPerMTok: 4 },
};

/** A snapshot suffix on a model id: a date, or -latest (gpt-4.1-2025-04-14, claude-sonnet-4-5-20250929). */
const SNAPSHOT_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/;

/** Anthropic's dateless aliases for 4.0 models have no "-0"; map them onto the table's names. */
const MODEL_ALIASES: Readonly<Record<string, string>> = {
  "anthropic:claude-sonnet-4": "anthropic:claude-sonnet-4-0",
  "anthropic:claude-opus-4": "anthropic:claude-opus-4-0",
};

/**
 * Finds the price of `provider:model`: the user's table first, then the built-in one. An id
 * with a snapshot suffix uses its base entry when it has no entry of its own.
 */
export function lookupPrice(
  modelKey: string,
  overrides: Readonly<Record<string, ModelPrice>> = {},
): ModelPrice | undefined {
  const base = modelKey.replace(SNAPSHOT_SUFFIX, "");
  const candidates = [modelKey, base, MODEL_ALIASES[base]].filter((key): key is string => !!key);
  for (const table of [overrides, builtInPrices]) {
    const key = candidates.find((candidate) => Object.hasOwn(table, candidate));
    if (key) return table[key];
  }
  return undefined;
}

/** Computes the USD cost of a call from token counts and a price. */
export function priceUsage(usage: ModelUsage, price: ModelPrice): number {
  const cachedRate = price.cachedInputPerMTok ?? price.inputPerMTok;
  const writeRate = price.cacheWritePerMTok ?? price.inputPerMTok;
  const uncachedInput = Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens);
  const dollars =
    uncachedInput * price.inputPerMTok +
    usage.cachedInputTokens * cachedRate +
    usage.cacheWriteTokens * writeRate +
    usage.outputTokens * price.outputPerMTok;
  return dollars / 1_000_000;
}

/** How a provider is billed: by a price table, not at all (a local server), or by script. */
export type Billing = "metered" | "local" | "scripted";

/**
 * Estimates a call's cost: the provider's own figure when it reports one, else the price
 * table, else unknown (never $0 for a metered model with no known price).
 */
export function estimateCost(input: {
  modelKey: string;
  billing: Billing;
  usage: ModelUsage;
  providerCostUsd?: number;
  priceOverrides?: Readonly<Record<string, ModelPrice>>;
}): CostEstimate {
  if (input.providerCostUsd !== undefined) return { usd: input.providerCostUsd, basis: "provider" };
  if (input.billing === "local") return { usd: 0, basis: "local" };
  if (input.billing === "scripted") return { usd: 0, basis: "scripted" };
  const price = lookupPrice(input.modelKey, input.priceOverrides);
  if (!price) return { usd: null, basis: "unknown" };
  return { usd: priceUsage(input.usage, price), basis: "price-table" };
}
