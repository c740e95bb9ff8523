import { addUsage, countOutcomes, oneLine, zeroUsage, type AgentEvent, type GraphNodeName, type ModelUsage, type PlannedStep, type RunStatus } from "../../src/index.js";

/** How many of the latest tool calls the view keeps. */
export const RECENT_TOOL_CALL_LIMIT = 6;

/** One recent tool call as the view shows it. */
export interface ToolCallView {
  callId: string;
  node: GraphNodeName;
  tool: string;
  /** The main arguments on one short line, e.g. the path or the command. */
  inputSummary: string;
  status: "running" | "ok" | "failed";
  /** Known once the call has ended. */
  durationMs: number | null;
  /** The tool's short line for the screen, once the call has ended and when the tool gave one. */
  resultSummary?: string;
}

/** The counts of the latest test run of one phase (base or patched tree) and scope (designed or existing tests). */
export interface TestRunView {
  phase: "base" | "patched";
  /** null for events that do not say (older trajectories). */
  scope: "designed" | "existing" | null;
  command: string;
  exitCode: number | null;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  durationMs: number;
}

/** Everything the live view of `agent solve` shows, derived from the run's events only (plain JSON). */
export interface SolveViewState {
  runId: string | null;
  taskTitle: string | null;
  model: string | null;
  sandbox: "docker" | "local" | null;
  /** The nodes running now (more than one while parallel nodes run). */
  activeNodes: GraphNodeName[];
  /** The round of the latest node to start. */
  round: number;
  plan: { version: number; summary: string; steps: PlannedStep[]; files: string[] } | null;
  /** The latest tool calls, oldest first, at most RECENT_TOOL_CALL_LIMIT. */
  toolCalls: ToolCallView[];
  /** The latest run of each phase and scope, in the order they first ran. */
  testRuns: TestRunView[];
  modelCalls: number;
  usage: ModelUsage;
  /** The cost so far in USD; null once any model call has no known price. */
  costUsd: number | null;
  retries: number;
  /** A tool call waiting for a person's approval. */
  pendingApproval: { node: GraphNodeName; tool: string; reason: string } | null;
  /** The latest recovery: what went wrong and what the role did about it. */
  lastRecovery: string | null;
  /** When the run started (epoch ms, from run-start or else the first event). */
  startedAtMs: number | null;
  /** Time from the start to the latest event, or the run's duration once it has ended. */
  elapsedMs: number;
  end: { status: RunStatus; summary: string; patchFile: string | null } | null;
}

/** The view before any event: nothing known yet. */
export function initialSolveView(): SolveViewState {
  return {
    runId: null,
    taskTitle: null,
    model: null,
    sandbox: null,
    activeNodes: [],
    round: 0,
    plan: null,
    toolCalls: [],
    testRuns: [],
    modelCalls: 0,
    usage: { ...zeroUsage },
    costUsd: 0,
    retries: 0,
    pendingApproval: null,
    lastRecovery: null,
    startedAtMs: null,
    elapsedMs: 0,
    end: null,
  };
}

// Long free-text arguments (file contents, replaced text) say little on one line.
const BULK_TEXT_FIELDS = new Set(["old_str", "new_str", "file_text"]);

/** The main arguments of a tool call on one short line: its short scalar values, in order ("str_replace src/app.py"). */
export function summarizeToolInput(input: Record<string, unknown>, max = 60): string {
  const values = Object.entries(input)
    .filter(([key, value]) => !BULK_TEXT_FIELDS.has(key) && (typeof value === "string" || typeof value === "number"))
    .map(([, value]) => String(value));
  return oneLine(values.join(" "), max);
}

function withTime(state: SolveViewState, timestamp: string): SolveViewState {
  const at = Date.parse(timestamp);
  if (Number.isNaN(at)) return state;
  if (state.startedAtMs === null) return { ...state, startedAtMs: at, elapsedMs: 0 };
  return { ...state, elapsedMs: Math.max(state.elapsedMs, at - state.startedAtMs) };
}

