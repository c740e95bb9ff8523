import { createHash, randomUUID } from "node:crypto";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool as langChainTool } from "@langchain/core/tools";
import type { z } from "zod";
import { AbortedError, ModelError } from "../errors.js";
import type { EmitEvent, GraphNodeName } from "../events/agent-event.js";
import type { BudgetUsage } from "../memory/blackboard.js";
import type { ModelClient } from "../models/model-client.js";
import { runTool, toLangChainTool, type AgentTool, type ToolResult } from "../tools/agent-tool.js";
import { decideApproval, type ApprovalMode } from "../tools/approval.js";
import type { Approver } from "../tools/approver.js";
import { parseTestOutput } from "./executor/parse-test-output.js";
import { createLoopMonitor, describeFailedApproach, type LoopVerdict } from "./loop-control.js";
import type { RunSteering } from "./run-steering.js";

/** The tool a role calls to hand in its result; its arguments are the role's structured output. */
export interface FinalTool<Schema extends z.ZodObject> {
  name: string;
  description: string;
  schema: Schema;
}

/** Everything one role's tool-calling loop needs. */
export interface AgentLoopOptions<Schema extends z.ZodObject> {
  node: GraphNodeName;
  model: ModelClient;
  tools: AgentTool[];
  finalTool: FinalTool<Schema>;
  system: string;
  /** The first user message: the task and the slice of the blackboard this role needs. */
  prompt: string;
  /** Tool calls this loop may make. */
  maxSteps: number;
  /** Returns why the run must stop (a budget), given the usage of this loop so far; null to go on. */
  shouldStop: (loopUsage: BudgetUsage) => string | null;
  approvalMode: ApprovalMode;
  approver?: Approver;
  /** A person steering the run (interrupts, guidance, approval mode, model errors); absent in headless runs. */
  steering?: RunSteering;
  /** Stream the model's text as `text-delta` events (for a screen that shows it as it comes). */
  streamText?: boolean;
  /**
   * Looks at the role's result before it is accepted (the person reviews a plan): null accepts
   * it, a text sends it back to the role as the final tool's answer; it may throw to stop the run.
   */
  reviewFinal?: (final: z.output<Schema>) => Promise<string | null>;
  emit: EmitEvent;
  signal?: AbortSignal;
  /** Shrinks the history before each model call (history condensation); identity by default. */
  condense?: (messages: BaseMessage[]) => BaseMessage[];
  /**
   * A digest of the working tree's diff, for loop control; asked before the first step and
   * after every step whose tool may change files. A role that changes nothing leaves it out.
   */
  treeDigest?: () => Promise<string>;
  /** Characters of a tool's output the model sees (head and tail); the trajectory keeps it whole. Default 10,000. */
  maxObservationChars?: number;
  /** Instructions that apply to a path a tool call names (a nested AGENTS.md), added to that call's observation the first time. */
  instructionsForPath?: (path: string) => Promise<string | undefined>;
}

/** How a loop ended, with its structured result when the role handed one in. */
export interface AgentLoopResult<Schema extends z.ZodObject> {
  final: z.output<Schema> | null;
  usage: BudgetUsage;
  stoppedBy: "final" | "step-limit" | "budget" | "no-tool-call" | "no-progress";
  /** Why a budget stopped the loop. */
  limit: string | null;
  /** The approach that went round in circles, when loop control stopped the loop. */
  failedApproach?: string;
}

/** The approach loop control gave up on, as a note for the blackboard. */
export function loopControlNotes(result: { failedApproach?: string }): Array<{ role: string; text: string }> {
  return result.failedApproach ? [{ role: "loop-control", text: result.failedApproach }] : [];
}

const MAX_NUDGES = 2;
/** Times loop control redirects a role before it stops the loop. */
const MAX_RECOVERIES = 2;
/** Characters of a tool observation the model sees unless the caller says otherwise. */
export const DEFAULT_MAX_OBSERVATION_CHARS = 10_000;
/** Tool calls left in a visit at which the role is reminded to hand in its work. */
const STEPS_LEFT_REMINDER = 3;

function describeVerdict(verdict: Exclude<LoopVerdict, { kind: "ok" }>): string {
  return verdict.kind === "repeating"
    ? `you have called ${verdict.action} ${verdict.times} times on the same code, with nothing new to show for it`
    : `${verdict.steps} steps went by without a new change to the code, a new test result or anything new read`;
}

