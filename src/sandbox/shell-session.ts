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

/** Watches one running command for what the sandbox does not allow; `check` says why to stop it, or nothing. */
export interface CommandWatch {
  check(): Promise<string | undefined>;
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
  /** How often to check that the shell is alive (and the watch) while a command runs. */
  livenessIntervalMs?: number;
  /** True in a container of its own: reaping may freeze every process of the sandbox's user while it works. */
  isolated?: boolean;
  /** Starts a watch of each command (its processes, what it writes), given the shell's pid; none by default. */
  watch?: (shellPid: number) => Promise<CommandWatch | undefined>;
}

/**
 * Defines the runner in the shell. Each command arrives base64-encoded on one line, is decoded
 * and eval'd in the shell itself (so `cd` and `export` persist) with stdin from /dev/null (a
 * command that reads stdin gets EOF instead of eating the protocol), then its exit status is
 * printed after a per-command nonce on both streams, with the number of processes it left
 * running. The shell runs with job control on (`set -m`, in its own session), so every job gets
 * its own process group: when a command returns, every process of the session it left behind
 * (a `&` job, a daemon, a fork bomb's orphans) is stopped, by walking /proc for the session id,
 * except the background jobs the model asked for (`__agent_background`, registered by process
 * group). In an isolated sandbox (a container, `isolated`), every process of the sandbox's user
 * is frozen first (`kill -STOP -1`) and thawed after, so a fork bomb cannot outrun the reaping;
 * never on the host, where that would freeze the user's own programs. After each command, shell
 * functions that shadow what the runner uses (`:`, `printf`, `kill`, a fork bomb's favourite) are
 * removed, so a command cannot break the next one. On a timeout the killer
 * sends SIGINT to the shell: while a command runs, that returns
 * from the eval (so the rest of the command script does not run on after its processes are
 * killed); between commands SIGINT is ignored. Where /proc is missing (macOS) nothing is reaped.
 */
