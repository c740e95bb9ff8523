import { Box, Text } from "ink";
// `h` (hyperscript) keeps the element trees readable without a JSX build step.
import { createElement as h, type ReactElement } from "react";
import { formatCost, formatDuration, formatTestCounts, formatTokens, oneLine, type RunStatus } from "../../src/index.js";
import { elapsedAt, type SolveViewState, type TestRunView, type ToolCallView } from "./solve-view-state.js";

/** How often the live view redraws while nothing happens, so the clock and the spinner move. */
export const REDRAW_INTERVAL_MS = 250;

// The view stays shorter than a 24-row terminal (at most 23 rows: header 2, role 1, plan 7, tools 7,
// tests 4, notices 2): a frame as tall as the terminal makes ink clear the whole screen on every redraw.
const PLAN_STEPS_SHOWN = 5;

const SPINNER_FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** What the view draws: the state, and the time now (for the clock and the spinner). */
export interface SolveViewProps {
  state: SolveViewState;
  nowMs: number;
}

const STATUS_COLORS: Record<RunStatus, string> = {
  solved: "green",
  patched: "yellow",
  failed: "red",
  "limits-exceeded": "yellow",
  interrupted: "yellow",
  error: "red",
};

function row(key: string, ...children: (ReactElement | string)[]): ReactElement {
  return h(Text, { key, wrap: "truncate-end" }, ...children);
}

function headerRows(state: SolveViewState, nowMs: number): ReactElement[] {
  const cost = state.costUsd === null ? "cost unknown" : formatCost({ usd: state.costUsd });
  const retries = state.retries > 0 ? ` · ${state.retries} ${state.retries === 1 ? "retry" : "retries"}` : "";
  const facts = [state.model ?? "model …", `sandbox ${state.sandbox ?? "…"}`, cost, formatTokens(state.usage), formatDuration(elapsedAt(state, nowMs))];
  return [
    row("title", h(Text, { bold: true }, "agent solve "), state.taskTitle ?? "starting…"),
    row("facts", h(Text, { dimColor: true }, `${facts.join(" · ")}${retries}`)),
  ];
}

function roleRow(state: SolveViewState, spinner: string): ReactElement {
  if (state.end) {
    const summary = state.end.summary ? `: ${oneLine(state.end.summary, 300)}` : "";
    return row("role", h(Text, { color: STATUS_COLORS[state.end.status], bold: true }, state.end.status), summary);
  }
  if (state.activeNodes.length === 0) return row("role", h(Text, { dimColor: true }, state.runId ? "between roles" : "preparing the run"));
  return row("role", h(Text, { color: "yellow" }, `${spinner} `), h(Text, { color: "cyan", bold: true }, state.activeNodes.join(" + ")), ` (round ${state.round})`);
}

function planRows(state: SolveViewState): ReactElement[] {
  if (!state.plan) return [];
  const files = state.plan.files.length ? ` · ${state.plan.files.join(", ")}` : "";
  const hidden = state.plan.steps.length - PLAN_STEPS_SHOWN;
  return [
    row("plan", h(Text, { bold: true }, `plan v${state.plan.version}`), h(Text, { dimColor: true }, files)),
    ...state.plan.steps.slice(0, PLAN_STEPS_SHOWN).map((step, index) => {
      const active = state.activeNodes.includes(step.owner);
      return row(
        `step-${index}`,
        active ? h(Text, { color: "cyan" }, "  ▸ ") : "  · ",
        h(Text, { dimColor: !active }, `${index + 1}. [${step.owner}] `),
        step.description,
      );
    }),
    ...(hidden > 0 ? [row("steps-more", h(Text, { dimColor: true }, `  … ${hidden} more step${hidden === 1 ? "" : "s"}`))] : []),
  ];
}

function toolMarker(call: ToolCallView, spinner: string): ReactElement {
  if (call.status === "running") return h(Text, { color: "yellow" }, spinner);
  return call.status === "ok" ? h(Text, { color: "green" }, "✓") : h(Text, { color: "red" }, "✗");
}

function toolRows(state: SolveViewState, spinner: string): ReactElement[] {
  if (state.toolCalls.length === 0) return [];
  return [
    row("tools", h(Text, { bold: true }, "tools")),
    ...state.toolCalls.map((call, index) =>
      row(
        `tool-${index}`,
        "  ",
        toolMarker(call, spinner),
        ` ${call.tool}`,
        h(Text, { dimColor: true }, call.resultSummary ? ` ${call.resultSummary}` : call.inputSummary ? ` ${call.inputSummary}` : ""),
        call.durationMs === null || call.resultSummary ? "" : h(Text, { dimColor: true }, ` ${formatDuration(call.durationMs)}`),
      ),
    ),
  ];
}

function testRow(run: TestRunView): ReactElement {
  const exit = run.exitCode === null ? "no exit code" : `exit ${run.exitCode}`;
  const failing = run.failed + run.errors > 0;
  const label = run.scope ? `${run.scope} ${run.phase}` : run.phase;
  return row(
    `tests-${label}`,
    h(Text, { bold: true }, "tests "),
    label.padEnd(17),
    h(Text, { color: failing ? "red" : "green" }, formatTestCounts(run)),
    h(Text, { dimColor: true }, ` (${exit}, ${formatDuration(run.durationMs)}) ${oneLine(run.command, 120)}`),
  );
}

function noticeRows(state: SolveViewState): ReactElement[] {
  const rows: ReactElement[] = [];
  if (state.pendingApproval) {
    const { node, tool, reason } = state.pendingApproval;
    rows.push(row("approval", h(Text, { color: "yellow", bold: true }, "waiting for approval: "), `${node} wants ${tool} (${oneLine(reason, 120)})`));
  }
  if (state.lastRecovery) rows.push(row("recovery", h(Text, { color: "yellow" }, "recovery: "), state.lastRecovery));
  if (state.end?.patchFile) rows.push(row("patch", h(Text, { dimColor: true }, `patch ${state.end.patchFile}`)));
  return rows;
}

/** The live view of `agent solve`: the task and running totals, the active role, the plan, recent tool calls, test results. */
export function SolveView({ state, nowMs }: SolveViewProps): ReactElement {
  const spinner = SPINNER_FRAMES[Math.floor(nowMs / REDRAW_INTERVAL_MS) % SPINNER_FRAMES.length]!;
  return h(
    Box,
    { flexDirection: "column" },
    ...headerRows(state, nowMs),
    roleRow(state, spinner),
    ...planRows(state),
    ...toolRows(state, spinner),
    ...state.testRuns.map(testRow),
    ...noticeRows(state),
  );
}
