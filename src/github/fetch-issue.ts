import { Octokit } from "@octokit/rest";
import { GitHubError } from "../errors.js";
import type { TaskSpec } from "../memory/blackboard.js";
import { formatIssueReference, type IssueReference } from "./issue-reference.js";

/** What a run needs of an issue. */
export interface GitHubIssue {
  reference: IssueReference;
  title: string;
  body: string;
  labels: string[];
  comments: Array<{ author: string; body: string }>;
  htmlUrl: string;
  state: string;
}

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

/** Turns an Octokit failure into a message that says what to do. */
function describeFailure(error: unknown, reference: IssueReference, access: GitHubAccess): GitHubError {
  const status = (error as { status?: number }).status;
  const headers = ((error as { response?: { headers?: Record<string, string> } }).response?.headers ?? {}) as Record<string, string>;
  const name = formatIssueReference(reference);
  const tokenHint = access.token
    ? `The token from ${access.tokenSource ?? "the environment"} may lack access: a classic token needs the "repo" scope for private repositories; a fine-grained token needs "Issues: read" on ${reference.owner}/${reference.repo}.`
    : "No token was given: for a private repository set GITHUB_TOKEN (or GH_TOKEN, or log in with `gh auth login`).";
  if (status === 404) return new GitHubError(`${name} was not found. Check the issue number, or: ${tokenHint}`, { cause: error, code: "github-not-found" });
  if (status === 401) return new GitHubError(`GitHub rejected the token from ${access.tokenSource ?? "the environment"} (401). Create a new token and set GITHUB_TOKEN.`, { cause: error, code: "github-auth" });
  if ((status === 403 || status === 429) && (headers["x-ratelimit-remaining"] === "0" || status === 429)) {
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
    return new GitHubError(`GitHub's rate limit is used up${when}. ${access.token ? "Wait, or use another token." : "Set GITHUB_TOKEN for a higher limit."}`, { cause: error, code: "github-rate-limit" });
  }
  if (status === 403) return new GitHubError(`GitHub refused access to ${name} (403). ${tokenHint}`, { cause: error, code: "github-forbidden" });
  return new GitHubError(`Cannot fetch ${name} from ${access.apiUrl ?? "https://api.github.com"}: ${(error as Error).message}`, { cause: error, code: "github-unreachable" });
}

/** Fetches an issue with its labels and comments. Pull requests and empty issues are refused. */
export async function fetchIssue(reference: IssueReference, access: GitHubAccess): Promise<GitHubIssue> {
  const client = createGitHubClient(access);
  const params = { owner: reference.owner, repo: reference.repo, issue_number: reference.number };
  try {
    const { data: issue } = await client.rest.issues.get(params);
    if (issue.pull_request) throw new GitHubError(`${formatIssueReference(reference)} is a pull request, not an issue; give the issue it fixes.`, { code: "github-not-issue" });
    const comments = issue.comments > 0 ? (await client.rest.issues.listComments({ ...params, per_page: 100 })).data : [];
    const result: GitHubIssue = {
      reference,
      title: issue.title,
      body: issue.body ?? "",
      labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
      comments: comments.map((comment) => ({ author: comment.user?.login ?? "unknown", body: comment.body ?? "" })),
      htmlUrl: issue.html_url,
      state: issue.state,
    };
    if (!result.title.trim() && !result.body.trim()) {
      throw new GitHubError(`${formatIssueReference(reference)} has no text to work from; add a description, or pass the task with --task.`, { code: "github-empty-issue" });
    }
    return result;
  } catch (error) {
    if (error instanceof GitHubError) throw error;
    throw describeFailure(error, reference, access);
  }
}

/**
 * The task of a run from an issue. The issue's text is untrusted input: it is quoted as the
 * problem to solve, and nothing in it changes what the run may do (flags and approval do).
 */
export function issueToTask(issue: GitHubIssue): TaskSpec {
  const comments = issue.comments.map((comment) => `--- comment by ${comment.author} ---\n${comment.body}`).join("\n\n");
  const labels = issue.labels.length ? `Labels: ${issue.labels.join(", ")}\n\n` : "";
  return {
    title: issue.title,
    body: `${labels}${issue.body}${comments ? `\n\n${comments}` : ""}`,
    source: issue.htmlUrl,
  };
}

/** Where to clone a repository from, and its default branch. */
export async function fetchRepositoryInfo(reference: IssueReference, access: GitHubAccess): Promise<{ cloneUrl: string; defaultBranch: string }> {
  try {
    const { data } = await createGitHubClient(access).rest.repos.get({ owner: reference.owner, repo: reference.repo });
    return { cloneUrl: data.clone_url, defaultBranch: data.default_branch };
  } catch (error) {
    throw describeFailure(error, reference, access);
  }
}
