import type { ModelUsage } from "./usage.js";
import { formatCost } from "./usage.js";
import type { AgentEvent, GraphNodeName } from "./agent-event.js";

/** How to render events: `verbose` adds text deltas, tool inputs and model call starts. */
export interface RenderEventOptions {
  verbose: boolean;
  /** The node an event without a `node` field belongs to (see createNodeTracker). */
  node?: GraphNodeName | undefined;
}

/** Follows node-start and node-end events to attribute model and test events to a node. */
export interface NodeTracker {
  /** Updates the active nodes with the event and returns the node it belongs to, if one is known. */
  attribute(event: AgentEvent): GraphNodeName | undefined;
}

/**
 * Creates a node tracker. Model events carry no node, so a model call belongs to the node that
 * was the only active one when it started; while parallel nodes run, its node is unknown.
 */
export function createNodeTracker(): NodeTracker {
  const active: GraphNodeName[] = [];
  const callNodes = new Map<string, GraphNodeName | undefined>();
  const onlyActive = (): GraphNodeName | undefined => (active.length === 1 ? active[0] : undefined);
  return {
    attribute(event) {
      switch (event.type) {
        case "node-start":
          active.push(event.node);
          return event.node;
        case "node-end": {
          const index = active.indexOf(event.node);
          if (index >= 0) active.splice(index, 1);
          return event.node;
        }
        case "model-call-start":
          callNodes.set(event.callId, event.node ?? onlyActive());
          return callNodes.get(event.callId);
        case "model-call-end":
        case "model-retry":
        case "text-delta":
          return callNodes.has(event.callId) ? callNodes.get(event.callId) : onlyActive();
        default:
          return "node" in event ? event.node : onlyActive();
      }
    },
  };
}

/** Formats a duration for people: "120 ms", "3.4 s", "2 m 03 s", "1 h 05 m". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 3600) return `${Math.floor(seconds / 60)} m ${String(seconds % 60).padStart(2, "0")} s`;
  const minutes = Math.round(seconds / 60);
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} m`;
}

/** Formats token counts: "1200 in / 80 out", with the cached input when there is some. */
export function formatTokens(usage: ModelUsage): string {
  const cached = usage.cachedInputTokens > 0 ? ` (${usage.cachedInputTokens} cached)` : "";
  return `${usage.inputTokens} in${cached} / ${usage.outputTokens} out`;
}

