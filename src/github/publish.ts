import { execFile } from "node:child_process";
import { writeFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { GitError, GitHubError } from "../errors.js";
import { createGitHubClient, type GitHubAccess } from "./fetch-issue.js";
import type { IssueReference } from "./issue-reference.js";

function git(args: string[], cwd: string, env: Record<string, string | undefined>): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-c", "core.hooksPath=/dev/null", "-c", "safe.directory=*", "-c", "commit.gpgsign=false", ...args],
      { cwd, env: { PATH: env["PATH"] ?? "/usr/bin:/bin", HOME: env["HOME"] ?? "/", GIT_TERMINAL_PROMPT: "0", LANG: "C" }, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new GitError(`git ${args.find((arg) => !arg.startsWith("-"))} failed: ${stderr.trim().split("\n").at(-1) ?? error.message}`, { cause: error })) : resolve(stdout)),
    );
  });
}

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
  env: Record<string, string | undefined>;
}): Promise<void> {
  const { workdir, env } = options;
  await git(["checkout", "-q", "-B", options.branch, options.baseCommit], workdir, env);
  await git(["reset", "-q", "--hard", options.baseCommit], workdir, env);
  await git(["clean", "-q", "-fdx"], workdir, env);
  const patchFile = join(workdir, "..", `${options.branch.replaceAll("/", "-")}.patch`);
  await writeFile(patchFile, options.patch);
  try {
    await git(["apply", "--index", "--whitespace=nowarn", patchFile], workdir, env);
  } finally {
    await rm(patchFile, { force: true });
  }
  await git(["-c", "user.name=agent", "-c", "user.email=agent@localhost", "commit", "-q", "--no-verify", "-m", options.message], workdir, env);
  const auth = options.token && /^https?:/.test(options.remoteUrl)
    ? ["-c", `http.extraHeader=Authorization: Basic ${Buffer.from(`x-access-token:${options.token}`).toString("base64")}`]
    : [];
  await git([...auth, "push", "-q", "--force-with-lease", options.remoteUrl, `HEAD:refs/heads/${options.branch}`], workdir, env);
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
