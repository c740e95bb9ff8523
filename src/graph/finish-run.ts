import { summarizeVerdict } from "../agents/executor/judge-test-runs.js";
import { readTrajectory } from "../events/run-recorder.js";
import { buildRunReport, renderSummaryMarkdown, type RunReport } from "../events/run-report.js";
import { addUsage, zeroUsage } from "../events/usage.js";
import type { AgentStateValue } from "../memory/blackboard.js";
import { lessonsOfRun } from "./lessons-of-run.js";
import type { PreparedRun } from "./prepare-run.js";

/** The outcome of a run. */
export interface RunOutcome {
  runId: string;
  runDir: string;
  status: AgentStateValue["status"];
  patch: string;
  report: RunReport;
}

/**
 * Ends a run whose graph finished: writes patch.diff, teaches the long-term memory what the run
 * showed (lessonsOfRun), emits run-end with the totals, and writes report.json and summary.md.
 */
export async function finishRun(prepared: PreparedRun, state: AgentStateValue): Promise<RunOutcome> {
  const { manifest, runDir, recorder, store, repoKey, events, emit, runtime } = prepared;
  const patchFile = await recorder.writePatch(state.patch);
  const changedFiles = state.patch.trim() === "" ? [] : await runtime.programmer.git.changedFiles();
  for (const lesson of lessonsOfRun({ state, changedFiles, runId: manifest.runId })) store.remember(repoKey, lesson);
  const calls = events.filter((event) => event.type === "model-call-end");
  emit({
    type: "run-end",
    status: state.status ?? "failed",
    summary: state.verdict ? summarizeVerdict(state.verdict) : (state.status ?? ""),
    usage: calls.reduce((sum, event) => addUsage(sum, event.usage), zeroUsage),
    costUsd: calls.some((event) => event.cost.usd === null) ? null : calls.reduce((sum, event) => sum + (event.cost.usd ?? 0), 0),
    durationMs: runtime.now() - prepared.startedAt,
    ...(patchFile ? { patchFile } : {}),
  });
  const report = buildRunReport((await readTrajectory(runDir)).events, { patch: state.patch });
  await recorder.writeReport(report);
  await recorder.writeSummary(renderSummaryMarkdown(report, { patch: state.patch }));
  return { runId: manifest.runId, runDir, status: state.status, patch: state.patch, report };
}
