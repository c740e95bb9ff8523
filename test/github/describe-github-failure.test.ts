import { describe, expect, it } from "vitest";
import { GitHubError } from "../../src/errors.js";
import { describeGitHubFailure, type GitHubFailureContext } from "../../src/github/describe-github-failure.js";

/** A failure shaped like Octokit's RequestError. */
function requestError(status: number, message: string, headers: Record<string, string> = {}): Error {
  return Object.assign(new Error(message), { status, response: { headers } });
}

const labels: GitHubFailureContext = {
  access: { token: "t", tokenSource: "GITHUB_TOKEN" },
  repository: { owner: "o", repo: "r" },
  subject: "o/r#5",
  action: "add labels to o/r#5",
  permission: "Issues: write",
  notFoundHint: "Check the issue number",
};

describe("describeGitHubFailure", () => {
  it("names the repository and the permission a refused write needs", () => {
    expect(describeGitHubFailure(requestError(403, "Resource not accessible by personal access token"), labels)).toMatchObject({
      code: "github-forbidden",
      message:
        'GitHub refused to add labels to o/r#5 (403). The token from GITHUB_TOKEN may lack access: a classic token needs the "repo" scope (or "public_repo" for a public repository); a fine-grained token needs "Issues: write" on o/r.',
    });
  });

  it("names the App permission and the installation for an App's token", () => {
    const failure = describeGitHubFailure(requestError(403, "Resource not accessible by integration"), { ...labels, access: { token: "ghs", tokenSource: "GitHub App 1 installation 2" } });
    expect(failure.message).toBe('GitHub refused to add labels to o/r#5 (403). The GitHub App 1 installation 2 may lack access: the App needs the "Issues: write" permission, and its installation must include o/r.');
  });

  it("tells a caller without a token which variable to set", () => {
    expect(describeGitHubFailure(requestError(404, "Not Found"), { ...labels, access: {} }).message).toBe(
      "o/r#5 was not found. Check the issue number, or: No token was given: for a private repository set GITHUB_TOKEN (or GH_TOKEN, or log in with `gh auth login`).",
    );
  });

  it("reads a 403 with no requests left as the rate limit, with its reset time", () => {
    expect(describeGitHubFailure(requestError(403, "API rate limit exceeded", { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1893456000" }), labels)).toMatchObject({
      code: "github-rate-limit",
      message: "GitHub's rate limit is used up until 2030-01-01T00:00:00.000Z. Wait, or use another token.",
    });
  });

  it("reads a 403 with Retry-After as a secondary rate limit", () => {
    expect(describeGitHubFailure(requestError(403, "You have exceeded a secondary rate limit", { "retry-after": "30" }), labels)).toMatchObject({
      code: "github-rate-limit",
      message: expect.stringContaining("Wait 30 s and try again"),
    });
  });

  it("calls a 5xx or a network failure unreachable, and another refusal a request failure", () => {
    expect(describeGitHubFailure(requestError(502, "Bad Gateway"), labels)).toMatchObject({ code: "github-unreachable", message: "Cannot add labels to o/r#5 from https://api.github.com: Bad Gateway" });
    expect(describeGitHubFailure(requestError(422, "Validation Failed"), labels)).toMatchObject({ code: "github-request", message: "GitHub refused to add labels to o/r#5 (422): Validation Failed" });
  });

  it("passes a GitHubError through as it is", () => {
    const error = new GitHubError("already said", { code: "github-x" });
    expect(describeGitHubFailure(error, labels)).toBe(error);
  });
});
