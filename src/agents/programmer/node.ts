import { z } from "zod";
import { applyPatchInTree } from "../../graph/apply-patch.js";
import { budgetCheck } from "../../graph/budget.js";
import { loopSettings, type GraphRuntime, type Workbench } from "../../graph/runtime.js";
import { addBudgetUsage, noUsage, type AgentStateUpdate, type AgentStateValue, type BudgetUsage } from "../../graph/state.js";
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

/**
 * Puts the working tree back as it was at the start of this visit (the checkpoint): every
 * changed file restored to the base commit, then the checkpoint's patch applied again.
 */
async function rollBack(bench: Workbench, checkpointPatch: string): Promise<void> {
  for (const path of await bench.git.changedFiles()) await bench.git.restoreFile(path).catch(() => {});
  if (!checkpointPatch) return;
  await applyPatchInTree(bench.sandbox, checkpointPatch);
}

/**
 * Creates the programmer node: edits the code in the run's working tree until it hands in a
 * fix. When loop control stops it for going round in circles, the tree is rolled back to the
 * visit's checkpoint and the programmer tries once more, told which approach failed.
 */
export function createProgrammerNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    const round = state.round + 1;
    runtime.emit({ type: "node-start", node: "programmer", round });
    const bench = runtime.programmer;
    const visit = (prompt: string, usedSoFar: BudgetUsage) => runAgentLoop({
      node: "programmer",
      model: runtime.models.programmer,
      tools: selectTools(bench.tools, ["view_file", "search", "find_files", "run_shell", "edit_file", "git_status", "git_diff", "git_restore"]),
      finalTool: { name: "submit_patch", description: "Hand in your fix when you believe it is complete.", schema: submitPatchSchema },
      system: programmerSystemPrompt,
      prompt,
      maxSteps: runtime.stepsPerVisit,
      shouldStop: (loop) => budgetCheck(state, runtime)(addBudgetUsage(usedSoFar, loop)),
      ...loopSettings(runtime),
    });
    const prompt = programmerPrompt(state, runtime.memoryText);
    let result = await visit(prompt, noUsage);
    if (result.stoppedBy === "no-progress" && result.failedApproach) {
      const failed = result;
      await rollBack(bench, state.patch);
      runtime.emit({ type: "recovery", node: "programmer", reason: "no progress", action: "rolled the working tree back to the round's checkpoint; trying another approach" });
      const retry = await visit(`${prompt}\n\n# An approach that already failed (do not retry it)\n${failed.failedApproach}`, failed.usage);
      result = { ...retry, usage: addBudgetUsage(failed.usage, retry.usage), failedApproach: failed.failedApproach! };
    }
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
