import type { BudgetUsage, AgentStateValue } from "./state.js";
import { exceededLimit } from "./routes.js";
import type { GraphRuntime } from "./runtime.js";

/** Adds a loop's usage to the state's, to check the limits in the middle of a node. */
function combine(state: AgentStateValue, loop: BudgetUsage): AgentStateValue {
  return {
    ...state,
    usage: {
      steps: state.usage.steps + loop.steps,
      modelCalls: state.usage.modelCalls + loop.modelCalls,
      inputTokens: state.usage.inputTokens + loop.inputTokens,
      outputTokens: state.usage.outputTokens + loop.outputTokens,
      costUsd: state.usage.costUsd + loop.costUsd,
      costUnknown: state.usage.costUnknown || loop.costUnknown,
    },
  };
}

/** The check an agent loop makes before each model call: has the run as a whole hit a limit? */
export function budgetCheck(state: AgentStateValue, runtime: GraphRuntime): (loop: BudgetUsage) => string | null {
  return (loop) => exceededLimit(combine(state, loop), runtime.limits, runtime.now());
}
