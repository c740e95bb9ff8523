import { countOutcomes, type AgentEvent, type ApprovalMode, type ApprovalRequest, type GraphNodeName, type PlanForReview, type PlannedStep, type RunStatus } from "../../../src/index.js";
import { initialSolveView, reduceSolveView, summarizeToolInput, type SolveViewState } from "../solve-view-state.js";

/** The colour a notice is drawn in. */
export type Tone = "info" | "warn" | "error" | "success";

/** One entry of the session's transcript. Entries are never changed in place: an update makes a new object. */
export type TranscriptEntry = { id: number } & (
  | { kind: "user"; text: string }
  | { kind: "guidance"; text: string; node: GraphNodeName | null; queued: boolean }
  | { kind: "notice"; text: string; tone: Tone }
  | { kind: "role"; node: GraphNodeName; round: number }
  | { kind: "model-text"; callId: string; node: GraphNodeName | null; text: string }
  | {
      kind: "tool";
      callId: string;
      node: GraphNodeName;
      tool: string;
      summary: string;
      status: "running" | "ok" | "failed";
      /** The output, its head and tail when long (the run's trajectory keeps it whole). */
      output: string;
      display?: string;
      durationMs: number | null;
    }
  | { kind: "plan"; version: number; summary: string; steps: PlannedStep[]; files: string[] }
  | { kind: "tests"; phase: "base" | "patched"; scope: "designed" | "existing" | null; command: string; exitCode: number | null; passed: number; failed: number; errors: number; skipped: number; failing: string[] }
  | { kind: "approval"; node: GraphNodeName; tool: string; reason: string; decision: "pending" | "allow" | "deny"; note?: string }
  | { kind: "diff"; title: string; patch: string }
  | { kind: "lines"; title: string; lines: string[] }
  | { kind: "run-end"; status: RunStatus; summary: string; patchFile: string | null }
);

/** A question the screen asks the person; keys go to it until it is answered. */
export type Dialog =
  | {
      kind: "approval";
      request: ApprovalRequest;
      /** What the call would do: the command, or the edit as a diff. */
      preview: string[];
      /** Set while the person types what they want instead (no-with-guidance). */
      guidance: string | null;
    }
  | { kind: "plan"; plan: PlanForReview; feedback: { action: "revise" | "reject"; text: string } | null }
  | { kind: "model-error"; node: GraphNodeName; message: string }
  | { kind: "confirm-apply"; files: number; checkout: string };

/** The prompt's text and cursor (an index into the text). */
export interface PromptInput {
  text: string;
  cursor: number;
}

/** Everything the session screen shows, as plain data; changed only by `reduceScreen` and `handleKey`. */
export interface SessionScreenState {
  sessionId: string;
  repository: string;
  model: string;
  approvalMode: ApprovalMode;
  /** The run's cost limit in USD, shown as the budget. */
  maxCostUsd: number | null;
  /** Counters and plan of the current (or last) task, as the live view of `agent solve` keeps them. */
  run: SolveViewState;
  /** Nodes that ended at least once in the current task: the plan's steps of their owners are done. */
  finishedNodes: GraphNodeName[];
  /** A task is in progress. */
  running: boolean;
  /** The agents stopped for the person's guidance (Esc). */
  paused: boolean;
  /** Esc was pressed while no role was in a turn: the next turn stops first. */
  interruptPending: boolean;
  entries: TranscriptEntry[];
  nextId: number;
  /** The latest diff known (the task's tree, or the session's patch), for the side panel. */
  diff: string;
  /** Cost and tokens of the finished tasks of this session. */
  sessionTotals: { costUsd: number | null; inputTokens: number; outputTokens: number; tasks: number };
  input: PromptInput;
  history: string[];
  /** Which history entry the prompt shows (null: the person's own draft). */
  historyIndex: number | null;
  draft: string;
  /** Lines scrolled up from the transcript's end. */
  scroll: number;
  /** Long tool output shown whole rather than folded. */
  expanded: boolean;
  dialog: Dialog | null;
  /** When Ctrl-C was last pressed (ms), for the second press that quits. */
  lastCtrlC: number | null;
  /** One line under the prompt: a hint or the answer to the last key. */
  status: string | null;
  /** The model error dialog was left to switch models: a successful /model retries. */
  retryAfterModelSwitch: boolean;
}

/** Entries the transcript keeps; older ones are dropped (the runs' trajectories keep everything). */
export const TRANSCRIPT_LIMIT = 1_500;
/** Characters of a tool's output the transcript keeps (head and tail). */
export const KEPT_OUTPUT_CHARS = 6_000;

