import { randomBytes } from "node:crypto";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { SandboxError } from "../errors.js";
import { KILL_TREE_SCRIPT } from "./kill-tree-script.js";

/** What the warden is asked to stop: the running command, or the whole shell (see KILL_TREE_SCRIPT). */
export type WardenTarget = "command" | "shell";

/**
 * The warden's loop: one request per line (`NONCE SHELL_PID MODE`), answered with `NONCE COUNT`.
 * It forks nothing (the kill-tree is bash builtins), so it works while a fork bomb holds the
 * container at its process limit, when no new process (a `docker exec`) could start.
 */
const WARDEN_SCRIPT = [
  "kill_tree() {",
  KILL_TREE_SCRIPT,
  "}",
  "while read -r nonce pid mode; do",
  "  printf '%s ' \"$nonce\"",
  // A shell being replaced may have frozen its user's processes in its reaping: continue them.
  "  if [ \"$mode\" = shell ]; then kill_tree \"$pid\" shell thaw; else kill_tree \"$pid\" command; fi",
  "done",
].join("\n");

interface RunningWarden {
  stdin: NodeJS.WritableStream;
  /** Resolves the pending request whose nonce starts the line. */
  waiters: Map<string, (count: number) => void>;
  ended: Promise<void>;
}

/**
 * A process in the sandbox container, started with it, that stops what the session shell runs.
 * It runs as the container's root with one capability, KILL (the commands' user has none), so
 * it can signal the sandbox user's processes while that user cannot signal it: a command's
 * `kill -9 -1` or the shell's reaping (which freezes every process of its user) leave it alone.
 * A killer started per request would need a free process slot, which a fork bomb takes.
 * If the warden ends (the engine dropped the stream), the next request starts a new one.
 */
export class ContainerWarden {
  private running: Promise<RunningWarden> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly docker: Docker,
    private readonly container: Docker.Container,
  ) {}

  /** Starts the warden now (a command may fill the process table before it is first needed). */
  async start(): Promise<void> {
    await this.ensure();
  }

  /** Stops the target of the shell with this pid; resolves with the number of processes killed. */
  stop(shellPid: number, target: WardenTarget): Promise<number> {
    const result = this.queue.then(() => this.request(shellPid, target));
    this.queue = result.catch(() => {});
    return result;
  }

  /** Ends the warden (the container is going away). */
  async dispose(): Promise<void> {
    const running = await this.running?.catch(() => undefined);
    this.running = undefined;
    running?.stdin.end();
  }

  private async request(shellPid: number, target: WardenTarget): Promise<number> {
    const warden = await this.ensure();
    const nonce = `__warden_${randomBytes(6).toString("hex")}`;
    const answered = new Promise<number>((resolve) => warden.waiters.set(nonce, resolve));
    warden.stdin.write(`${nonce} ${shellPid} ${target}\n`);
    const ended = warden.ended.then(() => {
      throw new SandboxError("The sandbox's process warden ended before it answered.");
    });
    try {
      return await Promise.race([answered, ended]);
    } finally {
      warden.waiters.delete(nonce);
    }
  }

  private ensure(): Promise<RunningWarden> {
    this.running ??= this.launch().catch((error: unknown) => {
      this.running = undefined;
      throw error;
    });
    return this.running;
  }

  private async launch(): Promise<RunningWarden> {
    const exec = await this.container.exec({
      Cmd: ["bash", "--noprofile", "--norc", "-c", WARDEN_SCRIPT],
      User: "0:0",
      AttachStdin: true,
      AttachStdout: true,
      AttachStderr: true,
      Tty: false,
    });
    const stream = await exec.start({ hijack: true, stdin: true });
    const stdout = new PassThrough();
    this.docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
    const waiters = new Map<string, (count: number) => void>();
    let buffered = "";
    stdout.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      let newline: number;
      while ((newline = buffered.indexOf("\n")) >= 0) {
        const [nonce, count] = buffered.slice(0, newline).trim().split(/\s+/);
        buffered = buffered.slice(newline + 1);
        if (nonce) waiters.get(nonce)?.(Number(count) || 0);
      }
    });
    const launched = this.running;
    const ended = new Promise<void>((resolve) => {
      const end = (): void => {
        // The next request starts a new warden (unless one was started already).
        if (this.running === launched) this.running = undefined;
        resolve();
      };
      stream.once("end", end);
      stream.once("close", end);
      stream.once("error", end);
    });
    stream.on("error", () => {});
    return { stdin: stream, waiters, ended };
  }
}
