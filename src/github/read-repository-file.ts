import { GitHubError } from "../errors.js";
import { createGitHubClient, type GitHubAccess } from "./github-client.js";
import { describeGitHubFailure, failureResponse } from "./describe-github-failure.js";
import type { RepositoryReference } from "./issue-summary.js";

/**
 * The text of a file of the repository at `ref` (the default branch unless given), or undefined
 * when there is no such file (GitHub's 404, which a private repository the token cannot read also gives).
 */
export async function readRepositoryFile(repo: RepositoryReference, access: GitHubAccess, path: string, ref?: string): Promise<string | undefined> {
  const name = `${repo.owner}/${repo.repo}`;
  const where = `${path} of ${name}${ref ? ` at ${ref}` : ""}`;
  const client = createGitHubClient(access);
  const parameters = { owner: repo.owner, repo: repo.repo, path: path.replace(/^\/+/, ""), ...(ref ? { ref } : {}) };
  try {
    const { data } = await client.rest.repos.getContent(parameters);
    if (Array.isArray(data) || data.type !== "file") {
      throw new GitHubError(`${where} is ${Array.isArray(data) ? "a directory" : `a ${data.type}`}, not a file; give the path of a file.`, { code: "github-not-file" });
    }
    if ("content" in data && data.encoding === "base64") return Buffer.from(data.content, "base64").toString("utf8");
    // Files over 1 MB come without content: read them raw.
    const raw = await client.rest.repos.getContent({ ...parameters, mediaType: { format: "raw" } });
    return String(raw.data);
  } catch (error) {
    if (failureResponse(error).status === 404) return undefined;
    throw describeGitHubFailure(error, { access, repository: repo, subject: where, action: `read ${where}`, permission: "Contents: read" });
  }
}