/** The screen of a new session. */
export function initialScreen(options: { sessionId: string; repository: string; model: string; approvalMode: ApprovalMode; maxCostUsd: number | null; history?: string[] }): SessionScreenState {
  return {
    sessionId: options.sessionId,
    repository: options.repository,
    model: options.model,
    approvalMode: options.approvalMode,
    maxCostUsd: options.maxCostUsd,
    run: initialSolveView(),
    finishedNodes: [],
    running: false,
    paused: false,
    interruptPending: false,
    entries: [],
    nextId: 1,
    diff: "",
    sessionTotals: { costUsd: 0, inputTokens: 0, outputTokens: 0, tasks: 0 },
    input: { text: "", cursor: 0 },
    history: options.history ? [...options.history] : [],
    historyIndex: null,
    draft: "",
    scroll: 0,
    expanded: false,
    dialog: null,
    lastCtrlC: null,
    status: null,
    retryAfterModelSwitch: false,
  };
}

/** What the controller tells the screen, besides the run's events. */
export type ScreenAction =
  | { type: "event"; event: AgentEvent }
  | { type: "notice"; text: string; tone?: Tone }
  | { type: "user"; text: string }
  | { type: "guidance"; text: string; queued: boolean }
  | { type: "entry"; entry: DistributiveOmit<TranscriptEntry, "id"> }
  /** A task starts; a resumed one keeps the plan and the roles its run had done. */
  | { type: "task-started"; resumed?: boolean }
  | { type: "task-ended" }
  | { type: "paused"; paused: boolean }
  | { type: "interrupt-pending" }
  | { type: "dialog"; dialog: Dialog | null }
  | { type: "diff"; diff: string }
  | { type: "model"; model: string }
  | { type: "approval-mode"; mode: ApprovalMode }
  | { type: "clear" }
  | { type: "status"; text: string | null }
  | { type: "remember"; text: string }
  | { type: "retry-after-model-switch"; value: boolean }
  /** Earlier tasks' events were replayed into the transcript: none of their roles is still at work. */
  | { type: "replayed"; events: number };

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** Keeps the head and tail of a long text. */
export function keepEnds(text: string, max = KEPT_OUTPUT_CHARS): string {
  if (text.length <= max) return text;
  const half = Math.floor(max / 2);
  return `${text.slice(0, half)}\n… ${text.length - 2 * half} characters not kept here (the run's trajectory has them all) …\n${text.slice(-half)}`;
}

function append(state: SessionScreenState, entry: DistributiveOmit<TranscriptEntry, "id">): SessionScreenState {
  const entries = [...state.entries, { ...entry, id: state.nextId } as TranscriptEntry];
  return { ...state, entries: entries.length > TRANSCRIPT_LIMIT ? entries.slice(-TRANSCRIPT_LIMIT) : entries, nextId: state.nextId + 1 };
}

/** Replaces the latest entry that `match` picks (searching from the end), or appends `fallback` when none does. */
function updateLatest(
  state: SessionScreenState,
  match: (entry: TranscriptEntry) => boolean,
  update: (entry: TranscriptEntry) => TranscriptEntry,
  fallback?: DistributiveOmit<TranscriptEntry, "id">,
): SessionScreenState {
  for (let index = state.entries.length - 1; index >= 0; index -= 1) {
    const entry = state.entries[index]!;
    if (!match(entry)) continue;
    const entries = state.entries.slice();
    entries[index] = update(entry);
    return { ...state, entries };
  }
  return fallback ? append(state, fallback) : state;
}

/** The node a model call belongs to: the one active node, when only one is. */
function activeNode(state: SessionScreenState): GraphNodeName | null {
  return state.run.activeNodes.length === 1 ? state.run.activeNodes[0]! : null;
}

