import { join, resolve } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { GraphRuntime } from "../agents/graph-runtime.js";
import { AbortedError, PlanRejectedError, UsageError } from "../errors.js";
import { resolveRepositoryCommit } from "../git/inspect-repository.js";
import { initialBlackboard, type AgentStateValue, type TaskSpec } from "../memory/blackboard.js";
import { defaultRunLimits, type RunLimits } from "../memory/run-limits.js";
import { newRunId } from "../events/run-recorder.js";
import type { ApprovalMode } from "../tools/approval.js";
import { buildAgentGraph } from "./build-graph.js";
import { readCheckpointState } from "./checkpoint-state.js";
import { finishRun, type RunOutcome } from "./finish-run.js";
import { prepareRun, type PreparedRun, type RunEnvironment } from "./prepare-run.js";
import { applyResumeOverrides, readRunManifest, writeRunManifest, type RunManifest } from "./run-manifest.js";

/** What a new run needs from its caller (the CLI, a bot, the SWE-bench runner). */
export interface RunTaskOptions extends RunEnvironment {
  task: TaskSpec;
  /** The repository to fix; it is cloned for the run and never changed. */
  repoPath: string;
  /** Commit to start from; the repository's HEAD by default. */
  baseCommit?: string;
  /** The branch the programmer's working tree is on, e.g. agent/issue-12-crash-on-empty-input. */
  branch?: string;
  approvalMode?: ApprovalMode;
  limits?: Partial<RunLimits>;
  /** The GitHub issue the task came from (`OWNER/REPO#N`), recorded so a resumed run can publish to it. */
  issue?: { reference: string; apiUrl?: string };
  /** The run's id, when the caller records it before the run starts (a terminal session); a new one otherwise. */
  runId?: string;
}

/** What a resumed run needs: the run's id, and the limits or approval mode to change (each said in `onResumeChange`). */
export interface ResumeRunOptions extends RunEnvironment {
  runId: string;
  /** True when the caller chose the model for this resume (`--model`); otherwise the run's own models are used. */
  modelGiven?: boolean;
  limits?: Partial<RunLimits>;
  approvalMode?: ApprovalMode;
  /** Told each setting the resume changes, e.g. `--max-steps 50 (was 250)`. */
  onResumeChange?: (change: string) => void;
}

/** Graph steps a run may take (each node visit is one); far above what the round and replan limits allow. */
const GRAPH_RECURSION_LIMIT = 200;

/** Builds the graph a run invokes over the blackboard: the agent graph, or another wiring of its nodes (a reproduction). */
export type RunGraphBuilder = (
  runtime: GraphRuntime,
  checkpointer?: BaseCheckpointSaver,
) => { invoke(input: Partial<AgentStateValue> | null, config: { configurable: { thread_id: string }; recursionLimit: number; signal?: AbortSignal }): Promise<unknown> };

/** A run that ended: its outcome, and the blackboard it ended with (the last checkpoint's when the graph stopped early). */
export interface FinishedRun {
  outcome: RunOutcome;
  state: AgentStateValue;
}

/** Starts a new run. */
export async function runTask(options: RunTaskOptions): Promise<RunOutcome> {
  return (await startRun(options, buildAgentGraph)).outcome;
}

/**
 * Starts a new run of the graph `build` makes, recorded, limited and sandboxed as runTask's
 * (runTask is this with the agent graph); a reproduction runs its own graph through it.
 */
export async function startRun(options: RunTaskOptions, build: RunGraphBuilder, kind?: RunManifest["kind"]): Promise<FinishedRun> {
  const runId = options.runId ?? newRunId();
  const baseCommit = await resolveRepositoryCommit(options.repoPath, options.baseCommit ?? "HEAD");
  const manifest: RunManifest = {
    runId,
    task: options.task,
    repoPath: resolve(options.repoPath),
    baseCommit,
    ...(options.branch ? { branch: options.branch } : {}),
    ...(options.issue ? { issue: options.issue } : {}),
    model: options.config.model ?? null,
    models: options.config.models,
    approvalMode: options.approvalMode ?? "full-auto",
    limits: { ...defaultRunLimits, ...options.limits },
    search: options.config.search,
    createdAt: new Date().toISOString(),
    ...(kind ? { kind } : {}),
  };
  return executeRun(options, manifest, join(options.runsDir, runId), false, build);
}

