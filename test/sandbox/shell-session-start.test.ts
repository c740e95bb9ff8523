import { spawn } from "node:child_process";
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ShellSession, type ShellHost, type ShellProcess } from "../../src/sandbox/shell-session.js";

/** A bash process as a ShellProcess; `script` replaces the interactive shell (e.g. one that exits at once). */
function spawnShell(cwd: string, args: string[]): ShellProcess {
  // Its own process group, as the sandboxes start theirs: the session signals the group.
  const child = spawn("bash", args, { cwd, stdio: ["pipe", "pipe", "pipe"], detached: true });
  child.stdin.on("error", () => {});
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
  return {
    stdin: child.stdin,
    stdout: child.stdout,
    stderr: child.stderr,
    exited,
    kill: async () => {
      child.kill("SIGKILL");
      await exited;
    },
    poll: async () => (child.exitCode === null && child.signalCode === null ? "running" : child.exitCode),
  };
}

/** A host whose first `failures` shells exit at once (as `docker exec` does at a container's process limit). */
function flakyHost(cwd: string, failures: number): ShellHost & { starts: number } {
  const host = {
    starts: 0,
    startShell: async () => {
      host.starts += 1;
      return spawnShell(cwd, host.starts <= failures ? ["-c", "echo 'fork: Resource temporarily unavailable' >&2; exit 126"] : ["--noprofile", "--norc"]);
    },
    killCommandTree: async () => {},
    killShell: async () => {},
  };
  return host;
}

describe("ShellSession.start", () => {
  it("starts the shell again when it exits while starting, and then runs commands", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "shell-start-"));
    const host = flakyHost(cwd, 2);
    const session = new ShellSession(host, { workdir: cwd, defaultTimeoutMs: 10_000, outputLimitBytes: 100_000 });
    const result = await session.run({ command: "echo alive" });
    expect(result.stdout.trim()).toBe("alive");
    expect(host.starts).toBe(3);
    await session.dispose();
  });

  it("gives up with the shell's own words after its attempts", async () => {
    const cwd = await mkdtemp(join(tmpdir(), "shell-start-"));
    const host = flakyHost(cwd, 99);
    const session = new ShellSession(host, { workdir: cwd, defaultTimeoutMs: 10_000, outputLimitBytes: 100_000 });
    await expect(session.start()).rejects.toThrow("The shell exited while starting: fork: Resource temporarily unavailable");
    expect(host.starts).toBe(4);
    await session.dispose();
  });
});
