/**
 * The events bench/tui-render feeds to the session screen: a recorded trajectory repeated to a
 * given count, as one long run. Its run-start opens the stream and its run-end closes it (once
 * each); in between, copies of everything else, each copy with fresh call ids (so that tool calls
 * and text streams do not collapse into the first copy's entries), its own rounds and plan
 * version, and the model's replies streamed as `text-delta` events of a few characters (the
 * recorded run did not stream) before each `model-call-end` that has text, as a provider streams
 * them. After each programmer edit the controller's `diff` action is added, as the session's
 * controller sends it (cli/tui/session/session-controller.ts, refreshTaskDiff), so the side panel
 * shows a patch. Deterministic: the chunk sizes come from a seeded generator.
 */
import type { AgentEvent } from "../../../src/index.js";
import type { ScreenAction } from "../../../cli/tui/session/screen-state.js";
import { seededRandom } from "../seeded-random.js";

/** Characters per text delta: about one or two tokens, as providers stream them. */
export const DELTA_CHARS = { min: 2, max: 10 } as const;

/** What the bench feeds: the actions in order (events and the controller's diffs) and how they were made. */
export interface EventMix {
  /** Every action in order: `event` actions (exactly `eventCount`) and `diff` actions. */
  actions: ScreenAction[];
  /** The events alone, in order. */
  events: AgentEvent[];
  /** Copies of the recorded run's middle (the last one may be cut short). */
  copies: number;
  /** Events of one copy before the text deltas are added, and with them. */
  recordedPerCopy: number;
  perCopy: number;
  /** Events by type. */
  counts: Record<string, number>;
  /** Diff actions among the actions. */
  diffs: number;
  /** Characters of the patch the diff actions carry, and its lines. */
  patchChars: number;
  patchLines: number;
}


/** Cuts a text into chunks of DELTA_CHARS characters (the last may be shorter). */
function chunks(text: string, random: () => number): string[] {
  const out: string[] = [];
  for (let at = 0; at < text.length; ) {
    const size = DELTA_CHARS.min + Math.floor(random() * (DELTA_CHARS.max - DELTA_CHARS.min + 1));
    out.push(text.slice(at, at + size));
    at += size;
  }
  return out;
}

/** A patch made of the programmer's `str_replace` edits of the recorded run (old lines removed, new ones added). */
function patchOf(events: readonly AgentEvent[]): string {
  const hunks: string[] = [];
  const files = new Set<string>();
  for (const event of events) {
    if (event.type !== "tool-call-start" || event.node !== "programmer" || event.tool !== "edit_file" || event.input["command"] !== "str_replace") continue;
    const path = String(event.input["path"]);
    const removed = String(event.input["old_str"] ?? "").replace(/\n$/, "").split("\n");
    const added = String(event.input["new_str"] ?? "").replace(/\n$/, "").split("\n");
    if (!files.has(path)) hunks.push(`diff --git a/${path} b/${path}`, `--- a/${path}`, `+++ b/${path}`);
    files.add(path);
    hunks.push(`@@ -1,${removed.length} +1,${added.length} @@`, ...removed.map((line) => `-${line}`), ...added.map((line) => `+${line}`));
  }
  return hunks.length ? `${hunks.join("\n")}\n` : "";
}

/** The copy's version of an event: fresh call ids, later rounds, the next plan version. */
function copyEvent(event: AgentEvent, copy: number, roundsPerCopy: number): AgentEvent {
  const id = (callId: string) => `${callId}~${copy}`;
  switch (event.type) {
    case "model-call-start":
    case "model-retry":
    case "text-delta":
    case "tool-call-start":
    case "tool-call-end":
      return { ...event, callId: id(event.callId) };
    case "model-call-end":
      return { ...event, callId: id(event.callId), message: { ...event.message, toolCalls: event.message.toolCalls.map((call) => ({ ...call, id: id(call.id) })) } };
    case "node-start":
    case "node-end":
      return { ...event, round: event.round + copy * roundsPerCopy };
    case "plan-submitted":
      return { ...event, version: event.version + copy };
    default:
      return event;
  }
}

/** Builds `eventCount` events (at least 2) from a recorded trajectory, as the module's comment says. */
export function buildEventMix(recorded: readonly AgentEvent[], eventCount: number, seed = 20261202): EventMix {
  const runStart = recorded.find((event) => event.type === "run-start");
  const runEnd = recorded.findLast((event) => event.type === "run-end");
  if (!runStart || !runEnd) throw new Error("the recorded trajectory has no run-start or no run-end");
  const middle = recorded.filter((event) => event.type !== "run-start" && event.type !== "run-end");
  const roundsPerCopy = Math.max(...middle.map((event) => ("round" in event && typeof event.round === "number" ? event.round : 0))) + 1;
  const patch = patchOf(recorded);
  const random = seededRandom(seed);
  const actions: ScreenAction[] = [];
  const events: AgentEvent[] = [];
  const started = Date.now();
  // Timestamps as a run of about 20 events a second would give them, from now on.
  const push = (event: AgentEvent) => {
    const stamped = { ...event, timestamp: new Date(started + events.length * 50).toISOString() } as AgentEvent;
    events.push(stamped);
    actions.push({ type: "event", event: stamped });
  };
  push(runStart);
  let copies = 0;
  let perCopy = 0;
  let diffs = 0;
  while (events.length < eventCount - 1) {
    const before = events.length;
    for (const original of middle) {
      if (events.length >= eventCount - 1) break;
      const event = copyEvent(original, copies, roundsPerCopy);
      if (event.type === "model-call-end" && event.message.text) {
        for (const text of chunks(event.message.text, random)) {
          if (events.length >= eventCount - 1) break;
          push({ type: "text-delta", callId: event.callId, text, runId: event.runId, timestamp: event.timestamp });
        }
        if (events.length >= eventCount - 1) break;
      }
      push(event);
      if (patch && event.type === "tool-call-end" && event.node === "programmer" && event.tool === "edit_file") {
        actions.push({ type: "diff", diff: patch });
        diffs += 1;
      }
    }
    if (copies === 0) perCopy = events.length - before;
    copies += 1;
  }
  if (eventCount >= 2) push(runEnd);
  const counts: Record<string, number> = {};
  for (const event of events) counts[event.type] = (counts[event.type] ?? 0) + 1;
  return { actions, events, copies, recordedPerCopy: middle.length, perCopy, counts, diffs, patchChars: patch.length, patchLines: patch.split("\n").length - 1 };
}
