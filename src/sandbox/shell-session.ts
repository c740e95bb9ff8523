import { randomBytes } from "node:crypto";
import type { Readable, Writable } from "node:stream";
import { AbortedError, SandboxError } from "../errors.js";
import { HeadTailBuffer, MarkerScanner } from "./output-capture.js";
import type { ExecRequest, ExecResult } from "./sandbox.js";

/** A running bash process: its three standard streams and how to end it. */
export interface ShellProcess {
  stdin: Writable;
  stdout: Readable;
  stderr: Readable;
  /** Settles with the exit status (null when unknown) once the process has ended and its streams are closed. */
  exited: Promise<number | null>;
  /** Ends the process at once. */
  kill(): Promise<void>;
  /**
   * "running" while the shell process runs, else its exit status (null when unknown). Polled
   * while a command runs, because `exited` may not settle when the shell ends: a background
   * process it started can keep its output pipes open.
   */
  poll(): Promise<number | null | "running">;
}

/** What a session needs from its sandbox: a way to start bash, and an out-of-band process killer. */
export interface ShellHost {
  startShell(): Promise<ShellProcess>;
  /** Kills the running command's processes and interrupts the shell (see KILL_TREE_SCRIPT). */
  killCommandTree(shellPid: number): Promise<void>;
  /** Kills the shell process itself (when it is stuck in a builtin loop). */
  killShell(shellPid: number): Promise<void>;
}

/** Settings of a session. */
export interface ShellSessionOptions {
  /** Directory the shell starts in (and returns to after a restart). */
  workdir: string;
  defaultTimeoutMs: number;
  /** Output kept per stream: half head, half tail. */
  outputLimitBytes: number;
  /** How long to wait for the shell to finish a command after its processes were killed. */
  killGraceMs?: number;
  /** How often to check that the shell is alive while a command runs. */
  livenessIntervalMs?: number;
}

/**
 * Defines the runner in the shell. Each command arrives base64-encoded on one line, is decoded
 * and eval'd in the shell itself (so `cd` and `export` persist) with stdin from /dev/null (a
 * command that reads stdin gets EOF instead of eating the protocol), then its exit status is
 * printed after a per-command nonce on both streams. Before each command the pids of running
 * background jobs are written down, so a timeout spares them. On a timeout the killer sends SIGINT to
 * the shell: while a command runs, that returns from the eval (so the rest of the command
 * script does not run on after its processes are killed); between commands SIGINT is ignored.
 */
const SESSION_SETUP = [
  "set +o history 2>/dev/null",
  "trap '' INT",
  "__agent_exec() {",
  "  trap 'trap \"\" INT; return 130' INT",
  '  eval "$(printf %s "$1" | base64 -d)" < /dev/null',
  "}",
  "__agent_run() {",
  '  jobs -p > "/tmp/.agent-jobs.$$" 2>/dev/null',
  '  __agent_exec "$1"',
  "  local __agent_status=$?",
  "  trap '' INT",
  '  printf "%s %d\\n" "$2" "$__agent_status"',
  '  printf "%s %d\\n" "$2" "$__agent_status" >&2',
  "}",
  'mkdir -p "$HOME" 2>/dev/null',
  'printf "%s %d\\n" "$__AGENT_READY" "$$"',
].join("\n");

/** Quotes a string for bash. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

/** The script for one request: in a subshell when it has its own cwd or env, so the session is untouched. */
function commandScript(request: ExecRequest): string {
  if (request.cwd === undefined && request.env === undefined) return request.command;
  const exports = Object.entries(request.env ?? {}).map(([name, value]) => {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new SandboxError(`Invalid environment variable name: ${name}`);
    return `export ${name}=${shellQuote(value)}`;
  });
  const cd = request.cwd === undefined ? [] : [`cd -- ${shellQuote(request.cwd)} || exit 1`];
  return `(\n${[...cd, ...exports].join("\n")}\n${request.command}\n)`;
}

interface RunningCommand {
  onStdout(chunk: Buffer): void;
  onStderr(chunk: Buffer): void;
  settle(): void;
}

/**
 * One long-lived bash process driven over its standard streams: a command costs a write and a
 * read, not a new process or `docker exec`. Commands run one at a time. A timeout kills the
 * command's whole process tree; if the shell itself is lost (it exited, or was stuck), a new one
 * is started in `workdir` and the result says so.
 */
export class ShellSession {
  private shell: ShellProcess | undefined;
  private shellPid = 0;
  private running: RunningCommand | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lost = false;
  private lostStatus: number | null = null;

  constructor(
    private readonly host: ShellHost,
    private readonly options: ShellSessionOptions,
  ) {}

