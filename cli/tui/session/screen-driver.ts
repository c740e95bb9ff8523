import { createElement, type ReactElement } from "react";
import { KeyReader } from "../keys.js";
import { createLineCache } from "./screen-lines.js";
import { handleKey, type ScreenEffect } from "./screen-keys.js";
import { reduceScreen, type ScreenAction, type SessionScreenState } from "./screen-state.js";
import { SessionScreen, TICK_MS } from "./session-screen.js";

/** Where the screen is drawn: ink's render on the terminal, or a test renderer. */
export interface ScreenMount {
  rerender(tree: ReactElement): void;
  unmount(): void;
}

/** The screen of a session as the controller drives it: actions and keys in, frames out (throttled), effects back. */
export interface ScreenDriver {
  /** The state drawn (or about to be drawn). */
  readonly state: SessionScreenState;
  /** Folds an action into the state; the frame follows within `frameMs`. */
  dispatch(action: ScreenAction): void;
  /** Reads a chunk of raw terminal input and handles its keys; returns what they ask the controller to do. */
  input(chunk: string): ScreenEffect[];
  /** Draws the current state at once. */
  drawNow(): void;
  /** Stops drawing: the last frame is drawn, then the renderer is unmounted. */
  close(): void;
}

/** How the driver draws. */
export interface ScreenDriverOptions {
  initial: SessionScreenState;
  mount: (tree: ReactElement) => ScreenMount;
  /** The terminal's size now (columns, rows). */
  size: () => { columns?: number | undefined; rows?: number | undefined };
  now?: () => number;
  /** At most one frame in this many ms, however fast events come, so input is never starved (default FRAME_MS). */
  frameMs?: number;
}

/** The product's frame interval for events: 20 frames a second (a key is drawn at once). */
export const FRAME_MS = 50;
/** After a key, events are drawn only by the next key's frame or once the typing has paused this long. */
export const TYPING_HOLD_MS = 150;

/**
 * Creates the screen driver: state changes come from `dispatch` (the run's events, the
 * controller's notices) and from keys (through the pure key handler); frames are drawn at most
 * every `frameMs`, and every TICK_MS while a task runs (the clock and the spinner move).
 */
export function createScreenDriver(options: ScreenDriverOptions): ScreenDriver {
  const now = options.now ?? Date.now;
  const frameMs = options.frameMs ?? FRAME_MS;
  const linesOf = createLineCache();
  const reader = new KeyReader();
  let state = options.initial;
  let closed = false;
  const view = () => {
    const size = options.size();
    return createElement(SessionScreen, {
      state,
      columns: Math.max(20, size.columns ?? 80),
      // One row less than the terminal, so that the terminal never scrolls.
      rows: Math.max(4, (size.rows ?? 24) - 1),
      nowMs: now(),
      linesOf,
    });
  };
  const screen = options.mount(view());
  let frameTimer: NodeJS.Timeout | undefined;
  const drawNow = () => {
    clearTimeout(frameTimer);
    frameTimer = undefined;
    if (closed) return;
    try {
      screen.rerender(view());
    } catch {
      // A frame that cannot be drawn must not end the session; the next one may.
    }
  };
  // While the person types, events wait for the next key's frame (which draws them too) or for a
  // pause in the typing: a key then never waits behind an event frame being drawn.
  let lastKeyAt = Number.NEGATIVE_INFINITY;
  const scheduleDraw = () => {
    if (!closed) frameTimer ??= setTimeout(drawNow, Math.max(frameMs, lastKeyAt + TYPING_HOLD_MS - now()));
  };
  const ticker = setInterval(() => {
    if (state.running) scheduleDraw();
  }, TICK_MS);
  ticker.unref?.();
  return {
    get state() {
      return state;
    },
    dispatch(action) {
      state = reduceScreen(state, action);
      scheduleDraw();
    },
    input(chunk) {
      lastKeyAt = now();
      const effects: ScreenEffect[] = [];
      for (const key of reader.read(chunk)) {
        const outcome = handleKey(state, key, now());
        state = outcome.state;
        effects.push(...outcome.effects);
      }
      // Keys come at a person's pace: their frame is drawn now, not at the next frame slot.
      drawNow();
      return effects;
    },
    drawNow,
    close() {
      drawNow();
      closed = true;
      clearInterval(ticker);
      try {
        screen.unmount();
      } catch {
        // Leaving the screen must happen whatever the renderer does.
      }
    },
  };
}
