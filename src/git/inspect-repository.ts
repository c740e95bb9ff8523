/**
 * Read-only questions about the user's own repository (and the one write they can ask for,
 * `--apply`), through the one git process module: which commit a name means, where the origin
 * is, where the repository's root is.
 */
import { access } from "node:fs/promises";
import { resolve } from "node:path";
import { GitError } from "../errors.js";
import { runGit, tryGit } from "./git-process.js";

/** The full sha of a commit-ish (HEAD by default) in a repository, or a GitError that says what to give instead. */
export async function resolveRepositoryCommit(repoPath: string, commitish = "HEAD"): Promise<string> {
  const sourceRepo = resolve(repoPath);
  if (!(await exists(sourceRepo))) {
    throw new GitError(`The repository ${sourceRepo} does not exist; give the path of a git repository.`, { code: "not-a-repository" });
  }
  const unknown = new GitError(
    `The commit ${commitish} is not in the repository ${sourceRepo}; give a commit sha, branch or tag that exists there (see git log).`,
    { code: "unknown-commit" },
  );
  if (commitish === "" || commitish.startsWith("-")) throw unknown;
  const outcome = await tryGit(["rev-parse", "--verify", "--quiet", "--end-of-options", `${commitish}^{commit}`], { cwd: sourceRepo });
  if (outcome.exitCode === 0) return outcome.stdout.trim();
  if (/not a git repository/i.test(outcome.stderr)) {
    throw new GitError(`${sourceRepo} is not a git repository; give the path of a git repository.`, { code: "not-a-repository" });
  }
  throw unknown;
}

/** The URL of the repository's `origin` remote, or undefined when it has none. */
export async function readOriginUrl(repoPath: string): Promise<string | undefined> {
  const outcome = await tryGit(["config", "--get", "remote.origin.url"], { cwd: resolve(repoPath) }).catch(() => undefined);
  const url = outcome?.exitCode === 0 ? outcome.stdout.trim() : "";
  return url === "" ? undefined : url;
}

/** The root of the git working tree that holds `cwd`, or undefined outside one. */
export async function findRepositoryRoot(cwd: string): Promise<string | undefined> {
  const outcome = await tryGit(["rev-parse", "--show-toplevel"], { cwd }).catch(() => undefined);
  const root = outcome?.exitCode === 0 ? outcome.stdout.trim() : "";
  return root === "" ? undefined : root;
}

/** Applies a patch file to the user's checkout (`agent solve --apply`); a patch that does not apply throws and changes nothing. */
export async function applyPatchToCheckout(repoPath: string, patchFile: string): Promise<void> {
  await runGit(["apply", "--whitespace=nowarn", patchFile], { cwd: resolve(repoPath), hint: "Your checkout has changed since the run started; the patch file is kept.", code: "apply-failed" });
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

/** Whether the checkout has changes that are not committed (staged, unstaged or untracked): work that starts from HEAD leaves them out. */
export async function hasUncommittedChanges(repoPath: string): Promise<boolean> {
  const outcome = await tryGit(["status", "--porcelain"], { cwd: resolve(repoPath) }).catch(() => undefined);
  return outcome?.exitCode === 0 && outcome.stdout.trim() !== "";
}
