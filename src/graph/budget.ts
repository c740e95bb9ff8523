import { addBudgetUsage, type AgentStateValue, type BudgetUsage } from "./state.js";
import { exceededLimit } from "./routes.js";
import type { GraphRuntime } from "./runtime.js";

/** The check an agent loop makes before each model call: has the run as a whole hit a limit? */
export function budgetCheck(state: AgentStateValue, runtime: GraphRuntime): (loop: BudgetUsage) => string | null {
  return (loop) => exceededLimit({ ...state, usage: addBudgetUsage(state.usage, loop) }, runtime.limits, runtime.now());
}