function emptyUsage(): BudgetUsage {
  return { steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false };
}

/** The model's view of a long observation: its head and tail, with the cut said plainly. */
export function capObservation(output: string, maxChars: number): string {
  if (output.length <= maxChars) return output;
  const half = Math.floor(maxChars / 2);
  const omitted = output.length - 2 * half;
  return `${output.slice(0, half)}\n[… ${omitted} characters of this output omitted; narrow the command or read a smaller window …]\n${output.slice(-half)}`;
}

/** A digest of the test outcomes a tool's output reports, or undefined when it reports none. */
function testDigestOf(output: string): string | undefined {
  const outcomes = parseTestOutput("auto", output);
  if (outcomes.length === 0) return undefined;
  const canonical = outcomes.map((outcome) => `${outcome.test}\t${outcome.status}`).sort().join("\n");
  return createHash("sha256").update(canonical).digest("hex");
}

/**
 * Runs one role: model turn, tool calls, results, until the role calls its final tool, runs
 * out of steps, or a budget stops it. Tool calls pass the approval policy first; failures the
 * model can fix come back to it as tool results, and so do tool calls whose arguments were not
 * valid JSON (every call id gets an answer, as the providers require).
 */
export async function runAgentLoop<Schema extends z.ZodObject>(options: AgentLoopOptions<Schema>): Promise<AgentLoopResult<Schema>> {
  const { node, model, tools, finalTool, emit } = options;
  const usage = emptyUsage();
  const byName = new Map(tools.map((candidate) => [candidate.name, candidate]));
  const finalTag = langChainTool(async () => "accepted", { name: finalTool.name, description: finalTool.description, schema: finalTool.schema });
  const boundTools = [...tools.map(toLangChainTool), finalTag];
  const maxObservationChars = options.maxObservationChars ?? DEFAULT_MAX_OBSERVATION_CHARS;
  let messages: BaseMessage[] = [new SystemMessage(options.system), new HumanMessage(options.prompt)];
  let nudges = 0;
  let recoveries = 0;
  let treeDigest = options.treeDigest ? await options.treeDigest() : "";
  const monitor = createLoopMonitor({ initialTreeDigest: treeDigest });

  const { steering } = options;

  while (usage.steps < options.maxSteps) {
    const limit = options.shouldStop(usage);
    if (limit) return { final: null, usage, stoppedBy: "budget", limit };
    if (steering?.isInterrupted()) messages = [...messages, ...(await takeGuidanceAfterInterrupt(options, "between-turns"))];
    messages = [...messages, ...queuedGuidance(options)];
    if (options.condense) messages = options.condense(messages);
    const turn = turnSignal(options);
    let reply: Awaited<ReturnType<ModelClient["call"]>>;
    try {
      reply = await model.call({ messages, tools: boundTools, node, ...(turn ? { signal: turn } : {}), ...(options.streamText ? { stream: true } : {}) });
    } catch (error) {
      if (isTurnInterrupt(options)) {
        messages = [...messages, ...(await takeGuidanceAfterInterrupt(options, "model"))];
        continue;
      }
      if (steering && error instanceof ModelError && !options.signal?.aborted) {
        const choice = await steering.onModelError({ node, message: error.message });
        emit({ type: "model-error", node, message: error.message, choice });
        if (choice === "retry") continue;
      }
      throw error;
    }
    usage.modelCalls += 1;
    usage.inputTokens += reply.usage.inputTokens;
    usage.outputTokens += reply.usage.outputTokens;
    if (reply.cost.usd === null) usage.costUnknown = true;
    else usage.costUsd += reply.cost.usd;
    messages = [...messages, reply.message];
    const calls = reply.message.tool_calls ?? [];
    const malformed = AIMessage.isInstance(reply.message) ? (reply.message.invalid_tool_calls ?? []) : [];
    for (const call of malformed) {
      if (!call.id) continue;
      const text = `Your call of ${call.name ?? "a tool"} was not run: its arguments are not valid JSON (${call.error ?? "parse error"}). Call it again with a valid JSON object.`;
      messages = [...messages, new ToolMessage({ content: text, tool_call_id: call.id, name: call.name ?? "unknown" })];
    }
    if (calls.length === 0) {
      if (malformed.length > 0) continue;
      nudges += 1;
      if (nudges > MAX_NUDGES) return { final: null, usage, stoppedBy: "no-tool-call", limit: null };
      messages = [...messages, new HumanMessage(`Continue by calling a tool. When your work is done, call ${finalTool.name}.`)];
      continue;
    }
    let final: z.output<Schema> | null = null;
    let circling: Exclude<LoopVerdict, { kind: "ok" }> | undefined;
    /** The tool whose call the person interrupted, if one was. */
    let interrupted: string | undefined;
    for (const call of calls) {
      const callId = call.id ?? randomUUID();
      const input = (call.args ?? {}) as Record<string, unknown>;
      if (interrupted !== undefined) {
        // Every call id gets an answer, as the providers require.
        messages = [...messages, new ToolMessage({ content: "Not run: the user interrupted before this call.", tool_call_id: callId, name: call.name })];
        continue;
      }
      if (call.name === finalTool.name) {
        const parsed = finalTool.schema.safeParse(input);
        const feedback = parsed.success && options.reviewFinal ? await options.reviewFinal(parsed.data) : null;
        const output = !parsed.success
          ? `Not accepted: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ")}. Call ${finalTool.name} again with valid arguments.`
          : feedback !== null
            ? `Not accepted: ${feedback}`
            : "Accepted.";
        messages = [...messages, new ToolMessage({ content: output, tool_call_id: callId, name: call.name })];
        if (parsed.success && feedback === null) final = parsed.data;
        continue;
      }
      const chosen = byName.get(call.name);
      const result = await runToolCall({ ...options, byName, callId, name: call.name, input });
      usage.steps += 1;
      if (result.interrupted) {
        interrupted = call.name;
        messages = [...messages, new ToolMessage({ content: result.output, tool_call_id: callId, name: call.name })];
        continue;
      }
      let observation = capObservation(result.output, maxObservationChars);
      const named = typeof input["path"] === "string" ? input["path"] : undefined;
      const instructions = named && chosen && options.instructionsForPath ? await options.instructionsForPath(named) : undefined;
      if (instructions) observation += `\n\n[${instructions}]`;
      const stepsLeft = options.maxSteps - usage.steps;
      if (stepsLeft === STEPS_LEFT_REMINDER && final === null) {
        observation += `\n\n[${stepsLeft} tool calls are left in this visit. Finish what you are doing and call ${finalTool.name}.]`;
      }
      messages = [...messages, new ToolMessage({ content: observation, tool_call_id: callId, name: call.name })];
      if (options.treeDigest && chosen && chosen.kind !== "read") treeDigest = await options.treeDigest();
      const testDigest = chosen?.kind === "execute" ? testDigestOf(result.output) : undefined;
      const verdict = monitor.record({ action: { tool: call.name, input }, treeDigest, ...(testDigest ? { testDigest } : {}) });
      if (verdict.kind !== "ok") circling = verdict;
    }
    if (interrupted !== undefined) {
      messages = [...messages, ...(await takeGuidanceAfterInterrupt(options, "tool", interrupted))];
      if (final === null) continue;
    }
    if (final !== null) return { final, usage, stoppedBy: "final", limit: null };
    if (circling) {
      const failedApproach = describeFailedApproach(monitor.history());
      recoveries += 1;
      if (recoveries > MAX_RECOVERIES) {
        emit({ type: "recovery", node, reason: describeVerdict(circling), action: "stopped this role: no progress after two redirections" });
        return { final: null, usage, stoppedBy: "no-progress", limit: null, failedApproach };
      }
      emit({ type: "recovery", node, reason: describeVerdict(circling), action: "told the role to change approach" });
      messages = [
        ...messages,
        new HumanMessage(
          `Loop control: ${describeVerdict(circling)}. That approach is not working:\n${failedApproach}\n` +
            `Step back, reconsider what you know, and try a different approach (or call ${finalTool.name} if you are done).`,
        ),
      ];
      monitor.reset();
    }
  }
  return { final: null, usage, stoppedBy: "step-limit", limit: null };
}

