import type { CostEstimate, ModelUsage } from "../models/usage.js";

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
        model: string;
        messageCount: number;
        toolNames: string[];
      }
    | {
        type: "model-call-end";
        callId: string;
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
        model: string;
        attempt: number;
        delayMs: number;
        reason: string;
      }
    | { type: "text-delta"; callId: string; text: string }
  );

/** An event before the emitter stamps it with the run id and the time. */
export type AgentEventPayload = AgentEvent extends infer E
  ? E extends AgentEvent
    ? Omit<E, "runId" | "timestamp">
    : never
  : never;

/** Receives every event of a run. Sinks must not throw. */
export type EventSink = (event: AgentEvent) => void;

/** Emits payloads as stamped events of one run. */
export type EmitEvent = (payload: AgentEventPayload) => void;

/** Creates the emitter of one run: stamps each payload with the run id and the current time. */
export function createEventEmitter(
  runId: string,
  sink: EventSink,
  now: () => Date = () => new Date(),
): EmitEvent {
  return (payload) => sink({ ...payload, runId, timestamp: now().toISOString() } as AgentEvent);
}

/** An emitter that drops every event, for callers that do not observe the run. */
export const ignoreEvents: EmitEvent = () => {};
