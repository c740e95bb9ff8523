import { Annotation, END, START, StateGraph, type BaseCheckpointSaver } from "@langchain/langgraph";
import { createExecutorNode } from "../agents/executor/node.js";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import { createProgrammerNode } from "../agents/programmer/node.js";
import { createTestDesignerNode } from "../agents/test-designer/node.js";
import { AgentState, type AgentStateUpdate, type AgentStateValue, type Plan } from "../memory/blackboard.js";
import { createFinishNode } from "./finish-node.js";
import { routeAfterExecutor, routeAfterTestDesigner } from "./routes.js";

/** Which roles work on a function-level task: the whole AgentCoder pipeline, or the programmer alone (the single-agent baseline). */
export type FunctionTaskRoles = "all" | "programmer";

/** The programmer's patch at the end of one of its rounds, judged later against tests the agents never saw. */
export interface FunctionAttempt {
  round: number;
  patch: string;
}

/** The agent graph's blackboard, plus every programmer round's patch (the first attempt is what the executor's feedback is measured against). */
export const FunctionTaskState = Annotation.Root({
  ...AgentState.spec,
  attempts: Annotation<FunctionAttempt[]>({ reducer: (current, next) => [...current, ...next], default: () => [] }),
});

/** The blackboard of a function-level run. */
export type FunctionTaskStateValue = typeof FunctionTaskState.State;

/**
 * The fixed plan that stands in for the planner. A function-level task names the one function
 * to write and the file it goes in, so there is nothing to localise; a planner's model call
 * would cost tokens and time for a plan that is always this one.
 */
export function functionTaskPlan(roles: FunctionTaskRoles): Plan {
  const programmer = { owner: "programmer" as const, description: "Write the function the task names, in the file the task names, keeping its signature.", doneCriterion: "It does what the task text says, in every case it describes." };
  if (roles === "programmer") return { summary: "A function-level task: write one function from its description.", steps: [programmer], relevantTests: [], version: 1 };
  return {
    summary: "A function-level task: write one function from its description, checked by tests designed from the same description.",
    steps: [
      {
        owner: "test-designer",
        description: "From the task text alone, write tests of the function: basic cases, edge cases (empty input, boundaries, special values) and a large input that a slow solution would not finish in time.",
        doneCriterion: "The tests fail on the unfinished function and would pass on a correct one.",
      },
      { ...programmer, doneCriterion: "The designed tests pass." },
      { owner: "executor", description: "Run the designed tests and feed their failures back to the programmer.", doneCriterion: "Every designed test passes." },
    ],
    relevantTests: [],
    version: 1,
  };
}

/**
 * The graph of a function-level task (HumanEval, MBPP), AgentCoder's pipeline on the agent
 * graph's own nodes:
 *   brief → test-designer → programmer → executor → (finish | programmer | test-designer)
 * or, for the single-agent baseline (`roles: "programmer"`), brief → programmer → finish.
 * The planner is skipped on purpose: `brief` hands in functionTaskPlan without a model call.
 * Each programmer round's patch is kept in `attempts`.
 */
export function functionGraphBuilder(roles: FunctionTaskRoles) {
  return (runtime: GraphRuntime, checkpointer?: BaseCheckpointSaver) => {
    // There is no planner to send a regression back to: the executor's feedback goes to the programmer.
    const limits = { ...runtime.limits, maxReplans: 0 };
    // One function in one file: a spectrum of the reproduction's calls says nothing the programmer
    // cannot see (it would cost two test runs per problem), and there is one attempt per round.
    const { findSuspects: _spectrum, candidates: _candidates, ...rest } = runtime;
    const nodeRuntime: GraphRuntime = { ...rest, limits };
    const programmer = createProgrammerNode(nodeRuntime);
    const brief = async (state: AgentStateValue): Promise<AgentStateUpdate> => ({ plan: state.plan ?? functionTaskPlan(roles), startedAt: state.startedAt || runtime.now() });
    const programmerRound = async (state: AgentStateValue) => {
      const update = await programmer(state);
      return { ...update, attempts: [{ round: update.round, patch: update.patch }] };
    };
    const graph = new StateGraph(FunctionTaskState)
      .addNode("brief", brief)
      .addNode("programmer", programmerRound)
      .addNode("finish", createFinishNode(nodeRuntime))
      .addEdge(START, "brief")
      .addEdge("finish", END);
    if (roles === "programmer") {
      return graph.addEdge("brief", "programmer").addEdge("programmer", "finish").compile(checkpointer ? { checkpointer } : {});
    }
    return graph
      .addNode("test-designer", createTestDesignerNode(nodeRuntime))
      .addNode("executor", createExecutorNode(nodeRuntime))
      .addEdge("brief", "test-designer")
      .addConditionalEdges("test-designer", (state) => routeAfterTestDesigner(state, limits, runtime.now()), ["programmer", "executor", "finish"])
      .addEdge("programmer", "executor")
      .addConditionalEdges("executor", (state) => withoutPlanner(routeAfterExecutor(state, limits, runtime.now())), ["finish", "programmer", "test-designer"])
      .compile(checkpointer ? { checkpointer } : {});
  };
}

/** The executor's route in a graph without a planner (maxReplans 0 never routes there; this keeps the types honest). */
function withoutPlanner(route: ReturnType<typeof routeAfterExecutor>): "finish" | "programmer" | "test-designer" {
  return route === "planner" ? "programmer" : route;
}
