/**
 * Progress of `agent swebench run`. On a terminal, one status bar at the bottom is redrawn in
 * place — instances done, running and failed, the cost so far and the time left — and every
 * other line (an instance finished, an environment being built) is printed above it. Anywhere
 * else (a pipe, CI, a log file) the same lines come out plain, one per event, with no bar and no
 * control characters.
 */

/** Where a run stands. */
export interface RunProgressState {
  total: number;
  done: number;
  running: number;
  failed: number;
  costUsd: number;
  etaMs: number | null;
}

/** Where the display writes: a terminal (redrawn bar) or anything else (plain lines). */
export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/** A duration as the run's lines print it: 45s, 12m, 2h05m. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  return minutes >= 60 ? `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, "0")}m` : minutes >= 1 ? `${minutes}m` : `${Math.round(ms / 1000)}s`;
}

/** The status bar, fitted to `width` columns: the bar shrinks first, then the words. */
export function formatProgressBar(state: RunProgressState, width: number): string {
  const words =
    ` ${state.done}/${state.total} done · ${state.running} running · ${state.failed} failed · $${state.costUsd.toFixed(2)}` +
    (state.etaMs === null ? "" : ` · ETA ${formatDuration(state.etaMs)}`);
  const barWidth = Math.min(30, width - words.length - 2);
  if (barWidth < 5) return words.trim().slice(0, Math.max(0, width));
  const filled = state.total === 0 ? barWidth : Math.round((barWidth * state.done) / state.total);
  return `[${"#".repeat(filled)}${"-".repeat(barWidth - filled)}]${words}`;
}

/** Clears the current terminal line (carriage return, erase line). */
const CLEAR_LINE = "\r\u001b[2K";

/** The run's progress display; `finish` must be called once the run ends, to leave the terminal clean. */
export class RunProgressDisplay {
  private readonly state: RunProgressState;
  private readonly redraw: boolean;
  private barShown = false;

  constructor(
    private readonly output: ProgressOutput,
    total: number,
  ) {
    this.state = { total, done: 0, running: 0, failed: 0, costUsd: 0, etaMs: null };
    this.redraw = output.isTTY === true;
  }

  /** An instance started here. */
  started(): void {
    this.state.running += 1;
    this.draw();
  }

  /** An instance finished; `line` says how, and is kept above the bar. */
  finished(line: string, progress: { done: number; total: number; costUsd: number; etaMs: number | null }, failed: boolean, startedHere: boolean): void {
    if (startedHere) this.state.running = Math.max(0, this.state.running - 1);
    this.state.done = progress.done;
    this.state.total = progress.total;
    this.state.costUsd = progress.costUsd;
    this.state.etaMs = progress.etaMs;
    if (failed) this.state.failed += 1;
    this.print(line);
  }

  /** Any other line (environment set-up, warnings), printed above the bar. */
  print(line: string): void {
    if (!this.redraw) {
      this.output.write(`${line}\n`);
      return;
    }
    this.output.write(`${this.barShown ? CLEAR_LINE : ""}${line}\n`);
    this.barShown = false;
    this.draw();
  }

  /** Removes the bar; the lines printed stay. */
  finish(): void {
    if (this.redraw && this.barShown) this.output.write(CLEAR_LINE);
    this.barShown = false;
  }

  private draw(): void {
    if (!this.redraw) return;
    this.output.write(`${CLEAR_LINE}${formatProgressBar(this.state, Math.max(20, (this.output.columns ?? 80) - 1))}`);
    this.barShown = true;
  }
}
