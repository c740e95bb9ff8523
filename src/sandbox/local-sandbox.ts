import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { SandboxError } from "../errors.js";
import { countSessionProcesses, createCommandWatch } from "./command-watch.js";
import { KILL_TREE_SCRIPT } from "./kill-tree-script.js";
import type { ExecRequest, ExecResult, Sandbox } from "./sandbox.js";
import { baseSandboxEnvironment, SANDBOX_DEFAULTS } from "./sandbox-environment.js";
import { ShellSession, type ShellHost, type ShellProcess } from "./shell-session.js";
import { WorkspaceFiles, workspaceFileMethods } from "./workspace-files.js";

/** Settings of a local sandbox. */
export interface LocalSandboxOptions {
  /** The workspace on the host (a git working tree made for the run). */
  hostWorkdir: string;
  /** PATH for commands (the host's, since the tools are the host's). */
  path: string;
  /** Extra environment variables, passed explicitly. */
  env?: Record<string, string>;
  commandTimeoutMs?: number;
  outputLimitBytes?: number;
  /** Megabytes one command may write to the workspace's and the temporary directory's file systems. */
  diskMb?: number;
  /** Processes one command may start before it is stopped. */
  processesPerCommand?: number;
}

function startLocalShell(cwd: string, env: Record<string, string>): Promise<ShellProcess> {
  const child = spawn("bash", ["--noprofile", "--norc"], { cwd, env, stdio: ["pipe", "pipe", "pipe"], detached: true });
  return new Promise((resolve, reject) => {
    child.once("error", (error) => reject(new SandboxError(`Cannot start bash: ${error.message}. Is bash installed?`, { cause: error })));
    child.once("spawn", () => {
      const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
      child.stdin.on("error", () => {});
      resolve({
        stdin: child.stdin,
        stdout: child.stdout,
        stderr: child.stderr,
        exited,
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) {
            try {
              process.kill(-child.pid!, "SIGKILL");
            } catch {
              child.kill("SIGKILL");
            }
          }
          await exited;
        },
        poll: async () => (child.exitCode === null && child.signalCode === null ? "running" : child.exitCode),
      });
    });
  });
}

function runKillTree(shellPid: number, mode: "command" | "shell", env: Record<string, string>): Promise<void> {
  return new Promise((resolve) => {
    const killer = spawn("bash", ["-c", KILL_TREE_SCRIPT, "kill-tree", String(shellPid), mode], { env, stdio: "ignore" });
    killer.once("error", () => resolve());
    killer.once("close", () => resolve());
  });
}

/**
 * The sandbox for machines without Docker: the same interface on the host, in the run's own
 * working tree, with timeouts and output caps. It is NOT isolated: commands run as the current
 * user with full access to the host and the network. The CLI says so and asks before using it.
 */
export async function createLocalSandbox(options: LocalSandboxOptions): Promise<Sandbox> {
  const files = new WorkspaceFiles({ hostRoot: options.hostWorkdir, workdir: options.hostWorkdir });
  const home = await mkdtemp(join(tmpdir(), "agent-home-"));
  const env = { ...baseSandboxEnvironment(home, options.path), ...options.env };
  const host: ShellHost = {
    startShell: () => startLocalShell(files.hostRoot, env),
    killCommandTree: (shellPid) => runKillTree(shellPid, "command", env),
    killShell: (shellPid) => runKillTree(shellPid, "shell", env),
  };
  const session = new ShellSession(host, {
    workdir: files.hostRoot,
    watch: createCommandWatch(
      { countProcesses: countSessionProcesses, diskPaths: [files.hostRoot, tmpdir()] },
      { processes: options.processesPerCommand ?? 512, diskMb: options.diskMb ?? 2048 },
    ),
    defaultTimeoutMs: options.commandTimeoutMs ?? SANDBOX_DEFAULTS.commandTimeoutMs,
    outputLimitBytes: options.outputLimitBytes ?? SANDBOX_DEFAULTS.outputLimitBytes,
  });
  return {
    kind: "local",
    workdir: files.hostRoot,
    hostWorkdir: files.hostRoot,
    description:
      `A local shell on the host (${process.platform}) in ${files.hostRoot}, running as ${userInfo().username}. ` +
      "It is NOT isolated: commands can reach the whole machine and the network. Commands run in one persistent bash " +
      "session (cd and export persist), with a time limit per command and long output shortened to its head and tail.",
    exec: (request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> => session.run(request, signal),
    ...workspaceFileMethods(files),
    dispose: async () => {
      await session.dispose();
      await rm(home, { recursive: true, force: true });
    },
  };
}
