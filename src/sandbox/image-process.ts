import { spawn } from "node:child_process";
import { AbortedError } from "../errors.js";

/** How many trailing output lines a failure message quotes. */
export const TAIL_LINES = 20;

/** Splits a byte stream into lines (without the newline) and keeps the last `TAIL_LINES` of them. */
export class LineCollector {
  private partial = "";
  private readonly lines: string[] = [];

  constructor(private readonly onLine: (line: string) => void = () => {}) {}

  /** Feeds a chunk; every complete line goes to `onLine`. Carriage returns end a line too. */
  write(chunk: Buffer | string): void {
    const parts = (this.partial + chunk.toString()).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.emit(line);
  }

  /** Emits the unterminated last line, if any. */
  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = "";
  }

  /** The last lines seen, oldest first. */
  tail(): string[] {
    return [...this.lines];
  }

  private emit(line: string): void {
    if (!line.trim()) return;
    this.lines.push(line);
    if (this.lines.length > TAIL_LINES) this.lines.shift();
    this.onLine(line);
  }
}

/** What a host process did. */
export interface ProcessOutcome {
  exitCode: number | null;
  /** The last lines of stdout and stderr together. */
  tail: string[];
}

/**
 * Runs a host command, sending each output line to `onLine`. It runs in its own process group,
 * so an abort (SIGTERM, then SIGKILL after `killGraceMs`) ends every process it started;
 * an aborted run rejects with AbortedError once the group has exited.
 */
export function runHostProcess(
  command: string,
  args: string[],
  options: { onLine?: (line: string) => void; signal?: AbortSignal; killGraceMs?: number },
): Promise<ProcessOutcome> {
  const { signal } = options;
  if (signal?.aborted) return Promise.reject(new AbortedError("Interrupted.", { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const output = new LineCollector(options.onLine);
    const child = spawn(command, args, { detached: true, stdio: ["ignore", "pipe", "pipe"] });
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (killSignal: NodeJS.Signals) => {
      try {
        if (child.pid) process.kill(-child.pid, killSignal);
      } catch {
        // The group has already exited.
      }
    };
    const onAbort = () => {
      killGroup("SIGTERM");
      killTimer = setTimeout(() => killGroup("SIGKILL"), options.killGraceMs ?? 5_000);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    child.stdout.on("data", (chunk: Buffer) => output.write(chunk));
    child.stderr.on("data", (chunk: Buffer) => output.write(chunk));
    child.on("error", (error) => {
      signal?.removeEventListener("abort", onAbort);
      reject(error);
    });
    child.on("close", (exitCode) => {
      signal?.removeEventListener("abort", onAbort);
      clearTimeout(killTimer);
      output.end();
      if (signal?.aborted) reject(new AbortedError("Interrupted.", { cause: signal.reason }));
      else resolve({ exitCode, tail: output.tail() });
    });
  });
}
