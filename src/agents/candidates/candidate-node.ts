import { AbortedError, ConfigError, ModelAuthError, UsageError } from "../../errors.js";
import { addBudgetUsage, noUsage, type AgentStateUpdate, type AgentStateValue, type Candidate } from "../../memory/blackboard.js";
import type { RunLimits } from "../../memory/run-limits.js";
import type { EmitEvent } from "../../events/agent-event.js";
import { createExecutorNode } from "../executor/node.js";
import type { GraphRuntime } from "../graph-runtime.js";
import { createProgrammerNode } from "../programmer/node.js";

/** What the graph sends each candidate: its index and the blackboard the fan-out saw. */
export interface CandidateTask {
  candidate: number;
  state: AgentStateValue;
}

/**
 * One candidate's share of what is left of the run's budgets (steps, tokens, cost): the
 * candidates run at once from the same blackboard, so each is held to 1/count of the rest and
 * together they cannot spend more than the run has. Wall time is shared, as they run together.
 */
export function candidateLimits(state: AgentStateValue, limits: RunLimits, count: number): RunLimits {
  const { usage } = state;
  return {
    ...limits,
    maxSteps: usage.steps + Math.floor(Math.max(0, limits.maxSteps - usage.steps) / count),
    maxTokens: usage.inputTokens + usage.outputTokens + Math.floor(Math.max(0, limits.maxTokens - usage.inputTokens - usage.outputTokens) / count),
    maxCostUsd: usage.costUsd + Math.max(0, limits.maxCostUsd - usage.costUsd) / count,
  };
}

/** The run's emitter, with the candidate's index on its node and test events, so a screen, the trajectory and the report tell the candidates apart. */
function tagCandidate(emit: EmitEvent, candidate: number): EmitEvent {
  return (payload, at) => emit(payload.type === "node-start" || payload.type === "node-end" || payload.type === "test-run-end" ? { ...payload, candidate } : payload, at);
}

/**
 * Creates the node that runs one candidate (search.candidates): a programmer visit in a tree and
 * sandbox of its own, with its own model client and its share of the budgets, then the executor
 * on that tree (the designed tests and the plan's existing tests, before and after). It appends
 * the candidate, verified, to the blackboard and leaves the run's own tree alone: the select
 * node puts the winner there. A candidate that fails (its model, its sandbox, its tree) is kept with its
 * error, so the others still count; an interrupt stops the run (resume re-runs the candidates
 * that had not finished: LangGraph keeps the finished ones' writes).
 */
export function createCandidateNode(runtime: GraphRuntime) {
  return async ({ candidate: index, state }: CandidateTask): Promise<AgentStateUpdate> => {
    const settings = runtime.candidates;
    if (!settings) {
      throw new UsageError(
        "This run stopped while its candidates worked, and it is being continued with one candidate at a time (a session where a person approves or steers). Continue it with `agent resume <run-id>`.",
      );
    }
    let opened: Awaited<ReturnType<typeof settings.openBench>> | undefined;
    let model = "";
    let record: Candidate;
    try {
      opened = await settings.openBench(index);
      const client = await settings.model(index);
      model = client.modelKey;
      const limits = candidateLimits(state, runtime.limits, settings.count);
      const own: GraphRuntime = {
        ...runtime,
        programmer: opened.bench,
        models: { ...runtime.models, programmer: client },
        limits,
        stepsPerVisit: Math.min(runtime.stepsPerVisit, Math.max(1, limits.maxSteps - state.usage.steps)),
        emit: tagCandidate(runtime.emit, index),
      };
      const approach = state.plan?.approaches?.[index];
      if (approach) own.approach = approach;
      const programmed = await createProgrammerNode(own)(state);
      const { usage } = programmed;
      const patched: AgentStateValue = { ...state, round: programmed.round, patch: programmed.patch, usage: addBudgetUsage(state.usage, usage) };
      const executed = await createExecutorNode(own)(patched);
      record = {
        index,
        model,
        patch: patched.patch,
        summary: programmed.notes.find((note) => note.role === "programmer")?.text ?? `no summary (${programmed.limitHit ?? "the programmer handed in nothing"})`,
        verdict: executed.verdict,
        testRuns: executed.testRuns,
        usage,
        limitHit: programmed.limitHit,
      };
    } catch (error) {
      // An interrupt stops the run; a missing key or a bad setting would fail every candidate alike, so it stops the run too.
      if (error instanceof AbortedError || runtime.signal?.aborted || error instanceof ModelAuthError || error instanceof ConfigError) throw error;
      const patch = opened ? await opened.bench.git.patch().catch(() => "") : "";
      record = { index, model, patch, summary: "failed", verdict: null, testRuns: [], usage: noUsage, limitHit: null, error: error instanceof Error ? error.message : String(error) };
    } finally {
      await opened?.dispose().catch(() => {});
    }
    // The candidates' own clients are not the run's shared role models: their calls do not move a
    // scripted model's place on resume (modelCalls), but every token and dollar counts.
    return { candidates: [record], usage: { ...record.usage, modelCalls: 0 } };
  };
}
