import type { BaseMessage } from "@langchain/core/messages";
import type { EmitEvent } from "../events/agent-event.js";
import type { WorkspaceGit } from "../git/workspace-git.js";
import type { ModelClient } from "../models/model-client.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { AgentTool } from "../tools/agent-tool.js";
import type { ApprovalMode } from "../tools/approval.js";
import type { Approver } from "../agents/agent-loop.js";
import type { RunLimits } from "./routes.js";

/** One working tree with its sandbox, git port and tools. */
export interface Workbench {
  sandbox: Sandbox;
  git: WorkspaceGit;
  tools: AgentTool[];
}

/**
 * The side effects the graph's nodes use, injected (never in the state, which stays plain
 * JSON): models per role, the programmer's working tree, and a separate clean working tree at
 * the base commit for the test designer, which therefore never sees the programmer's changes.
 */
export interface GraphRuntime {
  models: { planner: ModelClient; testDesigner: ModelClient; programmer: ModelClient };
  programmer: Workbench;
  testDesigner: Workbench;
  limits: RunLimits;
  /** Tool calls one role may make in one visit. */
  stepsPerVisit: number;
  approvalMode: ApprovalMode;
  approver?: Approver;
  emit: EmitEvent;
  signal?: AbortSignal;
  now: () => number;
  condense?: (messages: BaseMessage[]) => BaseMessage[];
  /** What the long-term memory knows about the repository, for the prompts. */
  memoryText: string;
}

/** The agent-loop settings every role takes from the runtime: approval, events, cancellation, condensation. */
export function loopSettings(runtime: GraphRuntime) {
  return {
    approvalMode: runtime.approvalMode,
    ...(runtime.approver ? { approver: runtime.approver } : {}),
    emit: runtime.emit,
    ...(runtime.signal ? { signal: runtime.signal } : {}),
    ...(runtime.condense ? { condense: runtime.condense } : {}),
  };
}
