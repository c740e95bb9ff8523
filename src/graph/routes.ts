import { Send } from "@langchain/langgraph";
import type { AgentStateValue } from "../memory/blackboard.js";
import { exceededLimit, type RunLimits } from "../memory/run-limits.js";

/** The roles that start together from the first plan when search.parallelRoles is on. */
export const PARALLEL_FIRST_ROUND = ["test-designer", "programmer"] as const;

/**
 * After planning: design tests, unless a limit was reached or tests exist already (a replan keeps
 * them: they come from the issue, not from the plan). With `parallel`, the first round starts the
 * test designer and the programmer together (a LangGraph fan-out: both run in the same step, and
 * the executor runs once both are done).
 */
export function routeAfterPlanner(state: AgentStateValue, limits: RunLimits, now: number, parallel = false): "test-designer" | "programmer" | "finish" | Array<"test-designer" | "programmer"> {
  if (exceededLimit(state, limits, now)) return "finish";
  if (state.designedTests.length > 0) return "programmer";
  return parallel && state.round === 0 ? [...PARALLEL_FIRST_ROUND] : "test-designer";
}

/**
 * After the test designer: the programmer's first round; or, when the executor sent the run
 * back for new tests after a round, straight to the executor, which checks the new tests
 * against the change already made. In a parallel first round the programmer ran beside it, so
 * it is the executor's turn whatever happened (even a limit: the executor still judges the
 * programmer's change, as after any programmer visit, and then finishes).
 */
export function routeAfterTestDesigner(state: AgentStateValue, limits: RunLimits, now: number, parallel = false, candidates = 1): "programmer" | "executor" | "finish" | "candidates" {
  if (parallel && state.round === 0) return "executor";
  if (exceededLimit(state, limits, now)) return "finish";
  if (state.round > 0) return "executor";
  return candidates > 1 ? "candidates" : "programmer";
}

/**
 * The first round's fan-out with several candidates (search.candidates): one LangGraph Send per
 * candidate, each carrying its index and the blackboard as it is; they run in one step, and the
 * select node runs once they have all ended.
 */
export function sendCandidates(state: AgentStateValue, count: number): Send[] {
  return Array.from({ length: count }, (_, candidate) => new Send("candidate", { candidate, state }));
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
