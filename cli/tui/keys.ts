/** One key press (or one paste) read from a terminal in raw mode. */
export type Key =
  | { name: "text"; text: string }
  /** Text pasted while the terminal's bracketed-paste mode was on: newlines are text, not Enter. */
  | { name: "paste"; text: string }
  | {
      name: "enter" | "escape" | "tab" | "backtab" | "backspace" | "delete" | "up" | "down" | "left" | "right" | "home" | "end" | "pageup" | "pagedown";
      ctrl?: boolean;
      meta?: boolean;
    }
  /** Ctrl plus a letter (Ctrl-C is `{ name: "ctrl", letter: "c" }`). */
  | { name: "ctrl"; letter: string };

/** A terminal's keyboard: raw key chunks as `data` events (stdin, or a test's stand-in). */
export interface Keyboard {
  on(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  off(event: "data", listener: (chunk: Buffer | string) => void): unknown;
  setRawMode?(mode: boolean): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/** Turns bracketed paste on (pasted text arrives between markers) and off. */
export const BRACKETED_PASTE_ON = "\u001b[?2004h";
export const BRACKETED_PASTE_OFF = "\u001b[?2004l";

const PASTE_START = "\u001b[200~";
const PASTE_END = "\u001b[201~";

const SEQUENCES: Record<string, Key> = {
  "\u001b[A": { name: "up" },
  "\u001b[B": { name: "down" },
  "\u001b[C": { name: "right" },
  "\u001b[D": { name: "left" },
  "\u001bOA": { name: "up" },
  "\u001bOB": { name: "down" },
  "\u001bOC": { name: "right" },
  "\u001bOD": { name: "left" },
  "\u001b[H": { name: "home" },
  "\u001b[F": { name: "end" },
  "\u001bOH": { name: "home" },
  "\u001bOF": { name: "end" },
  "\u001b[1~": { name: "home" },
  "\u001b[4~": { name: "end" },
  "\u001b[7~": { name: "home" },
  "\u001b[8~": { name: "end" },
  "\u001b[3~": { name: "delete" },
  "\u001b[5~": { name: "pageup" },
  "\u001b[6~": { name: "pagedown" },
  "\u001b[Z": { name: "backtab" },
  "\u001b[1;5A": { name: "up", ctrl: true },
  "\u001b[1;5B": { name: "down", ctrl: true },
  "\u001b[1;5C": { name: "right", ctrl: true },
  "\u001b[1;5D": { name: "left", ctrl: true },
  "\u001b\r": { name: "enter", meta: true },
};

/** A CSI or SS3 escape sequence at the start of the text (what a terminal sends for special keys). */
// eslint-disable-next-line no-control-regex -- escape sequences are the point
const ESCAPE_SEQUENCE = /^\u001b(?:\[[0-?]*[ -/]*[@-~]|O[@-~])/;

/**
 * Reads keys from the chunks a raw-mode terminal sends. A paste between bracketed-paste markers
 * may span chunks; it is returned whole once its end marker arrives. Stateful only for that.
 */
export class KeyReader {
  private pasting: string | undefined;

  /** The keys in one chunk of terminal input, in order. */
  read(chunk: string): Key[] {
    const keys: Key[] = [];
    let rest = chunk;
    while (rest.length > 0) {
      if (this.pasting !== undefined) {
        const end = rest.indexOf(PASTE_END);
        if (end === -1) {
          this.pasting += rest;
          return keys;
        }
        keys.push({ name: "paste", text: normalizeNewlines(this.pasting + rest.slice(0, end)) });
        this.pasting = undefined;
        rest = rest.slice(end + PASTE_END.length);
        continue;
      }
      if (rest.startsWith(PASTE_START)) {
        this.pasting = "";
        rest = rest.slice(PASTE_START.length);
        continue;
      }
      const [key, length] = readOneKey(rest);
      if (key) pushKey(keys, key);
      rest = rest.slice(length);
    }
    return keys;
  }
}

/** Adds a key, joining runs of typed text into one (a fast typist's or an unbracketed paste's chunk). */
function pushKey(keys: Key[], key: Key): void {
  const last = keys.at(-1);
  if (key.name === "text" && last?.name === "text") keys[keys.length - 1] = { name: "text", text: last.text + key.text };
  else keys.push(key);
}

function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, "\n");
}

/** The first key of `text` and how many characters it took; an unknown escape sequence is skipped. */
function readOneKey(text: string): [Key | undefined, number] {
  const first = text[0]!;
  if (first === "\u001b") {
    if (text.length === 1) return [{ name: "escape" }, 1];
    const sequence = ESCAPE_SEQUENCE.exec(text)?.[0];
    if (sequence) return [SEQUENCES[sequence], sequence.length];
    if (text.startsWith("\u001b\r")) return [{ name: "enter", meta: true }, 2];
    if (text[1] === "\u001b") return [{ name: "escape" }, 1];
    // Alt plus a character: taken as the character.
    return [{ name: "text", text: text[1]! }, 2];
  }
  // Enter sends \r in raw mode; \n is Ctrl-J, which the prompt takes as a line break.
  if (first === "\r") return [{ name: "enter" }, text.startsWith("\r\n") ? 2 : 1];
  if (first === "\t") return [{ name: "tab" }, 1];
  if (first === "\u007f" || first === "\b") return [{ name: "backspace" }, 1];
  const code = first.charCodeAt(0);
  if (code < 0x20) return [{ name: "ctrl", letter: String.fromCharCode(code + 0x60) }, 1];
  // A whole code point (an emoji is two UTF-16 units).
  const char = String.fromCodePoint(text.codePointAt(0)!);
  return [{ name: "text", text: char }, char.length];
}
