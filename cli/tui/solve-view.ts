import { Box, Text } from "ink";
// `h` (hyperscript) keeps the element trees readable without a JSX build step.
import { createElement as h, type ReactElement } from "react";
import { formatCost, formatDuration, formatTestCounts, formatTokens, oneLine, type RunStatus } from "../../src/index.js";
import { elapsedAt, type SolveViewState, type TestRunView, type ToolCallView } from "./solve-view-state.js";

/** How often the live view redraws while nothing happens, so the clock and the spinner move. */
export const REDRAW_INTERVAL_MS = 250;

// Untrimmed, the view takes at most 23 rows (header 2, role 1, plan 7, tools 7, tests 4, notices 2).
// With `maxRows` the plan, the tools and the tests give up rows, with "… N more" rows, so the frame
// stays shorter than the terminal: ink redraws in place only the lines still on the screen.
const PLAN_STEPS_SHOWN = 5;

const SPINNER_FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

/** What the view draws: the state, the time now (for the clock and the spinner), and the rows it may take. */
export interface SolveViewProps {
  state: SolveViewState;
  nowMs: number;
  /** The most rows the frame may take (the terminal's rows less one); no limit when absent. */
  maxRows?: number;
  /** A question for the person (an approval), drawn last; it keeps its rows before any section does. */
  dialogRows?: ReactElement[];
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
    row("title", h(Text, { bold: true }, "agent solve "), state.taskTitle === null ? "starting…" : oneLine(state.taskTitle, 300)),
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

/** A part of the view that can give up rows: the rows it takes for a budget, and the budgets worth giving it, ascending. */
interface Section {
  sizes: number[];
  rows: (budget: number) => ReactElement[];
}

/** "… 3 more steps" */
function more(hidden: number, noun: string): string {
  return `… ${hidden} more ${noun}${hidden === 1 ? "" : "s"}`;
}

function moreRow(key: string, hidden: number, noun: string): ReactElement {
  return row(key, "  ", h(Text, { dimColor: true }, more(hidden, noun)));
}

/**
 * The budgets worth giving a section under a title that takes `full` rows when whole: none, one
 * (the title with a count), or the title, a "… N more" row and at least one item; then whole.
 */
function titledSizes(full: number): number[] {
  if (full === 0) return [0];
  return [0, 1, ...Array.from({ length: Math.max(0, full - 3) }, (_, index) => index + 3), ...(full > 1 ? [full] : [])];
}

function planSection(state: SolveViewState): Section {
  const plan = state.plan;
  if (!plan) return { sizes: [0], rows: () => [] };
  const { steps } = plan;
  const full = 1 + Math.min(steps.length, PLAN_STEPS_SHOWN) + (steps.length > PLAN_STEPS_SHOWN ? 1 : 0);
  const files = plan.files.length ? ` · ${plan.files.join(", ")}` : "";
  const title = (suffix: string) => row("plan", h(Text, { bold: true }, `plan v${plan.version}`), h(Text, { dimColor: true }, `${files}${suffix}`));
  return {
    sizes: titledSizes(full),
    rows: (budget) => {
      if (budget <= 0) return [];
      if (budget < full && budget < 3) return [title(` ${more(steps.length, "step")}`)];
      // The first steps are kept: the plan is done in order.
      const shown = budget >= full ? Math.min(steps.length, PLAN_STEPS_SHOWN) : budget - 2;
      const hidden = steps.length - shown;
      return [
        title(""),
        ...steps.slice(0, shown).map((step, index) => {
          const active = state.activeNodes.includes(step.owner);
          return row(
            `step-${index}`,
            active ? h(Text, { color: "cyan" }, "  ▸ ") : "  · ",
            h(Text, { dimColor: !active }, `${index + 1}. [${step.owner}] `),
            oneLine(step.description, 300),
          );
        }),
        ...(hidden > 0 ? [moreRow("steps-more", hidden, "step")] : []),
      ];
    },
  };
}

function toolMarker(call: ToolCallView, spinner: string): ReactElement {
  if (call.status === "running") return h(Text, { color: "yellow" }, spinner);
  return call.status === "ok" ? h(Text, { color: "green" }, "✓") : h(Text, { color: "red" }, "✗");
}

function toolSection(state: SolveViewState, spinner: string): Section {
  const calls = state.toolCalls;
  const full = calls.length === 0 ? 0 : 1 + calls.length;
  const title = (suffix: string) => row("tools", h(Text, { bold: true }, "tools"), h(Text, { dimColor: true }, suffix));
  return {
    sizes: titledSizes(full),
    rows: (budget) => {
      if (budget <= 0 || full === 0) return [];
      if (budget < full && budget < 3) return [title(` ${more(calls.length, "tool call")}`)];
      // The latest calls are kept; the "… N more" row stands for the earlier ones, above them.
      const hidden = budget >= full ? 0 : calls.length - (budget - 2);
      return [
        title(""),
        ...(hidden > 0 ? [moreRow("tools-more", hidden, "tool call")] : []),
        ...calls.slice(hidden).map((call, index) =>
          row(
            `tool-${hidden + index}`,
            "  ",
            toolMarker(call, spinner),
            ` ${call.tool}`,
            h(Text, { dimColor: true }, call.resultSummary ? ` ${oneLine(call.resultSummary, 300)}` : call.inputSummary ? ` ${call.inputSummary}` : ""),
            call.durationMs === null || call.resultSummary ? "" : h(Text, { dimColor: true }, ` ${formatDuration(call.durationMs)}`),
          ),
        ),
      ];
    },
  };
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

function testSection(state: SolveViewState): Section {
  const runs = state.testRuns;
  return {
    sizes: Array.from({ length: runs.length + 1 }, (_, index) => index),
    rows: (budget) => {
      if (budget <= 0 || runs.length === 0) return [];
      // The latest phases (the patched tree) are kept; the earlier ones are counted above them.
      const hidden = budget >= runs.length ? 0 : runs.length - (budget - 1);
      const moreRuns = row("tests-more", h(Text, { bold: true }, "tests "), h(Text, { dimColor: true }, more(hidden, "test run")));
      return [...(hidden > 0 ? [moreRuns] : []), ...runs.slice(hidden).map(testRow)];
    },
  };
}

/**
 * Shares `budget` rows among sections in turn, each taking its next size while it fits, so that
 * each section shows something before any shows everything. Returns each section's budget.
 */
function shareRows(sections: Section[], budget: number): number[] {
  const chosen = sections.map(() => 0);
  let left = budget;
  for (let grew = true; grew; ) {
    grew = false;
    for (const [index, { sizes }] of sections.entries()) {
      const current = sizes[chosen[index]!]!;
      const next = sizes[chosen[index]! + 1];
      if (next !== undefined && next - current <= left) {
        chosen[index]! += 1;
        left -= next - current;
        grew = true;
      }
    }
  }
  return chosen.map((choice, index) => sections[index]!.sizes[choice]!);
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
export function SolveView({ state, nowMs, maxRows, dialogRows = [] }: SolveViewProps): ReactElement {
  const spinner = SPINNER_FRAMES[Math.floor(nowMs / REDRAW_INTERVAL_MS) % SPINNER_FRAMES.length]!;
  const fixed = [...headerRows(state, nowMs), roleRow(state, spinner)];
  const notices = [...noticeRows(state), ...dialogRows];
  const tests = testSection(state);
  const tools = toolSection(state, spinner);
  const plan = planSection(state);
  // Rows are handed out to the tests first, then the tool calls, then the plan.
  const byPriority = [tests, tools, plan];
  const [testRows, toolRows, planRows] =
    maxRows === undefined ? byPriority.map(({ sizes }) => sizes.at(-1)!) : shareRows(byPriority, maxRows - fixed.length - notices.length);
  const rows = [...fixed, ...plan.rows(planRows!), ...tools.rows(toolRows!), ...tests.rows(testRows!), ...notices];
  // Only a limit below the header and the notices cuts them; a terminal of 10 rows or more never does.
  return h(Box, { flexDirection: "column" }, ...(maxRows === undefined ? rows : rows.slice(0, Math.max(0, maxRows))));
}