/**
 * Continues a run that stopped (killed, crashed, interrupted) from its last checkpoint. Limits
 * and the approval mode given here replace the recorded ones (and are recorded in turn);
 * everything else comes from the run.
 */
export async function resumeRun(options: ResumeRunOptions): Promise<RunOutcome> {
  const recorded = await readRunManifest(options.runsDir, options.runId);
  // A reproduction has its own graph; resumed as a solve, it would go on to fix the bug.
  if (recorded.kind === "reproduction") {
    throw new UsageError(`Run ${options.runId} is a triage's reproduction, which is not resumed: triage the issue again (agent triage), or solve it (agent solve).`);
  }
  const { manifest, changes } = applyResumeOverrides(recorded, { ...(options.limits ? { limits: options.limits } : {}), ...(options.approvalMode ? { approvalMode: options.approvalMode } : {}) });
  const runDir = join(options.runsDir, options.runId);
  const useRecordedModels = !options.modelGiven && manifest.model !== null;
  const resumed = useRecordedModels ? manifest : { ...manifest, model: options.config.model ?? null, models: options.config.models };
  if (!useRecordedModels && resumed.model !== manifest.model) changes.push(`--model ${resumed.model ?? "(none)"} (was ${manifest.model ?? "none"})`);
  if (changes.length > 0) await writeRunManifest(runDir, resumed);
  if (useRecordedModels) options.onResumeChange?.(`model ${manifest.model} (the run's own; --model chooses another)`);
  for (const change of changes) options.onResumeChange?.(change);
  const environment: RunEnvironment = useRecordedModels
    ? { ...options, config: { ...options.config, model: manifest.model ?? undefined, models: manifest.models ?? {} }, modelOrigin: `the model recorded in ${join(runDir, "run.json")}` }
    : options;
  return (await executeRun(environment, resumed, runDir, true, buildAgentGraph)).outcome;
}

/**
 * Prepares the run, runs the graph from its first input or its checkpoint, and finishes it; the
 * trees and sandboxes go whatever happens. An error during the run still ends with its record
 * (patch, report, summary) and comes back in the outcome; an interrupt writes the record too,
 * then throws an AbortedError that says how to resume.
 */
async function executeRun(environment: RunEnvironment, manifest: RunManifest, runDir: string, resuming: boolean, build: RunGraphBuilder): Promise<FinishedRun> {
  const prepared = await prepareRun(environment, manifest, runDir, resuming);
  try {
    let state: AgentStateValue;
    try {
      const graph = build(prepared.runtime, prepared.checkpointer);
      state = (await graph.invoke(prepared.input, {
        configurable: { thread_id: manifest.runId },
        recursionLimit: GRAPH_RECURSION_LIMIT,
        ...(environment.signal ? { signal: environment.signal } : {}),
      })) as AgentStateValue;
    } catch (error) {
      // A rejected plan ends the run before any code changed; it is not an error, and it can be resumed (the planner plans again).
      if (error instanceof PlanRejectedError) return { outcome: { ...(await finishRun(prepared, null, { error, interrupted: true })), error }, state: await lastCheckpointState(prepared) };
      const interrupted = environment.signal?.aborted === true || error instanceof AbortedError;
      const outcome = await finishRun(prepared, null, { error, interrupted });
      if (interrupted) throw new AbortedError(`interrupted; resume with: agent resume ${manifest.runId} (its record is in ${runDir})`, { cause: error });
      return { outcome, state: await lastCheckpointState(prepared) };
    }
    return { outcome: await finishRun(prepared, state), state };
  } finally {
    await prepared.dispose();
  }
}

/** The blackboard as the run's last checkpoint left it (every field at its default before the first one). */
async function lastCheckpointState(prepared: PreparedRun): Promise<AgentStateValue> {
  return { ...initialBlackboard(), ...(await readCheckpointState(prepared.checkpointer, prepared.manifest.runId).catch(() => undefined)) };
}
