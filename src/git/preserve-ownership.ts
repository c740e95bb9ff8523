import { lchown, lstat, readdir } from "node:fs/promises";
import { join } from "node:path";

/** The user and group that own a file. */
export interface FileOwner {
  uid: number;
  gid: number;
}

/**
 * The owner to give files back to after git wrote them as root: the working tree's owner when
 * this process is root and the tree belongs to someone else (a sandbox's user), else undefined.
 * Without this, a commit made on the host leaves root-owned directories in .git/objects and the
 * sandbox's user can no longer `git add`.
 */
export async function ownerToPreserve(workdir: string): Promise<FileOwner | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const stats = await lstat(workdir);
  if (stats.uid === 0 && stats.gid === 0) return undefined;
  return { uid: stats.uid, gid: stats.gid };
}

/** Gives every entry under each root (symlinks not followed) that has another owner back to `owner`. */
export async function chownTree(roots: readonly string[], owner: FileOwner): Promise<void> {
  for (const root of roots) await chownEntry(root, owner);
}

async function chownEntry(path: string, owner: FileOwner): Promise<void> {
  let stats;
  try {
    stats = await lstat(path);
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  if (stats.uid !== owner.uid || stats.gid !== owner.gid) await lchown(path, owner.uid, owner.gid);
  if (!stats.isDirectory()) return;
  const entries = await readdir(path).catch((error: unknown) => {
    if (isMissing(error)) return [];
    throw error;
  });
  for (const entry of entries) await chownEntry(join(path, entry), owner);
}

function isMissing(error: unknown): boolean {
  return error instanceof Error && "code" in error && error.code === "ENOENT";
}
