import { describe, expect, it } from "vitest";
import { estimateCost, lookupPrice, priceUsage } from "../../src/models/prices.js";
import { formatCost } from "../../src/events/usage.js";

const usage = { inputTokens: 1_000_000, outputTokens: 100_000, cachedInputTokens: 400_000, cacheWriteTokens: 0 };

describe("lookupPrice", () => {
  it("finds a model by its exact provider:model key", () => {
    expect(lookupPrice("openai:gpt-4.1")?.inputPerMTok).toBe(2);
  });

  it("maps a dated snapshot onto its base model", () => {
    expect(lookupPrice("anthropic:claude-sonnet-4-5-20250929")).toEqual(lookupPrice("anthropic:claude-sonnet-4-5"));
    expect(lookupPrice("openai:gpt-4.1-2025-04-14")).toEqual(lookupPrice("openai:gpt-4.1"));
  });

  it("does not treat a different model with a shared prefix as the same model", () => {
    expect(lookupPrice("openai:gpt-4.1-turbo-preview")).toBeUndefined();
  });

  it("prefers the user's price over the built-in one", () => {
    const price = lookupPrice("openai:gpt-4.1", { "openai:gpt-4.1": { inputPerMTok: 1, outputPerMTok: 1 } });
    expect(price?.inputPerMTok).toBe(1);
  });
});

describe("priceUsage", () => {
  it("bills cached input at the cached rate and the rest at the input rate", () => {
    const cost = priceUsage(usage, { inputPerMTok: 2, cachedInputPerMTok: 0.5, outputPerMTok: 8 });
    expect(cost).toBeCloseTo(0.6 * 2 + 0.4 * 0.5 + 0.1 * 8, 10);
  });

  it("bills cache writes at the cache-write rate", () => {
    const cost = priceUsage(
      { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 1_000_000 },
      { inputPerMTok: 3, cacheWritePerMTok: 3.75, outputPerMTok: 15 },
    );
    expect(cost).toBeCloseTo(3.75, 10);
  });
});

describe("estimateCost", () => {
  it("uses the provider's own figure when it reports one", () => {
    expect(estimateCost({ modelKey: "openrouter:x", billing: "metered", usage, providerCostUsd: 0.42 })).toEqual({
      usd: 0.42,
      basis: "provider",
    });
  });

  it("reports an unknown price as null, never as zero", () => {
    const cost = estimateCost({ modelKey: "openai:some-future-model", billing: "metered", usage });
    expect(cost).toEqual({ usd: null, basis: "unknown" });
    expect(formatCost(cost)).toBe("unknown");
  });

  it("reports a local model as free", () => {
    expect(estimateCost({ modelKey: "ollama:qwen2.5-coder", billing: "local", usage })).toEqual({ usd: 0, basis: "local" });
  });

  it("falls back to the price table", () => {
    const cost = estimateCost({ modelKey: "openai:gpt-4.1", billing: "metered", usage });
    expect(cost.basis).toBe("price-table");
    expect(cost.usd).toBeCloseTo(2.2, 10);
  });
});
