import { rankCandidates } from "../agents/candidates/rank-candidates.js";
import { summarizeVerdict } from "../agents/executor/judge-test-runs.js";
import { AgentError } from "../errors.js";
import { readTrajectory } from "../events/run-recorder.js";
import { buildRunReport, renderSummaryMarkdown, type RunReport } from "../events/run-report.js";
import { addUsage, zeroUsage } from "../events/usage.js";
import { initialBlackboard, type AgentStateValue } from "../memory/blackboard.js";
import { readCheckpointState } from "./checkpoint-state.js";
import { lessonsOfRun } from "./lessons-of-run.js";
import type { PreparedRun } from "./prepare-run.js";

/** The outcome of a run. */
export interface RunOutcome {
  runId: string;
  runDir: string;
  status: AgentStateValue["status"];
  patch: string;
  report: RunReport;
  /** The error that stopped the run (status `error`); its record was written all the same. */
  error?: unknown;
}

/** What stopped a run before its graph finished. */
export interface RunFailure {
  error: unknown;
  /** Cancelled (Ctrl-C, SIGTERM): the run can be resumed, so nothing is learned from it yet. */
  interrupted: boolean;
}

/** The code and message of an error, for run-end. */
function describeFailure(error: unknown): { code: string; message: string } {
  if (error instanceof AgentError) return { code: error.code, message: error.message };
  return { code: "unexpected", message: error instanceof Error ? error.message : String(error) };
}

/**
 * Ends a run and writes its record: patch.diff, the long-term memory's lessons (finished runs
 * only), run-end with the totals, report.json and summary.md. A run stopped by an error or an
 * interrupt gets the same record, from its last checkpoint, with the best patch the executor
 * judged or else the working tree's current patch, and the error in run-end and the report.
 */
export async function finishRun(prepared: PreparedRun, finalState: AgentStateValue | null, failure?: RunFailure): Promise<RunOutcome> {
  const { manifest, runDir, recorder, store, repoKey, events, emit, runtime } = prepared;
  const state = finalState ?? (await stateAfterFailure(prepared, failure?.interrupted ?? false));
  const patchFile = await recorder.writePatch(state.patch);
  const changedFiles = state.patch.trim() === "" ? [] : await runtime.programmer.git.changedFiles().catch(() => []);
  if (!failure) for (const lesson of lessonsOfRun({ state, changedFiles, runId: manifest.runId })) store.remember(repoKey, lesson);
  const calls = events.filter((event) => event.type === "model-call-end");
  const error = failure ? describeFailure(failure.error) : undefined;
  // One reading of the clock stamps run-end and gives its duration, so the two agree to the millisecond.
  const endedAt = new Date(runtime.now());
  emit({
    type: "run-end",
    status: state.status ?? "failed",
    summary: error ? error.message : state.verdict ? summarizeVerdict(state.verdict) : (state.status ?? ""),
    usage: calls.reduce((sum, event) => addUsage(sum, event.usage), zeroUsage),
    costUsd: calls.some((event) => event.cost.usd === null) ? null : calls.reduce((sum, event) => sum + (event.cost.usd ?? 0), 0),
    durationMs: endedAt.getTime() - prepared.startedAt,
    ...(patchFile ? { patchFile } : {}),
    ...(error ? { error } : {}),
  }, endedAt);
  const report = buildRunReport((await readTrajectory(runDir)).events, { patch: state.patch });
  await recorder.writeReport(report);
  await recorder.writeSummary(renderSummaryMarkdown(report, { patch: state.patch }));
  return { runId: manifest.runId, runDir, status: state.status, patch: state.patch, report, ...(failure && !failure.interrupted ? { error: failure.error } : {}) };
}

/** The blackboard as the last checkpoint left it, with the patch worth keeping and the status of the failure. */
async function stateAfterFailure(prepared: PreparedRun, interrupted: boolean): Promise<AgentStateValue> {
  const saved = { ...initialBlackboard(), ...(await readCheckpointState(prepared.checkpointer, prepared.manifest.runId).catch(() => undefined)) };
  const current = await prepared.runtime.programmer.git.patch().catch(() => saved.patch);
  // Stopped while candidates worked: the run's own tree is still clean, and the best finished candidate is the patch worth keeping.
  const leading = saved.selection ? undefined : rankCandidates(saved.candidates).find((standing) => standing.usable);
  const candidatePatch = leading ? saved.candidates.find((candidate) => candidate.index === leading.index)?.patch : undefined;
  const patch = saved.bestPatch?.patch || current || candidatePatch || saved.patch;
  return { ...saved, patch, status: interrupted ? "interrupted" : "error" };
}
