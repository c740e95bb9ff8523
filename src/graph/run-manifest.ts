import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SandboxError } from "../errors.js";
import type { TaskSpec } from "../memory/blackboard.js";
import { defaultRunLimits, type RunLimits } from "../memory/run-limits.js";
import type { ApprovalMode } from "../tools/approval.js";

/** What is stored in runs/<id>/run.json so that `agent resume` can rebuild the run. */
export interface RunManifest {
  runId: string;
  task: TaskSpec;
  repoPath: string;
  baseCommit: string;
  branch?: string;
  model: string | null;
  approvalMode: ApprovalMode;
  limits: RunLimits;
  createdAt: string;
}

/** What a resumed run may change: its limits and its approval mode. */
export interface ResumeOverrides {
  limits?: Partial<RunLimits>;
  approvalMode?: ApprovalMode;
}

const MANIFEST_FILE = "run.json";

/** Writes run.json (replacing it on resume, when limits change). */
export async function writeRunManifest(runDir: string, manifest: RunManifest): Promise<void> {
  await writeFile(join(runDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
}

/** Reads a run's run.json; a run that is not there is an error that says what to check. */
export async function readRunManifest(runsDir: string, runId: string): Promise<RunManifest> {
  try {
    const manifest = JSON.parse(await readFile(join(runsDir, runId, MANIFEST_FILE), "utf8")) as RunManifest;
    // Runs recorded before a limit existed get its default.
    return { ...manifest, limits: { ...defaultRunLimits, ...manifest.limits } };
  } catch (error) {
    throw new SandboxError(`No run ${runId} in ${runsDir} (run.json cannot be read); check the run id and --runs-dir.`, { cause: error, code: "run-not-found" });
  }
}

const LIMIT_FLAGS: Record<keyof RunLimits, string> = {
  maxSteps: "--max-steps",
  maxTokens: "max tokens",
  maxCostUsd: "--max-cost",
  maxWallTimeSec: "--max-minutes",
  maxRounds: "--max-rounds",
  maxReplans: "max replans",
  maxTestRedesigns: "max test redesigns",
};

function describeLimit(key: keyof RunLimits, value: number): string {
  if (key === "maxWallTimeSec") return `${value / 60} min`;
  if (key === "maxCostUsd") return `$${value}`;
  return String(value);
}

/**
 * The manifest of a resumed run with the limits and approval mode given on resume applied, and
 * one line per change for the user (`--max-steps 50 (was 250)`). Limits count the whole run, so
 * a limit below what the run has used ends it at the next check, with its best patch. Pure.
 */
export function applyResumeOverrides(manifest: RunManifest, overrides: ResumeOverrides): { manifest: RunManifest; changes: string[] } {
  const changes: string[] = [];
  const limits = { ...manifest.limits };
  for (const [key, value] of Object.entries(overrides.limits ?? {}) as Array<[keyof RunLimits, number | undefined]>) {
    if (value === undefined || value === limits[key]) continue;
    changes.push(`${LIMIT_FLAGS[key]} ${describeLimit(key, value)} (was ${describeLimit(key, limits[key])})`);
    limits[key] = value;
  }
  let approvalMode = manifest.approvalMode;
  if (overrides.approvalMode && overrides.approvalMode !== approvalMode) {
    changes.push(`--approval ${overrides.approvalMode} (was ${approvalMode})`);
    approvalMode = overrides.approvalMode;
  }
  return { manifest: { ...manifest, limits, approvalMode }, changes };
}
