import { createHash } from "node:crypto";
import type { z } from "zod";
import { addBudgetUsage, noUsage, type AgentStateUpdate, type AgentStateValue, type BudgetUsage } from "../memory/blackboard.js";
import { createNestedInstructionsFinder } from "../memory/project-instructions.js";
import type { AgentTool } from "../tools/agent-tool.js";
import { selectTools, type ToolName } from "../tools/registry.js";
import { runAgentLoop, type AgentLoopResult, type FinalTool } from "./agent-loop.js";
import { budgetCheck, loopSettings, type GraphRuntime, type RoleModels, type Workbench } from "./graph-runtime.js";

/** The roles that run a model loop; the executor is code. */
export type ModelRole = "planner" | "test-designer" | "programmer";

/** One visit of a role, as its `complete` step sees it. */
export interface RoleVisit<Schema extends z.ZodObject> {
  state: AgentStateValue;
  runtime: GraphRuntime;
  bench: Workbench;
  /** The first message the loop was given. */
  prompt: string;
  result: AgentLoopResult<Schema>;
  /** Runs the loop once more with another first message; `usedSoFar` counts against the run's budgets. */
  runAgain(prompt: string, usedSoFar: BudgetUsage): Promise<AgentLoopResult<Schema>>;
}

/** What makes a role: its model, tree, tools, prompts, final tool, and how its result becomes a state update. */
export interface RoleSpec<Schema extends z.ZodObject, Update extends AgentStateUpdate = AgentStateUpdate> {
  node: ModelRole;
  model: Exclude<keyof RoleModels, "critic">;
  bench: "programmer" | "testDesigner";
  tools: readonly ToolName[];
  /** Tools made for this visit from the blackboard (the programmer's run_designed_tests). */
  visitTools?: (state: AgentStateValue, runtime: GraphRuntime) => AgentTool[];
  finalTool: FinalTool<Schema>;
  system: (state: AgentStateValue, runtime: GraphRuntime) => string;
  prompt: (state: AgentStateValue, runtime: GraphRuntime) => string;
  /** The round the node events carry. */
  round: (state: AgentStateValue) => number;
  /** True for roles that change files: loop control then measures progress by the working tree's diff. */
  changesFiles: boolean;
  /** Looks at the role's result before the loop accepts it (the planner's plan review): null accepts, a text sends it back. */
  reviewFinal?: (final: z.output<Schema>, state: AgentStateValue, runtime: GraphRuntime) => Promise<string | null>;
  complete: (visit: RoleVisit<Schema>) => Promise<{ update: Update; summary: string }>;
}

/** The environment part of a role's system prompt: the sandbox's own description and where the repository is. */
export function describeEnvironment(bench: Workbench, runtime: Pick<GraphRuntime, "limits">): string {
  const minutes = Math.round(runtime.limits.maxWallTimeSec / 60);
  return `${bench.sandbox.description} The repository is checked out at ${bench.sandbox.workdir} (the working directory of every command). The whole run has ${minutes} minutes.`;
}

/**
 * A digest of a working tree's changes: the changed paths with their status and content, so
 * the same tree gives the same digest. Cheaper than the patch (one `git status`, then only the
 * changed files are read), as loop control asks for it after every step that may change files.
 */
async function treeDigest(bench: Workbench): Promise<string> {
  const hash = createHash("sha256");
  const files = (await bench.git.status()).files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of files) {
    hash.update(`${file.status}\0${file.path}\0${file.from ?? ""}\0`);
    if (file.status === "deleted") continue;
    const content = await bench.sandbox.readFile(file.path).catch(() => Buffer.from("(unreadable)"));
    hash.update(content).update("\0");
  }
  return hash.digest("hex");
}

/**
 * Creates a graph node for a role that runs a model loop: emits node-start and node-end,
 * gives the loop the role's tools, prompts, final tool, budget check and loop-control probe,
 * and lets the role turn the result into a state update. The one place the three roles' loops
 * are set up.
 */
export function createRoleNode<Schema extends z.ZodObject, Update extends AgentStateUpdate = AgentStateUpdate>(runtime: GraphRuntime, spec: RoleSpec<Schema, Update>) {
  return async (state: AgentStateValue): Promise<Update> => {
    const round = spec.round(state);
    runtime.emit({ type: "node-start", node: spec.node, round });
    const bench = runtime[spec.bench];
    const tools = [...selectTools(bench.tools, spec.tools), ...(spec.visitTools?.(state, runtime) ?? [])];
    const system = spec.system(state, runtime);
    const nestedInstructions = createNestedInstructionsFinder(
      (path) => bench.sandbox.readFile(path).then((data) => data.toString("utf8"), () => undefined),
      bench.sandbox.workdir,
    );
    const loop = (prompt: string, usedSoFar: BudgetUsage) =>
      runAgentLoop({
        node: spec.node,
        model: runtime.models[spec.model],
        tools,
        finalTool: spec.finalTool,
        system,
        prompt,
        maxSteps: runtime.stepsPerVisit,
        shouldStop: (loopUsage) => budgetCheck(state, runtime)(addBudgetUsage(usedSoFar, loopUsage)),
        ...(spec.changesFiles ? { treeDigest: () => treeDigest(bench) } : {}),
        instructionsForPath: nestedInstructions,
        ...(spec.reviewFinal ? { reviewFinal: (final: z.output<Schema>) => spec.reviewFinal!(final, state, runtime) } : {}),
        ...loopSettings(runtime),
      });
    const prompt = spec.prompt(state, runtime);
    const result = await loop(prompt, noUsage);
    const { update, summary } = await spec.complete({ state, runtime, bench, prompt, result, runAgain: loop });
    runtime.emit({ type: "node-end", node: spec.node, round, summary });
    return update;
  };
}
