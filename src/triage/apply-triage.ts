import type { GitHubAccess } from "../github/fetch-issue.js";
import { upsertMarkedComment } from "../github/issue-comments.js";
import { ownCommentFilter } from "../github/own-comments.js";
import { addIssueLabels } from "../github/issue-labels.js";
import type { IssueReference } from "../github/issue-reference.js";
import { TRIAGE_COMMENT_MARKER } from "./recommend-actions.js";
import type { TriageResult } from "./triage-result.js";

/**
 * Performs a triage's actions through GitHub's API: the labels to add, and at most one comment,
 * found again by its hidden marker (on a comment of the bot's own: see ownCommentFilter) and edited (or left alone when unchanged) on a re-run, so
 * triaging twice never posts twice. Nothing else is called: the bot never closes, locks,
 * deletes or edits anyone's text but its own comment.
 */
export async function applyTriage(
  result: TriageResult,
  reference: IssueReference,
  access: GitHubAccess,
  options: { botLogin?: string } = {},
): Promise<NonNullable<TriageResult["applied"]>> {
  const labels = result.actions.flatMap((action) => (action.type === "add-labels" ? action.labels : []));
  if (labels.length) await addIssueLabels(reference, access, labels);
  const comment = result.actions.find((action) => action.type === "comment");
  const posted = comment
    ? await upsertMarkedComment(reference, access, { marker: TRIAGE_COMMENT_MARKER, body: comment.body, ...(await ownCommentFilter(access, options.botLogin)) })
    : undefined;
  return { labelsAdded: labels, comment: posted ? { action: posted.action, url: posted.url } : null };
}
