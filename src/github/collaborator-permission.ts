import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { describeGitHubFailure, failureResponse } from "./describe-github-failure.js";
import type { RepositoryReference } from "./issue-summary.js";

/** A person's role on a repository, from most to least; "none" when they are not a collaborator. */
export type RepositoryPermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

const LEVELS: readonly RepositoryPermission[] = ["admin", "maintain", "write", "triage", "read", "none"];

/**
 * The role of `login` on the repository: GitHub's `role_name` when it is one of the built-in
 * roles (it tells maintain and triage apart), else its `permission`; "none" when GitHub answers
 * 404 (not a collaborator).
 */
export async function getCollaboratorPermission(repo: RepositoryReference, access: GitHubAccess, login: string): Promise<RepositoryPermission> {
  try {
    const { data } = await createGitHubClient(access).rest.repos.getCollaboratorPermissionLevel({ owner: repo.owner, repo: repo.repo, username: login });
    const role = LEVELS.find((level) => level === data.role_name);
    if (role) return role;
    return LEVELS.find((level) => level === data.permission) ?? "none";
  } catch (error) {
    if (failureResponse(error).status === 404) return "none";
    const name = `${repo.owner}/${repo.repo}`;
    throw describeGitHubFailure(error, { access, repository: repo, subject: `The permission of ${login} on ${name}`, action: `read the permission of ${login} on ${name}`, permission: "Metadata: read" });
  }
}

/** True for the roles that may push and manage issues: admin, maintain and write. */
export function hasWriteAccess(level: RepositoryPermission): boolean {
  return level === "admin" || level === "maintain" || level === "write";
}
