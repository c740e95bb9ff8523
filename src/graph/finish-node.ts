import type { RunStatus } from "../events/agent-event.js";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import type { AgentStateUpdate, AgentStateValue } from "../memory/blackboard.js";
import { exceededLimit } from "../memory/run-limits.js";

/**
 * Creates the finish node: decides the run's status and keeps the best patch so far —
 * solved (verified by the executor), patched (a change, not verified), failed (no change), or
 * limits-exceeded (a budget stopped the run; its best patch is kept).
 */
export function createFinishNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    const roundsUsedUp = !state.verdict?.solved && state.round >= runtime.limits.maxRounds ? `round limit (${runtime.limits.maxRounds})` : null;
    const limit = exceededLimit(state, runtime.limits, runtime.now()) ?? roundsUsedUp;
    const best = state.bestPatch;
    const patch = best && best.score >= (state.verdict?.score ?? Number.NEGATIVE_INFINITY) ? best.patch : state.patch || best?.patch || "";
    let status: RunStatus;
    if (state.verdict?.solved) status = "solved";
    else if (limit) status = "limits-exceeded";
    else status = patch ? "patched" : "failed";
    runtime.emit({ type: "node-end", node: "finish", round: state.round, summary: `${status}${limit ? ` (${limit})` : ""}` });
    return { status, patch, limitHit: limit };
  };
}
