import { describe, expect, it } from "vitest";
import { AbortedError } from "../../src/errors.js";
import { computeRetryDelay, createRetryPolicy, parseRetryAfter, sleep } from "../../src/models/retry-policy.js";

const policy = createRetryPolicy(6);

describe("computeRetryDelay", () => {
  it("doubles the backoff step with each attempt", () => {
    expect(computeRetryDelay(policy, 0, undefined, () => 1)).toBe(1_000);
    expect(computeRetryDelay(policy, 3, undefined, () => 1)).toBe(8_000);
  });

  it("keeps at least half of the step when jitter draws zero", () => {
    expect(computeRetryDelay(policy, 2, undefined, () => 0)).toBe(2_000);
  });

  it("caps the backoff at the policy maximum", () => {
    expect(computeRetryDelay(policy, 20, undefined, () => 1)).toBe(60_000);
  });

  it("waits at least as long as the server's Retry-After", () => {
    expect(computeRetryDelay(policy, 0, 7_000, () => 0)).toBe(7_000);
    expect(computeRetryDelay(policy, 0, 7_000, () => 1)).toBe(7_700);
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds from a Headers object", () => {
    expect(parseRetryAfter(new Headers({ "retry-after": "3" }))).toBe(3_000);
  });

  it("prefers retry-after-ms from a plain record", () => {
    expect(parseRetryAfter({ "Retry-After-Ms": "250", "retry-after": "9" })).toBe(250);
  });

  it("reads an HTTP date relative to now", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }, () => now)).toBe(5_000);
  });

  it("returns undefined when there is no usable header", () => {
    expect(parseRetryAfter({ "retry-after": "soon" })).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe("sleep", () => {
  it("rejects with AbortedError when the signal aborts", async () => {
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
  });
});
