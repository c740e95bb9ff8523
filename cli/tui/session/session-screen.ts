import chalk from "chalk";
import { Box, Text } from "ink";
// `h` (hyperscript) keeps the element trees readable without a JSX build step.
import { createElement as h, type ReactElement } from "react";
import { formatCost, formatDuration, type GraphNodeName } from "../../../src/index.js";
import { elapsedAt } from "../solve-view-state.js";
import { diffLine, sanitize, textWidth, visibleTranscript, wrapLine, type Line, type Segment } from "./screen-lines.js";
import { planStepStatuses, previewToolCall, type Dialog, type SessionScreenState, type TranscriptEntry } from "./screen-state.js";
import { completeSlashCommand } from "./slash-commands.js";

/** What the screen draws: the state, the terminal's size, the time (clock and spinner), and the cached rows of entries. */
export interface SessionScreenProps {
  state: SessionScreenState;
  columns: number;
  /** The rows the frame may take (the terminal's height less one, so the terminal never scrolls). */
  rows: number;
  nowMs: number;
  linesOf: (entry: TranscriptEntry, width: number, expanded: boolean, spinner: string) => Line[];
}

/** Below this width the layout drops the side panel and shortens the header. */
export const NARROW_COLUMNS = 60;
/** From this width on, the plan and the diff get a panel of their own on the right. */
export const SIDE_PANEL_COLUMNS = 110;
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];
/** How often the screen redraws while nothing happens (the clock and the spinner move). */
export const TICK_MS = 250;
const GRAPH: readonly GraphNodeName[] = ["planner", "test-designer", "programmer", "executor"];
const PROMPT_ROWS_MAX = 6;

/** The side panel's rows, each after the column's rule, as many as the body has. */
function panelRows(lines: Line[], width: number, height: number): ReactElement[] {
  return Array.from({ length: height }, (_, index) => drawLine([{ text: " │ ", dim: true }, ...fit(lines[index] ?? [], width)], `p${index}`));
}

/** Cuts a line to `width` columns. */
function fit(line: Line, width: number): Line {
  const out: Segment[] = [];
  let used = 0;
  for (const segment of line) {
    if (used >= width) break;
    const room = width - used;
    const segmentWidth = textWidth(segment.text);
    if (segmentWidth <= room) {
      out.push(segment);
      used += segmentWidth;
    } else {
      const cut = room > 1 ? (wrapLine(segment.text, room - 1)[0] ?? "") : "";
      out.push({ ...segment, text: `${cut}…` });
      used += textWidth(cut) + 1;
    }
  }
  return out;
}

/** One row as an ink Text: each segment in its style, cut at the screen's edge. */
export function drawLine(line: Line, key: string): ReactElement {
  // One Text per row, its segments styled in the string: a frame is about 40 ink nodes, not 200,
  // which halves what each frame costs (bench/tui-render).
  return h(Text, { key, wrap: "truncate-end" }, styledRow(line));
}

const styledRows = new WeakMap<Line, string>();

/** A row as one string with its segments' styles (chalk, which knows whether the terminal takes colours); a blank row is a space, as an empty Text takes no row. */
function styledRow(line: Line): string {
  const known = styledRows.get(line);
  if (known !== undefined) return known;
  let text = "";
  for (const segment of line) {
    let style = chalk;
    if (segment.color) style = style[segment.color as "green"] ?? style;
    if (segment.bold) style = style.bold;
    if (segment.dim) style = style.dim;
    if (segment.inverse) style = style.inverse;
    text += style === chalk ? segment.text : style(segment.text);
  }
  const row = text === "" ? " " : text;
  styledRows.set(line, row);
  return row;
}

function headerLine(state: SessionScreenState, columns: number): Line {
  const facts = columns < NARROW_COLUMNS ? [state.model, state.approvalMode] : [state.repository, state.model, state.approvalMode, `session ${state.sessionId}`];
  return [{ text: " agent ", bold: true, color: "cyan" }, { text: facts.join(" · "), dim: true }];
}

function graphLine(state: SessionScreenState, columns: number, nowMs: number): Line {
  const spinner = SPINNER[Math.floor(nowMs / TICK_MS) % SPINNER.length]!;
  const { run } = state;
  const segments: Segment[] = [{ text: " " }];
  if (!state.running && run.runId === null) return [...segments, { text: "Type a task, an issue URL or OWNER/REPO#N, or /help.", dim: true }];
  for (const [index, node] of GRAPH.entries()) {
    if (index > 0) segments.push({ text: " → ", dim: true });
    const active = run.activeNodes.includes(node);
    const finished = state.finishedNodes.includes(node);
    const name = columns < NARROW_COLUMNS ? node.split("-").map((part) => part[0]).join("") : node;
    if (active) segments.push({ text: `${state.paused ? "⏸" : spinner} ${name}`, color: "cyan", bold: true });
    else segments.push({ text: `${finished ? "✓" : "·"} ${name}`, ...(finished ? { color: "green" } : { dim: true }) });
  }
  if (run.round > 0) segments.push({ text: ` r${run.round}`, dim: true });
  const budget = state.maxCostUsd === null ? "" : ` of $${state.maxCostUsd}`;
  const cost = run.costUsd === null ? "cost unknown" : `${formatCost({ usd: run.costUsd })}${budget}`;
  segments.push({ text: `  ${run.usage.inputTokens + run.usage.outputTokens} tok · ${cost} · ${formatDuration(elapsedAt(run, nowMs))}`, dim: true });
  if (state.paused) segments.push({ text: "  paused: type guidance", color: "yellow" });
  else if (state.interruptPending) segments.push({ text: "  stopping at the next turn…", color: "yellow" });
  return segments;
}

