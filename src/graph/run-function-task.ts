import { functionGraphBuilder, type FunctionAttempt, type FunctionTaskRoles, type FunctionTaskStateValue } from "./build-function-graph.js";
import type { RunOutcome } from "./finish-run.js";
import { startRun, type RunTaskOptions } from "./run-task.js";

/** What a function-level run needs: a run's options (a small repository holding the function's file) and the roles that work on it. */
export interface FunctionTaskOptions extends RunTaskOptions {
  roles: FunctionTaskRoles;
}

/** A function-level run that ended: its outcome, the programmer's rounds, and each round's patch. */
export interface FunctionTaskResult {
  outcome: RunOutcome;
  rounds: number;
  attempts: FunctionAttempt[];
}

/**
 * Runs the function-level graph (functionGraphBuilder) on a task, recorded, limited and
 * sandboxed like any run; an error still ends with the run's record and the attempts so far.
 */
export async function runFunctionTask(options: FunctionTaskOptions): Promise<FunctionTaskResult> {
  const { roles, ...run } = options;
  const { outcome, state } = await startRun(run, functionGraphBuilder(roles));
  const attempts = (state as Partial<FunctionTaskStateValue>).attempts ?? [];
  return { outcome, rounds: state.round, attempts };
}
