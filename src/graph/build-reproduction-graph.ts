import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createReproduceNode } from "../agents/executor/node.js";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import { createTestDesignerNode } from "../agents/test-designer/node.js";
import { AgentState } from "../memory/blackboard.js";

/**
 * The reproduction graph, over the agent graph's blackboard:
 *   test-designer → reproduce
 * The planner is skipped on purpose: the issue text alone drives the reproduction (a test
 * shaped by a reading of the code could reproduce what the code does rather than what the
 * issue says), and a triage must be cheap. The test designer's prompt is its usual one, which
 * asks for tests that fail on the current code for the reason the issue describes; the
 * reproduce node runs them once on the base commit.
 */
export function buildReproductionGraph(runtime: GraphRuntime, checkpointer?: BaseCheckpointSaver) {
  // The test designer is the only role that calls a model here, so its one visit may use the run's whole step budget.
  const designerRuntime: GraphRuntime = { ...runtime, stepsPerVisit: runtime.limits.maxSteps };
  const graph = new StateGraph(AgentState)
    .addNode("test-designer", createTestDesignerNode(designerRuntime))
    .addNode("reproduce", createReproduceNode(runtime))
    .addEdge(START, "test-designer")
    .addEdge("test-designer", "reproduce")
    .addEdge("reproduce", END);
  return graph.compile(checkpointer ? { checkpointer } : {});
}
