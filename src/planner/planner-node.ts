import { z } from "zod";
import { loopControlNotes } from "../agents/agent-loop.js";
import { formatPlan } from "../agents/format-plan.js";
import { describeBudgetLeft, type GraphRuntime } from "../agents/graph-runtime.js";
import { loadPromptTemplate } from "../agents/prompt-template.js";
import { createRoleNode, describeEnvironment } from "../agents/role-node.js";
import type { PlanForReview } from "../agents/run-steering.js";
import { PlanRejectedError } from "../errors.js";
import type { AgentStateValue, Plan } from "../memory/blackboard.js";

/** The planner's prompts, kept as data beside this file. */
export const plannerPrompts = {
  system: loadPromptTemplate(import.meta.url, "system.md"),
  task: loadPromptTemplate(import.meta.url, "task.md"),
  replan: loadPromptTemplate(import.meta.url, "replan.md"),
};

/** The planner's structured output. */
export const submitPlanSchema = z.object({
  summary: z.string().min(1).describe("One paragraph: what is wrong and where."),
  findings: z
    .array(
      z.object({
        file: z.string().min(1),
        line: z.number().int().positive().optional(),
        symbol: z.string().optional(),
        reason: z.string().min(1).describe("The evidence: why this place matters."),
      }),
    )
    .describe("The relevant places in the code."),
  steps: z
    .array(
      z.object({
        owner: z.enum(["test-designer", "programmer", "executor"]),
        description: z.string().min(1),
        done_criterion: z.string().min(1),
      }),
    )
    .min(1),
  relevant_tests: z.array(z.string()).default([]).describe("Existing test files to run before and after the change, to catch regressions."),
  conventions: z.array(z.string().min(1)).default([]).describe("Conventions of this repository worth remembering for later runs (test layout, style, build), if you saw any."),
  approaches: z
    .array(z.string().min(1))
    .max(8)
    .default([])
    .describe(
      "Only when more than one fix is plausible: each distinct way to fix it, in a sentence (where to change what). Several programmer attempts may each be given one; the test designer never sees them. Leave empty when one fix is obvious.",
    ),
});

/** The planner's system prompt: its role, the environment, the workflow and the rules. */
export function plannerSystem(runtime: GraphRuntime): string {
  return plannerPrompts.system.render({ environment: describeEnvironment(runtime.programmer, runtime) });
}

/** The planner's first message for this visit (the first plan, or a replan with the executor's feedback). */
export function plannerPrompt(state: AgentStateValue, runtime: GraphRuntime): string {
  const replan = state.plan ? plannerPrompts.replan.render({ feedback: state.verdict?.feedback ?? "(none)", previousPlan: formatPlan(state.plan) }) : "";
  return plannerPrompts.task.render({
    title: state.task.title,
    body: state.task.body,
    context: state.context,
    instructions: state.instructions || "(none)",
    memory: runtime.memoryText || "(nothing yet)",
    budget: describeBudgetLeft(state, runtime),
    replan,
  });
}

/** The plan the roles work from when the planner hands in none. */
const FALLBACK_PLAN: Omit<Plan, "version"> = {
  summary: "The planner handed in no plan; work from the issue text.",
  steps: [{ owner: "programmer", description: "Fix the issue as described.", doneCriterion: "The designed tests pass." }],
  relevantTests: [],
};

/** A submitted plan as the person reviews it. */
function planForReview(submitted: z.output<typeof submitPlanSchema>, state: AgentStateValue): PlanForReview {
  return {
    version: (state.plan?.version ?? 0) + 1,
    summary: submitted.summary,
    steps: submitted.steps.map((step) => ({ owner: step.owner, description: step.description })),
    files: [...new Set(submitted.findings.map((finding) => finding.file))],
  };
}

/**
 * The person's review of a plan, when someone steers the run and reviews plans: accepted, sent
 * back to the planner with their words, or rejected (the run stops before any code changes).
 */
async function reviewPlan(submitted: z.output<typeof submitPlanSchema>, state: AgentStateValue, runtime: GraphRuntime): Promise<string | null> {
  const steering = runtime.steering;
  if (!steering?.reviewsPlans()) return null;
  const plan = planForReview(submitted, state);
  const review = await steering.reviewPlan(plan);
  if (review.action === "accept") {
    runtime.emit({ type: "plan-reviewed", version: plan.version, decision: "accept" });
    return null;
  }
  if (review.action === "reject") {
    runtime.emit({ type: "plan-reviewed", version: plan.version, decision: "reject", ...(review.reason ? { feedback: review.reason } : {}) });
    throw new PlanRejectedError(review.reason ? `The plan was rejected: ${review.reason}` : undefined);
  }
  runtime.emit({ type: "plan-reviewed", version: plan.version, decision: "revise", feedback: review.feedback });
  return `the user reviewed this plan and asks for changes: ${review.feedback}\nRevise the plan accordingly (look at more code if you need to) and call submit_plan again.`;
}

/** Creates the planner node: localises the problem with read-only tools and writes the plan. */
export function createPlannerNode(runtime: GraphRuntime) {
  return createRoleNode(runtime, {
    node: "planner",
    model: "planner",
    bench: "programmer",
    tools: ["view_file", "search", "find_files"],
    finalTool: { name: "submit_plan", description: "Hand in the plan. Call it once, when localisation is done.", schema: submitPlanSchema },
    system: (_state, rt) => plannerSystem(rt),
    prompt: plannerPrompt,
    round: (state) => state.round,
    changesFiles: false,
    reviewFinal: reviewPlan,
    complete: async ({ state, result }) => {
      const submitted = result.final;
      const plan: Plan | null = submitted
        ? {
            summary: submitted.summary,
            steps: submitted.steps.map((step) => ({ owner: step.owner, description: step.description, doneCriterion: step.done_criterion })),
            relevantTests: submitted.relevant_tests,
            ...(submitted.approaches.length > 0 ? { approaches: submitted.approaches } : {}),
            version: (state.plan?.version ?? 0) + 1,
          }
        : state.plan;
      if (submitted && plan) {
        runtime.emit({
          type: "plan-submitted",
          version: plan.version,
          summary: plan.summary,
          steps: plan.steps.map((step) => ({ owner: step.owner, description: step.description })),
          files: [...new Set(submitted.findings.map((finding) => finding.file))],
        });
      }
      return {
        summary: plan ? `plan v${plan.version}: ${plan.steps.length} steps` : `no plan (${result.stoppedBy})`,
        update: {
          plan: plan ?? { ...FALLBACK_PLAN, version: 1 },
          findings: (submitted?.findings ?? []).map((finding) => ({ ...finding, role: "planner" })),
          usage: result.usage,
          replans: state.plan ? state.replans + 1 : state.replans,
          limitHit: result.limit,
          startedAt: state.startedAt || runtime.now(),
          learned: { conventions: submitted?.conventions ?? [], setupCommands: [] },
          notes: loopControlNotes(result),
        },
      };
    },
  });
}
