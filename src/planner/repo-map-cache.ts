/**
 * The cache of repository maps' slow part, one file per commit: the files listed and the scan
 * of their definitions (SourceScan), for a clean tree at that commit. A run on a commit mapped
 * before reads it in milliseconds, and a scan the time budget cut short goes on where it
 * stopped. The files are versioned JSON written atomically; a missing, corrupt or other-version
 * file reads as no cache.
 */
import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { SourceScan } from "./source-scan.js";

/** The cache format's version; a file of another version is ignored. */
const REPO_MAP_CACHE_VERSION = 1;

/** Entries kept; the least recently used go first (a sympy entry is a few MB). */
const MAX_ENTRIES = 32;

/** What one commit's entry keeps. */
export interface CachedRepoScan {
  /** The repository's files (as listRepoFiles gives them). */
  paths: string[];
  scan: SourceScan;
}

interface CacheFile extends CachedRepoScan {
  version: number;
  key: string;
}

/** The key of a commit's entry: the commit, and a digest of the settings that change what a scan keeps (and of the format's version). */
export function repoMapCacheKey(commit: string, settings: Record<string, unknown>): string {
  const digest = createHash("sha256").update(JSON.stringify({ version: REPO_MAP_CACHE_VERSION, settings })).digest("hex").slice(0, 16);
  return `${commit}-${digest}`;
}

/** The entry of `key`, or undefined when there is none or it cannot be used. A hit marks the entry as recently used. */
export async function readCachedRepoScan(cacheDir: string, key: string): Promise<CachedRepoScan | undefined> {
  const file = entryFile(cacheDir, key);
  let parsed: Partial<CacheFile>;
  try {
    parsed = JSON.parse(await readFile(file, "utf8")) as Partial<CacheFile>;
  } catch {
    return undefined;
  }
  if (parsed.version !== REPO_MAP_CACHE_VERSION || parsed.key !== key || !Array.isArray(parsed.paths) || !Array.isArray(parsed.scan?.files) || typeof parsed.scan.outcomes !== "object") {
    return undefined;
  }
  const now = new Date();
  await utimes(file, now, now).catch(() => {});
  return { paths: parsed.paths, scan: parsed.scan };
}

/**
 * Writes the entry of `key` through a temporary file and a rename, so a reader (another run on
 * the same commit) never sees half of it, then drops the least recently used entries beyond
 * the cache's size.
 */
export async function writeCachedRepoScan(cacheDir: string, key: string, entry: CachedRepoScan): Promise<void> {
  const file = entryFile(cacheDir, key);
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  const content: CacheFile = { version: REPO_MAP_CACHE_VERSION, key, ...entry };
  try {
    await mkdir(cacheDir, { recursive: true });
    await writeFile(temporary, JSON.stringify(content));
    await rename(temporary, file);
  } finally {
    await rm(temporary, { force: true });
  }
  await pruneEntries(cacheDir);
}

function entryFile(cacheDir: string, key: string): string {
  return join(cacheDir, `${key}.json`);
}

async function pruneEntries(cacheDir: string): Promise<void> {
  const names = (await readdir(cacheDir)).filter((name) => name.endsWith(".json"));
  if (names.length <= MAX_ENTRIES) return;
  const entries = await Promise.all(names.map(async (name) => ({ name, usedAt: (await stat(join(cacheDir, name)).catch(() => undefined))?.mtimeMs ?? 0 })));
  entries.sort((a, b) => b.usedAt - a.usedAt);
  for (const entry of entries.slice(MAX_ENTRIES)) await rm(join(cacheDir, entry.name), { force: true });
}
