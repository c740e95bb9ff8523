import { initialBlackboard, type AgentStateValue } from "../../src/memory/blackboard.js";

/** A blackboard with every field at its reducer's default, then `overrides`: the state a node sees. */
export function blackboardState(overrides: Partial<AgentStateValue> = {}): AgentStateValue {
  return { ...initialBlackboard(), ...overrides };
}