const SESSION_SETUP = [
  "set +o history 2>/dev/null",
  "set -m",
  "trap '' INT",
  "__agent_bg_file=\"/tmp/.agent-bg.$$\"",
  "__agent_exec() {",
  "  trap 'trap \"\" INT; return 130' INT",
  "  eval \"$(printf %s \"$1\" | command -p base64 -d)\" < /dev/null",
  "}",
  "__agent_reap() {",
  "  local line rest sid f pid round",
  "  local -A keep=() seen=()",
  "  __agent_reaped=0",
  "  if [ -r \"$__agent_bg_file\" ]; then while IFS=$'\\t' read -r pid _; do keep[$pid]=1; done < \"$__agent_bg_file\"; fi",
  "  { read -r line < /proc/$$/stat; } 2>/dev/null || return 0",
  "  rest=${line##*) }; set -- $rest; sid=$4",
  "  for round in {1..30}; do",
  "    [ -n \"${__agent_isolated:-}\" ] && kill -STOP -1 2>/dev/null",
  "    local victims=()",
  "    for f in /proc/[0-9]*/stat; do",
  "      { read -r line < \"$f\"; } 2>/dev/null || continue",
  "      pid=${line%% *}; rest=${line##*) }; set -- $rest",
  "      [ \"$1\" != Z ] && [ \"$4\" = \"$sid\" ] && [ \"$pid\" != \"$$\" ] && [ -z \"${keep[$3]:-}\" ] && victims+=(\"$pid\")",
  "    done",
  "    [ ${#victims[@]} -eq 0 ] && break",
  "    for pid in \"${victims[@]}\"; do [ -n \"${seen[$pid]:-}\" ] || { seen[$pid]=1; __agent_reaped=$((__agent_reaped + 1)); }; done",
  "    kill -STOP \"${victims[@]}\" 2>/dev/null",
  "    kill -KILL \"${victims[@]}\" 2>/dev/null",
  "  done",
  "  [ -n \"${__agent_isolated:-}\" ] && kill -CONT -1 2>/dev/null",
  "  return 0",
  "}",
  "__agent_background() {",
  "  mkdir -p \"${2%/*}\"",
  "  ( trap - INT; eval \"$(printf %s \"$1\" | command -p base64 -d)\" ) > \"$2\" 2>&1 < /dev/null &",
  "  local pid=$!",
  "  printf '%s\\t%s\\t%s\\n' \"$pid\" \"$2\" \"$3\" >> \"$__agent_bg_file\"",
  "  printf 'Started in the background as process group %s; its output goes to %s. List or stop background jobs with background_jobs.\\n' \"$pid\" \"$2\"",
  "}",
  "__agent_jobs() {",
  "  [ -s \"$__agent_bg_file\" ] || { echo \"No background jobs.\"; return 0; }",
  "  local pid log label state",
  "  while IFS=$'\\t' read -r pid log label; do",
  "    if kill -0 -- \"-$pid\" 2>/dev/null; then state=running; else state=ended; fi",
  "    printf '%s  %s  %s  %s\\n' \"$pid\" \"$state\" \"$log\" \"$label\"",
  "  done < \"$__agent_bg_file\"",
  "}",
  "__agent_jobs_stop() {",
  "  local pid log label found= stopped_log=",
  "  kill -TERM -- \"-$1\" 2>/dev/null",
  "  for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 -- \"-$1\" 2>/dev/null || break; sleep 0.2; done",
  "  kill -KILL -- \"-$1\" 2>/dev/null",
  "  [ -r \"$__agent_bg_file\" ] || { echo \"There is no background job $1.\"; return 1; }",
  "  while IFS=$'\\t' read -r pid log label; do",
  "    if [ \"$pid\" = \"$1\" ]; then found=1; stopped_log=$log; else printf '%s\\t%s\\t%s\\n' \"$pid\" \"$log\" \"$label\"; fi",
  "  done < \"$__agent_bg_file\" > \"$__agent_bg_file.next\"",
  "  mv -f \"$__agent_bg_file.next\" \"$__agent_bg_file\"",
  "  if [ -n \"$found\" ]; then echo \"Stopped background job $1; its output stays in $stopped_log.\"; else echo \"There is no background job $1.\"; return 1; fi",
  "}",
  "__agent_run() {",
  "  > \"/tmp/.agent-jobs.$$\"",
  "  if [ -r \"$__agent_bg_file\" ]; then while IFS=$'\\t' read -r __agent_pid _; do echo \"$__agent_pid\"; done < \"$__agent_bg_file\" > \"/tmp/.agent-jobs.$$\"; fi",
  "  __agent_exec \"$1\"",
  "  __agent_status=$?",
  "  builtin unset -f : true false echo printf read kill local set trap test [ mkdir mv base64 cat command unset 2>/dev/null",
  "  trap '' INT",
  "  __agent_reap",
  "  printf '%s %d %d\\n' \"$2\" \"$__agent_status\" \"$__agent_reaped\"",
  "  printf '%s %d %d\\n' \"$2\" \"$__agent_status\" \"$__agent_reaped\" >&2",
  "}",
  "mkdir -p \"$HOME\" 2>/dev/null",
  "printf '%s %d\\n' \"$__AGENT_READY\" \"$$\"",
].join("\n");

/** Quotes a string for bash. */
export function shellQuote(value: string): string {
  return `'${value.replaceAll("'", "'\\''")}'`;
}

let backgroundJobs = 0;

