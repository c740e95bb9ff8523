import type { GraphNodeName } from "../events/agent-event.js";

/** A tool call the approval policy wants a person to allow: which role, which tool, its input and why it asks. */
export interface ApprovalRequest {
  node: GraphNodeName;
  tool: string;
  input: Record<string, unknown>;
  reason: string;
}

/** Answers an approval request (the TUI asks a person); absent in headless runs, where an `ask` is declined. */
export type Approver = (request: ApprovalRequest) => Promise<boolean>;
