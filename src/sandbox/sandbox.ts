/** One command to run in a sandbox. */
export interface ExecRequest {
  command: string;
  /**
   * Directory to run in. When set (or when `env` is set) the command runs in a subshell, so the
   * persistent session's own directory and variables are left as they were.
   */
  cwd?: string;
  /** Extra environment variables for this command only. */
  env?: Record<string, string>;
  /** Wall-clock limit; on expiry the command and every process it started are killed. */
  timeoutMs?: number;
  /** Output kept per stream (half head, half tail); the sandbox's default when unset. */
  outputLimitBytes?: number;
  /**
   * Start the command as a background job that outlives the call (a server, a watcher): the
   * result comes at once with the job's process group and the file its output goes to, and the
   * job is spared when commands return, until it is stopped. Otherwise, whatever a command
   * leaves running is stopped when it returns.
   */
  background?: boolean;
}

/** What a command did. Output is capped: head and tail kept, the middle elided and counted. */
export interface ExecResult {
  /** The exit code; 130 after a timeout; the shell's own status when the command ended the shell; null when unknown. */
  exitCode: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** True when output was elided by the cap. */
  truncated: boolean;
  /** Bytes of output elided by the cap (stdout + stderr). */
  omittedBytes: number;
  durationMs: number;
  /** True when the persistent shell was lost and a fresh one was started (cwd and exports reset). */
  sessionRestarted: boolean;
  /** Processes the command left running (not as a background job) that were stopped when it returned. */
  strayProcessesStopped?: number;
  /** Why the sandbox stopped the command before it ended (it started too many processes, or wrote too much). */
  stoppedBecause?: string;
}

/** What a path in the workspace is. */
export interface PathInfo {
  type: "file" | "directory" | "other";
  size: number;
}

/** One entry of a directory listing; `path` is relative to the listed directory. */
export interface DirectoryEntry {
  path: string;
  type: "file" | "directory" | "symlink" | "other";
}

/**
 * Where an agent's commands run: a Docker container or a local process, with the repository
 * at `workdir`. Paths given to the file methods are relative to `workdir` (or absolute inside
 * it); anything that resolves outside the workspace, through `..` or a symlink, is refused.
 */
export interface Sandbox {
  readonly kind: "docker" | "local";
  /** The repository's directory as commands in the sandbox see it. */
  readonly workdir: string;
  /** The workspace directory on the host (a git working tree). */
  readonly hostWorkdir: string;
  /** One paragraph for prompts: what the sandbox is, its OS, tools and limits. */
  readonly description: string;
  exec(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult>;
  readFile(path: string): Promise<Buffer>;
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Removes a file (not a directory). */
  removeFile(path: string): Promise<void>;
  /** Undefined when nothing is at the path. */
  stat(path: string): Promise<PathInfo | undefined>;
  listDirectory(path: string, depth: number): Promise<DirectoryEntry[]>;
  /** Resolves a user path to its form inside the sandbox (for messages), refusing escapes. */
  resolvePath(path: string): Promise<string>;
  dispose(): Promise<void>;
}
