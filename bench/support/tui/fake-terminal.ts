/**
 * The streams bench/tui-render writes to: a fake terminal of a fixed size for ink (a TTY that
 * keeps nothing but counts the bytes and the frames written, and lets a watcher look at each
 * write), and a null stream for the plain lines of the baseline. Both take their chunks
 * synchronously, as a terminal's write does from the writer's point of view.
 */
import { Writable } from "node:stream";

/** A stream that drops what is written and counts it. */
export class NullStream extends Writable {
  bytes = 0;
  writes = 0;

  constructor() {
    super({ decodeStrings: false });
  }

  override _write(chunk: string | Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.bytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.length;
    this.writes += 1;
    callback();
  }
}

/** ink's synchronized-output markers (ink/build/write-synchronized.js): written around frames on a TTY, not frames themselves. */
const SYNC_MARKERS = new Set(["\u001b[?2026h", "\u001b[?2026l"]);

/** A terminal of `columns` × `rows` that counts what ink writes; `onWrite` sees each chunk as it is written. */
export class FakeTerminal extends NullStream {
  readonly isTTY = true;
  /** Writes that carry a frame (everything but the synchronized-output markers and the cursor's hide and show). */
  frames = 0;
  onWrite: ((chunk: string, at: number) => void) | undefined;

  constructor(
    readonly columns: number,
    readonly rows: number,
  ) {
    super();
  }

  override _write(chunk: string | Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    const text = typeof chunk === "string" ? chunk : chunk.toString("utf8");
    if (!SYNC_MARKERS.has(text) && text.length > 8) this.frames += 1;
    this.onWrite?.(text, performance.now());
    super._write(chunk, encoding, callback);
  }

  /** The terminal as node's types name it, for ink and the product's helpers. */
  asWriteStream(): NodeJS.WriteStream {
    return this as unknown as NodeJS.WriteStream;
  }
}

// eslint-disable-next-line no-control-regex -- escape sequences are what is removed
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;

/** What a chunk ink wrote shows: its text without escape sequences. */
export function stripAnsi(text: string): string {
  return text.replace(ANSI, "");
}

/**
 * The prompt's text in a frame ink wrote, or undefined when the chunk has no prompt row: the row
 * that starts with the prompt's prefix (`› `, `message › ` while a task runs, `guidance › ` while
 * paused), without the cursor drawn after the text (a space in inverse video) and the padding.
 */
export function promptTextOf(chunk: string): string | undefined {
  for (const line of stripAnsi(chunk).split("\n")) {
    const at = line.indexOf("› ");
    if (at < 0 || at > 10) continue;
    const prefix = line.slice(0, at).trim();
    if (prefix !== "" && prefix !== "message" && prefix !== "guidance") continue;
    return line.slice(at + 2).trimEnd();
  }
  return undefined;
}
