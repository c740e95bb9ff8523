import { readFile } from "node:fs/promises";
import { ConfigError } from "../errors.js";

/**
 * Reads one JSON configuration file. Returns undefined when the file does not exist; throws a
 * one-line ConfigError naming `label` when it cannot be read, is not JSON, or is not an object.
 */
export async function readConfigFile(filePath: string, label: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(filePath, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    throw new ConfigError(`${label}: cannot be read (${describeReadFailure(error)}). Check its permissions.`, {
      cause: error,
    });
  }

  const json = text.startsWith("\uFEFF") ? text.slice(1) : text;
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (error) {
    throw new ConfigError(`${label}: not valid JSON (${describeJsonError(json, error)}). Fix the file or delete it.`, {
      cause: error,
    });
  }

  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new ConfigError(
      `${label}: the top level must be a JSON object such as {"model": "openai:gpt-4.1"}, got ${describeJsonKind(data)}. Fix the file or delete it.`,
    );
  }
  return data as Record<string, unknown>;
}

function describeReadFailure(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "EISDIR") return "it is a directory, not a file";
  return code ?? message;
}

function describeJsonKind(data: unknown): string {
  if (data === null) return "null";
  if (Array.isArray(data)) return "an array";
  return `a ${typeof data}`;
}

/** The parser's reason without any quoted source text (it may hold a secret), plus line and column. */
function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const reason = message
    .replace(/, (?:\.\.\.)?".*"(?:\.\.\.)? is not valid JSON$/s, "")
    .replace(/ \(line \d+ column \d+\)$/, "")
    .replace(/ in JSON at position \d+$/, "");
  const reported = /at position (\d+)/.exec(message)?.[1];
  const offset = reported === undefined ? findJsonSyntaxErrorOffset(text) : Number(reported);
  const { line, column } = lineAndColumn(text, offset);
  return `${reason} at position ${offset}, line ${line} column ${column}`;
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lastNewline = before.lastIndexOf("\n");
  return { line: before.split("\n").length, column: offset - lastNewline };
}

const jsonNumber = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

/**
 * The offset of the first JSON syntax error in `text`, for parser messages that give no
 * position (V8 reports "Unexpected token" with a snippet instead). Only called on invalid JSON.
 * The open arrays and objects are kept on a stack of their own, not the call stack, so that
 * `[[[[…` nested a hundred thousand deep is reported like any other error.
 */
function findJsonSyntaxErrorOffset(text: string): number {
  let index = 0;
  const fail = (): never => {
    throw new JsonSyntaxErrorAt(index);
  };
  const skipWhitespace = (): void => {
    while (index < text.length && " \t\n\r".includes(text.charAt(index))) index += 1;
  };
  const expect = (char: string): void => {
    skipWhitespace();
    if (text.charAt(index) !== char) fail();
    index += 1;
  };
  const readString = (): void => {
    expect('"');
    while (index < text.length) {
      const char = text.charAt(index);
      if (char === '"') {
        index += 1;
        return;
      }
      if (char < " ") fail();
      if (char === "\\") {
        index += 1;
        const escape = text.charAt(index);
        if (escape === "u") {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(index + 1, index + 5))) fail();
          index += 4;
        } else if (!'"\\/bfnrt'.includes(escape) || escape === "") {
          fail();
        }
      }
      index += 1;
    }
    fail();
  };
  const readScalar = (): void => {
    const char = text.charAt(index);
    if (char === '"') return readString();
    for (const literal of ["true", "false", "null"]) {
      if (text.startsWith(literal, index)) {
        index += literal.length;
        return;
      }
    }
    jsonNumber.lastIndex = index;
    if (!jsonNumber.test(text)) fail();
    index = jsonNumber.lastIndex;
  };
  /** The closing character of each array or object the scan is in, innermost last. */
  const open: Array<"]" | "}"> = [];
  const startMember = (close: "]" | "}"): void => {
    if (close === "}") {
      readString();
      expect(":");
    }
  };

  try {
    for (;;) {
      skipWhitespace();
      const char = text.charAt(index);
      if (char === "{" || char === "[") {
        const close = char === "{" ? "}" : "]";
        index += 1;
        skipWhitespace();
        if (text.charAt(index) !== close) {
          open.push(close);
          startMember(close);
          continue;
        }
        index += 1;
      } else {
        readScalar();
      }
      // A value ended: close what it ends, or go on to the next member.
      for (;;) {
        skipWhitespace();
        const close = open.at(-1);
        if (close === undefined) {
          if (index < text.length) fail();
          return text.length;
        }
        if (text.charAt(index) !== close) break;
        index += 1;
        open.pop();
      }
      expect(",");
      startMember(open.at(-1) as "]" | "}");
    }
  } catch (error) {
    if (error instanceof JsonSyntaxErrorAt) return error.offset;
    throw error;
  }
}

class JsonSyntaxErrorAt {
  constructor(readonly offset: number) {}
}
