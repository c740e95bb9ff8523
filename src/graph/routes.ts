import type { AgentStateValue } from "../memory/blackboard.js";
import { exceededLimit, type RunLimits } from "../memory/run-limits.js";

/** After planning: design tests, unless a limit was reached or tests exist already (a replan keeps them: they come from the issue, not from the plan). */
export function routeAfterPlanner(state: AgentStateValue, limits: RunLimits, now: number): "test-designer" | "programmer" | "finish" {
  if (exceededLimit(state, limits, now)) return "finish";
  return state.designedTests.length > 0 ? "programmer" : "test-designer";
}

/**
 * After the test designer: the programmer's first round; or, when the executor sent the run
 * back for new tests after a round, straight to the executor, which checks the new tests
 * against the change already made.
 */
export function routeAfterTestDesigner(state: AgentStateValue, limits: RunLimits, now: number): "programmer" | "executor" | "finish" {
  if (exceededLimit(state, limits, now)) return "finish";
  return state.round > 0 ? "executor" : "programmer";
}

/** After the programmer: verify, even when a limit was reached mid-way, so the best patch is known. */
export function routeAfterProgrammer(): "executor" {
  return "executor";
}

/**
 * After the executor: finish when solved or out of budget or rounds; back to the test designer
 * when its tests are what stands in the way (they did not run, do not reproduce, or break for a
 * reason no fix can cure) while it has tries left, and to finish when it has none (nothing could
 * verify another round); back to the planner on a regression the plan did not foresee; otherwise
 * another programmer round with the executor's feedback.
 */
export function routeAfterExecutor(state: AgentStateValue, limits: RunLimits, now: number): "finish" | "programmer" | "planner" | "test-designer" {
  const verdict = state.verdict;
  if (!verdict || verdict.solved) return "finish";
  if (exceededLimit(state, limits, now)) return "finish";
  if (verdict.testProblem) {
    if (state.testRedesigns < limits.maxTestRedesigns) return "test-designer";
    if (verdict.regressions.length === 0) return "finish";
  }
  if (state.round >= limits.maxRounds) return "finish";
  if (verdict.regressions.length > 0 && state.replans < limits.maxReplans) return "planner";
  return "programmer";
}
