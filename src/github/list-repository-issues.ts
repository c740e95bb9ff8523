import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { fetchAllPages, type PagingOptions } from "./fetch-all-pages.js";
import type { IssueSummary, RepositoryReference } from "./issue-summary.js";

/** Options of listRepositoryIssues: paging options, and `since` (ISO 8601) to read only issues updated since then. */
export interface ListRepositoryIssuesOptions extends PagingOptions {
  since?: string;
}

/** The fields of GitHub's issue listing that an IssueSummary is made of. */
interface ListedIssue {
  number: number;
  title: string;
  body?: string | null;
  state: string;
  state_reason?: string | null;
  labels: Array<string | { name?: string }>;
  user: { login: string } | null;
  created_at: string;
  updated_at: string;
  closed_at: string | null;
  html_url: string;
  pull_request?: unknown;
}

/** An issue of GitHub's listing as the triage modules read it. */
function toIssueSummary(issue: ListedIssue): IssueSummary {
  return {
    number: issue.number,
    title: issue.title,
    body: issue.body ?? "",
    state: issue.state === "closed" ? "closed" : "open",
    stateReason: issue.state_reason ?? null,
    labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
    author: issue.user?.login ?? "ghost",
    createdAt: issue.created_at,
    updatedAt: issue.updated_at,
    closedAt: issue.closed_at,
    htmlUrl: issue.html_url,
  };
}

/**
 * Every issue of a repository, open and closed, least recently updated first (pull requests left
 * out), read 100 a page through all pages within GitHub's rate limits (see fetchAllPages).
 */
export async function listRepositoryIssues(repo: RepositoryReference, access: GitHubAccess, options: ListRepositoryIssuesOptions = {}): Promise<IssueSummary[]> {
  const name = `${repo.owner}/${repo.repo}`;
  const listed = await fetchAllPages<ListedIssue>(
    createGitHubClient(access),
    "GET /repos/{owner}/{repo}/issues",
    { owner: repo.owner, repo: repo.repo, state: "all", per_page: 100, sort: "updated", direction: "asc", ...(options.since ? { since: options.since } : {}) },
    { description: `the issues of ${name}`, failure: { access, repository: repo, subject: `The issues of ${name}`, action: `list the issues of ${name}`, permission: "Issues: read" } },
    options,
  );
  return listed.filter((issue) => !issue.pull_request).map(toIssueSummary);
}
