import { GitHubError } from "../errors.js";
import type { GitHubAccess } from "./github-client.js";
import type { RepositoryReference } from "./issue-summary.js";

/** What a GitHub call was doing, so that its failure can say what to fix. */
export interface GitHubFailureContext {
  access: GitHubAccess;
  /** The repository the call was about (none for App-level calls). */
  repository?: RepositoryReference;
  /** What was asked for, as a noun, for "<subject> was not found": "o/r#1", "the labels of o/r". */
  subject: string;
  /** What was being done, as a verb phrase: "fetch o/r#1", "add labels to o/r#5". */
  action: string;
  /** The fine-grained permission the call needs: "Issues: read", "Issues: write", "Contents: read". */
  permission: string;
  /** What to check first on a 404, e.g. "Check the issue number"; by default the owner and name of the repository. */
  notFoundHint?: string;
}

/** The status and headers of an Octokit failure (a RequestError), if it has them. */
export function failureResponse(error: unknown): { status: number | undefined; headers: Record<string, string | undefined>; message: string } {
  const status = (error as { status?: unknown } | undefined)?.status;
  const headers = ((error as { response?: { headers?: Record<string, string | undefined> } } | undefined)?.response?.headers ?? {}) as Record<string, string | undefined>;
  return { status: typeof status === "number" ? status : undefined, headers, message: error instanceof Error ? error.message : String(error) };
}

/** True when a failure is one of GitHub's rate limits: a 429, or a 403 with no requests left, a Retry-After, or "secondary rate limit". */
export function isRateLimitFailure(error: unknown): boolean {
  const { status, headers, message } = failureResponse(error);
  if (status === 429) return true;
  return status === 403 && (headers["x-ratelimit-remaining"] === "0" || headers["retry-after"] !== undefined || /secondary rate limit/i.test(message));
}

/** True when the access holds a GitHub App installation token (see createInstallationAccess). */
function isAppToken(access: GitHubAccess): boolean {
  return Boolean(access.token && access.tokenSource?.startsWith("GitHub App "));
}

/** What the token (or its absence) may lack, for 403 and 404 answers. */
function tokenHint(context: GitHubFailureContext): string {
  const { access, permission } = context;
  const repositoryName = context.repository ? `${context.repository.owner}/${context.repository.repo}` : "the repository";
  if (!access.token) return "No token was given: for a private repository set GITHUB_TOKEN (or GH_TOKEN, or log in with `gh auth login`).";
  if (isAppToken(access)) {
    return `The ${access.tokenSource} may lack access: the App needs the "${permission}" permission, and its installation must include ${repositoryName}.`;
  }
  const classic = permission.endsWith(": read") ? `the "repo" scope for private repositories` : `the "repo" scope (or "public_repo" for a public repository)`;
  return `The token from ${access.tokenSource ?? "the environment"} may lack access: a classic token needs ${classic}; a fine-grained token needs "${permission}" on ${repositoryName}.`;
}

/**
 * Turns a failed GitHub call (an Octokit RequestError, or a network failure) into a GitHubError
 * whose message names the repository, the permission the call needs and what to do next.
 * Codes: github-not-found, github-auth, github-rate-limit, github-forbidden, github-unreachable
 * (network failures and GitHub's own 5xx errors), github-request (any other refusal).
 */
export function describeGitHubFailure(error: unknown, context: GitHubFailureContext): GitHubError {
  if (error instanceof GitHubError) return error;
  const { access } = context;
  const { status, headers, message } = failureResponse(error);
  const source = access.tokenSource ?? "the environment";
  if (status === 404) {
    const hint = context.notFoundHint ?? (context.repository ? `Check the owner and name of ${context.repository.owner}/${context.repository.repo}` : "Check the name");
    return new GitHubError(`${context.subject} was not found. ${hint}, or: ${tokenHint(context)}`, { cause: error, code: "github-not-found" });
  }
  if (status === 401) {
    const next = isAppToken(access) ? "The installation token may have expired: create a new one." : "Create a new token and set GITHUB_TOKEN.";
    return new GitHubError(`GitHub rejected the token from ${source} (401). ${next}`, { cause: error, code: "github-auth" });
  }
  if (isRateLimitFailure(error)) {
    const retryAfter = Number(headers["retry-after"]);
    if (headers["x-ratelimit-remaining"] !== "0" && Number.isFinite(retryAfter) && retryAfter > 0) {
      return new GitHubError(`GitHub's secondary rate limit stopped the attempt to ${context.action}. Wait ${retryAfter} s and try again, with fewer requests at once.`, { cause: error, code: "github-rate-limit" });
    }
    const reset = Number(headers["x-ratelimit-reset"]);
    const when = Number.isFinite(reset) && reset > 0 ? ` until ${new Date(reset * 1000).toISOString()}` : "";
    return new GitHubError(`GitHub's rate limit is used up${when}. ${access.token ? "Wait, or use another token." : "Set GITHUB_TOKEN for a higher limit."}`, { cause: error, code: "github-rate-limit" });
  }
  if (status === 403) return new GitHubError(`GitHub refused to ${context.action} (403). ${tokenHint(context)}`, { cause: error, code: "github-forbidden" });
  if (status === undefined || status >= 500) {
    return new GitHubError(`Cannot ${context.action} from ${access.apiUrl ?? "https://api.github.com"}: ${message}`, { cause: error, code: "github-unreachable" });
  }
  return new GitHubError(`GitHub refused to ${context.action} (${status}): ${message}`, { cause: error, code: "github-request" });
}
