import { execFile } from "node:child_process";
import { mkdir, rename, rm, stat, utimes } from "node:fs/promises";
import { dirname, join } from "node:path";
import { GitError } from "../errors.js";

/** A bare mirror of a remote repository in the user's cache directory. */
export interface CachedClone {
  path: string;
  /** What was done: a first clone, a fetch of a stale mirror, or nothing (fresh enough). */
  action: "cloned" | "fetched" | "reused";
}

function git(args: string[], options: { cwd?: string; env: Record<string, string | undefined> }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "git",
      ["-c", "core.hooksPath=/dev/null", "-c", "safe.directory=*", ...args],
      { ...(options.cwd ? { cwd: options.cwd } : {}), env: { PATH: options.env["PATH"] ?? "/usr/bin:/bin", HOME: options.env["HOME"] ?? "/", GIT_TERMINAL_PROMPT: "0", LANG: "C" }, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => (error ? reject(new GitError(`git ${args[0]} failed: ${stderr.trim().split("\n").at(-1) ?? error.message}`, { cause: error })) : resolve(stdout)),
    );
  });
}

/**
 * Returns a bare mirror of `cloneUrl` under `cacheDir/<key>.git`: cloned the first time,
 * fetched when older than `maxAgeMs`, reused otherwise. A failed first clone leaves nothing
 * behind; the mirror is the source runs clone their working trees from.
 */
export async function ensureCachedClone(options: {
  cacheDir: string;
  key: string;
  cloneUrl: string;
  maxAgeMs: number;
  env: Record<string, string | undefined>;
  now?: () => number;
}): Promise<CachedClone> {
  const path = join(options.cacheDir, `${options.key}.git`);
  const now = options.now ?? Date.now;
  const info = await stat(join(path, "FETCH_HEAD")).catch(() => stat(join(path, "HEAD")).catch(() => undefined));
  if (info) {
    if (now() - info.mtimeMs < options.maxAgeMs) return { path, action: "reused" };
    await git(["fetch", "--prune", "--quiet", "origin"], { cwd: path, env: options.env });
    const time = new Date(now());
    await utimes(join(path, "HEAD"), time, time).catch(() => {});
    return { path, action: "fetched" };
  }
  await mkdir(dirname(path), { recursive: true });
  const partial = `${path}.partial-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  try {
    await git(["clone", "--mirror", "--quiet", options.cloneUrl, partial], { env: options.env });
  } catch (error) {
    await rm(partial, { recursive: true, force: true });
    throw new GitError(`Cannot clone ${options.cloneUrl}: ${(error as Error).message}. Check the repository's address and your access to it.`, { cause: error, code: "clone-failed" });
  }
  await rename(partial, path);
  return { path, action: "cloned" };
}
