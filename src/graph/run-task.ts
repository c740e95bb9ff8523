import { mkdir } from "node:fs/promises";
import { join, resolve } from "node:path";
import { resolveRepositoryCommit } from "../git/inspect-repository.js";
import type { AgentStateValue, TaskSpec } from "../memory/blackboard.js";
import { defaultRunLimits, type RunLimits } from "../memory/run-limits.js";
import { newRunId } from "../events/run-recorder.js";
import type { ApprovalMode } from "../tools/approval.js";
import { buildAgentGraph } from "./build-graph.js";
import { finishRun, type RunOutcome } from "./finish-run.js";
import { prepareRun, type RunEnvironment } from "./prepare-run.js";
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
}

/** What a resumed run needs: the run's id, and the limits or approval mode to change (each said in `onResumeChange`). */
export interface ResumeRunOptions extends RunEnvironment {
  runId: string;
  limits?: Partial<RunLimits>;
  approvalMode?: ApprovalMode;
  /** Told each setting the resume changes, e.g. `--max-steps 50 (was 250)`. */
  onResumeChange?: (change: string) => void;
}

/** Graph steps a run may take (each node visit is one); far above what the round and replan limits allow. */
const GRAPH_RECURSION_LIMIT = 200;

/** Starts a new run. */
export async function runTask(options: RunTaskOptions): Promise<RunOutcome> {
  const runId = newRunId();
  const baseCommit = await resolveRepositoryCommit(options.repoPath, options.baseCommit ?? "HEAD");
  const manifest: RunManifest = {
    runId,
    task: options.task,
    repoPath: resolve(options.repoPath),
    baseCommit,
    ...(options.branch ? { branch: options.branch } : {}),
    model: options.config.model ?? null,
    approvalMode: options.approvalMode ?? "full-auto",
    limits: { ...defaultRunLimits, ...options.limits },
    createdAt: new Date().toISOString(),
  };
  const runDir = join(options.runsDir, runId);
  await mkdir(runDir, { recursive: true });
  await writeRunManifest(runDir, manifest);
  return executeRun(options, manifest, runDir, false);
}

/**
 * Continues a run that stopped (killed, crashed, interrupted) from its last checkpoint. Limits
 * and the approval mode given here replace the recorded ones (and are recorded in turn);
 * everything else comes from the run.
 */
export async function resumeRun(options: ResumeRunOptions): Promise<RunOutcome> {
  const recorded = await readRunManifest(options.runsDir, options.runId);
  const { manifest, changes } = applyResumeOverrides(recorded, { ...(options.limits ? { limits: options.limits } : {}), ...(options.approvalMode ? { approvalMode: options.approvalMode } : {}) });
  const runDir = join(options.runsDir, options.runId);
  if (changes.length > 0) await writeRunManifest(runDir, manifest);
  for (const change of changes) options.onResumeChange?.(change);
  return executeRun(options, manifest, runDir, true);
}

/** Prepares the run, runs the graph from its first input or its checkpoint, and finishes it; the trees and sandboxes go whatever happens. */
async function executeRun(environment: RunEnvironment, manifest: RunManifest, runDir: string, resuming: boolean): Promise<RunOutcome> {
  const prepared = await prepareRun(environment, manifest, runDir, resuming);
  try {
    const graph = buildAgentGraph(prepared.runtime, prepared.checkpointer);
    const state = (await graph.invoke(prepared.input, {
      configurable: { thread_id: manifest.runId },
      recursionLimit: GRAPH_RECURSION_LIMIT,
      ...(environment.signal ? { signal: environment.signal } : {}),
    })) as AgentStateValue;
    return await finishRun(prepared, state);
  } finally {
    await prepared.dispose();
  }
}
