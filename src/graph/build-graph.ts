import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createExecutorNode } from "../agents/executor/node.js";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import { createProgrammerNode } from "../agents/programmer/node.js";
import { createTestDesignerNode } from "../agents/test-designer/node.js";
import { AgentState } from "../memory/blackboard.js";
import { createPlannerNode } from "../planner/planner-node.js";
import { createFinishNode } from "./finish-node.js";
import { routeAfterExecutor, routeAfterPlanner, routeAfterProgrammer, routeAfterTestDesigner } from "./routes.js";

/**
 * The agent graph, wired as the design's diagram:
 *   planner → test-designer → programmer → executor → (finish | programmer | planner | test-designer)
 * and a test designer sent back by the executor goes straight to the executor again. With
 * runtime.parallelRoles the planner fans out to the test designer and the programmer at once, and
 * the executor, the target of both, runs when the step that ran them both has ended.
 * Nodes do the work; routers are pure functions of the state and the limits.
 */
export function buildAgentGraph(runtime: GraphRuntime, checkpointer?: BaseCheckpointSaver) {
  const graph = new StateGraph(AgentState)
    .addNode("planner", createPlannerNode(runtime))
    .addNode("test-designer", createTestDesignerNode(runtime))
    .addNode("programmer", createProgrammerNode(runtime))
    .addNode("executor", createExecutorNode(runtime))
    .addNode("finish", createFinishNode(runtime))
    .addEdge(START, "planner")
    .addConditionalEdges("planner", (state) => routeAfterPlanner(state, runtime.limits, runtime.now(), runtime.parallelRoles), ["test-designer", "programmer", "finish"])
    .addConditionalEdges("test-designer", (state) => routeAfterTestDesigner(state, runtime.limits, runtime.now(), runtime.parallelRoles), ["programmer", "executor", "finish"])
    .addConditionalEdges("programmer", routeAfterProgrammer, ["executor"])
    .addConditionalEdges("executor", (state) => routeAfterExecutor(state, runtime.limits, runtime.now()), ["finish", "programmer", "planner", "test-designer"])
    .addEdge("finish", END);
  return graph.compile(checkpointer ? { checkpointer } : {});
}