  /** Starts the shell; called lazily by `run` too. */
  async start(): Promise<void> {
    if (this.shell && !this.lost) return;
    const shell = await this.host.startShell();
    const nonce = `__agent_ready_${randomBytes(8).toString("hex")}`;
    this.shell = shell;
    this.lost = false;
    const ready = new Promise<number>((resolve, reject) => {
      const scanner = new MarkerScanner(nonce, () => {});
      const onData = (chunk: Buffer): void => {
        scanner.push(chunk);
        if (scanner.done) {
          shell.stdout.off("data", onData);
          resolve(scanner.exitStatus!);
        }
      };
      let stderrText = "";
      shell.stderr.on("data", (chunk: Buffer) => (stderrText += chunk.toString()));
      shell.stdout.on("data", onData);
      void shell.exited.then(() => reject(new SandboxError(`The shell exited while starting: ${stderrText.trim() || "no output"}`)));
    });
    shell.stdin.write(`__AGENT_READY=${nonce}\n${SESSION_SETUP}\n`);
    this.shellPid = await ready;
    shell.stdout.removeAllListeners("data");
    shell.stderr.removeAllListeners("data");
    shell.stdout.on("data", (chunk: Buffer) => this.running?.onStdout(chunk));
    shell.stderr.on("data", (chunk: Buffer) => this.running?.onStderr(chunk));
    void shell.exited.then((status) => {
      if (this.shell === shell) {
        this.lost = true;
        this.lostStatus = status;
      }
      this.running?.settle();
    });
  }

  /** Runs a command in the session (serialised with other commands). */
  run(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> {
    const result = this.queue.then(() => this.runNow(request, signal));
    this.queue = result.catch(() => {});
    return result;
  }

  /** Ends the shell. */
  async dispose(): Promise<void> {
    this.disposed = true;
    const shell = this.shell;
    this.shell = undefined;
    if (shell) await shell.kill().catch(() => {});
  }

  private async runNow(request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> {
    if (this.disposed) throw new SandboxError("The sandbox has been disposed.");
    if (signal?.aborted) throw new AbortedError();
    let sessionRestarted = false;
    await this.start();
    const shell = this.shell!;
    const started = Date.now();
    const nonce = `__agent_done_${randomBytes(8).toString("hex")}`;
    const limit = request.outputLimitBytes ?? this.options.outputLimitBytes;
    const stdout = new HeadTailBuffer(limit);
    const stderr = new HeadTailBuffer(limit);
    let settle!: () => void;
    const finished = new Promise<void>((resolve) => (settle = resolve));
    const out = new MarkerScanner(nonce, (chunk) => stdout.push(chunk));
    const err = new MarkerScanner(nonce, (chunk) => stderr.push(chunk));
    const check = (): void => {
      if ((out.done && err.done) || this.lost) settle();
    };
    this.running = {
      onStdout: (chunk) => {
        out.push(chunk);
        check();
      },
      onStderr: (chunk) => {
        err.push(chunk);
        check();
      },
      settle,
    };

    const script = Buffer.from(commandScript(request)).toString("base64");
    shell.stdin.write(`__agent_run ${script} ${nonce}\n`);

    const timeoutMs = request.timeoutMs ?? this.options.defaultTimeoutMs;
    let timedOut = false;
    let aborted = false;
    const interrupt = async (): Promise<void> => {
      await this.host.killCommandTree(this.shellPid).catch(() => {});
      const graceful = await Promise.race([
        finished.then(() => true),
        delay(this.options.killGraceMs ?? 3_000).then(() => false),
      ]);
      if (!graceful && !this.lost) {
        // The shell itself is busy (a builtin loop): kill it; the next command gets a new shell.
        await this.host.killShell(this.shellPid).catch(() => {});
        await shell.kill().catch(() => {});
        this.lost = true;
        this.lostStatus = null;
        settle();
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      void interrupt();
    }, timeoutMs);
    const onAbort = (): void => {
      aborted = true;
      void interrupt();
    };
    const liveness = setInterval(() => {
      void shell.poll().then((status) => {
        if (status !== "running" && this.shell === shell && !this.lost) {
          this.lost = true;
          this.lostStatus = status;
          settle();
        }
      });
    }, this.options.livenessIntervalMs ?? 1_000);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await finished;
    } finally {
      clearTimeout(timer);
      clearInterval(liveness);
      signal?.removeEventListener("abort", onAbort);
      this.running = undefined;
    }
    if (!out.done) out.flush();
    if (!err.done) err.flush();
    if (this.lost) {
      sessionRestarted = true;
      this.shell = undefined;
      await shell.kill().catch(() => {});
    }
    if (aborted) throw new AbortedError();
    return {
      exitCode: this.lost ? this.lostStatus : (out.exitStatus ?? err.exitStatus ?? null),
      stdout: stdout.toText(),
      stderr: stderr.toText(),
      timedOut,
      truncated: stdout.omittedBytes + stderr.omittedBytes > 0,
      omittedBytes: stdout.omittedBytes + stderr.omittedBytes,
      durationMs: Date.now() - started,
      sessionRestarted,
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
