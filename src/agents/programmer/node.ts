import { z } from "zod";
import { budgetCheck } from "../../graph/budget.js";
import type { GraphRuntime } from "../../graph/runtime.js";
import type { AgentStateUpdate, AgentStateValue } from "../../graph/state.js";
import { formatPlan } from "../../planner/planner-node.js";
import { selectTools } from "../../tools/registry.js";
import { loopControlNotes, runAgentLoop } from "../agent-loop.js";
import { renderPrompt } from "../render-prompt.js";
import { programmerFeedbackPrompt, programmerSystemPrompt, programmerTaskPrompt } from "./prompt.js";

/** The programmer's structured output. */
export const submitPatchSchema = z.object({
  summary: z.string().min(1).describe("What you changed and why, in a few sentences."),
});

/** The programmer's first message for this round: plan, findings, tests to satisfy, and the executor's feedback. */
export function programmerPrompt(state: AgentStateValue, memoryText: string): string {
  const findings = state.findings.length
    ? state.findings.map((finding) => `- ${finding.file}${finding.line ? `:${finding.line}` : ""}${finding.symbol ? ` (${finding.symbol})` : ""}: ${finding.reason}`).join("\n")
    : "(none recorded)";
  const tests = state.designedTests.length
    ? state.designedTests.map((test) => `- ${test.path} (${test.kind}): ${test.description}`).join("\n")
    : "(none: check your fix with the repository's own tests)";
  const feedback = state.verdict && !state.verdict.solved ? renderPrompt(programmerFeedbackPrompt, { round: String(state.verdict.round), feedback: state.verdict.feedback }) : "";
  return renderPrompt(programmerTaskPrompt, {
    title: state.task.title,
    body: state.task.body,
    plan: formatPlan(state.plan),
    findings,
    tests,
    memory: memoryText || "(nothing yet)",
    feedback,
  });
}

/** Creates the programmer node: edits the code in the run's working tree until it hands in a fix. */
export function createProgrammerNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    const round = state.round + 1;
    runtime.emit({ type: "node-start", node: "programmer", round });
    const bench = runtime.programmer;
    const result = await runAgentLoop({
      node: "programmer",
      model: runtime.models.programmer,
      tools: selectTools(bench.tools, ["view_file", "search", "find_files", "run_shell", "edit_file", "git_status", "git_diff", "git_restore"]),
      finalTool: { name: "submit_patch", description: "Hand in your fix when you believe it is complete.", schema: submitPatchSchema },
      system: programmerSystemPrompt,
      prompt: programmerPrompt(state, runtime.memoryText),
      maxSteps: runtime.stepsPerVisit,
      shouldStop: budgetCheck(state, runtime),
      approvalMode: runtime.approvalMode,
      ...(runtime.approver ? { approver: runtime.approver } : {}),
      emit: runtime.emit,
      ...(runtime.signal ? { signal: runtime.signal } : {}),
      ...(runtime.condense ? { condense: runtime.condense } : {}),
    });
    const patch = await bench.git.patch();
    runtime.emit({
      type: "node-end",
      node: "programmer",
      round,
      summary: `${result.final?.summary ?? `no summary (${result.stoppedBy})`}; patch ${patch ? `${patch.split("\n").length} lines` : "empty"}`,
    });
    return {
      round,
      patch,
      usage: result.usage,
      limitHit: result.limit,
      notes: [...(result.final ? [{ role: "programmer", text: result.final.summary }] : []), ...loopControlNotes(result)],
    };
  };
}