/** The line the shell runs for one request: the command, or the start of a background job with it. */
function runnerArgument(request: ExecRequest): string {
  const script = Buffer.from(commandScript(request)).toString("base64");
  if (!request.background) return script;
  backgroundJobs += 1;
  const label = request.command.replace(/\s+/g, " ").trim().slice(0, 120);
  const starter = `__agent_background ${script} "$HOME/.agent-jobs/job-${backgroundJobs}.log" ${shellQuote(label)}`;
  return Buffer.from(starter).toString("base64");
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

const SHELL_EXITED_WHILE_STARTING = "The shell exited while starting";
/** Tries at starting the shell, and the pause before the first retry (doubled for each next one). */
const START_ATTEMPTS = 4;
const START_RETRY_MS = 250;

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

  /**
   * Starts the shell; called lazily by `run` too. A shell that exits while starting is started
   * again after a pause (up to START_ATTEMPTS times): right after a fork bomb is stopped, the
   * container may still be at its process limit for a moment, and a new process cannot start.
   */
  async start(): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.startOnce();
        return;
      } catch (error) {
        const exitedWhileStarting = error instanceof SandboxError && error.message.startsWith(SHELL_EXITED_WHILE_STARTING);
        if (!exitedWhileStarting || attempt >= START_ATTEMPTS || this.disposed) throw error;
        await new Promise((resolve) => setTimeout(resolve, START_RETRY_MS * 2 ** (attempt - 1)));
      }
    }
  }

  private async startOnce(): Promise<void> {
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
      void shell.exited.then(() => reject(new SandboxError(`${SHELL_EXITED_WHILE_STARTING}: ${stderrText.trim() || "no output"}`)));
    });
    // Awaited below; a rejection before then (the shell ends during the write) must not go unhandled.
    ready.catch(() => {});
    shell.stdin.write(`__AGENT_READY=${nonce}\n${this.options.isolated ? "__agent_isolated=1\n" : ""}${SESSION_SETUP}\n`);
    try {
      this.shellPid = await ready;
    } catch (error) {
      // Not a shell to reuse: the next start begins afresh.
      this.shell = undefined;
      throw error;
    }
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
    // The watch's baseline is taken before the command starts, so a fast fork bomb is measured from zero.
    const watch = request.background ? undefined : await this.options.watch?.(this.shellPid).catch(() => undefined);
    if (signal?.aborted) throw new AbortedError();
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

    shell.stdin.write(`__agent_run ${runnerArgument(request)} ${nonce}\n`);

    const timeoutMs = request.timeoutMs ?? this.options.defaultTimeoutMs;
    let timedOut = false;
    let aborted = false;
    // Stopping runs once, and the command's result waits for it: a killer still at work must never reach the next command.
    // A watch check that answers after the command returned must not stop the next one.
    let stopping: Promise<void> | undefined;
    let over = false;
    let shellKilled = false;
    const interrupt = (): Promise<void> => (over ? Promise.resolve() : (stopping ??= stop()));
    const stop = async (): Promise<void> => {
      await bounded(this.host.killCommandTree(this.shellPid).catch(() => {}), KILLER_LIMIT_MS);
      const graceful = await Promise.race([
        finished.then(() => true),
        delay(this.options.killGraceMs ?? 3_000).then(() => false),
      ]);
      if (!graceful && !this.lost) {
        // The shell itself is busy (a builtin loop): kill it; the next command gets a new shell.
        await bounded(this.host.killShell(this.shellPid).catch(() => {}), KILLER_LIMIT_MS);
        shellKilled = true;
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
    let stoppedBecause: string | undefined;
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
      if (watch && stoppedBecause === undefined && !timedOut) {
        void watch.check().then((reason) => {
          if (reason === undefined || stoppedBecause !== undefined || timedOut) return;
          stoppedBecause = reason;
          void interrupt();
        }, () => {});
      }
    }, this.options.livenessIntervalMs ?? 1_000);
    signal?.addEventListener("abort", onAbort, { once: true });
    try {
      await finished;
      over = true;
      await stopping;
    } finally {
      over = true;
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
      // What the lost shell started (its background jobs, orphans) is stopped: the next shell could not reach it.
      if (!shellKilled) await bounded(this.host.killShell(this.shellPid).catch(() => {}), KILLER_LIMIT_MS);
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
      strayProcessesStopped: out.markerCount ?? err.markerCount ?? 0,
      ...(stoppedBecause ? { stoppedBecause } : {}),
    };
  }
}

/** The longest a killer (a second `docker exec`) is waited for; a stuck engine must not hang the command's result. */
const KILLER_LIMIT_MS = 30_000;

function bounded(work: Promise<void>, ms: number): Promise<void> {
  return Promise.race([work, delay(ms)]);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref?.());
}
