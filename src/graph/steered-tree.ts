import type { Workbench } from "../agents/graph-runtime.js";
import type { SteeredTree } from "../agents/run-steering.js";
import type { AgentEvent } from "../events/agent-event.js";
import { runTool } from "../tools/agent-tool.js";
import { selectTools } from "../tools/registry.js";

/**
 * The programmer's working tree as the person steering a run sees it: its patch (secrets
 * removed), and an undo of the programmer's last edit_file change, done by edit_file's own undo
 * so the bytes come back exactly. `observe` follows the run's events to know which file the
 * last edit changed (the model's own undos included).
 */
export function createSteeredTree(bench: Workbench, redact: (text: string) => string): { tree: SteeredTree; observe: (event: AgentEvent) => void } {
  const [editFile] = selectTools(bench.tools, ["edit_file"]);
  const pathsByCall = new Map<string, { path: string; undo: boolean }>();
  /** The paths of the programmer's edits, oldest first. */
  const edited: string[] = [];
  const observe = (event: AgentEvent): void => {
    if ((event.type !== "tool-call-start" && event.type !== "tool-call-end") || event.node !== "programmer" || event.tool !== "edit_file") return;
    if (event.type === "tool-call-start") {
      const { path, command } = event.input as { path?: unknown; command?: unknown };
      if (typeof path === "string") pathsByCall.set(event.callId, { path, undo: command === "undo" });
      return;
    }
    const call = pathsByCall.get(event.callId);
    pathsByCall.delete(event.callId);
    if (!call || !event.ok) return;
    if (!call.undo) {
      edited.push(call.path);
      return;
    }
    const last = edited.lastIndexOf(call.path);
    if (last !== -1) edited.splice(last, 1);
  };
  return {
    observe,
    tree: {
      patch: async () => redact(await bench.git.patch()),
      undoLastEdit: async () => {
        const path = edited.at(-1);
        if (path === undefined || !editFile) return "There is no edit of the programmer's to undo (only edit_file changes can be undone).";
        const result = await runTool(editFile, { command: "undo", path });
        if (result.ok) edited.pop();
        return result.ok ? `reverted the last edit of ${path}.` : `could not revert the last edit of ${path}: ${redact(result.output)}`;
      },
    },
  };
}
