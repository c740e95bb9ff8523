import { render, type RenderOptions } from "ink";
import type { ReactElement } from "react";
import { withoutHeight } from "../live-view.js";
import type { ScreenMount } from "./screen-driver.js";

/**
 * How the session's screen is handed to ink. The session owns Ctrl-C and the console; ink only
 * draws. `maxFps: 0`: the screen driver already throttles frames (FRAME_MS) and draws a key's
 * frame at once, and ink's own 30 fps throttle on top held that frame back by up to 34 ms.
 * Incremental rendering rewrites only the rows that changed.
 */
export const SESSION_INK_OPTIONS = { exitOnCtrlC: false, patchConsole: false, maxFps: 0, incrementalRendering: true } as const satisfies RenderOptions;

/** Mounts the session's screen on a terminal (without its height: see withoutHeight); `onRender` sees each output pass (the bench counts them). */
export function mountOnTerminal(terminal: NodeJS.WriteStream, stdin: NodeJS.ReadStream, onRender?: RenderOptions["onRender"]): (tree: ReactElement) => ScreenMount {
  return (tree) => render(tree, { stdout: withoutHeight(terminal), stdin, ...SESSION_INK_OPTIONS, ...(onRender ? { onRender } : {}) });
}
