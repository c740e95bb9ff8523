import { GitHubError } from "../errors.js";
import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { describeGitHubFailure } from "./describe-github-failure.js";
import { fetchAllPages, type PagingOptions } from "./fetch-all-pages.js";
import { formatIssueReference, type IssueReference } from "./issue-reference.js";

/** A comment on an issue, oldest first in a listing; `authorType` is GitHub's `user.type` ("User", "Bot", "Organization"). */
export interface IssueComment {
  id: number;
  author: string;
  authorType: string;
  body: string;
  htmlUrl: string;
  createdAt: string;
}

/** What upsertMarkedComment did, with the comment's URL and id. */
export interface UpsertedComment {
  action: "created" | "updated" | "unchanged";
  url: string;
  id: number;
}

interface ListedComment {
  id: number;
  body?: string;
  user: { login: string; type: string } | null;
  html_url: string;
  created_at: string;
}

/** Every comment of an issue (or pull request), oldest first, read through all pages. */
export async function listIssueComments(ref: IssueReference, access: GitHubAccess, options: PagingOptions = {}): Promise<IssueComment[]> {
  const name = formatIssueReference(ref);
  const comments = await fetchAllPages<ListedComment>(
    createGitHubClient(access),
    "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
    { owner: ref.owner, repo: ref.repo, issue_number: ref.number, per_page: 100 },
    {
      description: `the comments of ${name}`,
      failure: { access, repository: ref, subject: name, action: `read the comments of ${name}`, permission: "Issues: read", notFoundHint: "Check the issue number" },
    },
    options,
  );
  return comments.map((comment) => ({
    id: comment.id,
    author: comment.user?.login ?? "unknown",
    authorType: comment.user?.type ?? "User",
    body: comment.body ?? "",
    htmlUrl: comment.html_url,
    createdAt: comment.created_at,
  }));
}

/** GitHub keeps a comment's text as sent, but line endings may come back as CRLF. */
function sameText(a: string, b: string): boolean {
  return a.replace(/\r\n/g, "\n") === b.replace(/\r\n/g, "\n");
}

/**
 * Keeps one comment of ours on an issue: the first comment that contains `marker` (a hidden HTML
 * comment such as `<!-- agent-triage -->`; by `author` and of `authorType` only, when given) is edited when its text
 * differs and left when equal; without one, a comment is created. The marker is put at the top of
 * the body when the body does not contain it.
 */
export async function upsertMarkedComment(
  ref: IssueReference,
  access: GitHubAccess,
  comment: { marker: string; body: string; author?: string; authorType?: string },
): Promise<UpsertedComment> {
  const name = formatIssueReference(ref);
  if (!comment.marker.trim()) throw new GitHubError(`The marker of the comment on ${name} is empty; give a hidden marker such as <!-- agent-triage -->.`, { code: "github-empty-marker" });
  const body = comment.body.includes(comment.marker) ? comment.body : `${comment.marker}\n${comment.body}`;
  const existing = (await listIssueComments(ref, access)).find(
    (candidate) =>
      candidate.body.includes(comment.marker) &&
      (comment.author === undefined || candidate.author === comment.author) &&
      (comment.authorType === undefined || candidate.authorType === comment.authorType),
  );
  if (existing && sameText(existing.body, body)) return { action: "unchanged", url: existing.htmlUrl, id: existing.id };
  const client = createGitHubClient(access);
  const failure = { access, repository: ref, subject: name, permission: "Issues: write", notFoundHint: "Check the issue number" };
  if (existing) {
    try {
      const { data } = await client.rest.issues.updateComment({ owner: ref.owner, repo: ref.repo, comment_id: existing.id, body });
      return { action: "updated", url: data.html_url, id: data.id };
    } catch (error) {
      throw describeGitHubFailure(error, { ...failure, subject: `Comment ${existing.id} on ${name}`, action: `edit comment ${existing.id} on ${name}` });
    }
  }
  try {
    const { data } = await client.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, body });
    return { action: "created", url: data.html_url, id: data.id };
  } catch (error) {
    throw describeGitHubFailure(error, { ...failure, action: `comment on ${name}` });
  }
}
