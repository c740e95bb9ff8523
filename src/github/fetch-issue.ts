import { GitHubError } from "../errors.js";
import type { TaskSpec } from "../memory/blackboard.js";
import { describeGitHubFailure, type GitHubFailureContext } from "./describe-github-failure.js";
import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { listIssueComments } from "./issue-comments.js";
import { formatIssueReference, type IssueReference } from "./issue-reference.js";

export { createGitHubClient, type GitHubAccess } from "./github-client.js";

/** What a run needs of an issue. */
export interface GitHubIssue {
  reference: IssueReference;
  title: string;
  body: string;
  labels: string[];
  comments: Array<{ author: string; body: string }>;
  htmlUrl: string;
  state: string;
  /** The login of the issue's author. */
  author: string;
  /** When the issue was opened (ISO 8601). */
  createdAt: string;
}

/** What fetching an issue needs, for the messages of its failures. */
function issueFailure(reference: IssueReference, access: GitHubAccess): GitHubFailureContext {
  const name = formatIssueReference(reference);
  return { access, repository: reference, subject: name, action: `fetch ${name}`, permission: "Issues: read", notFoundHint: "Check the issue number" };
}

/** Fetches an issue with its labels and all its comments. Pull requests are refused, and so are empty issues unless `allowEmpty` (triage answers those). */
export async function fetchIssue(reference: IssueReference, access: GitHubAccess, options: { allowEmpty?: boolean } = {}): Promise<GitHubIssue> {
  const client = createGitHubClient(access);
  const params = { owner: reference.owner, repo: reference.repo, issue_number: reference.number };
  try {
    const { data: issue } = await client.rest.issues.get(params);
    if (issue.pull_request) throw new GitHubError(`${formatIssueReference(reference)} is a pull request, not an issue; give the issue it fixes.`, { code: "github-not-issue" });
    const comments = issue.comments > 0 ? await listIssueComments(reference, access) : [];
    const result: GitHubIssue = {
      reference,
      title: issue.title,
      body: issue.body ?? "",
      labels: issue.labels.map((label) => (typeof label === "string" ? label : (label.name ?? ""))).filter(Boolean),
      comments: comments.map((comment) => ({ author: comment.author, body: comment.body })),
      htmlUrl: issue.html_url,
      state: issue.state,
      author: issue.user?.login ?? "ghost",
      createdAt: issue.created_at,
    };
    if (!options.allowEmpty && !result.title.trim() && !result.body.trim()) {
      throw new GitHubError(`${formatIssueReference(reference)} has no text to work from; add a description, or pass the task with --task.`, { code: "github-empty-issue" });
    }
    return result;
  } catch (error) {
    if (error instanceof GitHubError) throw error;
    throw describeGitHubFailure(error, issueFailure(reference, access));
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
    throw describeGitHubFailure(error, issueFailure(reference, access));
  }
}
