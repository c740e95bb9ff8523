import { EventEmitter } from "node:events";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it, vi } from "vitest";
import { createEventRenderer } from "../../../src/events/render-event.js";
import type { AgentEvent } from "../../../src/events/agent-event.js";
import { fitsLiveView, shouldUseLiveView, startLiveView } from "../../../cli/tui/live-view.js";
import { sampleRunEvents, sampleRunStart } from "../../events/sample-run.js";

// ink only draws the last frame, at the end, where CI is set (is-in-ci, read when ink loads); these
// tests watch it redraw, so they run as on a developer's terminal wherever they run.
vi.hoisted(() => {
  delete process.env["CI"];
  delete process.env["CONTINUOUS_INTEGRATION"];
});

// eslint-disable-next-line no-control-regex -- escape sequences are what is stripped
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const CLEAR_SCROLLBACK = "\u001b[3J";
const CLEAR_SCREEN = "\u001b[2J";
/** What ink writes to erase one line of its previous frame. */
const ERASE_LINE = "\u001b[2K";

/** A terminal-like stream of a given size that records every write. */
function fakeTerminal(size: { rows?: number; columns?: number } = { rows: 40, columns: 100 }) {
  const writes: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      writes.push(chunk.toString());
      callback();
    },
  });
  Object.assign(stream, { isTTY: true, ...size });
  return {
    stream: stream as unknown as NodeJS.WriteStream,
    writes,
    text: () => writes.join("").replace(ESCAPES, ""),
    /** Changes the size and says so, as a terminal does on SIGWINCH. */
    resize(rows: number, columns: number) {
      Object.assign(stream, { rows, columns });
      stream.emit("resize");
    },
  };
}

/** The plain event lines `agent solve` prints without a terminal for a run's events, of those from `from` to `to`. */
function plainLines(events: AgentEvent[], from = 0, to = events.length): string {
  const render = createEventRenderer({ verbose: false });
  const lines = events.map((event) => render(event));
  return lines.slice(from, to).flatMap((line) => (line === undefined ? [] : [`${line}\n`])).join("");
}

/** The sample run with 60 more tool calls, a 9-step plan and four test runs before its end. */
function longRun(): AgentEvent[] {
  const events = sampleRunEvents();
  const stamp = (afterMs: number) => ({ runId: events[0]!.runId, timestamp: new Date(sampleRunStart + 20_000 + afterMs).toISOString() });
  const steps = Array.from({ length: 9 }, (_, index) => ({ owner: "programmer" as const, description: `Step ${index + 1}` }));
  const extra: AgentEvent[] = [{ ...stamp(0), type: "plan-submitted", version: 2, summary: "s", steps, files: ["a.py"] }];
  for (let index = 0; index < 60; index += 1) {
    const call = { callId: `extra-${index}`, node: "programmer" as const, tool: "view_file" };
    extra.push({ ...stamp(index * 10), type: "tool-call-start", ...call, input: { path: `src/file${index}.py` } });
    extra.push({ ...stamp(index * 10 + 5), type: "tool-call-end", ...call, ok: index % 7 !== 0, output: "…", durationMs: 5 });
  }
  for (const scope of ["designed", "existing"] as const) {
    for (const phase of ["base", "patched"] as const) {
      extra.push({ ...stamp(2_000), type: "test-run-end", phase, scope, command: "pytest", exitCode: 0, outcomes: [], durationMs: 1 });
    }
  }
  return [...events.slice(0, -1), ...extra, events.at(-1)!];
}

/** Feeds events to a view in batches of 8 with pauses, so that ink (at most 30 frames a second) redraws between them. */
async function feed(view: { sink: (event: AgentEvent) => void }, events: AgentEvent[]): Promise<void> {
  for (let index = 0; index < events.length; index += 1) {
    view.sink(events[index]!);
    if (index % 8 === 7) await sleep(40);
  }
}

function expectNoClears(writes: string[]): void {
  for (const write of writes) {
    expect(write).not.toContain(CLEAR_SCROLLBACK);
    expect(write).not.toContain(CLEAR_SCREEN);
  }
}

