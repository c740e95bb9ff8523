import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AbortedError, GitHubError } from "../../src/errors.js";
import { listRepositoryIssues } from "../../src/github/list-repository-issues.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const repo = { owner: "o", repo: "r" };
const START = Date.UTC(2026, 5, 1, 10, 30, 0);
let github: FakeGitHubServer;
let clock: number;

beforeEach(async () => {
  clock = START;
  github = await startFakeGitHubServer({ now: () => clock });
});

afterEach(async () => {
  await github.close();
});

/** Issues 1..count, updated one minute apart in order. */
function addIssues(count: number, pullRequests: number[] = []): void {
  for (let number = 1; number <= count; number++) {
    github.addIssue("o", "r", number, { title: `Issue ${number}`, body: `Body ${number}`, isPullRequest: pullRequests.includes(number), updatedAt: new Date(Date.UTC(2026, 0, 2) + number * 60_000).toISOString() });
  }
}

/** A clock and a sleep shared with the fake: sleeping moves the clock, so no test waits for real. */
function fakeTime(slept: number[]) {
  return {
    now: () => clock,
    sleep: async (ms: number) => {
      slept.push(ms);
      clock += ms;
    },
  };
}

describe("listRepositoryIssues", () => {
  it("reads every page, 100 issues a page, least recently updated first, and asks for exactly that", async () => {
    addIssues(250);
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl });
    expect(issues.map((issue) => issue.number)).toEqual(Array.from({ length: 250 }, (_, index) => index + 1));
    expect(github.requests.map((request) => [request.method, request.path, request.query])).toEqual([
      ["GET", "/repos/o/r/issues", { state: "all", per_page: "100", sort: "updated", direction: "asc" }],
      ["GET", "/repos/o/r/issues", { state: "all", per_page: "100", sort: "updated", direction: "asc", page: "2" }],
      ["GET", "/repos/o/r/issues", { state: "all", per_page: "100", sort: "updated", direction: "asc", page: "3" }],
    ]);
  });

  it("leaves pull requests out of the listing", async () => {
    addIssues(5, [2, 4]);
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl });
    expect(issues.map((issue) => issue.number)).toEqual([1, 3, 5]);
  });

  it("maps GitHub's fields to an IssueSummary: state reason, label names, author, a null body as empty", async () => {
    github.addIssue("o", "r", 7, {
      title: "Crash on start",
      body: null,
      labels: ["bug", "duplicate"],
      author: "alice",
      state: "closed",
      stateReason: "duplicate",
      createdAt: "2026-01-01T00:00:00Z",
      updatedAt: "2026-01-03T00:00:00Z",
      closedAt: "2026-01-03T00:00:00Z",
    });
    expect(await listRepositoryIssues(repo, { apiUrl: github.apiUrl })).toEqual([
      {
        number: 7,
        title: "Crash on start",
        body: "",
        state: "closed",
        stateReason: "duplicate",
        labels: ["bug", "duplicate"],
        author: "alice",
        createdAt: "2026-01-01T00:00:00Z",
        updatedAt: "2026-01-03T00:00:00Z",
        closedAt: "2026-01-03T00:00:00Z",
        htmlUrl: "https://github.com/o/r/issues/7",
      },
    ]);
  });

  it("reads only the issues updated since a time when given one", async () => {
    addIssues(10);
    const since = new Date(Date.UTC(2026, 0, 2) + 8 * 60_000).toISOString();
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { since });
    expect(issues.map((issue) => issue.number)).toEqual([8, 9, 10]);
    expect(github.requests[0]!.query).toMatchObject({ since });
  });

  it("reports each page it reads", async () => {
    addIssues(250);
    const lines: string[] = [];
    await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { onProgress: (line) => lines.push(line) });
    expect(lines).toEqual(["Read page 1 of 3 of the issues of o/r.", "Read page 2 of 3 of the issues of o/r.", "Read page 3 of 3 of the issues of o/r."]);
  });

  it("stops after maxPages pages", async () => {
    addIssues(250);
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { maxPages: 2 });
    expect(issues).toHaveLength(200);
    expect(github.requests).toHaveLength(2);
  });

  it("waits for the rate limit's reset when no requests are left and it is near, and says so", async () => {
    addIssues(250);
    github.setRateLimit({ remaining: 2, resetEpochSeconds: START / 1000 + 42, limit: 60 });
    const slept: number[] = [];
    const lines: string[] = [];
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { ...fakeTime(slept), onProgress: (line) => lines.push(line) });
    expect(issues).toHaveLength(250);
    expect(slept).toEqual([43_000]);
    expect(lines).toContainEqual(expect.stringMatching(/^GitHub rate limit: waiting 43 s until \d\d:\d\d:\d\d \(0 of 60 requests left; reading page 3 of the issues of o\/r\)$/));
    expect(github.requests.filter((request) => request.method === "GET")).toHaveLength(3);
  });

  it("waits and retries a page that GitHub refused with a 403 for a used-up rate limit", async () => {
    addIssues(3);
    github.setRateLimit({ remaining: 0, resetEpochSeconds: START / 1000 + 10 });
    const slept: number[] = [];
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, fakeTime(slept));
    expect(issues).toHaveLength(3);
    expect(slept).toEqual([11_000]);
    expect(github.requests).toHaveLength(2);
  });

  it("waits as long as a secondary rate limit's Retry-After says, then retries", async () => {
    addIssues(3);
    github.failNext(403, { "retry-after": "3" }, "You have exceeded a secondary rate limit.");
    const slept: number[] = [];
    const lines: string[] = [];
    const issues = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { ...fakeTime(slept), onProgress: (line) => lines.push(line) });
    expect(issues).toHaveLength(3);
    expect(slept).toEqual([3_000]);
    expect(lines[0]).toMatch(/^GitHub rate limit: waiting 3 s until .*GitHub asked to retry after 3 s/);
  });

  it("gives up with github-rate-limit, the reset time and what to do, when the reset is further off than it may wait", async () => {
    addIssues(250);
    const reset = START / 1000 + 3600;
    github.setRateLimit({ remaining: 1, resetEpochSeconds: reset });
    const slept: number[] = [];
    const failure = await listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { ...fakeTime(slept), maxRateLimitWaitMs: 60_000 }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubError);
    expect(failure).toMatchObject({ code: "github-rate-limit" });
    expect((failure as Error).message).toMatch(new RegExp(`used up until ${new Date(reset * 1000).toISOString().replace(/\./g, "\\.")} .*page 2 of the issues of o/r.*set GITHUB_TOKEN`));
    expect(slept).toEqual([]);
  });

  it("tells a caller with a token to wait or use another token when the 403 comes before any page", async () => {
    github.setRateLimit({ remaining: 0, resetEpochSeconds: START / 1000 + 3600 });
    await expect(listRepositoryIssues(repo, { apiUrl: github.apiUrl, token: "t" }, { now: () => clock })).rejects.toThrow(/rate limit is used up until .*use another token/);
  });

  it("stops with AbortedError when the signal aborts during a rate-limit wait", async () => {
    addIssues(3);
    github.setRateLimit({ remaining: 0, resetEpochSeconds: START / 1000 + 30 });
    const controller = new AbortController();
    const listing = listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { now: () => clock, signal: controller.signal, onProgress: () => controller.abort() });
    await expect(listing).rejects.toBeInstanceOf(AbortedError);
  });

  it("sends no request when the signal has already aborted", async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(listRepositoryIssues(repo, { apiUrl: github.apiUrl }, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(github.requests).toEqual([]);
  });

  it("names the repository and the permission when GitHub refuses the listing", async () => {
    github.failWith(403, {}, "Resource not accessible by personal access token");
    await expect(listRepositoryIssues(repo, { apiUrl: github.apiUrl, token: "t", tokenSource: "GITHUB_TOKEN" })).rejects.toThrow(
      /GitHub refused to list the issues of o\/r \(403\)\. The token from GITHUB_TOKEN .*"Issues: read" on o\/r/,
    );
  });
});
