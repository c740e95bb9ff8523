import { render, type Instance } from "ink";
import { createElement } from "react";
import { createEventRenderer, type AgentEvent, type ApprovalAnswer, type Approver } from "../../src/index.js";
import { KeyReader, type Keyboard } from "./keys.js";
import { handleKey } from "./session/screen-keys.js";
import { initialScreen, previewToolCall, type SessionScreenState } from "./session/screen-state.js";
import { dialogLines, drawLine } from "./session/session-screen.js";
import { initialSolveView, reduceSolveView, type SolveViewState } from "./solve-view-state.js";
import { REDRAW_INTERVAL_MS, SolveView } from "./solve-view.js";

/** A live view being drawn: feed it the run's events, then close it. */
export interface LiveView {
  /** Folds an event into the view and redraws it. Never throws. */
  sink: (event: AgentEvent) => void;
  /** Stops redrawing and unmounts, leaving the last frame on the screen. */
  close: () => Promise<void>;
  /** Asks the person at the terminal to allow a tool call (the session's approval dialogue); only when the view was given the keyboard. */
  approver?: Approver;
}


/** The smallest terminal the live view is drawn on; on a smaller one the run is shown as plain event lines. */
export const LIVE_VIEW_MIN_SIZE = { rows: 10, columns: 40 } as const;

/** Whether `agent solve` should draw the live view: only on a terminal, without --json, outside CI, and not on a dumb terminal. */
export function shouldUseLiveView(options: { isTTY: boolean | undefined; json: boolean; env: Record<string, string | undefined> }): boolean {
  return options.isTTY === true && !options.json && !options.env["CI"] && options.env["TERM"] !== "dumb";
}

/** Whether a terminal of this size holds the live view: LIVE_VIEW_MIN_SIZE or more (0 or no size: unknown, so no). */
export function fitsLiveView(size: { rows?: number | undefined; columns?: number | undefined }): boolean {
  return (size.rows ?? 0) >= LIVE_VIEW_MIN_SIZE.rows && (size.columns ?? 0) >= LIVE_VIEW_MIN_SIZE.columns;
}

/**
 * The terminal as ink sees it: all of it but its height. ink 6 writes `ESC[2J ESC[3J` (clear the
 * screen and the scrollback) on every redraw once a frame was as tall as `rows`, and a resize to
 * fewer rows makes the frame on the screen that tall however short the frames are kept (fixed
 * upstream later, vadimdemedes/ink#994). Without `rows` ink only ever erases its own lines; the
 * frames are kept shorter than the terminal here instead (SolveView's maxRows).
 */