/** What the helpers of one loop read from its options. */
type LoopContext = Pick<AgentLoopOptions<z.ZodObject>, "node" | "emit" | "signal" | "steering">;

/** The signal of a model call or tool call: the run's, and the person's interrupt of the current turn when someone steers. */
function turnSignal(options: LoopContext): AbortSignal | undefined {
  const turn = options.steering?.turnSignal();
  if (!turn) return options.signal;
  return options.signal ? AbortSignal.any([options.signal, turn]) : turn;
}

/** Whether what just stopped was the person's interrupt of the turn, not a cancelled run. */
function isTurnInterrupt(options: LoopContext): boolean {
  return options.steering?.isInterrupted() === true && options.signal?.aborted !== true;
}

/** Guidance the person typed while the role worked, as user messages (each also an event). */
function queuedGuidance(options: LoopContext): BaseMessage[] {
  return (options.steering?.takeGuidance() ?? []).map((text) => {
    options.emit({ type: "guidance-given", node: options.node, text });
    return new HumanMessage(`Message from the user, who is watching your work: ${text}`);
  });
}

/** After an interrupt: says so, waits for the person, and returns their guidance as a user message (none when they just let it go on). */
async function takeGuidanceAfterInterrupt(options: LoopContext, during: "model" | "tool" | "between-turns", tool?: string): Promise<BaseMessage[]> {
  const { steering, node, emit } = options;
  if (!steering) return [];
  emit({ type: "turn-interrupted", node, during, ...(tool ? { tool } : {}) });
  const text = await steering.waitForGuidance(options.signal);
  const queued = queuedGuidance(options);
  if (!text) return queued;
  emit({ type: "guidance-given", node, text });
  return [...queued, new HumanMessage(`The user interrupted you and says: ${text}\nTake this into account before you go on.`)];
}

