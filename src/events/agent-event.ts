import type { CostEstimate, ModelUsage } from "./usage.js";

/** A tool call as a model asked for it: plain JSON, so it serialises into trajectories. */
export interface RecordedToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A model's reply reduced to what replay needs: its text and its tool calls. */
export interface RecordedModelMessage {
  text: string;
  toolCalls: RecordedToolCall[];
}

/** How a candidate ranked, and why (search.candidates): the facts the selection compared, in the order it compared them. */
export interface RankedCandidate {
  index: number;
  /** Designed tests that failed on the base commit and pass with this candidate. */
  fixed: number;
  /** Tests that passed on the base commit and do not with this candidate. */
  regressions: number;
  /** Candidates (itself included) whose normalised patch is the same as this one's. */
  agreement: number;
  /** The first candidate that made the same change (itself when it is the first): the id of its cluster. */
  sameAs: number;
  /** Added plus removed lines. */
  changedLines: number;
  /** False for a candidate with no patch or no verdict: it ranks last. */
  usable: boolean;
}

/** The nodes of the agent graph. */
export type GraphNodeName = "planner" | "test-designer" | "programmer" | "executor" | "select" | "finish";

/** One step of a submitted plan, as events carry it: who does it and what. */
export interface PlannedStep {
  owner: "test-designer" | "programmer" | "executor";
  description: string;
}

/** How a run ended. */
/**
 * How a run ended: `error` when an error stopped it (its record still keeps the patch so far),
 * `interrupted` when it was cancelled (it can be resumed).
 */
export type RunStatus = "solved" | "patched" | "failed" | "limits-exceeded" | "interrupted" | "error";

/** One test's outcome in one run of the tests. */
export interface TestOutcome {
  test: string;
  status: "passed" | "failed" | "error" | "skipped";
}

interface EventBase {
  runId: string;
  /** ISO-8601 time at which the event was emitted. */
  timestamp: string;
}

/**
 * Everything the core reports, as one discriminated union with kebab noun-verb names.
 * The TUI, `--json` output, trajectories and bots all consume this stream.
 */
export type AgentEvent = EventBase &
  (
    | {
        type: "model-call-start";
        callId: string;
        /** The graph node that made the call, when a node did. */
        node?: GraphNodeName;
        model: string;
        messageCount: number;
        toolNames: string[];
      }
    | {
        type: "model-call-end";
        callId: string;
        node?: GraphNodeName;
        model: string;
        message: RecordedModelMessage;
        usage: ModelUsage;
        cost: CostEstimate;
        durationMs: number;
        attempts: number;
      }
    | {
        type: "model-retry";
        callId: string;
        node?: GraphNodeName;
        model: string;
        attempt: number;
        delayMs: number;
        reason: string;
      }
    | { type: "text-delta"; callId: string; text: string }
    | {
        type: "run-start";
        task: { title: string; source: string };
        model: string;
        sandbox: "docker" | "local";
        baseCommit: string;
      }
    | { type: "node-start"; node: GraphNodeName; round: number; /** The candidate (0-based) a node works on, in a first round with several (search.candidates). */ candidate?: number }
    | {
        /** The planner handed in a plan (submit_plan): its steps and the files its findings point at. */
        type: "plan-submitted";
        version: number;
        summary: string;
        steps: PlannedStep[];
        /** The files of the plan's findings, each once, in the order found. */
        files: string[];
      }
    | { type: "node-end"; node: GraphNodeName; round: number; summary: string; candidate?: number }
    | {
        /** The select node chose among the first round's candidates (search.candidates): every candidate, its standing, and why the winner won. */
        type: "candidates-selected";
        winner: number;
        reason: string;
        critic?: string;
        candidates: Array<RankedCandidate & { model: string; summary: string; patch: string; verdict: string | null; error?: string }>;
      }
    | {
        type: "tool-call-start";
        callId: string;
        node: GraphNodeName;
        tool: string;
        input: Record<string, unknown>;
      }
    | {
        type: "tool-call-end";
        callId: string;
        node: GraphNodeName;
        tool: string;
        ok: boolean;
        /** The tool's whole output; the model saw it capped to its head and tail when it was long. */
        output: string;
        /** A short line for the screen, when the tool gave one (e.g. `$ pytest → exit 1 (2.3 s)`). */
        display?: string;
        durationMs: number;
      }
    | { type: "approval-request"; node: GraphNodeName; tool: string; input: Record<string, unknown>; reason: string }
    | {
        type: "approval-decision";
        node: GraphNodeName;
        tool: string;
        decision: "allow" | "deny";
        reason: string;
        /** The person's words with a denial, passed to the model. */
        guidance?: string;
      }
    | {
        /** The person stopped the current model turn or tool call (Esc); the role waits for their guidance. */
        type: "turn-interrupted";
        node: GraphNodeName;
        during: "model" | "tool" | "between-turns";
        tool?: string;
      }
    | { /** The person's guidance, given to the active role as a user message. */ type: "guidance-given"; node: GraphNodeName; text: string }
    | {
        /** The person reviewed a plan before any code changed. */
        type: "plan-reviewed";
        version: number;
        decision: "accept" | "revise" | "reject";
        feedback?: string;
      }
    | {
        /** A model call failed for good (after the model layer's retries) and the person chose what happens next. */
        type: "model-error";
        node: GraphNodeName;
        message: string;
        choice: "retry" | "stop";
      }
    | {
        type: "test-run-end";
        phase: "base" | "patched";
        /** Which tests: the test designer's reproduction tests or the repository's existing ones (absent in old trajectories: existing). */
        scope?: "designed" | "existing";
        command: string;
        exitCode: number | null;
        outcomes: TestOutcome[];
        durationMs: number;
        /** The candidate whose tree ran them, in a first round with several (search.candidates). */
        candidate?: number;
      }
    | { type: "recovery"; node: GraphNodeName; reason: string; action: string }
    | {
        type: "run-end";
        status: RunStatus;
        summary: string;
        usage: ModelUsage;
        costUsd: number | null;
        /**
         * From the run's first run-start to this event, exactly the difference of their
         * timestamps; a resumed run counts from its first start, the time it was stopped included.
         */
        durationMs: number;
        /** Path of patch.diff in the run directory, when there is a patch. */
        patchFile?: string;
        /** The error that stopped the run (status error or interrupted), with its code. */
        error?: { code: string; message: string };
      }
  );

/** An event before the emitter stamps it with the run id and the time. */
export type AgentEventPayload = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, "runId" | "timestamp">
    : never
  : never;

/** Receives every event of a run. Sinks must not throw. */
export type EventSink = (event: AgentEvent) => void;

/**
 * Emits payloads as stamped events of one run. `at` stamps the event with a time the caller
 * already read, when a field of the event is computed from it (run-end's duration); the current
 * time otherwise.
 */
export type EmitEvent = (payload: AgentEventPayload, at?: Date) => void;

/** Creates the emitter of one run: stamps each payload with the run id and the time (`now`, or the `at` it is given). */
export function createEventEmitter(
  runId: string,
  sink: EventSink,
  now: () => Date = () => new Date(),
): EmitEvent {
  return (payload, at) => sink({ ...payload, runId, timestamp: (at ?? now()).toISOString() } as AgentEvent);
}

/** An emitter that drops every event, for callers that do not observe the run. */
export const ignoreEvents: EmitEvent = () => {};
