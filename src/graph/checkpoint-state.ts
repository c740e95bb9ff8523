import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { AgentStateValue, Candidate } from "../memory/blackboard.js";

/**
 * The blackboard fields that say what is in the working trees. When roles run side by side
 * (search.parallelRoles), one may finish while the other is still at work: LangGraph keeps the
 * finished one's writes beside the step's checkpoint and only applies them when the step ends. A
 * run killed in between must rebuild its trees (and keep its record) with those writes, or the
 * programmer's finished patch would be lost from its tree while the blackboard, once the step
 * ends, says it is there.
 */
const TREE_CHANNELS = ["patch", "designedTests", "testCommand"] as const satisfies ReadonlyArray<keyof AgentStateValue>;

/**
 * The blackboard as the run's last checkpoint holds it, with the finished tasks' pending writes
 * to the tree fields applied, and the candidates that had finished; undefined before the first checkpoint.
 */
export async function readCheckpointState(checkpointer: BaseCheckpointSaver, runId: string): Promise<Partial<AgentStateValue> | undefined> {
  const tuple = await checkpointer.getTuple({ configurable: { thread_id: runId } });
  if (!tuple) return undefined;
  const state = { ...(tuple.checkpoint.channel_values as Partial<AgentStateValue>) };
  for (const [, channel, value] of tuple.pendingWrites ?? []) {
    if ((TREE_CHANNELS as readonly string[]).includes(channel)) Object.assign(state, { [channel]: value });
    // Candidates that finished before the run stopped (search.candidates), for its record.
    if (channel === "candidates") state.candidates = [...(state.candidates ?? []), ...(value as Candidate[])];
  }
  return state;
}
