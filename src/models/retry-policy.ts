import { AbortedError } from "../errors.js";

/** How the model layer retries: exponential backoff with jitter, capped, honouring Retry-After. */
export interface RetryPolicy {
  maxRetries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for: the call fails and says so. */
  maxRetryAfterMs: number;
}

/** The policy used when configuration says nothing but the retry count. */
export function createRetryPolicy(maxRetries: number): RetryPolicy {
  return { maxRetries, baseDelayMs: 1_000, maxDelayMs: 60_000, maxRetryAfterMs: 300_000 };
}

/**
 * The delay before retry number `attempt` (0-based): the server's Retry-After when it gave one
 * (plus up to 10% jitter so clients do not return in lockstep), otherwise exponential backoff
 * with "equal jitter": half the step fixed, half random.
 */
export function computeRetryDelay(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  if (retryAfterMs !== undefined) return Math.round(retryAfterMs + random() * Math.min(1_000, retryAfterMs * 0.1));
  const step = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.round(step / 2 + random() * (step / 2));
}

/**
 * Reads a Retry-After from response headers: `retry-after-ms` (OpenAI), or `retry-after` in
 * seconds or as an HTTP date. Accepts a Headers object or a plain record.
 */
export function parseRetryAfter(headers: unknown, now: () => number = Date.now): number | undefined {
  const read = (name: string): string | undefined => {
    if (!headers || typeof headers !== "object") return undefined;
    if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
    const entry = Object.entries(headers as Record<string, unknown>).find(([key]) => key.toLowerCase() === name);
    return entry === undefined ? undefined : String(entry[1]);
  };
  const milliseconds = Number(read("retry-after-ms"));
  if (read("retry-after-ms") !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0) return milliseconds;
  const value = read("retry-after");
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now());
}

/** Waits `ms` milliseconds, or rejects with AbortedError as soon as the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
