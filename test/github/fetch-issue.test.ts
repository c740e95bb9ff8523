import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GitHubError, UsageError } from "../../src/errors.js";
import { fetchIssue, issueToTask } from "../../src/github/fetch-issue.js";
import { parseIssueReference } from "../../src/github/issue-reference.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

describe("parseIssueReference", () => {
  it.each([
    ["https://github.com/psf/requests/issues/4321", { owner: "psf", repo: "requests", number: 4321 }],
    ["https://github.example.com/team/tool.js/issues/7/", { owner: "team", repo: "tool.js", number: 7 }],
    ["django/django#123", { owner: "django", repo: "django", number: 123 }],
  ])("reads %s", (input, expected) => {
    expect(parseIssueReference(input)).toEqual(expected);
  });

  it("refuses a pull request URL and says what to give instead", () => {
    expect(() => parseIssueReference("https://github.com/o/r/pull/5")).toThrow(/is a pull request, not an issue/);
  });

  it("refuses a discussion URL", () => {
    expect(() => parseIssueReference("https://github.com/o/r/discussions/9")).toThrow(/is a discussion/);
  });

  it.each(["https://github.com/o/r", "github.com/o/r/issues/x", "o/r#", "not a url"])("refuses the malformed %j as a usage error", (input) => {
    expect(() => parseIssueReference(input)).toThrow(UsageError);
  });
});

let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
});

afterEach(async () => {
  await github.close();
});

describe("fetchIssue against a fake GitHub", () => {
  it("fetches the title, body, labels and comments", async () => {
    github.addIssue("o", "r", 1, { title: "Crash on empty input", body: "Steps: ...", labels: ["bug"], comments: [{ author: "dev", body: "Confirmed." }] });
    const issue = await fetchIssue({ owner: "o", repo: "r", number: 1 }, { apiUrl: github.apiUrl });
    expect(issue).toMatchObject({ title: "Crash on empty input", body: "Steps: ...", labels: ["bug"], comments: [{ author: "dev", body: "Confirmed." }] });
    expect(issueToTask(issue)).toEqual({
      title: "Crash on empty input",
      body: "Labels: bug\n\nSteps: ...\n\n--- comment by dev ---\nConfirmed.",
      source: "https://github.com/o/r/issues/1",
    });
  });

  it("reads every comment of an issue with more than one page of them", async () => {
    const comments = Array.from({ length: 150 }, (_, index) => ({ author: `user${index}`, body: `Comment ${index}` }));
    github.addIssue("o", "r", 6, { title: "Busy issue", body: "b", comments });
    const issue = await fetchIssue({ owner: "o", repo: "r", number: 6 }, { apiUrl: github.apiUrl });
    expect(issue.comments).toHaveLength(150);
    expect(issue.comments[149]).toEqual({ author: "user149", body: "Comment 149" });
  });

  it("sends the token and reads a private repository with it", async () => {
    github.addIssue("o", "secret", 2, { title: "t", body: "b" });
    github.makePrivate("o", "secret", "ghp_test_token_123456789");
    await fetchIssue({ owner: "o", repo: "secret", number: 2 }, { apiUrl: github.apiUrl, token: "ghp_test_token_123456789", tokenSource: "GITHUB_TOKEN" });
    expect(github.requests[0]!.authorization).toBe("token ghp_test_token_123456789");
  });

  it("explains a private repository without a token: which variable to set", async () => {
    github.addIssue("o", "secret", 2, { title: "t", body: "b" });
    github.makePrivate("o", "secret", "ghp_other");
    await expect(fetchIssue({ owner: "o", repo: "secret", number: 2 }, { apiUrl: github.apiUrl })).rejects.toThrow(/o\/secret#2 was not found.*set GITHUB_TOKEN/);
  });

  it("explains which token scope a 403 needs", async () => {
    github.failWith(403, {}, "Resource not accessible by personal access token");
    await expect(fetchIssue({ owner: "o", repo: "r", number: 3 }, { apiUrl: github.apiUrl, token: "t", tokenSource: "GH_TOKEN" })).rejects.toThrow(
      /403.*token from GH_TOKEN.*"repo" scope.*"Issues: read"/,
    );
  });

  it("reports a used-up rate limit with its reset time", async () => {
    github.failWith(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000" }, "API rate limit exceeded");
    await expect(fetchIssue({ owner: "o", repo: "r", number: 3 }, { apiUrl: github.apiUrl })).rejects.toThrow(/rate limit is used up until 2030-01-01T00:00:00.000Z.*GITHUB_TOKEN/);
  });

  it("refuses a pull request fetched by number", async () => {
    github.addIssue("o", "r", 4, { title: "A PR", body: "x", isPullRequest: true });
    await expect(fetchIssue({ owner: "o", repo: "r", number: 4 }, { apiUrl: github.apiUrl })).rejects.toThrow(/is a pull request/);
  });

  it("refuses an issue with no text", async () => {
    github.addIssue("o", "r", 5, { title: " ", body: null });
    const failure = await fetchIssue({ owner: "o", repo: "r", number: 5 }, { apiUrl: github.apiUrl }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(GitHubError);
    expect((failure as GitHubError).code).toBe("github-empty-issue");
  });

  it("reads an issue with no text when allowEmpty is given, with its author and when it was opened", async () => {
    github.addIssue("o", "r", 5, { title: " ", body: null, author: "alice", createdAt: "2026-03-04T05:06:07Z" });
    expect(await fetchIssue({ owner: "o", repo: "r", number: 5 }, { apiUrl: github.apiUrl }, { allowEmpty: true })).toMatchObject({ body: "", author: "alice", createdAt: "2026-03-04T05:06:07Z" });
  });

  it("says the server cannot be reached", async () => {
    const apiUrl = github.apiUrl;
    await github.close();
    await expect(fetchIssue({ owner: "o", repo: "r", number: 1 }, { apiUrl })).rejects.toMatchObject({ code: "github-unreachable" });
    github = await startFakeGitHubServer();
  });
});
