import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { GitError } from "../errors.js";
import { runGit, tryGit } from "./git-process.js";
import { readOriginUrl, resolveRepositoryCommit } from "./inspect-repository.js";

/** The branch of a session repository that gains a commit per finished task. */
export const SESSION_BRANCH = "agent-session";

/** Who the session's commits are by: never the user's identity. */
const IDENTITY = ["user.name=agent", "user.email=agent@localhost"];

/**
 * The repository a terminal session works on: a bare clone of the user's checkout at its HEAD
 * whose branch `agent-session` gains one commit per task that left a patch, so a follow-up
 * starts from the tree the last task left while the checkout stays untouched until /apply.
 * Bare, so no second working tree is checked out; commits are made in a temporary index.
 */
export interface SessionRepository {
  /** The bare repository's directory: what runs clone their working trees from. */
  readonly path: string;
  /** The checkout's HEAD when the session began: the base of the session's whole patch. */
  readonly baseCommit: string;
  /** The tip of the session branch: where the next task starts. */
  head(): Promise<string>;
  /** Commits a patch (from a run) on the session branch; returns the new tip. An empty patch commits nothing. */
  commitPatch(patch: string, message: string): Promise<string>;
  /** Everything the session changed: the diff from the base commit to the tip (binary-safe, applies with git apply). */
  patch(): Promise<string>;
  /** Drops the tip commit (the last task's changes); returns its subject, or undefined when no task commit is left. */
  undoLastCommit(): Promise<string | undefined>;
}

/**
 * Makes the session repository in `dir` (which must not exist) from the checkout at
 * `checkoutRoot`: the checkout's objects are hard-linked, not copied, and its origin URL is kept
 * so the long-term memory knows the repository.
 */
export async function createSessionRepository(checkoutRoot: string, dir: string): Promise<SessionRepository> {
  const source = resolve(checkoutRoot);
  const baseCommit = await resolveRepositoryCommit(source, "HEAD");
  const path = resolve(dir);
  const hint = `Check that ${path} can be written and ${source} is a git repository.`;
  await runGit(["clone", "--bare", "--quiet", "--", source, path], { cwd: resolve(path, ".."), hint });
  // HEAD may be detached at a commit no branch holds: fetch it by name.
  await runGit(["fetch", "--quiet", "--", source, `HEAD:refs/heads/${SESSION_BRANCH}`], { cwd: path, hint });
  await runGit(["symbolic-ref", "HEAD", `refs/heads/${SESSION_BRANCH}`], { cwd: path, hint });
  const origin = await readOriginUrl(source);
  await runGit(["config", "remote.origin.url", origin ?? source], { cwd: path, hint });
  return openSessionRepository(path, baseCommit);
}

/** Opens a session repository made by `createSessionRepository`. */
export function openSessionRepository(dir: string, baseCommit: string): SessionRepository {
  const path = resolve(dir);
  const at = (hint: string) => ({ cwd: path, hint: `${hint} (session repository ${path})` });
  const head = async () => (await runGit(["rev-parse", "--verify", `refs/heads/${SESSION_BRANCH}`], at("The session's branch is missing"))).trim();
  return {
    path,
    baseCommit,
    head,
    async commitPatch(patch, message) {
      const parent = await head();
      if (patch.trim() === "") return parent;
      const scratch = await mkdtemp(join(tmpdir(), "agent-session-"));
      try {
        const env = { GIT_INDEX_FILE: join(scratch, "index") };
        const patchFile = join(scratch, "patch.diff");
        await writeFile(patchFile, patch.endsWith("\n") ? patch : `${patch}\n`);
        await runGit(["read-tree", parent], { ...at("Cannot read the session's tree"), env });
        await runGit(["apply", "--cached", "--binary", "--whitespace=nowarn", patchFile], { ...at("The run's patch does not apply to the session's tree"), env, code: "apply-failed" });
        const tree = (await runGit(["write-tree"], { ...at("Cannot write the session's tree"), env })).trim();
        const commit = (await runGit(["commit-tree", tree, "-p", parent, "-m", message], { ...at("Cannot commit the task's patch"), env, config: IDENTITY })).trim();
        await runGit(["update-ref", `refs/heads/${SESSION_BRANCH}`, commit, parent], at("The session's branch moved meanwhile"));
        return commit;
      } finally {
        await rm(scratch, { recursive: true, force: true });
      }
    },
    async patch() {
      return runGit(["diff", "--binary", "--no-color", "--no-ext-diff", baseCommit, await head(), "--"], at("Cannot compute the session's patch"));
    },
    async undoLastCommit() {
      const tip = await head();
      if (tip === baseCommit) return undefined;
      const parent = await tryGit(["rev-parse", "--verify", `${tip}^`], { cwd: path });
      if (parent.exitCode !== 0) throw new GitError(`The session's last commit ${tip.slice(0, 7)} has no parent; nothing was undone.`);
      const subject = (await runGit(["log", "-1", "--format=%s", tip], at("Cannot read the session's last commit"))).trim();
      await runGit(["update-ref", `refs/heads/${SESSION_BRANCH}`, parent.stdout.trim(), tip], at("The session's branch moved meanwhile"));
      return subject;
    },
  };
}
