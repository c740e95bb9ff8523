import { formatDuration, formatTestCounts, type GraphNodeName } from "../../../src/index.js";
import type { TranscriptEntry } from "./screen-state.js";

/** A run of text in one style. */
export interface Segment {
  text: string;
  color?: string;
  bold?: boolean;
  dim?: boolean;
  /** Foreground and background swapped (the prompt's cursor). */
  inverse?: boolean;
}

/** One row of the screen. */
export type Line = Segment[];

/** Lines of tool output shown while folded. */
export const FOLDED_OUTPUT_LINES = 3;
/** Lines of one entry at most, even expanded (a /diff of a huge patch): the run directory has the rest. */
const MAX_ENTRY_LINES = 2_000;

// eslint-disable-next-line no-control-regex -- escape sequences and control characters are what is removed
const ANSI = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)|[@-Z\\-_])/g;
// eslint-disable-next-line no-control-regex -- as above
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** Text as the screen may draw it: no escape sequences or control characters, tabs as spaces, a carriage return keeps what follows it. */
export function sanitize(text: string): string {
  return text
    .replace(ANSI, "")
    .replace(/\r\n/g, "\n")
    .split("\n")
    .map((line) => (line.includes("\r") ? line.slice(line.lastIndexOf("\r") + 1) : line))
    .join("\n")
    .replace(/\t/g, "    ")
    .replace(CONTROL, "");
}

/** Columns a code point takes: 2 for East Asian wide characters and most emoji, 0 for combining marks, else 1. */
function codePointWidth(code: number): number {
  if ((code >= 0x300 && code <= 0x36f) || (code >= 0x200b && code <= 0x200f) || (code >= 0xfe00 && code <= 0xfe0f)) return 0;
  if (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    (code >= 0x20000 && code <= 0x3fffd)
  ) {
    return 2;
  }
  return 1;
}

/** The columns a (sanitized) text takes on a terminal. */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += codePointWidth(char.codePointAt(0)!);
  return width;
}

/** Cuts a line into rows of at most `width` columns, at a space when one is in the row's second half. */
export function wrapLine(line: string, width: number): string[] {
  if (width <= 0) return [line];
  if (line.length <= width && textWidth(line) <= width) return [line];
  const rows: string[] = [];
  let row = "";
  let rowWidth = 0;
  for (const char of line) {
    const charWidth = codePointWidth(char.codePointAt(0)!);
    if (rowWidth + charWidth > width) {
      const space = row.lastIndexOf(" ");
      if (space > row.length / 2) {
        rows.push(row.slice(0, space));
        row = row.slice(space + 1);
      } else {
        rows.push(row);
        row = "";
      }
      rowWidth = textWidth(row);
    }
    row += char;
    rowWidth += charWidth;
  }
  rows.push(row);
  return rows;
}

/** A text as rows of one style; the first row after `first`, the next ones after `rest` (indentation). */
function textRows(text: string, width: number, style: Omit<Segment, "text">, first: Segment[] = [], rest: Segment[] = first): Line[] {
  const lines: Line[] = [];
  const indent = (prefix: Segment[]) => prefix.reduce((sum, segment) => sum + textWidth(segment.text), 0);
  for (const raw of sanitize(text).split("\n")) {
    for (const row of wrapLine(raw, Math.max(1, width - indent(lines.length === 0 ? first : rest)))) {
      lines.push([...(lines.length === 0 ? first : rest), { text: row, ...style }]);
    }
  }
  return lines.length > 0 ? lines : [[...first]];
}

const TONE_COLORS = { info: undefined, warn: "yellow", error: "red", success: "green" } as const;
const STATUS_COLORS: Record<string, string> = { solved: "green", patched: "yellow", failed: "red", "limits-exceeded": "yellow", interrupted: "yellow", error: "red" };

/** The colour of a patch line: added green, removed red, hunk headers cyan, file headers bold. */
export function diffLine(text: string, width: number): Line[] {
  if (text.startsWith("+++") || text.startsWith("---") || text.startsWith("diff --git")) return textRows(text, width, { bold: true });
  if (text.startsWith("+")) return textRows(text, width, { color: "green" });
  if (text.startsWith("-")) return textRows(text, width, { color: "red" });
  if (text.startsWith("@@")) return textRows(text, width, { color: "cyan" });
  return textRows(text, width, { dim: true });
}

