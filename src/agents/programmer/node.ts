import { z } from "zod";
import { GitError } from "../../errors.js";
import type { AgentStateValue, BudgetUsage, RoleNote } from "../../memory/blackboard.js";
import { addBudgetUsage } from "../../memory/blackboard.js";
import { loopControlNotes } from "../agent-loop.js";
import { runnableTestPaths } from "../executor/designed-tests.js";
import { formatPlan, formatStepsOf } from "../format-plan.js";
import { describeBudgetLeft, type GraphRuntime, type Workbench } from "../graph-runtime.js";
import { loadPromptTemplate } from "../prompt-template.js";
import { createRoleNode, describeEnvironment } from "../role-node.js";
import { createRunDesignedTestsTool } from "./run-designed-tests-tool.js";

/** The programmer's prompts, kept as data beside this file. */
export const programmerPrompts = {
  system: loadPromptTemplate(import.meta.url, "system.md"),
  task: loadPromptTemplate(import.meta.url, "task.md"),
  feedback: loadPromptTemplate(import.meta.url, "feedback.md"),
};

/** The programmer's structured output. */
export const submitPatchSchema = z.object({
  summary: z.string().min(1).describe("What you changed and why, in a few sentences."),
});

/** The programmer's system prompt: its role, the environment, the workflow and the rules. */
export function programmerSystem(runtime: GraphRuntime): string {
  return programmerPrompts.system.render({ environment: describeEnvironment(runtime.programmer, runtime) });
}

/** How the programmer hears about the tests: what they check and how to run them, never where they are or what they say. */
function describeTestsForProgrammer(state: AgentStateValue): string {
  const runnable = state.designedTests.filter((test) => test.kind !== "support");
  if (runnable.length === 0 || !state.testCommand) return "(no reproduction tests yet: check your change with the repository's own tests and a script of your own)";
  const lines = runnable.map((test) => `- a ${test.kind} test: ${test.description}`);
  const existing = state.plan?.relevantTests.length ? `\nThe executor also runs these existing tests before and after your change: ${state.plan.relevantTests.join(", ")}.` : "";
  return `${lines.join("\n")}\nRun them with run_designed_tests (they are not in your working tree).${existing}`;
}

/** The programmer's first message for this round: plan, findings, the tests that judge it, budget, and the executor's feedback. */
export function programmerPrompt(state: AgentStateValue, runtime: GraphRuntime): string {
  const planned = state.findings.length
    ? state.findings.map((finding) => `- ${finding.file}${finding.line ? `:${finding.line}` : ""}${finding.symbol ? ` (${finding.symbol})` : ""}: ${finding.reason}`).join("\n")
    : "(none recorded)";
  const findings = state.suspects.length
    ? `${planned}\n\nFunctions the failing reproduction runs, most suspicious first (spectrum: what the failing tests enter and the passing tests do not):\n${state.suspects.map((suspect, index) => `${index + 1}. ${suspect.path}:${suspect.line} ${suspect.name} (${suspect.evidence})`).join("\n")}`
    : planned;
  const feedback = state.verdict && !state.verdict.solved ? programmerPrompts.feedback.render({ round: String(state.verdict.round), feedback: state.verdict.feedback }) : "";
  const approach = runtime.approach ? `\n\n# Your approach\nYou are one of several independent attempts at this issue. Try this way of fixing it: ${runtime.approach}\nIf, once you have read the code, it cannot work, say why in your summary and fix the issue the way that does.` : "";
  return programmerPrompts.task.render({
    title: state.task.title,
    body: state.task.body,
    plan: formatPlan(state.plan),
    steps: formatStepsOf(state.plan, "programmer"),
    findings,
    tests: describeTestsForProgrammer(state),
    instructions: state.instructions || "(none)",
    memory: runtime.memoryText || "(nothing yet)",
    budget: describeBudgetLeft(state, runtime),
    approach,
    feedback,
  });
}

/**
 * Puts the working tree back to the round's checkpoint, checked at every step. When that
 * fails, the tree is put back as it was before the attempt and the caller is told, so the work
 * never goes on on a half-restored tree; when even that fails, the run stops with a GitError.
 */
async function rollBack(bench: Workbench, checkpointPatch: string): Promise<{ ok: true } | { ok: false; reason: string }> {
  const current = await bench.git.patch();
  try {
    await bench.git.resetTo(checkpointPatch);
    return { ok: true };
  } catch (error) {
    try {
      await bench.git.resetTo(current);
    } catch (restoreError) {
      throw new GitError(
        `The programmer's working tree could not be rolled back (${(error as Error).message}), nor put back as it was (${(restoreError as Error).message}).`,
        { code: "rollback-failed", cause: restoreError },
      );
    }
    return { ok: false, reason: (error as Error).message };
  }
}

/** What a programmer visit writes (createProgrammerNode's update, typed for the candidate node that reads it). */
export interface ProgrammerUpdate {
  round: number;
  patch: string;
  usage: BudgetUsage;
  limitHit: string | null;
  notes: RoleNote[];
}

/**
 * Creates the programmer node: edits the code in the run's working tree until it hands in a
 * fix. When loop control stops it for going round in circles, the tree is rolled back to the
 * round's checkpoint and the programmer tries once more, told which approach failed.
 */
export function createProgrammerNode(runtime: GraphRuntime) {
  return createRoleNode<typeof submitPatchSchema, ProgrammerUpdate>(runtime, {
    node: "programmer",
    model: "programmer",
    bench: "programmer",
    tools: ["view_file", "search", "find_files", "run_shell", "background_jobs", "edit_file", "git_status", "git_diff", "git_restore"],
    visitTools: (state) =>
      state.testCommand && runnableTestPaths(state.designedTests).length > 0
        ? [createRunDesignedTestsTool({ bench: runtime.programmer, tests: state.designedTests, command: state.testCommand, ...(runtime.signal ? { signal: runtime.signal } : {}) })]
        : [],
    finalTool: { name: "submit_patch", description: "Hand in your fix when you believe it is complete.", schema: submitPatchSchema },
    system: (_state, rt) => programmerSystem(rt),
    prompt: programmerPrompt,
    round: (state) => state.round + 1,
    changesFiles: true,
    complete: async ({ state, bench, prompt, result: first, runAgain }) => {
      let result = first;
      if (first.stoppedBy === "no-progress" && first.failedApproach) {
        const rolledBack = await rollBack(bench, state.patch);
        if (rolledBack.ok) {
          runtime.emit({ type: "recovery", node: "programmer", reason: "no progress", action: "rolled the working tree back to the round's checkpoint; trying another approach" });
          const retry = await runAgain(`${prompt}\n\n# An approach that already failed (do not retry it)\n${first.failedApproach}`, first.usage);
          result = { ...retry, usage: addBudgetUsage(first.usage, retry.usage), failedApproach: first.failedApproach };
        } else {
          runtime.emit({ type: "recovery", node: "programmer", reason: "no progress", action: `could not roll the working tree back (${rolledBack.reason}); kept it as it was, for the executor to judge` });
        }
      }
      const patch = await bench.git.patch();
      return {
        summary: `${result.final?.summary ?? `no summary (${result.stoppedBy})`}; patch ${patch ? `${patch.split("\n").length} lines` : "empty"}`,
        update: {
          round: state.round + 1,
          patch,
          usage: result.usage,
          limitHit: result.limit,
          notes: [...(result.final ? [{ role: "programmer", text: result.final.summary }] : []), ...loopControlNotes(result)],
        },
      };
    },
  });
}
