import type { AgentStateValue } from "./blackboard.js";

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
  /** Times the executor may send the run back to the test designer (its tests did not run, did not reproduce, or were broken). */
  maxTestRedesigns: number;
}

/** Limits for a typical SWE-bench-sized task. */
export const defaultRunLimits: RunLimits = {
  maxSteps: 250,
  maxTokens: 3_000_000,
  maxCostUsd: 5,
  maxWallTimeSec: 3_600,
  maxRounds: 4,
  maxReplans: 1,
  maxTestRedesigns: 2,
};

/** The first limit the run has reached, described for the user, or null. */
export function exceededLimit(state: Pick<AgentStateValue, "limitHit" | "usage" | "startedAt">, limits: RunLimits, now: number): string | null {
  if (state.limitHit) return state.limitHit;
  const { usage } = state;
  if (usage.steps >= limits.maxSteps) return `step limit (${limits.maxSteps} tool calls)`;
  if (usage.inputTokens + usage.outputTokens >= limits.maxTokens) return `token limit (${limits.maxTokens})`;
  if (usage.costUsd >= limits.maxCostUsd) return `cost limit ($${limits.maxCostUsd})`;
  if (state.startedAt > 0 && (now - state.startedAt) / 1000 >= limits.maxWallTimeSec) return `time limit (${limits.maxWallTimeSec} s)`;
  return null;
}
