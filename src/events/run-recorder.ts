import { randomBytes } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { AgentError, ConfigError } from "../errors.js";
import type { AgentEvent, EventSink } from "./agent-event.js";
import type { RunReport } from "./run-report.js";

/** The files of a run directory `runs/<run-id>/`. */
export const RUN_FILES = {
  trajectory: "trajectory.jsonl",
  patch: "patch.diff",
  summary: "summary.md",
  report: "report.json",
} as const;

/** Writes the files of one run directory. */
export interface RunRecorder {
  runDir: string;
  /** Appends each event as one redacted JSON line to trajectory.jsonl, in order. Never throws. */
  sink: EventSink;
  /** Writes patch.diff, or removes it when the patch is empty; returns its path, if written. */
  writePatch(patch: string): Promise<string | undefined>;
  /** Writes summary.md (redacted); returns its path. */
  writeSummary(markdown: string): Promise<string>;
  /** Writes report.json (redacted, pretty JSON); returns its path. */
  writeReport(report: RunReport): Promise<string>;
  /** Closes trajectory.jsonl; rejects when an event could not be written (disk full, ...). */
  close(): Promise<void>;
}

/** Where to record and how to remove secrets from what is written. */
export interface RunRecorderOptions {
  runDir: string;
  /** Applied to every string (values and keys) of every event, summary and report; e.g. createSecretRedactor. */
  redact?: (text: string) => string;
}

/** A run id that sorts by start time (UTC): `YYYYMMDD-HHMMSS-<6 hex>`. */
export function newRunId(now: Date = new Date(), random: (bytes: number) => Uint8Array = randomBytes): string {
  const iso = now.toISOString();
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  return `${stamp}-${Buffer.from(random(3)).toString("hex").slice(0, 6)}`;
}

/** Applies `redact` to every string in a JSON value, object keys included. */
export function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key), redactDeep(item, redact)])) as T;
  }
  return value;
}

/** Writes a whole buffer at the end of an append-mode file (one write, repeated only on a short write). */
function appendAll(fd: number, buffer: Buffer): void {
  for (let offset = 0; offset < buffer.length; ) offset += writeSync(fd, buffer, offset, buffer.length - offset);
}

/** Replaces a file in one step, so readers never see half of it. */
async function writeFileAtomic(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, path);
}

/**
 * Opens a run directory for recording. trajectory.jsonl is opened for appending, so a resumed
 * run continues its trajectory; a line cut off by a crash is closed first so that it stays alone.
 */
export async function createRunRecorder(options: RunRecorderOptions): Promise<RunRecorder> {
  const { runDir } = options;
  const redact = options.redact ?? ((text: string) => text);
  await mkdir(runDir, { recursive: true });
  const trajectoryPath = join(runDir, RUN_FILES.trajectory);
  let fd: number | undefined = openSync(trajectoryPath, "a");
  const size = fstatSync(fd).size;
  if (size > 0) {
    const last = Buffer.alloc(1);
    const reader = openSync(trajectoryPath, "r");
    try {
      readSync(reader, last, 0, 1, size - 1);
    } finally {
      closeSync(reader);
    }
    if (last.toString() !== "\n") appendAll(fd, Buffer.from("\n"));
  }
  let writeError: unknown;

  return {
    runDir,
    sink(event) {
      if (fd === undefined || writeError !== undefined) return;
      try {
        appendAll(fd, Buffer.from(`${JSON.stringify(redactDeep(event, redact))}\n`));
      } catch (error) {
        writeError = error;
      }
    },
    async writePatch(patch) {
      const path = join(runDir, RUN_FILES.patch);
      if (patch.trim() === "") {
        await rm(path, { force: true });
        return undefined;
      }
      // Written verbatim: a redacted patch would no longer apply.
      await writeFileAtomic(path, patch);
      return path;
    },
    async writeSummary(markdown) {
      const path = join(runDir, RUN_FILES.summary);
      await writeFileAtomic(path, redact(markdown));
      return path;
    },
    async writeReport(report) {
      const path = join(runDir, RUN_FILES.report);
      await writeFileAtomic(path, `${JSON.stringify(redactDeep(report, redact), null, 2)}\n`);
      return path;
    },
    async close() {
      if (fd !== undefined) closeSync(fd);
      fd = undefined;
      if (writeError !== undefined) {
        const cause = writeError;
        writeError = undefined;
        throw new AgentError("trajectory-write", `Could not write ${trajectoryPath}: ${(cause as Error).message}. The trajectory is incomplete.`, { cause });
      }
    },
  };
}

/** The events of a trajectory file, and what could not be read. */
export interface Trajectory {
  file: string;
  events: AgentEvent[];
  /** The stored text of each event, exactly as written (same order as `events`). */
  lines: string[];
  /** The final line was incomplete (the writer was killed mid-line); it is left out. */
  truncated: boolean;
  /** 1-based numbers of earlier lines that are not events (a crash before a resume); left out. */
  damagedLines: number[];
}

/** Resolves a run directory or a trajectory file to the trajectory file's path. */
export async function resolveTrajectoryPath(path: string): Promise<string> {
  const info = await stat(path);
  return info.isDirectory() ? join(path, RUN_FILES.trajectory) : path;
}

function parseEvent(line: string): AgentEvent | undefined {
  try {
    const value: unknown = JSON.parse(line);
    const isEvent = value !== null && typeof value === "object" && typeof (value as { type?: unknown }).type === "string";
    return isEvent ? (value as AgentEvent) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a trajectory (a run directory or its trajectory.jsonl). Tolerates what a killed run
 * leaves: an incomplete last line is dropped and flagged, never an error.
 */
export async function readTrajectory(path: string): Promise<Trajectory> {
  const file = await resolveTrajectoryPath(path).catch((error: unknown) => {
    throw new ConfigError(`Cannot read the trajectory ${path}: ${(error as Error).message}.`, { cause: error });
  });
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    throw new ConfigError(`Cannot read the trajectory ${file}: ${(error as Error).message}.`, { cause: error });
  });
  const rawLines = text.split("\n");
  const trajectory: Trajectory = { file, events: [], lines: [], truncated: false, damagedLines: [] };
  rawLines.forEach((line, index) => {
    if (line.trim() === "") return;
    const event = parseEvent(line);
    if (event) {
      trajectory.events.push(event);
      trajectory.lines.push(line);
    } else if (index === rawLines.length - 1) trajectory.truncated = true;
    else trajectory.damagedLines.push(index + 1);
  });
  return trajectory;
}
