import { spawn } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../cli/run-cli.js";

/** The repository root, for locating bin/agent.js. */
export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");

/** What a CLI run printed and returned. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** A temporary home and project directory, so no test reads the developer's own configuration. */
export interface CliSandbox {
  home: string;
  project: string;
  env: Record<string, string>;
}

/** Makes an empty home and an empty git-marked project directory. */
export async function createCliSandbox(): Promise<CliSandbox> {
  const root = await mkdtemp(join(tmpdir(), "agent-cli-"));
  const home = join(root, "home");
  const project = join(root, "project");
  await mkdir(join(project, ".git"), { recursive: true });
  await mkdir(home, { recursive: true });
  return { home, project, env: { HOME: home, PATH: process.env["PATH"] ?? "" } };
}

/** Writes a JSON file, creating its directory. */
export async function writeJson(path: string, value: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof value === "string" ? value : JSON.stringify(value, null, 2));
}

/** Runs the CLI in-process with captured output; `confirm` plays the person at the terminal. */
export async function runInProcess(
  args: string[],
  sandbox: CliSandbox,
  env: Record<string, string> = {},
  confirm?: (question: string) => Promise<boolean>,
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(args, {
    io: { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) } },
    env: { ...sandbox.env, ...env },
    cwd: sandbox.project,
    homeDir: sandbox.home,
    signal: new AbortController().signal,
    ...(confirm ? { confirm } : {}),
  });
  return { code, stdout, stderr };
}

/** A spawned `agent` process, for tests of the real binary (exit codes, signals). */
export interface SpawnedCli {
  pid: number;
  result: Promise<CliRun & { signal: NodeJS.Signals | null }>;
  kill(signal: NodeJS.Signals): void;
  output(): string;
}

/** Spawns bin/agent.js with only the given environment (never the developer's). */
export function spawnAgent(args: string[], sandbox: CliSandbox, env: Record<string, string> = {}): SpawnedCli {
  const child = spawn(process.execPath, [join(projectRoot, "bin/agent.js"), ...args], {
    cwd: sandbox.project,
    env: { ...sandbox.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const result = new Promise<CliRun & { signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? -1, signal, stdout, stderr }));
  });
  return { pid: child.pid!, result, kill: (signal) => child.kill(signal), output: () => stdout + stderr };
}

/**
 * The process's result, or a failure within `ms` that shows what it printed and whether it is
 * still alive (a hang shows where it stopped, instead of the test's bare timeout).
 */
export async function resultWithin(agent: SpawnedCli, ms: number): Promise<CliRun & { signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      let alive = true;
      try {
        process.kill(agent.pid, 0);
      } catch {
        alive = false;
      }
      reject(new Error(`agent (pid ${agent.pid}) did not finish within ${ms} ms; ${alive ? "it is still running" : "it exited, but its output pipes stayed open (a child holds them)"}. Its output:\n${agent.output()}`));
    }, ms);
  });
  try {
    return await Promise.race([agent.result, late]);
  } finally {
    clearTimeout(timer);
  }
}
