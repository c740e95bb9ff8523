import { render, type Instance } from "ink";
import { createElement } from "react";
import type { AgentEvent } from "../../src/index.js";
import { initialSolveView, reduceSolveView, type SolveViewState } from "./solve-view-state.js";
import { REDRAW_INTERVAL_MS, SolveView } from "./solve-view.js";

/** A live view being drawn: feed it the run's events, then close it. */
export interface LiveView {
  /** Folds an event into the view and redraws it. Never throws. */
  sink: (event: AgentEvent) => void;
  /** Stops redrawing and unmounts, leaving the last frame on the screen. */
  close: () => Promise<void>;
}

/** Whether `agent solve` should draw the live view: only on a terminal, without --json, outside CI, and not on a dumb terminal. */
export function shouldUseLiveView(options: { isTTY: boolean | undefined; json: boolean; env: Record<string, string | undefined> }): boolean {
  return options.isTTY === true && !options.json && !options.env["CI"] && options.env["TERM"] !== "dumb";
}

/**
 * Draws the live view of a run on `stdout` (normally process.stderr) with ink, redrawing on every
 * event and as time passes. Nothing is drawn before the first event, so prompts and progress lines
 * written before the run starts (sandbox consent, image builds) do not collide with the view.
 */
export function startLiveView(options: { stdout: NodeJS.WriteStream; now?: () => number }): LiveView {
  const now = options.now ?? Date.now;
  let state: SolveViewState = initialSolveView();
  let instance: Instance | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed: Promise<void> | undefined;
  const view = () => createElement(SolveView, { state, nowMs: now() });
  const draw = () => {
    if (instance) {
      instance.rerender(view());
      return;
    }
    // The run owns Ctrl-C (its AbortSignal) and the console; ink only draws.
    instance = render(view(), { stdout: options.stdout, exitOnCtrlC: false, patchConsole: false });
    timer = setInterval(() => instance?.rerender(view()), REDRAW_INTERVAL_MS);
    timer.unref();
  };
  return {
    sink(event) {
      if (closed) return;
      try {
        state = reduceSolveView(state, event);
        draw();
      } catch {
        // A view that cannot draw must not stop the run; the run's report still says how it went.
      }
    },
    close() {
      closed ??= (async () => {
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
