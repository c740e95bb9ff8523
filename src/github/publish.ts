import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { GitHubError } from "../errors.js";
import { runGit } from "../git/git-process.js";
import { createGitHubClient, type GitHubAccess } from "./fetch-issue.js";
import type { IssueReference } from "./issue-reference.js";

/**
 * Commits exactly `patch` on top of `baseCommit` on `branch` in the run's working tree and
 * pushes the branch to `remoteUrl` (with the token as an HTTP header, never in the URL).
 */
export async function pushPatchBranch(options: {
  workdir: string;
  baseCommit: string;
  branch: string;
  patch: string;
  message: string;
  remoteUrl: string;
  token?: string;
}): Promise<void> {
  const { workdir } = options;
  const git = (args: string[], config: string[] = []) => runGit(args, { cwd: workdir, config, hint: "The patch stays in the run directory." });
  await git(["checkout", "-q", "-B", options.branch, options.baseCommit]);
  await git(["reset", "-q", "--hard", options.baseCommit]);
  await git(["clean", "-q", "-fdx"]);
  const patchFile = join(workdir, "..", `${options.branch.replaceAll("/", "-")}.patch`);
  await writeFile(patchFile, options.patch);
  try {
    await git(["apply", "--index", "--whitespace=nowarn", patchFile]);
  } finally {
    await rm(patchFile, { force: true });
  }
  await git(["commit", "-q", "--no-verify", "-m", options.message], ["user.name=agent", "user.email=agent@localhost"]);
  const auth = options.token && /^https?:/.test(options.remoteUrl)
    ? [`http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`]
    : [];
  await git(["push", "-q", "--force-with-lease", options.remoteUrl, `HEAD:refs/heads/${options.branch}`], auth);
}

/** Opens a draft pull request from `head` into `base`; returns its URL. */
export async function openDraftPullRequest(
  reference: IssueReference,
  access: GitHubAccess,
  pull: { head: string; base: string; title: string; body: string },
): Promise<string> {
  try {
    const { data } = await createGitHubClient(access).rest.pulls.create({ owner: reference.owner, repo: reference.repo, draft: true, ...pull });
    return data.html_url;
  } catch (error) {
    throw new GitHubError(`Cannot open the pull request on ${reference.owner}/${reference.repo}: ${(error as Error).message}. The token needs "Pull requests: write".`, {
      cause: error,
      code: "github-publish",
    });
  }
}

/** Posts a comment on the issue; returns its URL. */
export async function commentOnIssue(reference: IssueReference, access: GitHubAccess, body: string): Promise<string> {
  try {
    const { data } = await createGitHubClient(access).rest.issues.createComment({ owner: reference.owner, repo: reference.repo, issue_number: reference.number, body });
    return data.html_url;
  } catch (error) {
    throw new GitHubError(`Cannot comment on ${reference.owner}/${reference.repo}#${reference.number}: ${(error as Error).message}. The token needs "Issues: write".`, {
      cause: error,
      code: "github-publish",
    });
  }
}