/** Runs one tool call through the approval policy; the result's output is what the model is told. */
async function runToolCall(
  options: LoopContext & Pick<AgentLoopOptions<z.ZodObject>, "approvalMode" | "approver" | "finalTool"> & { byName: Map<string, AgentTool>; callId: string; name: string; input: Record<string, unknown> },
): Promise<ToolResult & { interrupted?: boolean }> {
  const { node, emit, callId, name, input } = options;
  const chosen = options.byName.get(name);
  if (!chosen) {
    const output = `There is no tool named ${name}. The tools are: ${[...options.byName.keys(), options.finalTool.name].join(", ")}.`;
    // Reported like any failed call (it counts as a step), so the screen, the trajectory and the report show what the model tried.
    emit({ type: "tool-call-start", callId, node, tool: name, input });
    emit({ type: "tool-call-end", callId, node, tool: name, ok: false, output, display: `${name}: unknown tool`, durationMs: 0 });
    return { ok: false, output };
  }
  const decision = decideApproval(chosen, input, options.steering?.approvalMode() ?? options.approvalMode);
  if (decision.action === "deny") {
    emit({ type: "approval-decision", node, tool: name, decision: "deny", reason: decision.reason });
    return { ok: false, output: `Not run: ${decision.reason}` };
  }
  if (decision.action === "ask") {
    emit({ type: "approval-request", node, tool: name, input, reason: decision.reason });
    const answer = options.approver ? await options.approver({ node, tool: name, input, reason: decision.reason }) : { allowed: false };
    const guidance = answer.allowed ? undefined : answer.guidance?.trim() || undefined;
    emit({
      type: "approval-decision",
      node,
      tool: name,
      decision: answer.allowed ? "allow" : "deny",
      reason: answer.note ?? (answer.allowed ? "approved" : "declined"),
      ...(guidance ? { guidance } : {}),
    });
    if (!answer.allowed) {
      const words = guidance ? ` The user says: ${guidance}` : " Try another way or finish.";
      return { ok: false, output: `Not run: the user did not approve this ${chosen.kind} action (${decision.reason}).${words}` };
    }
  }
  emit({ type: "tool-call-start", callId, node, tool: name, input });
  const started = Date.now();
  let result: ToolResult;
  try {
    result = await runTool(chosen, input, turnSignal(options));
  } catch (error) {
    if (!(error instanceof AbortedError) || !isTurnInterrupt(options)) throw error;
    const output = "Stopped: the user interrupted this call (its command was killed).";
    emit({ type: "tool-call-end", callId, node, tool: name, ok: false, output, display: `${name} stopped: interrupted by the user`, durationMs: Date.now() - started });
    return { ok: false, output, interrupted: true };
  }
  emit({
    type: "tool-call-end",
    callId,
    node,
    tool: name,
    ok: result.ok,
    output: result.output,
    ...(result.display !== undefined ? { display: result.display } : {}),
    durationMs: Date.now() - started,
  });
  return result;
}
