/**
 * The few pieces of Python string semantics the official parsers rely on, so that a line is cut
 * exactly where `str.split()`, `str.strip()` and `re`'s `\s` would cut it (Python's whitespace is
 * not JavaScript's: it includes \x1c-\x1f and \x85 and excludes \ufeff).
 */

/** The characters for which Python's `str.isspace()` is true, as the body of a regex character class. */
export const PY_WHITESPACE_CLASS =
  "\\t\\n\\v\\f\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";

const WHITESPACE_CHAR = new RegExp(`^[${PY_WHITESPACE_CLASS}]$`, "u");
const WHITESPACE_RUN = new RegExp(`[${PY_WHITESPACE_CLASS}]+`, "u");

/** Whether one UTF-16 code unit is Python whitespace (every such character is a single code unit). */
export function isPyWhitespace(char: string): boolean {
  return WHITESPACE_CHAR.test(char);
}

/** Python's `text.split()`: the runs of non-whitespace, with no empty strings. */
export function pySplit(text: string): string[] {
  return text.split(WHITESPACE_RUN).filter((token) => token !== "");
}

/** Python's `text.lstrip()`. */
export function pyLstrip(text: string): string {
  let start = 0;
  while (start < text.length && isPyWhitespace(text.charAt(start))) start += 1;
  return text.slice(start);
}

/** Python's `text.rstrip()`. */
export function pyRstrip(text: string): string {
  let end = text.length;
  while (end > 0 && isPyWhitespace(text.charAt(end - 1))) end -= 1;
  return text.slice(0, end);
}

/** Python's `text.strip()`. */
export function pyStrip(text: string): string {
  return pyRstrip(pyLstrip(text));
}