function keepRecent(calls: ToolCallView[]): ToolCallView[] {
  return calls.slice(-RECENT_TOOL_CALL_LIMIT);
}

/** Folds one event into the view. Pure: the state passed in is never changed. Unknown event types change nothing but the clock. */
export function reduceSolveView(previous: SolveViewState, event: AgentEvent): SolveViewState {
  const state = event.type === "run-start" ? previous : withTime(previous, event.timestamp);
  switch (event.type) {
    case "run-start": {
      const at = Date.parse(event.timestamp);
      return {
        ...state,
        runId: event.runId,
        taskTitle: event.task.title,
        model: event.model,
        sandbox: event.sandbox,
        ...(Number.isNaN(at) ? {} : { startedAtMs: at, elapsedMs: 0 }),
      };
    }
    case "node-start":
      return { ...state, activeNodes: [...state.activeNodes.filter((node) => node !== event.node), event.node], round: event.round };
    case "node-end":
      return { ...state, activeNodes: state.activeNodes.filter((node) => node !== event.node) };
    case "plan-submitted":
      return { ...state, plan: { version: event.version, summary: event.summary, steps: event.steps, files: event.files } };
    case "model-call-end":
      return {
        ...state,
        modelCalls: state.modelCalls + 1,
        usage: addUsage(state.usage, event.usage),
        costUsd: state.costUsd === null || event.cost.usd === null ? null : state.costUsd + event.cost.usd,
      };
    case "model-retry":
      return { ...state, retries: state.retries + 1 };
    case "tool-call-start":
      return {
        ...state,
        toolCalls: keepRecent([
          ...state.toolCalls,
          { callId: event.callId, node: event.node, tool: event.tool, inputSummary: summarizeToolInput(event.input), status: "running", durationMs: null },
        ]),
      };
    case "tool-call-end": {
      const status: ToolCallView["status"] = event.ok ? "ok" : "failed";
      const ended = { status, durationMs: event.durationMs, ...(event.display !== undefined ? { resultSummary: event.display } : {}) };
      const known = state.toolCalls.some((call) => call.callId === event.callId && call.node === event.node);
      const toolCalls = known
        ? state.toolCalls.map((call) => (call.callId === event.callId && call.node === event.node ? { ...call, ...ended } : call))
        : keepRecent([...state.toolCalls, { callId: event.callId, node: event.node, tool: event.tool, inputSummary: "", ...ended }]);
      return { ...state, toolCalls };
    }
    case "approval-request":
      return { ...state, pendingApproval: { node: event.node, tool: event.tool, reason: event.reason } };
    case "approval-decision":
      return { ...state, pendingApproval: null };
    case "test-run-end": {
      const run: TestRunView = {
        phase: event.phase,
        scope: event.scope ?? null,
        command: event.command,
        exitCode: event.exitCode,
        durationMs: event.durationMs,
        ...countOutcomes(event.outcomes),
      };
      const same = (other: TestRunView) => other.phase === run.phase && other.scope === run.scope;
      const testRuns = state.testRuns.some(same) ? state.testRuns.map((other) => (same(other) ? run : other)) : [...state.testRuns, run];
      return { ...state, testRuns };
    }
    case "recovery":
      return { ...state, lastRecovery: `${event.node}: ${oneLine(event.reason, 100)} → ${oneLine(event.action, 100)}` };
    case "run-end":
      return {
        ...state,
        activeNodes: [],
        pendingApproval: null,
        usage: event.usage,
        costUsd: event.costUsd,
        elapsedMs: event.durationMs,
        end: { status: event.status, summary: event.summary, patchFile: event.patchFile ?? null },
      };
    default:
      return state;
  }
}

/** The time to show: the run's elapsed time, counted on from `nowMs` while it runs. */
export function elapsedAt(state: SolveViewState, nowMs: number): number {
  if (state.end || state.startedAtMs === null) return state.elapsedMs;
  return Math.max(state.elapsedMs, nowMs - state.startedAtMs);
}