export function withoutHeight(stream: NodeJS.WriteStream): NodeJS.WriteStream {
  return new Proxy(stream, {
    get(target, property) {
      if (property === "rows") return undefined;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * Draws the live view of a run on `stdout` (normally process.stderr) with ink, redrawing it in
 * place on every event and as time passes, never taller than the terminal less one row. Nothing
 * is drawn before the first event, so prompts and progress lines written before the run starts
 * (sandbox consent, image builds) do not collide with the view. On a terminal smaller than
 * LIVE_VIEW_MIN_SIZE, or one that reports no size, the events are written as the plain lines of
 * `--json`-less output instead; a resize switches between the two while the run goes on (the last
 * frame stays above the plain lines, and a new frame starts below them).
 */
export function startLiveView(options: {
  stdout: NodeJS.WriteStream;
  now?: () => number;
  verbose?: boolean;
  /** The terminal's keyboard: given, the view asks approvals with the session's dialogue (raw mode only while it asks, so Ctrl-C stays the run's otherwise). */
  keyboard?: Keyboard;
}): LiveView {
  const terminal = options.stdout;
  const now = options.now ?? Date.now;
  // Fed every event, so that it knows the active role when the terminal gets too small.
  const plainLine = createEventRenderer({ verbose: options.verbose ?? false });
  let state: SolveViewState = initialSolveView();
  let instance: Instance | undefined;
  let timer: NodeJS.Timeout | undefined;
  let started = false;
  let closed: Promise<void> | undefined;
  // The question being asked, kept in a session screen's state so that the keys are the session's own.
  let asking: SessionScreenState | undefined;
  const dialogRows = () => (asking?.dialog ? dialogLines(asking.dialog, terminal.columns ?? 80, Math.max(3, Math.floor((terminal.rows ?? 24) / 2))).map((line, index) => drawLine(line, `dialog-${index}`)) : []);
  const view = () => createElement(SolveView, { state, nowMs: now(), maxRows: (terminal.rows ?? 0) - 1, dialogRows: dialogRows() });
  const redraw = () => instance?.rerender(view());
  const stopDrawing = () => {
    clearInterval(timer);
    instance?.unmount();
    instance = undefined;
  };
  /** Draws the view when the terminal holds it, else stops drawing it; says whether it is drawn. */
  const drawIfItFits = (): boolean => {
    if (!fitsLiveView(terminal)) {
      stopDrawing();
      return false;
    }
    if (instance) redraw();
    else {
      // The run owns Ctrl-C (its AbortSignal) and the console; ink only draws.
      instance = render(view(), { stdout: withoutHeight(terminal), exitOnCtrlC: false, patchConsole: false });
      timer = setInterval(redraw, REDRAW_INTERVAL_MS);
      timer.unref();
    }
    return true;
  };
  const onResize = () => {
    try {
      if (started && !closed) drawIfItFits();
    } catch {
      // As in sink: a view that cannot draw must not stop the run.
    }
  };
  terminal.on("resize", onResize);
  const keyboard = options.keyboard;
  const allowedForTheRun = new Set<string>();
  const approver: Approver | undefined = keyboard
    ? async (request) => {
        if (allowedForTheRun.has(request.tool)) return { allowed: true, note: `${request.tool} allowed for the rest of the run` };
        const reader = new KeyReader();
        asking = { ...initialScreen({ sessionId: "", repository: "", model: "", approvalMode: "suggest", maxCostUsd: null }), dialog: { kind: "approval", request, preview: previewToolCall(request), guidance: null } };
        started = true;
        // On a terminal too small for the view, the question is printed as plain lines.
        if (!drawIfItFits()) terminal.write(`${dialogLines(asking.dialog!, terminal.columns ?? 80, 40).map((line) => line.map((segment) => segment.text).join("")).join("\n")}\n`);
        return new Promise<ApprovalAnswer>((resolve) => {
          const onData = (chunk: Buffer | string) => {
            for (const key of reader.read(chunk.toString())) {
              const outcome = handleKey(asking!, key, now());
              asking = outcome.state;
              for (const effect of outcome.effects) {
                if (effect.type !== "approval") continue;
                if (effect.alwaysTool) allowedForTheRun.add(effect.alwaysTool);
                keyboard.off("data", onData);
                keyboard.setRawMode?.(false);
                keyboard.pause?.();
                asking = undefined;
                redraw();
                resolve(effect.answer);
                return;
              }
            }
            redraw();
          };
          keyboard.setRawMode?.(true);
          keyboard.on("data", onData);
          keyboard.resume?.();
          redraw();
        });
      }
    : undefined;
  return {
    ...(approver ? { approver } : {}),
    sink(event) {
      if (closed) return;
      try {
        state = reduceSolveView(state, event);
        const line = plainLine(event);
        started = true;
        if (!drawIfItFits() && line !== undefined) terminal.write(`${line}\n`);
      } catch {
        // A view that cannot draw must not stop the run; the run's report still says how it went.
      }
    },
    close() {
      closed ??= (async () => {
        terminal.off("resize", onResize);
        clearInterval(timer);
        if (!instance) return;
        instance.rerender(view());
        const exited = instance.waitUntilExit();
        instance.unmount();
        await exited;
      })();
      return closed;
    },
  };
}
