import { execFile, execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "vitest";

const run = promisify(execFile);

/**
 * A tiny driver for programs on a real terminal: tmux on a private socket (`tmux -L <unique>`),
 * so parallel tests and the developer's own tmux never meet. Each program runs in a session of
 * its own, drawn on a pane of a given size; keys go in with send-keys, the screen comes back
 * with capture-pane, and waits poll the screen (never a fixed sleep).
 */

/** True when a tmux binary answers `tmux -V`. */
export function tmuxAvailable(): boolean {
  try {
    execFileSync("tmux", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const isCi = process.env["CI"] === "true";

/**
 * `describe` for suites that need tmux (through `inner`, e.g. describeWithDocker). Without tmux
 * they are skipped with a note, except in CI (CI=true), where a failing test says tmux is required.
 */
export function describeWithTmux(name: string, fn: () => void, inner: (name: string, fn: () => void) => void = describe): void {
  if (tmuxAvailable()) {
    inner(name, fn);
    return;
  }
  if (isCi) {
    describe(name, () => {
      it("tmux is required in CI", () => {
        throw new Error("tmux is not installed, and CI must run the real-terminal tests: apt-get install tmux (.ci/run installs it).");
      });
    });
    return;
  }
  console.warn(`[skipped] ${name}: tmux is not installed (apt-get install tmux).`);
  describe.skip(name, fn);
}

/** Quotes a word for sh. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** What waitFor waits for: a text on the screen, a pattern, or a test of the whole screen. */
export type ScreenExpectation = string | RegExp | ((screen: string) => boolean);

export interface WaitOptions {
  /** How long to wait (ms); the error then shows the last screen. */
  timeoutMs?: number;
  /** Read the whole pane with its scrollback (what a program printed after leaving the alternate screen). */
  scrollback?: boolean;
  /** What is waited for, for the error message (a function cannot say it). */
  what?: string;
}

const POLL_MS = 100;
const DEFAULT_TIMEOUT_MS = 30_000;

/** The rows of a screen below its last full-width rule (a session screen's prompt or dialog), without the blank rows at the end. */
export function belowLastRule(screen: string): string[] {
  const lines = screen.replace(/\s+$/, "").split("\n");
  let rule = -1;
  lines.forEach((line, index) => {
    if (/^─{20,}\s*$/.test(line)) rule = index;
  });
  return rule === -1 ? [] : lines.slice(rule + 1);
}

/** One program running on a pane of the terminal. */
export class TerminalPane {
  constructor(
    private readonly server: TmuxServer,
    /** The tmux session (target) the program runs in. */
    readonly target: string,
  ) {}

  /** Keys by tmux name: "Enter", "Escape", "C-c", "PageUp", "y". */
  async sendKeys(...keys: string[]): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.target, ...keys);
  }

  /** Types text as it is (no key names). */
  async type(text: string): Promise<void> {
    await this.server.tmux("send-keys", "-t", this.target, "-l", text);
  }

  /** Types a line and presses Enter. */
  async typeLine(text: string): Promise<void> {
    await this.type(text);
    await this.sendKeys("Enter");
  }

  /** The visible screen as text, one line a row (trailing spaces kept as tmux gives them). */
  async screen(): Promise<string> {
    return this.server.tmux("capture-pane", "-p", "-t", this.target);
  }

  /** The whole pane: its scrollback, then the visible screen. */
  async scrollback(): Promise<string> {
    return this.server.tmux("capture-pane", "-p", "-S", "-", "-t", this.target);
  }

  /** True once the program (and the shell around it) has ended; the pane stays (remain-on-exit). */
  async dead(): Promise<boolean> {
    return (await this.server.tmux("display-message", "-p", "-t", this.target, "#{pane_dead}")).trim() === "1";
  }

  /**
   * Polls the screen until `expected` is on it, and returns that screen. Fails with the last
   * screen when the time is up, or at once when the program ended without showing it.
   */
  async waitFor(expected: ScreenExpectation, options: WaitOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const test = typeof expected === "string" ? (screen: string) => screen.includes(expected) : expected instanceof RegExp ? (screen: string) => expected.test(screen) : expected;
    const what = options.what ?? (typeof expected === "function" ? "the expected screen" : String(expected));
    const started = Date.now();
    let last: string;
    for (;;) {
      last = options.scrollback ? await this.scrollback() : await this.screen();
      if (test(last)) return last;
      if (await this.dead()) {
        // The last frame may have been drawn just before the end.
        last = options.scrollback ? await this.scrollback() : await this.screen();
        if (test(last)) return last;
        throw new Error(`Waited for ${what}, but the program on the terminal ended:\n${frame(await this.scrollback())}`);
      }
      if (Date.now() - started > timeoutMs) throw new Error(`Waited ${timeoutMs} ms for ${what}; the screen was:\n${frame(last)}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Waits until the command line printed `EXIT=<code>` (see TmuxServer.start) and returns the code and the whole pane. */
  async waitForExit(timeoutMs = DEFAULT_TIMEOUT_MS): Promise<{ code: number; output: string }> {
    const output = await this.waitFor(/^EXIT=\d+$/m, { scrollback: true, timeoutMs, what: "the program to exit (EXIT=<code>)" });
    return { code: Number(/^EXIT=(\d+)$/m.exec(output)![1]), output };
  }
}

/** A screen framed so that its rows (and trailing spaces) are visible in an error message. */
function frame(screen: string): string {
  const lines = screen.replace(/\n+$/, "").split("\n");
  const width = Math.max(...lines.map((line) => line.length));
  const rule = `+${"-".repeat(width)}+`;
  return [rule, ...lines.map((line) => `|${line.padEnd(width)}|`), rule].join("\n");
}

export interface StartOptions {
  /** The program's working directory. */
  cwd: string;
  /** The program's whole environment: nothing else is inherited (not CI, not the test runner's). */
  env: Record<string, string>;
  columns?: number;
  rows?: number;
}

/** A tmux server on a private socket; `kill()` ends it and every program on it. */
export class TmuxServer {
  private sessions = 0;

  private constructor(
    readonly socket: string,
    private readonly dir: string,
  ) {}

  /** Makes the server's configuration: panes stay when their program ends, no status line, sh as the shell. */
  static async create(): Promise<TmuxServer> {
    const dir = await mkdtemp(join(tmpdir(), "agent-tmux-"));
    await writeFile(
      join(dir, "tmux.conf"),
      ["set -g remain-on-exit on", "set -g status off", "set -g default-shell /bin/sh", "set -g history-limit 10000", "set -g escape-time 0", ""].join("\n"),
    );
    return new TmuxServer(`agent-test-${process.pid}-${randomBytes(4).toString("hex")}`, dir);
  }

  /** Runs a tmux command on this server and returns what it printed. */
  async tmux(...args: string[]): Promise<string> {
    // The tmux client gets a clean environment too (no TMUX of an enclosing session, no CI); -u: UTF-8.
    const env: Record<string, string> = { PATH: process.env["PATH"] ?? "/usr/bin:/bin", HOME: process.env["HOME"] ?? tmpdir(), LANG: "C.UTF-8", TMUX_TMPDIR: this.dir };
    const { stdout } = await run("tmux", ["-u", "-L", this.socket, "-f", join(this.dir, "tmux.conf"), ...args], { env, encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });
    return stdout;
  }

  /**
   * Starts `command` (an argv) in a new session of `columns`×`rows` (default 120×40), with exactly
   * `env` (through `env -i`), and prints `EXIT=<code>` on the pane when it ends.
   */
  async start(command: string[], options: StartOptions): Promise<TerminalPane> {
    this.sessions += 1;
    const target = `s${this.sessions}`;
    const assignments = Object.entries(options.env).map(([name, value]) => shellQuote(`${name}=${value}`));
    const line = `env -i ${assignments.join(" ")} ${command.map(shellQuote).join(" ")}; echo "EXIT=$?"`;
    await this.tmux("new-session", "-d", "-s", target, "-x", String(options.columns ?? 120), "-y", String(options.rows ?? 40), "-c", options.cwd, line);
    return new TerminalPane(this, target);
  }

  /** Ends the server (and any program still running on it) and removes its directory. */
  async kill(): Promise<void> {
    await this.tmux("kill-server").catch(() => {});
    await rm(this.dir, { recursive: true, force: true });
  }
}
