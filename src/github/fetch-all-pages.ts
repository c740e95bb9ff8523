import { setTimeout as delay } from "node:timers/promises";
import type { Octokit } from "@octokit/rest";
import { AbortedError, GitHubError, throwIfAborted } from "../errors.js";
import { describeGitHubFailure, failureResponse, isRateLimitFailure, type GitHubFailureContext } from "./describe-github-failure.js";

/** How a paged GitHub listing is read: progress lines, cancellation, a page cap and the longest rate-limit wait. */
export interface PagingOptions {
  /** Told each page read and each rate-limit wait, as a line for people. */
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Stop after this many pages (what was read is returned). */
  maxPages?: number;
  /** The longest wait for a rate limit to reset before giving up with "github-rate-limit" (60 s unless given). */
  maxRateLimitWaitMs?: number;
  /** The clock, milliseconds since the epoch (tests inject one). */
  now?: () => number;
  /** How to wait (tests inject one); rejects when the signal aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** What a listing reads, for progress lines and error messages. */
export interface PagedListing {
  /** e.g. "the issues of o/r". */
  description: string;
  failure: GitHubFailureContext;
}

const DEFAULT_MAX_RATE_LIMIT_WAIT_MS = 60_000;
/** Retries of one page after rate-limit waits, so that a server that keeps refusing cannot hold us forever. */
const MAX_RATE_LIMIT_RETRIES = 3;
/** GitHub's advice for a secondary rate limit without Retry-After: wait at least a minute. */
const SECONDARY_LIMIT_WAIT_MS = 60_000;

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await delay(ms, undefined, signal ? { signal } : {});
}

/** The URLs of a Link header by rel ("next", "last", ...). */
export function parseLinkHeader(link: string | undefined): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (link ?? "").split(",")) {
    const match = /<([^>]+)>\s*;\s*rel="([^"]+)"/.exec(part);
    if (match) links[match[2]!] = match[1]!;
  }
  return links;
}

/** HH:MM:SS local time, for progress lines. */
function clockTime(ms: number): string {
  return new Date(ms).toTimeString().slice(0, 8);
}

/**
 * Reads every page of a GitHub listing (following the Link header's rel="next"), within GitHub's
 * rate limits: when a response leaves no requests (x-ratelimit-remaining 0), or GitHub answers
 * 403/429 for a rate limit, it waits until the reset (or Retry-After) if that is within
 * `maxRateLimitWaitMs`, saying so through onProgress, else throws GitHubError "github-rate-limit"
 * with the reset time. Honours the AbortSignal (AbortedError).
 */
export async function fetchAllPages<T>(
  client: Octokit,
  route: string,
  parameters: Record<string, unknown>,
  listing: PagedListing,
  options: PagingOptions = {},
): Promise<T[]> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? defaultSleep;
  const maxWait = options.maxRateLimitWaitMs ?? DEFAULT_MAX_RATE_LIMIT_WAIT_MS;
  const { signal } = options;
  const items: T[] = [];
  let nextUrl: string | undefined;
  let lastPage: number | undefined;

  const waitOrGiveUp = async (waitMs: number, why: string, page: number, resetMs?: number): Promise<void> => {
    const until = now() + waitMs;
    if (waitMs > maxWait) {
      const resetAt = new Date(resetMs ?? until);
      const access = listing.failure.access;
      throw new GitHubError(
        `GitHub's rate limit is used up until ${resetAt.toISOString()} (${clockTime(resetAt.getTime())}), on page ${page} of ${listing.description}. ` +
          (access.token ? "Wait until then and try again, or use another token." : "Wait until then and try again, or set GITHUB_TOKEN for a higher limit (5000 requests an hour)."),
        { code: "github-rate-limit" },
      );
    }
    options.onProgress?.(`GitHub rate limit: waiting ${Math.ceil(waitMs / 1000)} s until ${clockTime(until)} (${why}; reading page ${page} of ${listing.description})`);
    try {
      await sleep(waitMs, signal);
    } catch (error) {
      if (signal?.aborted) throw new AbortedError("Interrupted.", { cause: signal.reason });
      throw error;
    }
  };

  /** The wait a rate-limit failure asks for, and why. */
  const rateLimitWait = (error: unknown): { waitMs: number; why: string; resetMs?: number } => {
    const { headers } = failureResponse(error);
    const retryAfter = Number(headers["retry-after"]);
    if (Number.isFinite(retryAfter) && retryAfter >= 0 && headers["retry-after"] !== undefined) return { waitMs: retryAfter * 1000, why: `GitHub asked to retry after ${retryAfter} s` };
    const reset = Number(headers["x-ratelimit-reset"]);
    if (headers["x-ratelimit-remaining"] === "0" && Number.isFinite(reset) && reset > 0) {
      return { waitMs: Math.max(0, reset * 1000 - now()) + 1000, why: `0 of ${headers["x-ratelimit-limit"] ?? "?"} requests left`, resetMs: reset * 1000 };
    }
    return { waitMs: SECONDARY_LIMIT_WAIT_MS, why: "secondary rate limit" };
  };

  const fetchPage = async (page: number): Promise<{ data: unknown; headers: Record<string, string | number | undefined> }> => {
    for (let attempt = 0; ; attempt++) {
      throwIfAborted(signal);
      try {
        return nextUrl
          ? await client.request({ method: "GET", url: nextUrl, request: { signal } })
          : await client.request(route, { ...parameters, request: { signal } });
      } catch (error) {
        if (signal?.aborted) throw new AbortedError("Interrupted.", { cause: signal.reason });
        if (!isRateLimitFailure(error) || attempt >= MAX_RATE_LIMIT_RETRIES) throw describeGitHubFailure(error, listing.failure);
        const { waitMs, why, resetMs } = rateLimitWait(error);
        await waitOrGiveUp(waitMs, why, page, resetMs);
      }
    }
  };

  for (let page = 1; ; page++) {
    if (options.maxPages !== undefined && page > options.maxPages) {
      options.onProgress?.(`Stopped after ${options.maxPages} pages of ${listing.description}.`);
      break;
    }
    const response = await fetchPage(page);
    items.push(...(response.data as T[]));
    const links = parseLinkHeader(response.headers["link"] as string | undefined);
    if (links["last"]) lastPage = Number(new URL(links["last"]).searchParams.get("page")) || lastPage;
    if (links["next"] || page > 1) options.onProgress?.(`Read page ${page}${lastPage ? ` of ${lastPage}` : ""} of ${listing.description}.`);
    nextUrl = links["next"];
    if (!nextUrl) break;
    const remaining = response.headers["x-ratelimit-remaining"];
    const reset = Number(response.headers["x-ratelimit-reset"]);
    if (String(remaining) === "0" && Number.isFinite(reset) && reset > 0) {
      await waitOrGiveUp(Math.max(0, reset * 1000 - now()) + 1000, `0 of ${response.headers["x-ratelimit-limit"] ?? "?"} requests left`, page + 1, reset * 1000);
    }
  }
  return items;
}
