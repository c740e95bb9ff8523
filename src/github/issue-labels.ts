import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { describeGitHubFailure } from "./describe-github-failure.js";
import { formatIssueReference, type IssueReference } from "./issue-reference.js";

/** Adds labels to an issue (GitHub creates labels the repository does not have yet); sends nothing for an empty list. */
export async function addIssueLabels(ref: IssueReference, access: GitHubAccess, labels: string[]): Promise<void> {
  if (labels.length === 0) return;
  const name = formatIssueReference(ref);
  try {
    await createGitHubClient(access).rest.issues.addLabels({ owner: ref.owner, repo: ref.repo, issue_number: ref.number, labels });
  } catch (error) {
    throw describeGitHubFailure(error, { access, repository: ref, subject: name, action: `add labels to ${name}`, permission: "Issues: write", notFoundHint: "Check the issue number" });
  }
}
