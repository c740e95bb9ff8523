import { createHash, randomUUID } from "node:crypto";
import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool as langChainTool } from "@langchain/core/tools";
import type { z } from "zod";
import type { EmitEvent, GraphNodeName } from "../events/agent-event.js";
import type { BudgetUsage } from "../memory/blackboard.js";
import type { ModelClient } from "../models/model-client.js";
import { runTool, toLangChainTool, type AgentTool, type ToolResult } from "../tools/agent-tool.js";
import { decideApproval, type ApprovalMode } from "../tools/approval.js";
import type { Approver } from "../tools/approver.js";
import { parseTestOutput } from "./executor/parse-test-output.js";
import { createLoopMonitor, describeFailedApproach, type LoopVerdict } from "./loop-control.js";

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

  while (usage.steps < options.maxSteps) {
    const limit = options.shouldStop(usage);
    if (limit) return { final: null, usage, stoppedBy: "budget", limit };
    if (options.condense) messages = options.condense(messages);
    const reply = await model.call({ messages, tools: boundTools, node, ...(options.signal ? { signal: options.signal } : {}) });
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
    for (const call of calls) {
      const callId = call.id ?? randomUUID();
      const input = (call.args ?? {}) as Record<string, unknown>;
      if (call.name === finalTool.name) {
        const parsed = finalTool.schema.safeParse(input);
        const output = parsed.success
          ? "Accepted."
          : `Not accepted: ${parsed.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ")}. Call ${finalTool.name} again with valid arguments.`;
        messages = [...messages, new ToolMessage({ content: output, tool_call_id: callId, name: call.name })];
        if (parsed.success) final = parsed.data;
        continue;
      }
      const chosen = byName.get(call.name);
      const result = await runToolCall({ ...options, byName, callId, name: call.name, input });
      usage.steps += 1;
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

/** Runs one tool call through the approval policy; the result's output is what the model is told. */
async function runToolCall(
  options: AgentLoopOptions<z.ZodObject> & { byName: Map<string, AgentTool>; callId: string; name: string; input: Record<string, unknown> },
): Promise<ToolResult> {
  const { node, emit, callId, name, input } = options;
  const chosen = options.byName.get(name);
  if (!chosen) return { ok: false, output: `There is no tool named ${name}. The tools are: ${[...options.byName.keys(), options.finalTool.name].join(", ")}.` };
  const decision = decideApproval(chosen, input, options.approvalMode);
  if (decision.action === "deny") {
    emit({ type: "approval-decision", node, tool: name, decision: "deny", reason: decision.reason });
    return { ok: false, output: `Not run: ${decision.reason}` };
  }
  if (decision.action === "ask") {
    emit({ type: "approval-request", node, tool: name, input, reason: decision.reason });
    const allowed = options.approver ? await options.approver({ node, tool: name, input, reason: decision.reason }) : false;
    emit({ type: "approval-decision", node, tool: name, decision: allowed ? "allow" : "deny", reason: allowed ? "approved" : "declined" });
    if (!allowed) return { ok: false, output: `Not run: the user did not approve this ${chosen.kind} action (${decision.reason}). Try another way or finish.` };
  }
  emit({ type: "tool-call-start", callId, node, tool: name, input });
  const started = Date.now();
  const result = await runTool(chosen, input, options.signal);
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