function nodeLabel(node: GraphNodeName | null): string {
  return node ?? "agent";
}

/** The rows of a tool call: its line, then its output folded to a few lines unless expanded. */
function toolLines(entry: Extract<TranscriptEntry, { kind: "tool" }>, width: number, expanded: boolean, spinner: string): Line[] {
  const mark: Segment = entry.status === "running" ? { text: `${spinner} `, color: "yellow" } : entry.status === "ok" ? { text: "✓ ", color: "green" } : { text: "✗ ", color: "red" };
  const what = entry.display ?? (entry.summary ? `${entry.tool} ${entry.summary}` : entry.tool);
  const took = entry.durationMs === null || entry.display ? "" : ` (${formatDuration(entry.durationMs)})`;
  const head = textRows(`${what}${took}`, width, {}, [{ text: "  " }, mark], [{ text: "    " }]);
  if (entry.status === "running" || !entry.output.trim()) return head;
  const outputLines = sanitize(entry.output).replace(/\n+$/, "").split("\n");
  const shown = expanded ? outputLines : outputLines.slice(0, FOLDED_OUTPUT_LINES);
  const body = shown.flatMap((line) => textRows(line, width, { dim: true }, [{ text: "    │ ", dim: true }]));
  const hidden = outputLines.length - shown.length;
  const more: Line[] = hidden > 0 ? [[{ text: `    … ${hidden} more line${hidden === 1 ? "" : "s"} (Ctrl-O shows them)`, dim: true }]] : [];
  return [...head, ...body, ...more];
}

