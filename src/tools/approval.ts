import type { ToolKind } from "./agent-tool.js";
import { findPublishingCommand } from "./publishing-guard.js";

/**
 * How much the agent may do without asking: `suggest` asks before any change or command,
 * `auto-edit` edits files freely but asks before commands and git changes, `full-auto` asks
 * for nothing (inside the sandbox).
 */
export type ApprovalMode = "suggest" | "auto-edit" | "full-auto";

/** The policy's answer for one tool call. */
export type ApprovalDecision = { action: "allow" } | { action: "ask"; reason: string } | { action: "deny"; reason: string };

/**
 * Decides whether a tool call may run: a pure function of the tool's kind, its input and the
 * mode, so it is easy to test and to reason about. An `ask` goes to the injected approver
 * (the TUI asks a person; headless runs treat it per their own policy).
 */
export function decideApproval(tool: { name: string; kind: ToolKind }, input: unknown, mode: ApprovalMode): ApprovalDecision {
  if (tool.kind === "execute") {
    const command = typeof (input as { command?: unknown })?.command === "string" ? (input as { command: string }).command : "";
    const reason = findPublishingCommand(command);
    if (reason) return { action: "deny", reason };
  }
  if (tool.kind === "read" || mode === "full-auto") return { action: "allow" };
  if (tool.kind === "edit") return mode === "auto-edit" ? { action: "allow" } : { action: "ask", reason: `${tool.name} changes files` };
  return { action: "ask", reason: tool.kind === "execute" ? `${tool.name} runs a command` : `${tool.name} changes git state` };
}
