import type { AgentStateValue } from "./state.js";

/** The budgets of a run. Going over one routes to the finish node with status limits-exceeded. */
export interface RunLimits {
  /** Tool calls across all roles. */
  maxSteps: number;
  /** Input plus output tokens. */
  maxTokens: number;
  maxCostUsd: number;
  maxWallTimeSec: number;
  /** Programmer ↔ executor rounds. */
  maxRounds: number;
  /** Times the executor may send the run back to the planner. */
  maxReplans: number;
}

/** Limits for a typical SWE-bench-sized task. */
export const defaultRunLimits: RunLimits = {
  maxSteps: 250,
  maxTokens: 3_000_000,
  maxCostUsd: 5,
  maxWallTimeSec: 3_600,
  maxRounds: 4,
  maxReplans: 1,
};

/** The first limit the run has reached, described for the user, or null. */
export function exceededLimit(state: AgentStateValue, limits: RunLimits, now: number): string | null {
  if (state.limitHit) return state.limitHit;
  const { usage } = state;
  if (usage.steps >= limits.maxSteps) return `step limit (${limits.maxSteps} tool calls)`;
  if (usage.inputTokens + usage.outputTokens >= limits.maxTokens) return `token limit (${limits.maxTokens})`;
  if (usage.costUsd >= limits.maxCostUsd) return `cost limit ($${limits.maxCostUsd})`;
  if (state.startedAt > 0 && (now - state.startedAt) / 1000 >= limits.maxWallTimeSec) return `time limit (${limits.maxWallTimeSec} s)`;
  return null;
}

/** After planning: design tests, unless a limit was reached. */
export function routeAfterPlanner(state: AgentStateValue, limits: RunLimits, now: number): "test-designer" | "programmer" | "finish" {
  if (exceededLimit(state, limits, now)) return "finish";
  // A replan keeps the tests already designed: they come from the issue, not from the plan.
  return state.designedTests.length > 0 ? "programmer" : "test-designer";
}

/** After the test designer: let the programmer work, unless a limit was reached. */
export function routeAfterTestDesigner(state: AgentStateValue, limits: RunLimits, now: number): "programmer" | "finish" {
  return exceededLimit(state, limits, now) ? "finish" : "programmer";
}

/** After the programmer: verify, even when a limit was reached mid-way, so the best patch is known. */
export function routeAfterProgrammer(): "executor" {
  return "executor";
}

/**
 * After the executor: finish when solved, out of budget or out of rounds; back to the planner
 * when the failure is one the plan did not foresee (a regression, or tests that did not run);
 * otherwise another programmer round with the executor's feedback.
 */
export function routeAfterExecutor(state: AgentStateValue, limits: RunLimits, now: number): "finish" | "programmer" | "planner" {
  const verdict = state.verdict;
  if (!verdict || verdict.solved) return "finish";
  if (exceededLimit(state, limits, now) || state.round >= limits.maxRounds) return "finish";
  const testsDidNotRun = state.testRuns.filter((run) => run.round === state.round && run.scope === "designed").every((run) => run.outcomes.length === 0);
  if ((verdict.regressions.length > 0 || testsDidNotRun) && state.replans < limits.maxReplans) return "planner";
  return "programmer";
}
