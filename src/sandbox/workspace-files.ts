import { lstat, mkdir, readdir, readFile, realpath, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, posix, relative, resolve, sep } from "node:path";
import { SandboxError } from "../errors.js";
import type { DirectoryEntry, PathInfo, Sandbox } from "./sandbox.js";

/** Directories never worth listing to a model. */
const SKIPPED_DIRECTORIES = new Set([".git", "node_modules", "__pycache__", ".mypy_cache", ".pytest_cache", ".tox", ".venv"]);

/** A refused path: the model gets this message as a tool result, so it says what is allowed. */
export class PathOutsideWorkspaceError extends SandboxError {
  constructor(path: string, workdir: string) {
    super(`The path ${path} is outside the workspace ${workdir}; only files under ${workdir} can be read or written.`, {
      code: "path-outside-workspace",
    });
  }
}

/**
 * The files of a workspace on the host, addressed the way commands in the sandbox see them
 * (`workdir`, e.g. /workspace in a container). Every path is confined to the workspace: `..`
 * and symlinks that lead outside are refused.
 */
export class WorkspaceFiles {
  readonly hostRoot: string;
  readonly workdir: string;
  private readonly onCreate: ((hostPath: string) => Promise<void>) | undefined;
  private realRoot: string | undefined;

  /** `onCreate` runs after a file or directory is created (the Docker sandbox hands it to the container user). */
  constructor(options: { hostRoot: string; workdir: string; onCreate?: (hostPath: string) => Promise<void> }) {
    this.hostRoot = resolve(options.hostRoot);
    this.workdir = options.workdir;
    this.onCreate = options.onCreate;
  }

  /** Maps a sandbox path (relative to workdir, or absolute under it) to a host path inside the workspace. */
  async toHostPath(path: string): Promise<string> {
    const relativePath = this.toRelative(path);
    const hostPath = resolve(this.hostRoot, relativePath);
    const root = await this.root();
    const real = await realpathOfExistingPrefix(hostPath);
    if (!isInside(real, root) || !isInside(hostPath, this.hostRoot)) throw new PathOutsideWorkspaceError(path, this.workdir);
    return hostPath;
  }

  /** The path as the sandbox sees it, e.g. /workspace/src/a.py, after confinement checks. */
  async toSandboxPath(path: string): Promise<string> {
    const hostPath = await this.toHostPath(path);
    const rel = relative(this.hostRoot, hostPath).split(sep).join("/");
    return rel === "" ? this.workdir : posix.join(this.workdir, rel);
  }

  async readFile(path: string): Promise<Buffer> {
    const hostPath = await this.toHostPath(path);
    try {
      return await readFile(hostPath);
    } catch (error) {
      throw fileError(error, path, "read");
    }
  }

  async writeFile(path: string, data: Uint8Array | string): Promise<void> {
    const hostPath = await this.toHostPath(path);
    const created = await this.createParents(dirname(hostPath));
    const existed = (await this.statHost(hostPath)) !== undefined;
    try {
      await writeFile(hostPath, data);
    } catch (error) {
      throw fileError(error, path, "write");
    }
    if (this.onCreate) {
      for (const directory of created) await this.onCreate(directory);
      if (!existed) await this.onCreate(hostPath);
    }
  }

  async removeFile(path: string): Promise<void> {
    const hostPath = await this.toHostPath(path);
    try {
      await unlink(hostPath);
    } catch (error) {
      throw fileError(error, path, "remove");
    }
  }

  async stat(path: string): Promise<PathInfo | undefined> {
    return this.statHost(await this.toHostPath(path));
  }

  /** Entries under a directory, breadth-first to `depth` levels, skipping VCS and cache directories. */
  async listDirectory(path: string, depth: number): Promise<DirectoryEntry[]> {
    const base = await this.toHostPath(path);
    const entries: DirectoryEntry[] = [];
    let level = [""];
    for (let current = 0; current < depth && level.length > 0; current += 1) {
      const next: string[] = [];
      for (const prefix of level) {
        const children = await readdir(join(base, prefix), { withFileTypes: true }).catch((error: unknown) => {
          throw fileError(error, path, "list");
        });
        children.sort((a, b) => a.name.localeCompare(b.name));
        for (const child of children) {
          const childPath = prefix ? `${prefix}/${child.name}` : child.name;
          const type = child.isDirectory() ? "directory" : child.isFile() ? "file" : child.isSymbolicLink() ? "symlink" : "other";
          entries.push({ path: childPath, type });
          if (type === "directory" && !SKIPPED_DIRECTORIES.has(child.name)) next.push(childPath);
        }
      }
      level = next;
    }
    return entries;
  }

  private toRelative(path: string): string {
    if (path.includes("\0")) throw new SandboxError("A path may not contain a NUL byte.", { code: "bad-path" });
    if (!isAbsolute(path) && !path.startsWith("/")) return path;
    const normalized = posix.normalize(path);
    if (normalized === this.workdir) return ".";
    if (normalized.startsWith(`${this.workdir}/`)) return normalized.slice(this.workdir.length + 1);
    throw new PathOutsideWorkspaceError(path, this.workdir);
  }

  private async root(): Promise<string> {
    this.realRoot ??= await realpath(this.hostRoot);
    return this.realRoot;
  }

  private async statHost(hostPath: string): Promise<PathInfo | undefined> {
    try {
      const info = await stat(hostPath);
      return { type: info.isFile() ? "file" : info.isDirectory() ? "directory" : "other", size: info.size };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw fileError(error, hostPath, "inspect");
    }
  }

  /** Creates missing parent directories and returns the ones it created, outermost first. */
  private async createParents(directory: string): Promise<string[]> {
    const missing: string[] = [];
    for (let current = directory; isInside(current, this.hostRoot); current = dirname(current)) {
      if (await lstat(current).then(() => true, () => false)) break;
      missing.unshift(current);
    }
    if (missing.length > 0) await mkdir(directory, { recursive: true });
    return missing;
  }
}

function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

/** realpath of the longest existing prefix of `path`, with the missing tail appended. */
async function realpathOfExistingPrefix(path: string): Promise<string> {
  const tail: string[] = [];
  for (let current = path; ; current = dirname(current)) {
    try {
      return join(await realpath(current), ...tail.reverse());
    } catch {
      if (dirname(current) === current) return path;
      tail.push(current.slice(dirname(current).length + 1));
    }
  }
}

function fileError(error: unknown, path: string, verb: string): SandboxError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === "ENOENT" ? "no such file or directory" : code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied" : (error as Error).message;
  return new SandboxError(`Cannot ${verb} ${path}: ${reason}.`, { code: code === "ENOENT" ? "not-found" : "file", cause: error });
}

/** The file methods of a Sandbox, served by the workspace on the host (both sandboxes mount it). */
export function workspaceFileMethods(files: WorkspaceFiles): Pick<Sandbox, "readFile" | "writeFile" | "removeFile" | "stat" | "listDirectory" | "resolvePath"> {
  return {
    readFile: (path) => files.readFile(path),
    writeFile: (path, data) => files.writeFile(path, data),
    removeFile: (path) => files.removeFile(path),
    stat: (path) => files.stat(path),
    listDirectory: (path, depth) => files.listDirectory(path, depth),
    resolvePath: (path) => files.toSandboxPath(path),
  };
}