/** Folds a run's event into the screen: the counters, the graph, and the transcript. Pure. */
function reduceEvent(previous: SessionScreenState, event: AgentEvent): SessionScreenState {
  const state = { ...previous, run: reduceSolveView(previous.run, event) };
  switch (event.type) {
    case "run-start":
      return append(
        { ...state, finishedNodes: [] },
        { kind: "notice", tone: "info", text: `run ${event.runId} · ${event.model} · ${event.sandbox} sandbox · base ${event.baseCommit.slice(0, 10)}` },
      );
    case "node-start":
      return append(state, { kind: "role", node: event.node, round: event.round });
    case "node-end":
      return { ...state, finishedNodes: state.finishedNodes.includes(event.node) ? state.finishedNodes : [...state.finishedNodes, event.node] };
    case "plan-submitted":
      return append(
        { ...state, finishedNodes: state.finishedNodes.filter((node) => node === "planner") },
        { kind: "plan", version: event.version, summary: event.summary, steps: event.steps, files: event.files },
      );
    case "text-delta":
      return updateLatest(
        state,
        (entry) => entry.kind === "model-text" && entry.callId === event.callId,
        (entry) => (entry.kind === "model-text" ? { ...entry, text: entry.text + event.text } : entry),
        { kind: "model-text", callId: event.callId, node: activeNode(state), text: event.text },
      );
    case "model-call-end": {
      const text = event.message.text.trim();
      if (!text) return state;
      // Streamed text is replaced by the whole reply, which is what the model said.
      return updateLatest(
        state,
        (entry) => entry.kind === "model-text" && entry.callId === event.callId,
        (entry) => (entry.kind === "model-text" ? { ...entry, text } : entry),
        { kind: "model-text", callId: event.callId, node: event.node ?? activeNode(state), text },
      );
    }
    case "model-retry":
      return append(state, { kind: "notice", tone: "warn", text: `model ${event.model}: retry ${event.attempt} after ${event.reason}` });
    case "tool-call-start":
      return append(state, {
        kind: "tool",
        callId: event.callId,
        node: event.node,
        tool: event.tool,
        summary: summarizeToolInput(event.input, 200),
        status: "running",
        output: "",
        durationMs: null,
      });
    case "tool-call-end": {
      const ended = { status: event.ok ? ("ok" as const) : ("failed" as const), output: keepEnds(event.output), durationMs: event.durationMs, ...(event.display ? { display: event.display } : {}) };
      return updateLatest(
        state,
        (entry) => entry.kind === "tool" && entry.callId === event.callId && entry.node === event.node,
        (entry) => (entry.kind === "tool" ? { ...entry, ...ended } : entry),
        { kind: "tool", callId: event.callId, node: event.node, tool: event.tool, summary: "", ...ended },
      );
    }
    case "approval-request":
      return append(state, { kind: "approval", node: event.node, tool: event.tool, reason: event.reason, decision: "pending" });
    case "approval-decision":
      return updateLatest(
        state,
        (entry) => entry.kind === "approval" && entry.decision === "pending" && entry.tool === event.tool,
        (entry) => (entry.kind === "approval" ? { ...entry, decision: event.decision, note: event.guidance ? `${event.reason}: ${event.guidance}` : event.reason } : entry),
        { kind: "approval", node: event.node, tool: event.tool, reason: event.reason, decision: event.decision },
      );
    case "test-run-end": {
      const failing = event.outcomes.filter((outcome) => outcome.status === "failed" || outcome.status === "error").map((outcome) => outcome.test);
      return append(state, { kind: "tests", phase: event.phase, scope: event.scope ?? null, command: event.command, exitCode: event.exitCode, ...countOutcomes(event.outcomes), failing: failing.slice(0, 20) });
    }
    case "recovery":
      return append(state, { kind: "notice", tone: "warn", text: `${event.node}: ${event.reason} → ${event.action}` });
    case "turn-interrupted":
      return append(
        { ...state, paused: true, interruptPending: false, status: null },
        { kind: "notice", tone: "warn", text: `Stopped ${event.node}${event.tool ? ` (${event.tool} was killed)` : ""}. Type guidance for it and press Enter, or Enter alone to let it go on.` },
      );
    case "guidance-given":
      return updateLatest(
        state,
        (entry) => entry.kind === "guidance" && entry.queued && entry.text === event.text,
        (entry) => (entry.kind === "guidance" ? { ...entry, queued: false, node: event.node } : entry),
        { kind: "guidance", text: event.text, node: event.node, queued: false },
      );
    case "plan-reviewed": {
      const said = { accept: "You accepted the plan.", revise: "You sent the plan back to the planner.", reject: "You rejected the plan; nothing was changed." }[event.decision];
      return append(state, { kind: "notice", tone: event.decision === "reject" ? "warn" : "info", text: said });
    }
    case "model-error":
      return append(state, { kind: "notice", tone: "error", text: `${event.node}: ${event.message}${event.choice === "retry" ? " (retrying)" : ""}` });
    case "run-end": {
      const totals = state.sessionTotals;
      const sessionTotals = {
        costUsd: totals.costUsd === null || event.costUsd === null ? null : totals.costUsd + event.costUsd,
        inputTokens: totals.inputTokens + event.usage.inputTokens,
        outputTokens: totals.outputTokens + event.usage.outputTokens,
        tasks: totals.tasks + 1,
      };
      // A tool call the end cut short (the run was stopped) is shown as stopped, not as running forever.
      const entries = stopRunningTools(state.entries, "stopped when the run ended");
      return append(
        { ...state, entries, sessionTotals, paused: false, interruptPending: false, status: state.running ? "Finishing the task: writing its record and removing its sandbox…" : state.status },
        { kind: "run-end", status: event.status, summary: event.summary, patchFile: event.patchFile ?? null },
      );
    }
    default:
      return state;
  }
}

