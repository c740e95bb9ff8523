import { randomUUID } from "node:crypto";
import { HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool as langChainTool } from "@langchain/core/tools";
import type { z } from "zod";
import type { EmitEvent, GraphNodeName } from "../events/agent-event.js";
import type { ModelClient } from "../models/model-client.js";
import type { BudgetUsage } from "../graph/state.js";
import { runTool, toLangChainTool, type AgentTool } from "../tools/agent-tool.js";
import { decideApproval, type ApprovalMode } from "../tools/approval.js";
import { createLoopMonitor, describeFailedApproach, type LoopVerdict } from "./loop-control.js";

/** The tool a role calls to hand in its result; its arguments are the role's structured output. */
export interface FinalTool<Schema extends z.ZodObject> {
  name: string;
  description: string;
  schema: Schema;
}

/** Answers an approval request (the TUI asks a person); absent in headless runs. */
export type Approver = (request: { node: GraphNodeName; tool: string; input: Record<string, unknown>; reason: string }) => Promise<boolean>;

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
  /** Hashes of the working tree's diff and of the latest test statuses, for loop control; none by default. */
  progressProbe?: () => Promise<{ diffHash: string; testStatusHash: string }>;
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

/** The approach loop control gave up on, as a note for the blackboard (and, at the end, the long-term memory). */
export function loopControlNotes(result: { failedApproach?: string }): Array<{ role: string; text: string }> {
  return result.failedApproach ? [{ role: "loop-control", text: result.failedApproach }] : [];
}

const MAX_NUDGES = 2;
/** Times loop control redirects a role before it stops the loop. */
const MAX_RECOVERIES = 2;
/** Tools whose `path` input counts as a file seen. */
const FILE_TOOLS = new Set(["view_file", "edit_file"]);

function describeVerdict(verdict: Exclude<LoopVerdict, { kind: "ok" }>): string {
  return verdict.kind === "repeating"
    ? `you have called ${verdict.action} ${verdict.times} times in a row with no change to the code, the tests or the files you have seen`
    : `${verdict.steps} steps went by with no new file seen, no change to the code and no change in the tests`;
}

function emptyUsage(): BudgetUsage {
  return { steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false };
}

/**
 * Runs one role: model turn, tool calls, results, until the role calls its final tool, runs
 * out of steps, or a budget stops it. Tool calls pass the approval policy first; failures the
 * model can fix come back to it as tool results.
 */
export async function runAgentLoop<Schema extends z.ZodObject>(options: AgentLoopOptions<Schema>): Promise<AgentLoopResult<Schema>> {
  const { node, model, tools, finalTool, emit } = options;
  const usage = emptyUsage();
  const byName = new Map(tools.map((candidate) => [candidate.name, candidate]));
  const finalTag = langChainTool(async () => "accepted", { name: finalTool.name, description: finalTool.description, schema: finalTool.schema });
  const boundTools = [...tools.map(toLangChainTool), finalTag];
  let messages: BaseMessage[] = [new SystemMessage(options.system), new HumanMessage(options.prompt)];
  let nudges = 0;
  let recoveries = 0;
  const monitor = createLoopMonitor();
  const filesSeen = new Set<string>();

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
    if (calls.length === 0) {
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
      const output = await runToolCall({ ...options, byName, callId, name: call.name, input });
      usage.steps += 1;
      messages = [...messages, new ToolMessage({ content: output, tool_call_id: callId, name: call.name })];
      if (FILE_TOOLS.has(call.name) && typeof input["path"] === "string") filesSeen.add(input["path"]);
      const probe = options.progressProbe ? await options.progressProbe() : { diffHash: "", testStatusHash: "" };
      const verdict = monitor.record({ action: { tool: call.name, input }, progress: { filesSeen: [...filesSeen], ...probe } });
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

async function runToolCall(
  options: AgentLoopOptions<z.ZodObject> & { byName: Map<string, AgentTool>; callId: string; name: string; input: Record<string, unknown> },
): Promise<string> {
  const { node, emit, callId, name, input } = options;
  const chosen = options.byName.get(name);
  if (!chosen) return `There is no tool named ${name}. The tools are: ${[...options.byName.keys(), options.finalTool.name].join(", ")}.`;
  const decision = decideApproval(chosen, input, options.approvalMode);
  if (decision.action === "deny") {
    emit({ type: "approval-decision", node, tool: name, decision: "deny", reason: decision.reason });
    return `Not run: ${decision.reason}`;
  }
  if (decision.action === "ask") {
    emit({ type: "approval-request", node, tool: name, input, reason: decision.reason });
    const allowed = options.approver ? await options.approver({ node, tool: name, input, reason: decision.reason }) : false;
    emit({ type: "approval-decision", node, tool: name, decision: allowed ? "allow" : "deny", reason: allowed ? "approved" : "declined" });
    if (!allowed) return `Not run: the user did not approve this ${chosen.kind} action (${decision.reason}). Try another way or finish.`;
  }
  emit({ type: "tool-call-start", callId, node, tool: name, input });
  const started = Date.now();
  const result = await runTool(chosen, input, options.signal);
  emit({ type: "tool-call-end", callId, node, tool: name, ok: result.ok, output: result.output, durationMs: Date.now() - started });
  return result.output;
}
