import type { GraphNodeName } from "../events/agent-event.js";

/** A tool call the approval policy wants a person to allow: which role, which tool, its input (secrets removed) and why it asks. */
export interface ApprovalRequest {
  node: GraphNodeName;
  tool: string;
  input: Record<string, unknown>;
  reason: string;
}

/** A person's answer to an approval request. */
export interface ApprovalAnswer {
  allowed: boolean;
  /** With a denial: what the person wants instead, passed to the model with the denial. */
  guidance?: string;
  /** For the record, when the answer was not a plain yes or no (e.g. "allowed for the rest of the session"). */
  note?: string;
}

/** Answers an approval request (the terminal session asks a person); absent in headless runs, where an `ask` is declined. */
export type Approver = (request: ApprovalRequest) => Promise<ApprovalAnswer>;
