import { access, mkdir, rm } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { GitError } from "../errors.js";
import { runGit, tryGit } from "./git-process.js";
import { resolveRepositoryCommit } from "./inspect-repository.js";
import { assertValidBranchName } from "./workspace-git.js";

/** Where a run's working tree comes from and where it goes. */
export interface CreateWorkspaceOptions {
  /** The user's repository (a path on the host); it is only read. */
  sourceRepo: string;
  /** A commit-ish in the source repository (sha, branch, tag); the run's base. */
  baseCommit: string;
  /** A directory that does not exist yet (or is empty). */
  workspaceDir: string;
  /** A branch to create at the base commit and switch to; otherwise HEAD stays detached. */
  branch?: string;
}

/** The working tree of a run and the full sha of its base commit. */
export interface Workspace {
  workdir: string;
  baseCommit: string;
}

/**
 * Makes a self-contained working tree for one run: a clone (`--no-hardlinks`, `--dissociate`,
 * hooks disabled) with HEAD detached at the base commit. A clone and not `git worktree`:
 * a worktree's `.git` is a file pointing into the source repository's `.git`, which a container
 * that mounts only the workspace cannot see and must never write; a clone owns all its objects,
 * so the run cannot touch the user's repository, its index or its hooks, and keeps working
 * when the source moves.
 */
export async function createWorkspace(options: CreateWorkspaceOptions): Promise<Workspace> {
  const sourceRepo = resolve(options.sourceRepo);
  const workdir = resolve(options.workspaceDir);
  const baseCommit = await resolveRepositoryCommit(sourceRepo, options.baseCommit);
  if (options.branch !== undefined) await assertValidBranchName(options.branch, { cwd: sourceRepo });

  const existedBefore = await exists(workdir);
  await mkdir(dirname(workdir), { recursive: true });
  try {
    await runGit(["clone", "--quiet", "--no-checkout", "--no-hardlinks", "--dissociate", "--", sourceRepo, workdir], {
      cwd: dirname(workdir),
      hint: `Check that ${workdir} does not exist or is empty, and that its parent directory is writable.`,
    });
    const at = { cwd: workdir, hint: `Check the clone at ${workdir}.` };
    await runGit(["config", "core.hooksPath", "/dev/null"], at);
    const present = await tryGit(["cat-file", "-e", `${baseCommit}^{commit}`], { cwd: workdir });
    if (present.exitCode !== 0) {
      throw new GitError(
        `The commit ${options.baseCommit} (${baseCommit}) is not reachable from any branch or tag of ${sourceRepo}, so the clone does not have it. ` +
          "Create a branch or tag at it first.",
        { code: "unknown-commit" },
      );
    }
    await runGit(["checkout", "--quiet", "--detach", baseCommit], at);
    if (options.branch !== undefined) await runGit(["switch", "--quiet", "-c", options.branch], at);
    // The clone's origin is the user's repository: with no remote, nothing in the sandbox can push back into it.
    await runGit(["remote", "remove", "origin"], at);
  } catch (error) {
    if (!existedBefore) await rm(workdir, { recursive: true, force: true });
    throw error;
  }
  return { workdir, baseCommit };
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