/** The side panel: the plan with each step's status, then the current changes. */
function sidePanel(state: SessionScreenState, width: number, height: number): Line[] {
  const lines: Line[] = [];
  const plan = state.run.plan;
  if (plan) {
    const statuses = planStepStatuses(state);
    lines.push([{ text: `Plan v${plan.version}`, bold: true }]);
    for (const [index, step] of plan.steps.entries()) {
      const status = statuses[index];
      const mark: Segment = status === "done" ? { text: "✓ ", color: "green" } : status === "active" ? { text: "▸ ", color: "cyan" } : { text: "· ", dim: true };
      for (const [row, text] of wrapLine(sanitize(`${index + 1}. [${step.owner}] ${step.description}`).replace(/\n/g, " "), width - 2).entries()) {
        lines.push(row === 0 ? [mark, { text }] : [{ text: `  ${text}` }]);
      }
    }
    lines.push([]);
  }
  const diff = sanitize(state.diff).replace(/\n+$/, "");
  const files = diff ? diff.split("\n").filter((line) => line.startsWith("diff --git ")).length : 0;
  const added = diff.split("\n").filter((line) => line.startsWith("+") && !line.startsWith("+++")).length;
  const removed = diff.split("\n").filter((line) => line.startsWith("-") && !line.startsWith("---")).length;
  lines.push([{ text: "Changes", bold: true }, { text: diff ? ` ${files} file${files === 1 ? "" : "s"}, +${added} −${removed}` : " none yet", dim: true }]);
  for (const line of diff ? diff.split("\n") : []) {
    if (lines.length >= height) break;
    lines.push(...diffLine(line, width).map((row) => row));
  }
  return lines.slice(0, height);
}

/** The rows of the question on the screen, at most `maxRows`. */
export function dialogLines(dialog: Dialog, width: number, maxRows: number): Line[] {
  const title = (text: string, color = "yellow"): Line[] => wrapLine(text, width).map((row) => [{ text: row, color, bold: true }]);
  const field = (label: string, text: string): Line[] => wrapLine(`${label}${text}█`, width).map((row) => [{ text: row, color: "magenta" }]);
  const choices = (text: string): Line => [{ text, dim: true }];
  const clip = (lines: Line[], keep: number): Line[] => (lines.length <= keep ? lines : [...lines.slice(0, Math.max(0, keep - 1)), [{ text: `… ${lines.length - keep + 1} more lines`, dim: true }]]);
  switch (dialog.kind) {
    case "approval": {
      const head = title(`${dialog.request.node} asks to use ${dialog.request.tool}: ${dialog.request.reason}`);
      const preview = previewToolCall(dialog.request, 200).flatMap((line) => (dialog.request.tool === "edit_file" ? diffLine(line, width) : wrapLine(sanitize(line), width).map((row) => [{ text: row }])));
      const tail: Line[] = dialog.guidance !== null ? field("What should it do instead? ", dialog.guidance) : [choices(`y yes · a always allow ${dialog.request.tool} this session · n no · g no, and say what to do instead`)];
      return [...head, ...clip(preview, Math.max(1, maxRows - head.length - tail.length)), ...tail];
    }
    case "plan": {
      const { plan } = dialog;
      const head = title(`Review the plan (v${plan.version}) before any code changes`, "cyan");
      const body: Line[] = [
        ...wrapLine(sanitize(plan.summary), width).map((row) => [{ text: row }]),
        ...plan.steps.flatMap((step, index) => wrapLine(sanitize(`${index + 1}. [${step.owner}] ${step.description}`), width).map((row) => [{ text: row }])),
        ...(plan.files.length ? [[{ text: `files: ${plan.files.join(", ")}`, dim: true }]] : []),
      ];
      const tail: Line[] = dialog.feedback
        ? field(dialog.feedback.action === "revise" ? "What should change? " : "Why reject it (optional)? ", dialog.feedback.text)
        : [choices("Enter or y accept · e edit (your words go back to the planner) · r reject")];
      return [...head, ...clip(body, Math.max(1, maxRows - head.length - tail.length)), ...tail];
    }
    case "model-error":
      return clip([...title(`The model failed in ${dialog.node}:`, "red"), ...wrapLine(sanitize(dialog.message), width).map((row) => [{ text: row, color: "red" }]), choices("r retry · m switch model (/model) · s stop the task (its record is kept)")], maxRows);
    case "confirm-apply":
      return [...title(`Apply the session's changes (${dialog.files} file${dialog.files === 1 ? "" : "s"}) to ${dialog.checkout}?`), choices("y apply · n cancel")];
  }
}