/** The rows an entry takes at a width. Pure; the screen caches them per entry. */
export function entryLines(entry: TranscriptEntry, width: number, expanded: boolean, spinner = "•"): Line[] {
  const lines = ((): Line[] => {
    switch (entry.kind) {
      case "user":
        return textRows(entry.text, width, { bold: true }, [{ text: "› ", color: "cyan", bold: true }], [{ text: "  " }]);
      case "guidance": {
        const to = entry.node ? `to ${entry.node}` : "to the agents";
        return textRows(entry.text, width, { color: "magenta" }, [{ text: `→ ${to}${entry.queued ? " (queued)" : ""}: `, color: "magenta", bold: true }], [{ text: "  " }]);
      }
      case "notice": {
        const color = TONE_COLORS[entry.tone];
        return textRows(entry.text, width, color ? { color } : { dim: true }, [{ text: "• ", ...(color ? { color } : { dim: true }) }], [{ text: "  " }]);
      }
      case "role":
        return [[], [{ text: `── ${entry.node}`, color: "cyan", bold: true }, { text: ` · round ${entry.round}`, dim: true }]];
      case "model-text":
        return textRows(entry.text, width, {}, [{ text: `${nodeLabel(entry.node)}: `, color: "blue", bold: true }], [{ text: "  " }]);
      case "tool":
        return toolLines(entry, width, expanded, spinner);
      case "plan": {
        const steps = entry.steps.flatMap((step, index) => textRows(step.description, width, {}, [{ text: `  ${index + 1}. ` }, { text: `[${step.owner}] `, dim: true }], [{ text: "     " }]));
        const files = entry.files.length ? textRows(entry.files.join(", "), width, { dim: true }, [{ text: "  files: ", dim: true }]) : [];
        return [...textRows(entry.summary, width, {}, [{ text: `Plan v${entry.version}: `, bold: true }], [{ text: "  " }]), ...steps, ...files];
      }
      case "tests": {
        const failing = entry.failed + entry.errors > 0;
        const label = `${entry.scope ? `${entry.scope} tests` : "tests"} on the ${entry.phase === "base" ? "base commit" : "patched tree"}`;
        const exit = entry.exitCode === null ? "no exit code" : `exit ${entry.exitCode}`;
        const head: Line = [{ text: "  ▣ ", color: failing ? "red" : "green" }, { text: `${label}: ` }, { text: formatTestCounts(entry), color: failing ? "red" : "green" }, { text: ` (${exit}) $ ${sanitize(entry.command)}`, dim: true }];
        const names = entry.failing.slice(0, 5).flatMap((test) => textRows(test, width, { color: "red" }, [{ text: "      ✗ ", color: "red" }]));
        return [head, ...names];
      }
      case "approval": {
        const [word, color] = entry.decision === "pending" ? ["waiting for you", "yellow"] : entry.decision === "allow" ? ["allowed", "green"] : ["denied", "red"];
        const note = entry.note && entry.note !== "approved" && entry.note !== "declined" ? ` (${entry.note})` : "";
        return textRows(`${entry.node} asked to use ${entry.tool} (${entry.reason}): ${word}${note}`, width, { color }, [{ text: "  ? ", color }], [{ text: "    " }]);
      }
      case "diff": {
        const patch = sanitize(entry.patch).replace(/\n+$/, "");
        if (!patch) return textRows("(no changes)", width, { dim: true }, [{ text: `${entry.title} `, bold: true }]);
        return [[{ text: entry.title, bold: true }], ...patch.split("\n").flatMap((line) => diffLine(line, width))];
      }
      case "lines":
        return [[{ text: entry.title, bold: true }], ...entry.lines.flatMap((line) => textRows(line, width, {}, [{ text: "  " }], [{ text: "    " }]))];
      case "run-end": {
        const color = STATUS_COLORS[entry.status] ?? "white";
        const said = entry.summary.startsWith(`${entry.status}:`) ? entry.summary.slice(entry.status.length + 1).trim() : entry.summary;
        const summary = textRows(said, width, {}, [{ text: `■ ${entry.status}`, color, bold: true }, { text: ": " }], [{ text: "  " }]);
        const patch: Line[] = entry.patchFile ? [[{ text: `  patch ${entry.patchFile}`, dim: true }]] : [];
        return [...summary, ...patch];
      }
    }
  })();
  return lines.length > MAX_ENTRY_LINES ? [...lines.slice(0, MAX_ENTRY_LINES), [{ text: `… ${lines.length - MAX_ENTRY_LINES} more lines not shown`, dim: true }]] : lines;
}

/** Memoised rows per entry object and layout: entries never change in place, so a new object means new rows. */
export function createLineCache(): (entry: TranscriptEntry, width: number, expanded: boolean, spinner: string) => Line[] {
  const cache = new WeakMap<TranscriptEntry, { key: string; lines: Line[] }>();
  return (entry, width, expanded, spinner) => {
    // Only a running tool call draws the spinner, so only its rows change with it.
    const key = `${width}:${expanded}:${entry.kind === "tool" && entry.status === "running" ? spinner : ""}`;
    const hit = cache.get(entry);
    if (hit?.key === key) return hit.lines;
    const lines = entryLines(entry, width, expanded, spinner);
    cache.set(entry, { key, lines });
    return lines;
  };
}

/** The transcript rows to draw: the last `height` rows, `scroll` rows up from the end (clamped). Reads entries from the end only as far as needed. */
export function visibleTranscript(
  entries: readonly TranscriptEntry[],
  linesOf: (entry: TranscriptEntry) => Line[],
  height: number,
  scroll: number,
): { lines: Line[]; scroll: number; more: boolean } {
  const wanted = height + scroll;
  const collected: Line[][] = [];
  let count = 0;
  let index = entries.length - 1;
  for (; index >= 0 && count < wanted; index -= 1) {
    const lines = linesOf(entries[index]!);
    collected.push(lines);
    count += lines.length;
  }
  const all = collected.reverse().flat();
  const maxScroll = Math.max(0, all.length - height);
  const clamped = index >= 0 ? Math.min(scroll, maxScroll) : Math.min(scroll, maxScroll);
  const end = all.length - clamped;
  return { lines: all.slice(Math.max(0, end - height), end), scroll: clamped, more: index >= 0 || end - height > 0 };
}
