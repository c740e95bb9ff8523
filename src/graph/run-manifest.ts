import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { AgentConfig } from "../config/schema.js";
import { UsageError } from "../errors.js";
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
  /** The GitHub issue the task came from, so that `agent resume --pr` or `--comment` can publish after the fact. */
  issue?: { reference: string; apiUrl?: string };
  model: string | null;
  /** The models per role the run was started with (`models.<role>`); absent in runs of older versions. */
  models?: AgentConfig["models"];
  approvalMode: ApprovalMode;
  limits: RunLimits;
  /** The search settings the run was started with (candidates, parallel roles, localisation), kept on resume; absent in runs of older versions. */
  search?: AgentConfig["search"];
  createdAt: string;
  /** "reproduction" for a triage's reproduction run (its own graph: not resumed as a solve); absent for a solve. */
  kind?: "reproduction";
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
    throw new UsageError(`No run ${runId} in ${runsDir} (run.json cannot be read); see \`agent runs\` for the runs there, or pass --runs-dir.`, { cause: error });
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

/** One run directory as `agent runs` lists it. */
export interface RunListing {
  runId: string;
  /** From report.json; `unfinished` when the run has none yet (running, or killed: resume it). */
  status: string;
  title: string;
  source: string;
  createdAt: string;
  runDir: string;
}

/** The runs in a runs directory, newest first (run ids sort by start time); directories without a readable run.json are left out. */
export async function listRuns(runsDir: string): Promise<RunListing[]> {
  const names = await readdir(runsDir).catch(() => [] as string[]);
  const runs: RunListing[] = [];
  for (const name of names.filter((candidate) => RUN_ID.test(candidate)).sort().reverse()) {
    const runDir = join(runsDir, name);
    const manifest = await readFile(join(runDir, MANIFEST_FILE), "utf8").then((text) => JSON.parse(text) as RunManifest, () => undefined);
    if (!manifest) continue;
    const report = await readFile(join(runDir, "report.json"), "utf8").then((text) => JSON.parse(text) as { status?: string }, () => undefined);
    runs.push({ runId: name, status: report?.status ?? "unfinished", title: manifest.task.title, source: manifest.task.source, createdAt: manifest.createdAt, runDir });
  }
  return runs;
}

/** The shape of a run id: `YYYYMMDD-HHMMSS-` and six hex digits. */
const RUN_ID = /^\d{8}-\d{6}-[0-9a-f]{6}$/;