/** The prompt's rows with the cursor drawn, then the slash-command completions and the hint or status line. */
function promptLines(state: SessionScreenState, width: number, maxRows: number): Line[] {
  const prefix = state.paused ? "guidance › " : state.running ? "message › " : "› ";
  const { text, cursor } = state.input;
  const withCursor = `${text.slice(0, cursor)}\u0000${text.slice(cursor)}`;
  const rows: Line[] = [];
  for (const [index, raw] of withCursor.split("\n").entries()) {
    const lead = index === 0 ? prefix : " ".repeat(prefix.length);
    for (const [part, row] of wrapLine(raw, Math.max(1, width - lead.length)).entries()) {
      const segments: Segment[] = [{ text: part === 0 ? lead : " ".repeat(lead.length), color: "cyan", bold: true }];
      const at = row.indexOf("\u0000");
      if (at === -1) segments.push({ text: row });
      else segments.push({ text: row.slice(0, at) }, { text: row[at + 1] ?? " ", inverse: true }, { text: row.slice(at + 2) });
      rows.push(segments);
    }
  }
  // A long prompt shows the rows around the cursor.
  const cursorRow = rows.findIndex((row) => row.some((segment) => segment.inverse));
  const first = Math.max(0, Math.min(cursorRow - 2, rows.length - PROMPT_ROWS_MAX));
  const shown = rows.slice(first, first + PROMPT_ROWS_MAX);
  const completions = completeSlashCommand(text)
    .slice(0, 6)
    .map((command): Line => [{ text: `  /${command.name}`, color: "cyan" }, { text: `${command.argument ? ` ${command.argument}` : ""} — ${command.description}`, dim: true }]);
  const hint = state.status ?? (state.running ? (state.paused ? "Enter sends guidance (alone: go on) · /undo · /diff · Ctrl-C twice ends" : "Esc stops the agents · Enter messages them · /help · Ctrl-C twice ends") : "Enter sends · Ctrl-J new line · ↑ history · /help · Ctrl-C twice ends");
  const lines = [...shown, ...completions, [{ text: hint, dim: true }]];
  return lines.slice(Math.max(0, lines.length - maxRows));
}

/** The full-screen session: header, graph and totals, the transcript (with the plan and diff panel when wide), and the prompt or the question asked. */
export function SessionScreen({ state, columns, rows, nowMs, linesOf }: SessionScreenProps): ReactElement {
  const width = Math.max(1, columns);
  const spinner = SPINNER[Math.floor(nowMs / TICK_MS) % SPINNER.length]!;
  const top = rows >= 8 ? [headerLine(state, width), graphLine(state, width, nowMs)] : [headerLine(state, width)];
  const bottomMax = Math.max(2, Math.floor(rows * (state.dialog ? 0.6 : 0.4)));
  const bottom = state.dialog ? dialogLines(state.dialog, width, bottomMax) : promptLines(state, width, bottomMax);
  const bodyHeight = Math.max(0, rows - top.length - bottom.length - 1);
  const side = width >= SIDE_PANEL_COLUMNS && (state.run.plan !== null || state.diff !== "") ? Math.min(64, Math.floor(width * 0.4)) : 0;
  const mainWidth = side > 0 ? width - side - 3 : width;
  const transcript = visibleTranscript(state.entries, (entry) => linesOf(entry, mainWidth, state.expanded, spinner), bodyHeight, state.scroll);
  const body: Line[] = transcript.lines.slice();
  while (body.length < bodyHeight) body.unshift([]);
  if (state.scroll > 0 && bodyHeight > 0) body[0] = [{ text: `↑ ${transcript.scroll} lines up · PgDn to go back`, color: "yellow" }];
  const separator: Line = [{ text: "─".repeat(width), dim: true }];
  // The frame never takes more rows than it is given: what must go goes from the bottom.
  const topRows = top.slice(0, rows);
  const bodyRows = Math.min(bodyHeight, rows - topRows.length);
  const bottomRows = [separator, ...bottom].slice(0, Math.max(0, rows - topRows.length - bodyRows));
  // The panel is a column of its own, laid out by ink: no row is padded with spaces to reach it, as
  // every character of a frame costs ink's output pass (bench/tui-render).
  const bodyBox =
    side > 0
      ? h(
          Box,
          { key: "body", flexDirection: "row", height: bodyRows },
          h(Box, { key: "main", flexDirection: "column", width: mainWidth }, ...body.slice(0, bodyRows).map((line, index) => drawLine(line, `m${index}`))),
          h(Box, { key: "panel", flexDirection: "column", width: side + 3 }, ...panelRows(sidePanel(state, side, bodyRows), side, bodyRows)),
        )
      : h(Box, { key: "body", flexDirection: "column" }, ...body.slice(0, bodyRows).map((line, index) => drawLine(line, `m${index}`)));
  return h(
    Box,
    { flexDirection: "column", width },
    ...topRows.map((line, index) => drawLine(line, `t${index}`)),
    ...(bodyRows > 0 ? [bodyBox] : []),
    ...bottomRows.map((line, index) => drawLine(line, `b${index}`)),
  );
}
