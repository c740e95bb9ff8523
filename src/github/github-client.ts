import { Octokit } from "@octokit/rest";

/** How to reach GitHub: a token (optional for public repositories) and the API URL (GitHub Enterprise, or a test server). */
export interface GitHubAccess {
  token?: string;
  apiUrl?: string;
  /** Which variable or tool the token came from, for messages. */
  tokenSource?: string;
}

/** The GitHub API client, with retries off (the caller reports errors at once). */
export function createGitHubClient(access: GitHubAccess): Octokit {
  return new Octokit({
    ...(access.token ? { auth: access.token } : {}),
    baseUrl: access.apiUrl ?? "https://api.github.com",
    userAgent: "agent-coder",
    request: { retries: 0 },
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
  });
}
