import type { Plan, RoleName } from "../memory/blackboard.js";

/** Renders a plan for the roles' prompts: the summary and every step with its owner. */
export function formatPlan(plan: Plan | null): string {
  if (!plan) return "(no plan)";
  const steps = plan.steps.map((step, index) => `${index + 1}. [${step.owner}] ${step.description} — done when: ${step.doneCriterion}`);
  return [plan.summary, "", ...steps].join("\n");
}

/** The plan's steps one role owns, numbered as in the whole plan; a line saying so when it owns none. */
export function formatStepsOf(plan: Plan | null, owner: RoleName): string {
  const steps = (plan?.steps ?? []).flatMap((step, index) => (step.owner === owner ? [`${index + 1}. ${step.description} — done when: ${step.doneCriterion}`] : []));
  return steps.length > 0 ? steps.join("\n") : `(the plan gives the ${owner} no step of its own: work from the issue)`;
}
