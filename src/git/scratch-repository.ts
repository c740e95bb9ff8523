/**
 * Small repositories the product makes for itself (a benchmark problem's workspace) and files
 * read out of a patch without a checkout, through the one git process module.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { runGit } from "./git-process.js";

/** The author of the commits these repositories get. */
const SCRATCH_IDENTITY = ["user.name=agent", "user.email=agent@localhost"];

/**
 * Makes `dir` a new git repository holding `files` (paths relative to it) in one commit, and
 * returns the commit's sha. The directory must not be a repository yet.
 */
export async function createScratchRepository(dir: string, files: Readonly<Record<string, string>>, message: string): Promise<string> {
  const root = resolve(dir);
  await mkdir(root, { recursive: true });
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const hint = `Check that ${root} is writable and git is installed.`;
  await runGit(["init", "--quiet", "--initial-branch=main"], { cwd: root, hint });
  await runGit(["add", "--all"], { cwd: root, hint });
  await runGit(["commit", "--quiet", "--no-verify", "-m", message], { cwd: root, hint, config: SCRATCH_IDENTITY });
  return (await runGit(["rev-parse", "HEAD"], { cwd: root, hint })).trim();
}

/**
 * The content of `path` once `patch` (a diff against `commit`) is applied, read through a
 * temporary index: the repository's working tree, index and refs are untouched. Null when the
 * patch deletes the file or leaves it absent; a patch that does not apply throws a GitError.
 */
export async function readFileAfterPatch(repoPath: string, commit: string, patch: string, path: string): Promise<string | null> {
  const cwd = resolve(repoPath);
  const scratch = await mkdtemp(join(tmpdir(), "agent-patched-"));
  const env = { GIT_INDEX_FILE: join(scratch, "index") };
  const hint = "The patch does not apply to the commit it was made against.";
  try {
    await runGit(["read-tree", commit], { cwd, env, hint });
    if (patch.trim() !== "") {
      await writeFile(join(scratch, "patch.diff"), patch.endsWith("\n") ? patch : `${patch}\n`);
      await runGit(["apply", "--cached", "--whitespace=nowarn", join(scratch, "patch.diff")], { cwd, env, hint, code: "apply-failed" });
    }
    const listed = await runGit(["ls-files", "--cached", "--", path], { cwd, env, hint });
    if (listed.trim() === "") return null;
    return await runGit(["show", `:${path}`], { cwd, env, hint });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
