import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach } from "vitest";

/** Files to write: path relative to the repository → content. */
export type FileTree = Record<string, string | Buffer>;

/** Runs git in `cwd` with a fixed test identity and returns its standard output. */
export function git(cwd: string, args: string[], input?: string): string {
  return execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], {
    cwd,
    encoding: "utf8",
    input,
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs git and returns its exit code instead of throwing. */
export function gitExitCode(cwd: string, args: string[]): number {
  try {
    git(cwd, args);
    return 0;
  } catch (error) {
    return (error as { status?: number }).status ?? -1;
  }
}

/** Temporary directories removed after each test of the file that calls this. */
export function useTempDirs(): (prefix?: string) => Promise<string> {
  const created: string[] = [];
  afterEach(async () => {
    await Promise.all(created.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  });
  return async (prefix = "agent-git-test-") => {
    const dir = await mkdtemp(join(tmpdir(), prefix));
    created.push(dir);
    return dir;
  };
}

/** Writes files, creating their directories. */
export async function writeFiles(root: string, files: FileTree): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
}

/** A new repository at `dir` with one commit of `files`; returns that commit's sha. */
export async function createRepository(dir: string, files: FileTree): Promise<string> {
  git(dir, ["init", "--quiet", "--initial-branch=main"]);
  await writeFiles(dir, files);
  git(dir, ["add", "--all"]);
  git(dir, ["commit", "--quiet", "--message", "base"]);
  return git(dir, ["rev-parse", "HEAD"]).trim();
}

/** Every file under `root` (paths relative to it, sorted), .git left out. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .filter((path) => path !== ".git" && !path.startsWith(".git/"))
    .sort();
}

/** A fresh clone of `repository` checked out (detached) at `commit`. */
export async function cloneAt(repository: string, commit: string, target: string): Promise<void> {
  git(dirname(target), ["clone", "--quiet", "--no-checkout", repository, target]);
  git(target, ["checkout", "--quiet", "--detach", commit]);
}
