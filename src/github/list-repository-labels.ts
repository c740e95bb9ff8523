import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { fetchAllPages, type PagingOptions } from "./fetch-all-pages.js";
import type { RepositoryReference } from "./issue-summary.js";

/** A label of a repository: its name and description ("" when it has none). */
export interface RepositoryLabel {
  name: string;
  description: string;
}

/** Every label of a repository, read through all pages. */
export async function listRepositoryLabels(repo: RepositoryReference, access: GitHubAccess, options: PagingOptions = {}): Promise<RepositoryLabel[]> {
  const name = `${repo.owner}/${repo.repo}`;
  const labels = await fetchAllPages<{ name: string; description?: string | null }>(
    createGitHubClient(access),
    "GET /repos/{owner}/{repo}/labels",
    { owner: repo.owner, repo: repo.repo, per_page: 100 },
    { description: `the labels of ${name}`, failure: { access, repository: repo, subject: `The labels of ${name}`, action: `list the labels of ${name}`, permission: "Issues: read" } },
    options,
  );
  return labels.map((label) => ({ name: label.name, description: label.description ?? "" }));
}