describe("shouldUseLiveView", () => {
  const terminal = { isTTY: true, json: false, env: { TERM: "xterm-256color" } };

  it("is true on a terminal without --json outside CI", () => {
    expect(shouldUseLiveView(terminal)).toBe(true);
  });

  it("is false when the stream is not a terminal", () => {
    expect(shouldUseLiveView({ ...terminal, isTTY: false })).toBe(false);
    expect(shouldUseLiveView({ ...terminal, isTTY: undefined })).toBe(false);
  });

  it("is false with --json", () => {
    expect(shouldUseLiveView({ ...terminal, json: true })).toBe(false);
  });

  it("is false when CI is set", () => {
    expect(shouldUseLiveView({ ...terminal, env: { ...terminal.env, CI: "true" } })).toBe(false);
    expect(shouldUseLiveView({ ...terminal, env: { ...terminal.env, CI: "1" } })).toBe(false);
  });

  it("is false on a dumb terminal", () => {
    expect(shouldUseLiveView({ ...terminal, env: { TERM: "dumb" } })).toBe(false);
  });

  it("is true when TERM is not set, as long as the stream is a terminal", () => {
    expect(shouldUseLiveView({ ...terminal, env: {} })).toBe(true);
  });
});

describe("fitsLiveView", () => {
  it("needs 10 rows and 40 columns, and a known size", () => {
    expect(fitsLiveView({ rows: 10, columns: 40 })).toBe(true);
    expect(fitsLiveView({ rows: 9, columns: 200 })).toBe(false);
    expect(fitsLiveView({ rows: 50, columns: 39 })).toBe(false);
    expect(fitsLiveView({ rows: 0, columns: 0 })).toBe(false);
    expect(fitsLiveView({})).toBe(false);
  });
});

describe("startLiveView", () => {
  it("draws the run on the stream and leaves the final frame there when closed", async () => {
    const terminal = fakeTerminal();
    const view = startLiveView({ stdout: terminal.stream, now: () => sampleRunStart + 1_000 });
    for (const event of sampleRunEvents()) view.sink(event);
    await view.close();
    const drawn = terminal.text();
    expect(drawn).toContain("agent solve Parsing an empty config file crashes with TypeError");
    expect(drawn).toContain("plan v1 · src/widgets/config.py");
    expect(drawn.slice(drawn.lastIndexOf("agent solve"))).toContain("solved: load_config now returns the defaults");
  });

  it("draws nothing before the first event", async () => {
    const terminal = fakeTerminal();
    const view = startLiveView({ stdout: terminal.stream });
    await view.close();
    expect(terminal.text()).toBe("");
  });

  it("ignores events after it is closed and closes only once", async () => {
    const terminal = fakeTerminal();
    const view = startLiveView({ stdout: terminal.stream });
    const [start, ...rest] = sampleRunEvents();
    view.sink(start!);
    const first = view.close();
    expect(view.close()).toBe(first);
    await first;
    const drawn = terminal.text();
    expect(drawn).toContain("agent solve Parsing an empty config file");
    for (const event of rest) view.sink(event);
    expect(terminal.text()).toBe(drawn);
  });

  it("redraws in place on a 15-row terminal without ever clearing the screen or the scrollback", async () => {
    const terminal = fakeTerminal({ rows: 15, columns: 80 });
    let clock = sampleRunStart;
    const view = startLiveView({ stdout: terminal.stream, now: () => (clock += 50) });
    await feed(view, longRun());
    await view.close();
    expectNoClears(terminal.writes);
    // Each frame is written with its rows and a final newline: fewer than 15 newlines is a frame of at most 14 rows.
    const frames = terminal.writes.filter((write) => write.includes("agent solve"));
    expect(frames.length).toBeGreaterThan(10);
    for (const frame of frames) expect(frame.split("\n").length - 1).toBeLessThan(15);
    expect(terminal.writes.filter((write) => write.includes(ERASE_LINE)).length).toBeGreaterThan(10);
    const last = terminal.text().slice(terminal.text().lastIndexOf("agent solve"));
    expect(last).toContain("solved: load_config now returns the defaults");
    expect(last).toMatch(/… \d+ more tool calls/);
  });

  it("never clears on a 24-row terminal either, with every section full", async () => {
    const terminal = fakeTerminal({ rows: 24, columns: 120 });
    const view = startLiveView({ stdout: terminal.stream, now: () => sampleRunStart + 1_000 });
    await feed(view, longRun());
    await view.close();
    expectNoClears(terminal.writes);
    for (const write of terminal.writes) expect(write.split("\n").length - 1).toBeLessThan(24);
  });

  for (const size of [
    { rows: 9, columns: 100 },
    { rows: 40, columns: 39 },
    { rows: 0, columns: 0 },
    {},
  ]) {
    it(`writes the plain event lines instead on a ${size.rows ?? "undefined"}×${size.columns ?? "undefined"} terminal`, async () => {
      const terminal = fakeTerminal(size);
      const events = sampleRunEvents();
      const view = startLiveView({ stdout: terminal.stream, now: () => sampleRunStart + 1_000 });
      for (const event of events) view.sink(event);
      await view.close();
      expect(terminal.writes.join("")).toBe(plainLines(events));
    });
  }

  it("switches to plain lines when the terminal is made too small, and back to a frame when it grows again", async () => {
    const terminal = fakeTerminal({ rows: 30, columns: 100 });
    const events = sampleRunEvents();
    const view = startLiveView({ stdout: terminal.stream, now: () => sampleRunStart + 1_000 });
    await feed(view, events.slice(0, 10));
    await sleep(40);
    terminal.resize(8, 100);
    const shrunk = terminal.writes.length;
    await feed(view, events.slice(10, 20));
    // The lines plain output has for these events, with the role each belongs to as it was before the switch.
    expect(plainLines(events, 10, 20)).toContain("[test-designer]");
    expect(terminal.writes.slice(shrunk).join("")).toBe(plainLines(events, 10, 20));
    terminal.resize(30, 100);
    const grown = terminal.writes.length;
    await feed(view, events.slice(20));
    await view.close();
    const redrawn = terminal.writes.slice(grown).join("").replace(ESCAPES, "");
    expect(redrawn).toContain("agent solve Parsing an empty config file");
    expect(redrawn.slice(redrawn.lastIndexOf("agent solve"))).toContain("solved: load_config");
    expectNoClears(terminal.writes);
  });

  it("keeps the frame within the terminal when it is made shorter, without clearing", async () => {
    const terminal = fakeTerminal({ rows: 40, columns: 100 });
    const events = longRun();
    const view = startLiveView({ stdout: terminal.stream, now: () => sampleRunStart + 1_000 });
    await feed(view, events.slice(0, -1));
    await sleep(40);
    terminal.resize(12, 100);
    const resized = terminal.writes.length;
    await feed(view, events.slice(-1));
    await sleep(40);
    await view.close();
    expectNoClears(terminal.writes);
    const after = terminal.writes.slice(resized).filter((write) => write.includes("agent solve"));
    expect(after.length).toBeGreaterThan(0);
    for (const write of after) expect(write.split("\n").length - 1).toBeLessThan(12);
  });
});

