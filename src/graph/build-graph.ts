import { END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createExecutorNode } from "../agents/executor/node.js";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import { createProgrammerNode } from "../agents/programmer/node.js";
import { createTestDesignerNode } from "../agents/test-designer/node.js";
import { AgentState } from "../memory/blackboard.js";
import { createPlannerNode } from "../planner/planner-node.js";
import { createFinishNode } from "./finish-node.js";
import { createCandidateNode } from "../agents/candidates/candidate-node.js";
import { createSelectNode } from "../agents/candidates/select-node.js";
import { routeAfterExecutor, routeAfterPlanner, routeAfterProgrammer, routeAfterTestDesigner, sendCandidates } from "./routes.js";

/**
 * The agent graph, wired as the design's diagram:
 *   planner → test-designer → programmer → executor → (finish | programmer | planner | test-designer)
 * and a test designer sent back by the executor goes straight to the executor again. With
 * runtime.parallelRoles the planner fans out to the test designer and the programmer at once, and
 * the executor, the target of both, runs when the step that ran them both has ended.
 * With runtime.candidates (search.candidates ≥ 2) the test designer's first hand-over fans out to
 * one candidate node per attempt (each a programmer visit and the executor in a tree of its own),
 * and the select node puts the winner in the run's tree and routes on as the executor would.
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
    .addNode("candidate", createCandidateNode(runtime))
    .addNode("select", createSelectNode(runtime))
    .addConditionalEdges(
      "test-designer",
      (state) => {
        const next = routeAfterTestDesigner(state, runtime.limits, runtime.now(), runtime.parallelRoles, runtime.candidates?.count);
        return next === "candidates" ? sendCandidates(state, runtime.candidates!.count) : next;
      },
      ["programmer", "executor", "finish", "candidate"],
    )
    .addEdge("candidate", "select")
    .addConditionalEdges("select", (state) => routeAfterExecutor(state, runtime.limits, runtime.now()), ["finish", "programmer", "planner", "test-designer"])
    .addConditionalEdges("programmer", routeAfterProgrammer, ["executor"])
    .addConditionalEdges("executor", (state) => routeAfterExecutor(state, runtime.limits, runtime.now()), ["finish", "programmer", "planner", "test-designer"])
    .addEdge("finish", END);
  return graph.compile(checkpointer ? { checkpointer } : {});
}