/** Folds an action into the screen. Pure: the state passed in is never changed. */
export function reduceScreen(state: SessionScreenState, action: ScreenAction): SessionScreenState {
  switch (action.type) {
    case "event":
      return reduceEvent(state, action.event);
    case "notice":
      return append(state, { kind: "notice", text: action.text, tone: action.tone ?? "info" });
    case "user":
      return append({ ...state, scroll: 0 }, { kind: "user", text: action.text });
    case "guidance":
      return append({ ...state, scroll: 0 }, { kind: "guidance", text: action.text, node: activeNode(state), queued: action.queued });
    case "entry":
      return append({ ...state, scroll: 0 }, action.entry);
    case "task-started":
      return action.resumed
        ? { ...state, run: { ...state.run, activeNodes: [], end: null }, running: true, paused: false, interruptPending: false, scroll: 0 }
        : { ...state, run: initialSolveView(), finishedNodes: [], running: true, paused: false, interruptPending: false, diff: "", scroll: 0 };
    case "task-ended":
      return { ...state, running: false, paused: false, interruptPending: false, status: null, dialog: state.dialog?.kind === "confirm-apply" ? state.dialog : null };
    case "paused":
      return { ...state, paused: action.paused, interruptPending: action.paused ? false : state.interruptPending };
    case "interrupt-pending":
      return { ...state, interruptPending: true };
    case "dialog":
      return { ...state, dialog: action.dialog, scroll: 0 };
    case "diff":
      return { ...state, diff: action.diff };
    case "model":
      return { ...state, model: action.model };
    case "approval-mode":
      return { ...state, approvalMode: action.mode };
    case "clear":
      return { ...state, entries: [], scroll: 0 };
    case "status":
      return { ...state, status: action.text };
    case "remember":
      return state.history.at(-1) === action.text ? state : { ...state, history: [...state.history, action.text] };
    case "retry-after-model-switch":
      return { ...state, retryAfterModelSwitch: action.value };
    case "replayed":
      return append(
        { ...state, run: { ...state.run, activeNodes: [] }, entries: stopRunningTools(state.entries, "stopped when its run was stopped") },
        { kind: "notice", tone: "info", text: `(the transcript above is replayed from the session's runs: ${action.events} events)` },
      );
  }
}

/** The entries with every tool call still shown as running marked as stopped, saying why. */
function stopRunningTools(entries: TranscriptEntry[], why: string): TranscriptEntry[] {
  return entries.map((entry) => (entry.kind === "tool" && entry.status === "running" ? { ...entry, status: "failed" as const, display: `${entry.tool} ${entry.summary} — ${why}` } : entry));
}

/** Each plan step's status: done once its owner finished a visit since the plan, active while its owner works. */
export function planStepStatuses(state: SessionScreenState): Array<"done" | "active" | "pending"> {
  const steps = state.run.plan?.steps ?? [];
  return steps.map((step) => (state.run.activeNodes.includes(step.owner) ? "active" : state.finishedNodes.includes(step.owner) ? "done" : "pending"));
}

/** The lines an approval dialog shows of a tool call: the command, the edit as -/+ lines, or the arguments. */
export function previewToolCall(request: ApprovalRequest, maxLines = 40): string[] {
  const input = request.input;
  const text = (key: string) => (typeof input[key] === "string" ? (input[key] as string) : undefined);
  const lines: string[] = [];
  if (request.tool === "run_shell" && text("command") !== undefined) {
    lines.push(...`$ ${text("command")}`.split("\n"));
    if (input["background"] === true) lines.push("(as a background job)");
  } else if (request.tool === "edit_file") {
    const path = text("path") ?? "(no path)";
    const command = text("command");
    lines.push(`${command ?? "edit"} ${path}`);
    if (command === "str_replace") {
      lines.push(...(text("old_str") ?? "").split("\n").map((line) => `-${line}`), ...(text("new_str") ?? "").split("\n").map((line) => `+${line}`));
    } else if (command === "insert") {
      lines.push(`after line ${String(input["insert_line"] ?? "?")}:`, ...(text("new_str") ?? "").split("\n").map((line) => `+${line}`));
    } else if (command === "create") {
      lines.push(...(text("file_text") ?? "").split("\n").map((line) => `+${line}`));
    } else if (command === "undo") {
      lines.push("(revert the last edit of this file)");
    }
  } else {
    lines.push(...JSON.stringify(input, null, 2).split("\n"));
  }
  if (lines.length <= maxLines) return lines;
  return [...lines.slice(0, maxLines - 1), `… ${lines.length - maxLines + 1} more lines`];
}
