import { render, type RenderOptions } from "ink";
import type { ReactElement } from "react";
import { withoutHeight } from "../live-view.js";
import type { ScreenMount } from "./screen-driver.js";

/**
 * How the session's screen is handed to ink. The session owns Ctrl-C and the console; ink only
 * draws. `maxFps: 0`: the screen driver already throttles frames (FRAME_MS) and draws a key's
 * frame at once, and ink's own 30 fps throttle on top held that frame back by up to 34 ms.
 * Not incremental: ink 6.8's incremental mode left rows of earlier frames on a real terminal (seen in tmux after Esc).
 */
export const SESSION_INK_OPTIONS = { exitOnCtrlC: false, patchConsole: false, maxFps: 0, incrementalRendering: false } as const satisfies RenderOptions;

/** Mounts the session's screen on a terminal (without its height: see withoutHeight); `onRender` sees each output pass (the bench counts them). */
export function mountOnTerminal(terminal: NodeJS.WriteStream, stdin: NodeJS.ReadStream, onRender?: RenderOptions["onRender"]): (tree: ReactElement) => ScreenMount {
  return (tree) => render(tree, { stdout: withoutHeight(terminal), stdin, ...SESSION_INK_OPTIONS, ...(onRender ? { onRender } : {}) });
}
