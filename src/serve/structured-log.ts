/**
 * The bot's log: one JSON object per line (`{ time, level, msg, ...fields }`), written through
 * an injected function (stdout in `agent serve`, an array in tests). Every string in a line is
 * redacted first, so a secret or token that reaches a field or a message never reaches the log.
 */
import { createRedactor } from "../memory/secret-patterns.js";

/** How much a line matters. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Fields that give a line its context; `deliveryId`, `event`, `repository` and `jobId` by convention. */
export type LogFields = Record<string, unknown>;

/** Writes structured lines; the methods never throw. */
export interface StructuredLog {
  debug(msg: string, fields?: LogFields): void;
  info(msg: string, fields?: LogFields): void;
  warn(msg: string, fields?: LogFields): void;
  error(msg: string, fields?: LogFields): void;
}

const LEVELS: readonly LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * A log that hands `write` one JSON object per call, as one line without its "\n" (stdout:
 * `(line) => process.stdout.write(line + "\n")`). `redact` defaults to the token
 * patterns; pass `createRedactor([secret, ...])` so the known secret values are removed too. Lines
 * under `level` (default "info") are dropped.
 */
export function createStructuredLog(
  write: (line: string) => void,
  options: { redact?: (text: string) => string; level?: LogLevel; now?: () => Date } = {},
): StructuredLog {
  const redact = options.redact ?? createRedactor([]);
  const lowest = LEVELS.indexOf(options.level ?? "info");
  const now = options.now ?? (() => new Date());
  const emit = (level: LogLevel, msg: string, fields: LogFields | undefined) => {
    if (LEVELS.indexOf(level) < lowest) return;
    try {
      const head = { time: now().toISOString(), level, msg };
      // The head first for reading order, and again last so that no field can overwrite it.
      const record = { ...head, ...fields, ...head };
      write(JSON.stringify(redactValue(record, redact, 0)));
    } catch {
      // A log that cannot be written must not take the server down with it.
    }
  };
  return {
    debug: (msg, fields) => emit("debug", msg, fields),
    info: (msg, fields) => emit("info", msg, fields),
    warn: (msg, fields) => emit("warn", msg, fields),
    error: (msg, fields) => emit("error", msg, fields),
  };
}

/** A copy of `value` with every string redacted; errors become `{ name, message }`; deep structures are cut at depth 6. */
function redactValue(value: unknown, redact: (text: string) => string, depth: number): unknown {
  if (typeof value === "string") return redact(value);
  if (value instanceof Error) return { name: value.name, message: redact(value.message) };
  if (value === null || typeof value !== "object") return value;
  if (depth >= 6) return "[too deep]";
  if (Array.isArray(value)) return value.map((item) => redactValue(item, redact, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactValue(item, redact, depth + 1)]));
}
