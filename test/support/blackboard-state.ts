import { AgentState, type AgentStateValue } from "../../src/memory/blackboard.js";

/** A blackboard with every field at its reducer's default, then `overrides`: the state a node sees. */
export function blackboardState(overrides: Partial<AgentStateValue> = {}): AgentStateValue {
  const defaults = Object.fromEntries(
    Object.entries(AgentState.spec).map(([key, channel]) => [key, (channel as unknown as { initialValueFactory?: () => unknown }).initialValueFactory?.()]),
  ) as unknown as AgentStateValue;
  return { ...defaults, ...overrides };
}
