import { isUtf8 } from "node:buffer";
import { extname } from "node:path";

/** Extensions of files that are binary whatever their first bytes look like. */
const BINARY_EXTENSIONS = new Set([
  ".png", ".jpg", ".jpeg", ".gif", ".bmp", ".ico", ".webp", ".tiff", ".pdf",
  ".zip", ".gz", ".tgz", ".bz2", ".xz", ".7z", ".tar", ".rar", ".zst",
  ".so", ".dylib", ".dll", ".exe", ".o", ".a", ".lib", ".bin", ".dat",
  ".pyc", ".pyo", ".whl", ".egg", ".class", ".jar", ".war",
  ".wasm", ".sqlite", ".db", ".npy", ".npz", ".pkl", ".pickle", ".parquet",
  ".ttf", ".otf", ".woff", ".woff2", ".mp3", ".mp4", ".wav", ".ogg", ".mov", ".avi",
]);

/** How many leading bytes are searched for a NUL byte when deciding whether a file is binary. */
const BINARY_SNIFF_BYTES = 8192;

/** True when the path has a known binary extension (checked before reading the file). */
export function hasBinaryExtension(path: string): boolean {
  return BINARY_EXTENSIONS.has(extname(path).toLowerCase());
}

/** True when the content looks binary: a known binary extension or a NUL byte in the first 8 KB. */
export function isBinaryContent(path: string, bytes: Uint8Array): boolean {
  return hasBinaryExtension(path) || bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0);
}

/** The offset of the first byte that is not part of valid UTF-8, or undefined when the bytes are valid UTF-8. */
export function findInvalidUtf8Offset(bytes: Uint8Array): number | undefined {
  if (isUtf8(bytes)) return undefined;
  let index = 0;
  while (index < bytes.length) {
    const length = validSequenceLength(bytes, index);
    if (length === 0) return index;
    index += length;
  }
  return undefined;
}

/** The length of the valid UTF-8 sequence starting at `index`, or 0 when it is invalid (RFC 3629). */
function validSequenceLength(bytes: Uint8Array, index: number): number {
  const first = bytes[index] ?? 0;
  if (first < 0x80) return 1;
  let length: number;
  let low = 0x80;
  let high = 0xbf;
  if (first >= 0xc2 && first <= 0xdf) length = 2;
  else if (first >= 0xe0 && first <= 0xef) {
    length = 3;
    if (first === 0xe0) low = 0xa0;
    if (first === 0xed) high = 0x9f;
  } else if (first >= 0xf0 && first <= 0xf4) {
    length = 4;
    if (first === 0xf0) low = 0x90;
    if (first === 0xf4) high = 0x8f;
  } else return 0;
  for (let offset = 1; offset < length; offset += 1) {
    const byte = bytes[index + offset];
    if (byte === undefined) return 0;
    const [min, max] = offset === 1 ? [low, high] : [0x80, 0xbf];
    if (byte < min || byte > max) return 0;
  }
  return length;
}

/** How a text's lines end: all CRLF, all LF, a mix, or no line break at all. */
export type LineEnding = "lf" | "crlf" | "mixed" | "none";

/** Counts CRLF and bare LF line breaks in text. */
export function detectLineEnding(text: string): LineEnding {
  let crlf = 0;
  let lf = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) {
    if (index > 0 && text[index - 1] === "\r") crlf += 1;
    else lf += 1;
  }
  if (crlf === 0 && lf === 0) return "none";
  if (crlf === 0) return "lf";
  if (lf === 0) return "crlf";
  return "mixed";
}

/** The number of lines in text, counting a final line without a newline. */
export function countLines(text: string): number {
  if (text.length === 0) return 0;
  let count = 0;
  for (let index = text.indexOf("\n"); index !== -1; index = text.indexOf("\n", index + 1)) count += 1;
  return text.endsWith("\n") ? count : count + 1;
}

/** The 1-based line number of the character at `offset`. */
export function lineNumberAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1)) line += 1;
  return line;
}

/** Splits text into lines without their line breaks (a trailing CR is dropped too); a final newline adds no empty line. */
export function splitLines(text: string): string[] {
  if (text.length === 0) return [];
  const lines = text.split("\n");
  if (lines[lines.length - 1] === "") lines.pop();
  return lines.map((line) => (line.endsWith("\r") ? line.slice(0, -1) : line));
}

/** Longest line shown in full; longer lines are cut so one minified line cannot flood the context. */
export const MAX_LINE_CHARACTERS = 2000;

/** Formats lines like `cat -n`: the 1-based number right-aligned in six columns, a tab, then the line (long lines cut). */
export function numberLines(lines: readonly string[], firstLineNumber: number, markedLine?: number): string {
  return lines
    .map((line, index) => {
      const number = firstLineNumber + index;
      const prefix = number === markedLine ? `>${String(number).padStart(5)}` : String(number).padStart(6);
      return `${prefix}\t${truncateLine(line)}`;
    })
    .join("\n");
}

function truncateLine(line: string): string {
  if (line.length <= MAX_LINE_CHARACTERS) return line;
  return `${line.slice(0, MAX_LINE_CHARACTERS)}… [line truncated, ${line.length - MAX_LINE_CHARACTERS} more characters]`;
}
