/**
 * A stable identity for a repository, under which the long-term store keeps what was learned:
 * clones over HTTPS and SSH of the same remote share one key.
 */
import { isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What identifies a repository: its origin URL when it has one, and the absolute path of its root. */
export interface RepositoryIdentity {
  originUrl?: string | undefined;
  rootPath: string;
}

/** `host/owner/name` in lower case (port, user and `.git` removed), or undefined when `url` is not a remote URL. */
export function normalizeOriginUrl(url: string): string | undefined {
  const trimmed = url.trim();
  const scpLike = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/.exec(trimmed);
  let host: string;
  let path: string;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let parsed: URL;
    try {
      parsed = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (parsed.protocol === "file:" || parsed.hostname === "") return undefined;
    host = parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else if (scpLike && scpLike[1]!.length > 1) {
    // `git@github.com:owner/repo.git`; a one-letter "host" would be a Windows drive (C:\...).
    host = scpLike[1]!;
    path = scpLike[2]!;
  } else {
    return undefined;
  }
  const segments = path
    .replace(/\.git\/*$/i, "")
    .split("/")
    .filter((segment) => segment !== "");
  if (segments.length === 0) return undefined;
  return [host, ...segments].join("/").toLowerCase();
}

/**
 * The key of a repository: the normalised origin (`github.com/owner/repo`) when the origin is a
 * remote URL; `local:<absolute path>` of the origin when it is a local path or file URL (clones of
 * one local repository share a key); else `local:<absolute path of the repository root>`.
 */
export function repositoryKey(identity: RepositoryIdentity): string {
  const root = resolve(identity.rootPath);
  const origin = identity.originUrl?.trim();
  if (!origin) return `local:${root}`;
  const remote = normalizeOriginUrl(origin);
  if (remote) return remote;
  const localPath = origin.startsWith("file://") ? filePath(origin) : origin;
  const absolute = isAbsolute(localPath) ? resolve(localPath) : resolve(root, localPath);
  return `local:${absolute.replace(/\/\.git$/, "")}`;
}

/** The path of a `file://` URL, or the text as it is when it does not parse. */
function filePath(url: string): string {
  try {
    return fileURLToPath(url);
  } catch {
    return url.slice("file://".length);
  }
}