// Escape sequences (colours of test runners) and other control characters never reach the line.
/* eslint-disable no-control-regex -- matching control characters is the point */
const ANSI_ESCAPE = /\u001b\[[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\u0000-\u001f\u007f]+/g;
/* eslint-enable no-control-regex */

/** Reduces a text to one line of at most `max` characters, for progress output. */
export function oneLine(text: string, max = 160): string {
  const line = text.replace(ANSI_ESCAPE, "").replace(CONTROL, " ").replace(/ {2,}/g, " ").trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The counts of a test run: "12 passed, 1 failed", plus errors and skips when there are any. */
export function formatTestCounts(counts: { passed: number; failed: number; errors: number; skipped: number }): string {
  const extra = [counts.errors ? `${counts.errors} error${counts.errors === 1 ? "" : "s"}` : "", counts.skipped ? `${counts.skipped} skipped` : ""];
  return [`${counts.passed} passed`, `${counts.failed} failed`, ...extra].filter(Boolean).join(", ");
}

/** Counts the outcomes of one test run by status. */
export function countOutcomes(outcomes: { status: string }[]): { passed: number; failed: number; errors: number; skipped: number } {
  const count = (status: string) => outcomes.filter((outcome) => outcome.status === status).length;
  return { passed: count("passed"), failed: count("failed"), errors: count("error"), skipped: count("skipped") };
}

/**
 * Renders one event as one plain line (no colours) for progress output and `agent replay`, or
 * undefined for events shown only when verbose (text deltas, model call starts, tool inputs).
 */
export function renderEvent(event: AgentEvent, options: RenderEventOptions): string | undefined {
  const { verbose } = options;
  const tag = (node: GraphNodeName | undefined = options.node) => `[${node ?? "run"}]`;
  switch (event.type) {
    case "run-start":
      return (
        `[run] start ${event.runId}: ${oneLine(event.task.title, 100)} (${oneLine(event.task.source, 100)}); ` +
        `model ${event.model}, sandbox ${event.sandbox}, base ${event.baseCommit.slice(0, 12)}`
      );
    case "node-start":
      return `${tag(event.node)}${candidateTag(event.candidate)} start (round ${event.round})`;
    case "plan-submitted": {
      const count = `${event.steps.length} step${event.steps.length === 1 ? "" : "s"}`;
      const files = event.files.length ? `; ${oneLine(event.files.join(", "), verbose ? 300 : 80)}` : "";
      const steps = event.steps.map((step, index) => `${index + 1}. [${step.owner}] ${step.description}`).join(" ");
      return oneLine(`${tag("planner")} plan v${event.version} (${count}${files}): ${steps}`, verbose ? 600 : 200);
    }
    case "node-end":
      return `${tag(event.node)}${candidateTag(event.candidate)} done (round ${event.round})${event.summary ? `: ${oneLine(event.summary, verbose ? 400 : 120)}` : ""}`;
    case "candidates-selected": {
      const standings = event.candidates.map((entry) => `#${entry.index + 1} ${entry.usable ? `${entry.fixed} fixed, ${entry.regressions} regressions, ${entry.changedLines} lines` : entry.error ? "failed" : "no verified patch"}`);
      return oneLine(`${tag("select")} candidate ${event.winner + 1} of ${event.candidates.length} kept (${standings.join("; ")}): ${event.reason}`, verbose ? 600 : 240);
    }
    case "model-call-start":
      return verbose ? `${tag()} model ${event.model}: call with ${event.messageCount} messages, ${event.toolNames.length} tools` : undefined;
    case "model-call-end": {
      const cost = event.cost.usd === null ? "cost unknown" : formatCost(event.cost);
      const attempts = event.attempts > 1 ? `, ${event.attempts} attempts` : "";
      const tools = event.message.toolCalls.map((call) => call.name);
      const text = verbose && event.message.text ? ` ${JSON.stringify(oneLine(event.message.text, 200))}` : "";
      return (
        `${tag()} model ${event.model}: ${formatTokens(event.usage)}, ${cost} (${formatDuration(event.durationMs)}${attempts})` +
        `${tools.length ? ` → ${tools.join(", ")}` : ""}${text}`
      );
    }
    case "model-retry":
      return `${tag()} model ${event.model}: retry ${event.attempt} in ${formatDuration(event.delayMs)} after ${oneLine(event.reason, 200)}`;
    case "text-delta":
      return verbose ? `${tag()} text ${JSON.stringify(event.text)}` : undefined;
    case "tool-call-start":
      return verbose ? `${tag(event.node)} tool ${event.tool} ${oneLine(JSON.stringify(event.input), 200)}` : undefined;
    case "tool-call-end": {
      const shown = verbose || event.display === undefined ? event.output : event.display;
      const detail = !event.ok || verbose ? `: ${oneLine(shown, verbose ? 300 : 160)}` : "";
      return `${tag(event.node)} tool ${event.tool} ${event.ok ? "ok" : "failed"} (${formatDuration(event.durationMs)})${detail}`;
    }
    case "approval-request":
      return `${tag(event.node)} approval asked for ${event.tool} ${oneLine(JSON.stringify(event.input), 160)}: ${oneLine(event.reason)}`;
    case "approval-decision": {
      const guidance = event.guidance ? ` (the user says: ${oneLine(event.guidance, 160)})` : "";
      return `${tag(event.node)} ${event.tool} ${event.decision === "allow" ? "allowed" : "denied"}: ${oneLine(event.reason)}${guidance}`;
    }
    case "turn-interrupted": {
      const during = event.during === "model" ? "its model turn" : event.during === "tool" ? `tool ${event.tool ?? "call"}` : "its next turn";
      return `${tag(event.node)} interrupted by the user (${during}); waiting for guidance`;
    }
    case "guidance-given":
      return `${tag(event.node)} guidance from the user: ${oneLine(event.text, verbose ? 400 : 160)}`;
    case "plan-reviewed": {
      const feedback = event.feedback ? `: ${oneLine(event.feedback, verbose ? 400 : 160)}` : "";
      const decision = { accept: "accepted", revise: "sent back for changes", reject: "rejected" }[event.decision];
      return `${tag("planner")} plan v${event.version} ${decision} by the user${feedback}`;
    }
    case "model-error":
      return `${tag(event.node)} model error: ${oneLine(event.message, 200)} → ${event.choice === "retry" ? "the user retries" : "the run stops"}`;
    case "test-run-end": {
      const exit = event.exitCode === null ? "no exit code" : `exit ${event.exitCode}`;
      const command = verbose ? `: ${oneLine(event.command, 200)}` : "";
      return `${tag()} tests (${event.phase}): ${formatTestCounts(countOutcomes(event.outcomes))} (${exit}, ${formatDuration(event.durationMs)})${command}`;
    }
    case "recovery":
      return `${tag(event.node)} recovery: ${oneLine(event.reason)} → ${oneLine(event.action)}`;
    case "run-end": {
      const cost = event.costUsd === null ? "cost unknown" : formatCost({ usd: event.costUsd });
      const patch = event.patchFile ? `, patch ${event.patchFile}` : "";
      return (
        `[run] end: ${event.status} (${formatDuration(event.durationMs)}, ${formatTokens(event.usage)}, ${cost})${patch}` +
        `${event.summary ? `: ${oneLine(event.summary, verbose ? 400 : 160)}` : ""}`
      );
    }
    default: {
      // A trajectory written by a newer version may hold event types this one does not know.
      const unknown: { type?: unknown } = event;
      return `${tag()} ${String(unknown.type)}`;
    }
  }
}

/** " candidate N" after a node's tag, for the nodes of one candidate (search.candidates). */
function candidateTag(candidate: number | undefined): string {
  return candidate === undefined ? "" : ` candidate ${candidate + 1}`;
}

/** Creates a renderer that tracks the active node, so model and test lines name their node. */
export function createEventRenderer(options: { verbose: boolean }): (event: AgentEvent) => string | undefined {
  const tracker = createNodeTracker();
  return (event) => renderEvent(event, { verbose: options.verbose, node: tracker.attribute(event) });
}