describe("the live view's approval dialogue (agent solve --approval suggest on a terminal)", () => {
  /** A keyboard that records when it is put in raw mode. */
  function fakeKeyboard() {
    const modes: boolean[] = [];
    const keyboard = Object.assign(new EventEmitter(), { setRawMode: (mode: boolean) => modes.push(mode), resume: () => {}, pause: () => {} });
    return { keyboard, modes, type: (raw: string) => keyboard.emit("data", raw) };
  }
  const request = { node: "programmer" as const, tool: "edit_file", input: { command: "str_replace", path: "a.py", old_str: "x = 1", new_str: "x = 2" }, reason: "edit_file changes files" };

  it("asks with the edit's lines, answers yes on y, and holds the keyboard in raw mode only while it asks", async () => {
    const terminal = fakeTerminal();
    const { keyboard, modes, type } = fakeKeyboard();
    const live = startLiveView({ stdout: terminal.stream, keyboard });
    live.sink(sampleRunEvents()[0]!);
    const answer = live.approver!(request);
    await vi.waitFor(() => expect(terminal.text()).toContain("programmer asks to use edit_file: edit_file changes files"));
    expect(terminal.text()).toContain("-x = 1");
    expect(terminal.text()).toContain("+x = 2");
    type("y");
    expect(await answer).toEqual({ allowed: true });
    expect(modes).toEqual([true, false]);
    await live.close();
  });

  it("passes the person's words with a denial, and allows a tool for the rest of the run on a", async () => {
    const terminal = fakeTerminal();
    const { keyboard, type } = fakeKeyboard();
    const live = startLiveView({ stdout: terminal.stream, keyboard });
    live.sink(sampleRunEvents()[0]!);
    const denied = live.approver!(request);
    type("g");
    type("edit b.py instead\r");
    expect(await denied).toEqual({ allowed: false, guidance: "edit b.py instead" });
    const always = live.approver!(request);
    type("a");
    expect(await always).toMatchObject({ allowed: true });
    expect(await live.approver!(request)).toEqual({ allowed: true, note: "edit_file allowed for the rest of the run" });
    await live.close();
  });
});
