import { readdir, readFile, statfs } from "node:fs/promises";
import type { CommandWatch } from "./shell-session.js";

/** What one command may use before the sandbox stops it. */
export interface CommandLimits {
  /** Processes that may run in the sandbox while a command runs (its own, its children's, background jobs). */
  processes: number;
  /** Megabytes a command may take from the disks it can write. */
  diskMb: number;
}

/** How a sandbox counts its processes, and the host paths whose free space its commands use up. */
export interface CommandWatchSources {
  /** The processes running in the sandbox, given the session shell's pid. */
  countProcesses?: (shellPid: number) => Promise<number | undefined>;
  /** Host directories on the file systems a command writes to (the workspace, the engine's storage). */
  diskPaths: readonly string[];
}

const MB = 1024 * 1024;

async function freeBytes(path: string): Promise<number | undefined> {
  try {
    const stats = await statfs(path);
    return Number(stats.bavail) * Number(stats.bsize);
  } catch {
    return undefined;
  }
}

/**
 * Returns the watch the shell session starts for each command: the processes running in the
 * sandbox while it runs, and the disk space it takes on each file system it can write; past
 * a limit, `check` says why the command is stopped (a fork bomb, a disk filler). A memory hog
 * needs no watch: the container's memory limit kills it, and the result says so.
 */
export function createCommandWatch(sources: CommandWatchSources, limits: CommandLimits): (shellPid: number) => Promise<CommandWatch> {
  return async (shellPid) => {
    // Free space is cheap to read before the command; the process count is not (an engine round
    // trip), so it is compared with the budget as a whole, background jobs included.
    const freeBefore = await Promise.all(sources.diskPaths.map(freeBytes));
    return {
      async check() {
        if (sources.countProcesses) {
          const now = await sources.countProcesses(shellPid).catch(() => undefined);
          if (now !== undefined && now > limits.processes) {
            return `it started more than ${limits.processes} processes (a fork bomb, or a runaway parallel job): the sandbox allows ${limits.processes} per command`;
          }
        }
        for (const [index, path] of sources.diskPaths.entries()) {
          const before = freeBefore[index];
          const now = before === undefined ? undefined : await freeBytes(path);
          if (before !== undefined && now !== undefined && (before - now) / MB > limits.diskMb) {
            return `it wrote more than ${limits.diskMb} MB (the sandbox allows ${limits.diskMb} MB per command); delete the files it made that you do not need`;
          }
        }
        return undefined;
      },
    };
  };
}

/** The number of live processes in a session (Linux /proc), for the local sandbox, whose shell leads its own session. */
export async function countSessionProcesses(sessionId: number): Promise<number | undefined> {
  let names: string[];
  try {
    names = (await readdir("/proc")).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  let count = 0;
  for (const name of names) {
    const stat = await readFile(`/proc/${name}/stat`, "utf8").catch(() => "");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (fields[0] !== "Z" && Number(fields[3]) === sessionId) count += 1;
  }
  return count;
}
