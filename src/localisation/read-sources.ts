/**
 * The source files a localisation indexes, read through the sandbox's file methods (which keep
 * every read inside the workspace): tracked files with a source extension, no symbolic links
 * (the repository is untrusted: a link could point at a secret), none too big to be code.
 */
import type { Sandbox } from "../sandbox/sandbox.js";
import type { SourceDocument } from "./code-retrieval.js";

/** Files bigger than this are data or generated, not code worth ranking. */
export const MAX_SOURCE_FILE_BYTES = 256 * 1024;
/** At most this many files are read: the repository's own code is listed first by git, tests are not preferred. */
export const MAX_SOURCE_FILES = 6_000;

const SOURCE_FILE = /\.(?:py|pyx|pyi|js|jsx|mjs|cjs|ts|tsx|go|rs|rb|java|kt|scala|c|cc|cpp|h|hpp|cs|php|swift)$/;

/** Tracked regular files with a source extension, from `git ls-files -s` (mode 120000, a symbolic link, is left out). */
export function trackedSourcePaths(lsFilesStage: string): string[] {
  const paths: string[] = [];
  for (const record of lsFilesStage.split("\0")) {
    const match = /^(\d{6}) [0-9a-f]+ \d\t(.+)$/s.exec(record);
    if (!match || match[1] === "120000" || match[1] === "160000") continue;
    if (SOURCE_FILE.test(match[2]!)) paths.push(match[2]!);
  }
  return paths;
}

/** Reads the workspace's source files; an unreadable or oversized file is skipped. Null outside a git repository. */
export async function readSourceDocuments(sandbox: Sandbox, signal?: AbortSignal): Promise<SourceDocument[] | null> {
  const listing = await sandbox.exec({ command: "git ls-files -s -z", cwd: sandbox.workdir, timeoutMs: 60_000, outputLimitBytes: 32 * 1024 * 1024 }, signal);
  if (listing.exitCode !== 0 || listing.truncated) return null;
  const documents: SourceDocument[] = [];
  for (const path of trackedSourcePaths(listing.stdout).slice(0, MAX_SOURCE_FILES)) {
    if (signal?.aborted) break;
    const info = await sandbox.stat(path).catch(() => undefined);
    if (!info || info.type !== "file" || info.size > MAX_SOURCE_FILE_BYTES) continue;
    const content = await sandbox.readFile(path).then((data) => data.toString("utf8"), () => undefined);
    if (content !== undefined && !content.includes("\0")) documents.push({ path, content });
  }
  return documents;
}
