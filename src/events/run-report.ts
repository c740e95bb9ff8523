import type { ModelUsage } from "./usage.js";
import { addUsage, formatCost, zeroUsage } from "./usage.js";
import type { AgentEvent, GraphNodeName, RunStatus, TestOutcome } from "./agent-event.js";
import { countOutcomes, createNodeTracker, formatDuration, formatTestCounts, formatTokens, oneLine } from "./render-event.js";

/** The key under which calls are counted when their node is unknown (parallel nodes). */
export const UNATTRIBUTED = "unattributed";

/** The last test run of one phase (base commit or patched tree) of one scope (designed or existing tests). */
export interface TestRunSummary {
  command: string;
  exitCode: number | null;
  durationMs: number;
  passed: number;
  failed: number;
  errors: number;
  skipped: number;
  total: number;
}

/** The last runs of one scope of tests on the base commit and on the patched tree. */
export interface TestPhases {
  base: TestRunSummary | null;
  patched: TestRunSummary | null;
}

/** Something that went wrong during a run, as the trajectory shows it. */
export interface RunProblem {
  kind: "recovery" | "model-call-unfinished" | "run-failed" | "run-error" | "interrupted" | "trajectory-truncated";
  /** ISO time of the event that shows it; null when it comes from the trajectory as a whole. */
  timestamp: string | null;
  node: GraphNodeName | null;
  message: string;
}

/** What one role (a graph node) spent on models: which it called, how often, the tokens and the cost. */
export interface RoleUsage {
  models: string[];
  calls: number;
  usage: ModelUsage;
  /** Null when any of its calls has no known price. */
  costUsd: number | null;
}

/** What report.json holds: everything about a run that can be derived from its events. */
export interface RunReport {
  schemaVersion: 2;
  runId: string;
  task: { title: string; source: string } | null;
  model: string | null;
  sandbox: "docker" | "local" | null;
  baseCommit: string | null;
  /** From run-end; "interrupted" when the trajectory has no run-end. */
  status: RunStatus;
  /** The run-end summary, if the run ended. */
  summary: string | null;
  timing: {
    startedAt: string | null;
    /** The run-end time, or the time of the last event of an interrupted run. */
    endedAt: string | null;
    durationMs: number | null;
  };
  /** The sum of the usage of every model call. */
  usage: ModelUsage;
  cost: {
    /** The sum of the calls' costs; null when any call's cost is unknown (listed below). */
    usd: number | null;
    unknownCostCalls: { callId: string; model: string; node: GraphNodeName | null }[];
  };
  modelCalls: { total: number; retries: number; byNode: Record<string, number> };
  /** Model usage per role (`unattributed` for calls made while parallel nodes ran), so a model per role can be costed per role. */
  usageByRole: Record<string, RoleUsage>;
  toolCalls: { total: number; failed: number; byNode: Record<string, number>; byTool: Record<string, number> };
  tests: {
    /** The test designer's reproduction tests: they should fail on the base commit and pass on the patched tree. */
    designed: TestPhases;
    /** The repository's own tests that the plan named: they should keep passing. */
    existing: TestPhases;
    /** Tests (of either scope) that failed (or errored) on the base commit and pass on the patched tree. */
    failToPass: string[];
    /** Tests (of either scope) that passed on the base commit and fail (or error) on the patched tree. */
    passToFail: string[];
  };
  /** The first round's candidates and the choice among them (search.candidates); null for a run with one. */
  candidates: CandidatesReport | null;
  /** Files the patch touches; null when the patch was not given to buildRunReport. */
  changedFiles: string[] | null;
  patchFile: string | null;
  errors: RunProblem[];
  /** The trajectory's last line was incomplete (the process was killed while writing it). */
  trajectoryTruncated: boolean;
}

/** Every candidate of a run with several, its standing and patch, the winner and why (from candidates-selected). */
export type CandidatesReport = Omit<Extract<AgentEvent, { type: "candidates-selected" }>, "type" | "runId" | "timestamp">;

/** Facts about a run that are not in its events. */
export interface RunReportExtra {
  /** The run's patch, to list the changed files. */
  patch?: string;
  trajectoryTruncated?: boolean;
}

/**
 * Lists the files a git patch touches, from its `diff --git` headers ("old → new" for renames).
 * A rename's `rename from` / `rename to` lines name its two paths when it has them: a header
 * whose paths hold spaces, or where only one is quoted, can be split more than one way.
 */
export function listPatchFiles(patch: string): string[] {
  const files: string[] = [];
  let section: { from?: string; to?: string; renamedFrom?: string; renamedTo?: string; inHeader: boolean } | undefined;
  const addSection = (): void => {
    const renamed = section?.renamedFrom !== undefined && section.renamedTo !== undefined;
    const [from, to] = renamed ? [section?.renamedFrom, section?.renamedTo] : [section?.from, section?.to];
    if (to) files.push(from === to ? to : `${from} → ${to}`);
  };
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) {
      addSection();
      const [from, to] = splitDiffHeader(line.slice("diff --git ".length));
      section = { ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }), inHeader: true };
      continue;
    }
    if (!section?.inHeader) continue;
    const renamed = /^(?:rename|copy) (from|to) (.+)$/.exec(line);
    if (renamed?.[1] === "from") section.renamedFrom = unquote(renamed[2] as string);
    else if (renamed?.[1] === "to") section.renamedTo = unquote(renamed[2] as string);
    else if (/^(?:@@|--- |\+\+\+ |GIT binary patch|Binary files )/.test(line)) section.inHeader = false;
  }
  addSection();
  return files;
}

/** Splits the paths of a `diff --git` header, quoted (unusual characters) or not (maybe with spaces). */
function splitDiffHeader(rest: string): [string | undefined, string | undefined] {
  const quoted = rest.match(/^("(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*")$/) ?? rest.match(/^("(?:[^"\\]|\\.)*") (\S+)$/);
  if (quoted) return [stripPrefix(unquote(quoted[1]!)), stripPrefix(unquote(quoted[2]!))];
  // Unquoted paths may hold spaces; both halves are equal unless the file was renamed.
  const half = (rest.length - 1) / 2;
  if (Number.isInteger(half) && rest.slice(0, half).slice(2) === rest.slice(half + 1).slice(2)) {
    return [stripPrefix(rest.slice(0, half)), stripPrefix(rest.slice(half + 1))];
  }
  const split = rest.lastIndexOf(" b/");
  return split < 0 ? [undefined, undefined] : [stripPrefix(rest.slice(0, split)), stripPrefix(rest.slice(split + 1))];
}

const C_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", t: "\t", n: "\n", v: "\v", f: "\f", r: "\r" };

/** Undoes git's C-style quoting of a path: backslash escapes and octal bytes of UTF-8. */
function unquote(path: string): string {
  if (!path.startsWith('"')) return path;
  const bytes: Buffer[] = [];
  for (const [token, escaped] of path.slice(1, -1).matchAll(/\\([0-7]{1,3}|.)|[^\\]+/gs)) {
    if (escaped === undefined) bytes.push(Buffer.from(token));
    else if (/^[0-7]+$/.test(escaped)) bytes.push(Buffer.from([parseInt(escaped, 8)]));
    else bytes.push(Buffer.from(C_ESCAPES[escaped] ?? escaped));
  }
  return Buffer.concat(bytes).toString("utf8");
}

function stripPrefix(path: string): string {
  return /^[abciow]\//.test(path) ? path.slice(2) : path;
}

const isFailure = (status: TestOutcome["status"] | undefined) => status === "failed" || status === "error";

function summarizeTestRun(event: Extract<AgentEvent, { type: "test-run-end" }>): TestRunSummary {
  return {
    command: event.command,
    exitCode: event.exitCode,
    durationMs: event.durationMs,
    ...countOutcomes(event.outcomes),
    total: event.outcomes.length,
  };
}

function increment(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}

/** Sums costs without the binary noise of floating point (0.1 + 0.2). */
function roundUsd(usd: number): number {
  return Math.round(usd * 1e10) / 1e10;
}

/** Derives the report of a run from its events (a whole run, or what an interrupted run left). */
export function buildRunReport(events: AgentEvent[], extra: RunReportExtra = {}): RunReport {
  const tracker = createNodeTracker();
  const start = events.find((event) => event.type === "run-start");
  const end = events.findLast((event) => event.type === "run-end");
  const modelCalls = new Map<string, { model: string; node: GraphNodeName | undefined; ended: boolean; timestamp: string }>();
  const toolCalls = new Map<string, { node: GraphNodeName; tool: string; ok: boolean | undefined }>();
  const lastTestRun: Partial<Record<`${"designed" | "existing"}-${"base" | "patched"}`, Extract<AgentEvent, { type: "test-run-end" }>>> = {};
  const unknownCostCalls: RunReport["cost"]["unknownCostCalls"] = [];
  const errors: RunProblem[] = [];
  // A candidate's patched runs count only if it wins (base runs are the base commit's, whoever ran them).
  const candidateRuns = new Map<number, typeof lastTestRun>();
  let candidates: CandidatesReport | null = null;
  let usage = { ...zeroUsage };
  let usd = 0;
  const usageByRole: Record<string, RoleUsage> = {};
  let retries = 0;

  for (const event of events) {
    const node = tracker.attribute(event);
    switch (event.type) {
      case "model-call-start":
        modelCalls.set(event.callId, { model: event.model, node, ended: false, timestamp: event.timestamp });
        break;
      case "model-call-end": {
        const call = modelCalls.get(event.callId);
        modelCalls.set(event.callId, { model: event.model, node: call ? call.node : node, ended: true, timestamp: event.timestamp });
        usage = addUsage(usage, event.usage);
        const role = usageByRole[(call ? call.node : node) ?? UNATTRIBUTED] ??= { models: [], calls: 0, usage: { ...zeroUsage }, costUsd: 0 };
        if (!role.models.includes(event.model)) role.models.push(event.model);
        role.calls += 1;
        role.usage = addUsage(role.usage, event.usage);
        role.costUsd = role.costUsd === null || event.cost.usd === null ? null : roundUsd(role.costUsd + event.cost.usd);
        if (event.cost.usd === null) unknownCostCalls.push({ callId: event.callId, model: event.model, node: (call ? call.node : node) ?? null });
        else usd += event.cost.usd;
        break;
      }
      case "model-retry":
        retries += 1;
        break;
      case "tool-call-start":
      case "tool-call-end":
        toolCalls.set(event.callId, {
          node: event.node,
          tool: event.tool,
          ok: event.type === "tool-call-end" ? event.ok : toolCalls.get(event.callId)?.ok,
        });
        break;
      case "test-run-end": {
        const key = `${event.scope ?? "existing"}-${event.phase}` as const;
        if (event.candidate === undefined || event.phase === "base") lastTestRun[key] = event;
        else candidateRuns.set(event.candidate, { ...candidateRuns.get(event.candidate), [key]: event });
        break;
      }
      case "candidates-selected": {
        const { type: _type, runId: _runId, timestamp: _timestamp, ...selected } = event;
        candidates = selected;
        Object.assign(lastTestRun, candidateRuns.get(event.winner) ?? {});
        break;
      }
      case "recovery":
        errors.push({ kind: "recovery", timestamp: event.timestamp, node: event.node, message: `${event.reason} → ${event.action}` });
        break;
      default:
        break;
    }
  }

  for (const [callId, call] of modelCalls) {
    if (call.ended) continue;
    errors.push({
      kind: "model-call-unfinished",
      timestamp: call.timestamp,
      node: call.node ?? null,
      message: `model call ${callId} to ${call.model} never returned`,
    });
  }
  if (end && (end.status === "failed" || end.status === "limits-exceeded")) {
    errors.push({ kind: "run-failed", timestamp: end.timestamp, node: null, message: `${end.status}: ${end.summary}` });
  }
  if (end?.error) errors.push({ kind: end.status === "interrupted" ? "interrupted" : "run-error", timestamp: end.timestamp, node: null, message: `${end.error.code}: ${end.error.message}` });
  if (!end && events.length > 0) {
    errors.push({ kind: "interrupted", timestamp: events.at(-1)!.timestamp, node: null, message: "the trajectory has no run-end: the run was interrupted or killed" });
  }
  if (extra.trajectoryTruncated) {
    errors.push({ kind: "trajectory-truncated", timestamp: null, node: null, message: "the last line of trajectory.jsonl was incomplete and is left out" });
  }

  const changes = (scope: "designed" | "existing") => {
    const baseStatus = new Map(lastTestRun[`${scope}-base`]?.outcomes.map((outcome) => [outcome.test, outcome.status]));
    const patchedOutcomes = lastTestRun[`${scope}-patched`]?.outcomes ?? [];
    return {
      failToPass: patchedOutcomes.filter((o) => o.status === "passed" && isFailure(baseStatus.get(o.test))).map((o) => o.test),
      passToFail: patchedOutcomes.filter((o) => isFailure(o.status) && baseStatus.get(o.test) === "passed").map((o) => o.test),
    };
  };
  const phases = (scope: "designed" | "existing"): TestPhases => {
    const base = lastTestRun[`${scope}-base`];
    const patched = lastTestRun[`${scope}-patched`];
    return { base: base ? summarizeTestRun(base) : null, patched: patched ? summarizeTestRun(patched) : null };
  };
  const designedChanges = changes("designed");
  const existingChanges = changes("existing");
  const startedAt = (start ?? events[0])?.timestamp ?? null;
  const endedAt = (end ?? events.at(-1))?.timestamp ?? null;

  const modelByNode: Record<string, number> = {};
  for (const call of modelCalls.values()) increment(modelByNode, call.node ?? UNATTRIBUTED);
  const toolByNode: Record<string, number> = {};
  const byTool: Record<string, number> = {};
  for (const call of toolCalls.values()) {
    increment(toolByNode, call.node);
    increment(byTool, call.tool);
  }

  return {
    schemaVersion: 2,
    runId: events[0]?.runId ?? "",
    task: start ? { ...start.task } : null,
    model: start?.model ?? null,
    sandbox: start?.sandbox ?? null,
    baseCommit: start?.baseCommit ?? null,
    status: end?.status ?? "interrupted",
    summary: end?.summary ?? null,
    timing: {
      startedAt,
      endedAt,
      durationMs: end ? end.durationMs : startedAt && endedAt ? Date.parse(endedAt) - Date.parse(startedAt) : null,
    },
    usage,
    cost: { usd: unknownCostCalls.length > 0 ? null : roundUsd(usd), unknownCostCalls },
    modelCalls: { total: modelCalls.size, retries, byNode: modelByNode },
    usageByRole,
    toolCalls: {
      total: toolCalls.size,
      failed: [...toolCalls.values()].filter((call) => call.ok === false).length,
      byNode: toolByNode,
      byTool,
    },
    tests: {
      designed: phases("designed"),
      existing: phases("existing"),
      failToPass: [...designedChanges.failToPass, ...existingChanges.failToPass],
      passToFail: [...designedChanges.passToFail, ...existingChanges.passToFail],
    },
    candidates,
    changedFiles: extra.patch === undefined ? null : listPatchFiles(extra.patch),
    patchFile: end?.patchFile ?? null,
    errors,
    trajectoryTruncated: extra.trajectoryTruncated ?? false,
  };
}

/** summary.md's table of the candidates (search.candidates), the winner first, and why it won. */
function candidatesSection(candidates: CandidatesReport): string[] {
  const rows = candidates.candidates.map(
    (entry) =>
      `| ${entry.index + 1}${entry.index === candidates.winner ? " (kept)" : ""} | ${code(entry.model)} | ${entry.fixed} | ${entry.regressions} | ${entry.agreement} | ${entry.changedLines} | ` +
      `${escapeMarkdown(oneLine(entry.error ? `failed: ${entry.error}` : (entry.verdict ?? "not verified"), 160)).replace(/\|/g, "\\|")} |`,
  );
  return [
    "## Candidates",
    "",
    escapeMarkdown(oneLine(candidates.reason, 400)),
    "",
    "| candidate | model | designed tests fixed | regressions | same change as | changed lines | verdict |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([key, count]) => `${key} ${count}`)
    .join(", ");
}

function describeCost(report: RunReport): string {
  const { unknownCostCalls } = report.cost;
  if (unknownCostCalls.length === 0) return formatCost(report.cost);
  const models = [...new Set(unknownCostCalls.map((call) => call.model))].join(", ");
  const calls = unknownCostCalls.length === 1 ? "1 call" : `${unknownCostCalls.length} calls`;
  return `unknown (no price for ${calls} to ${models})`;
}

function describeRetries(report: RunReport): string {
  const { retries } = report.modelCalls;
  return retries === 0 ? "" : `, ${retries} ${retries === 1 ? "retry" : "retries"}`;
}

function describeTestRun(run: TestRunSummary | null): string {
  return run ? formatTestCounts(run) : "not run";
}

/** Renders the report as plain text lines (after the events of `agent replay`, and at the end of a run). */
export function renderReportText(report: RunReport): string {
  const { tests } = report;
  const lines = [
    `status:   ${report.status}${report.summary ? ` — ${oneLine(report.summary, 200)}` : ""}`,
    `duration: ${report.timing.durationMs === null ? "unknown" : formatDuration(report.timing.durationMs)}`,
    `calls:    ${report.modelCalls.total} model calls${report.modelCalls.total ? ` (${formatCounts(report.modelCalls.byNode)})` : ""}` +
      `${describeRetries(report)}; ${report.toolCalls.total} tool calls (${report.toolCalls.failed} failed)`,
    `tokens:   ${formatTokens(report.usage)}`,
    `cost:     ${describeCost(report)}`,
    `tests:    reproduction: base ${describeTestRun(tests.designed.base)}; patched ${describeTestRun(tests.designed.patched)}`,
    `          existing:     base ${describeTestRun(tests.existing.base)}; patched ${describeTestRun(tests.existing.patched)}`,
    `          fail → pass ${tests.failToPass.length}${tests.failToPass.length ? `: ${tests.failToPass.join(", ")}` : ""}`,
    `          pass → fail ${tests.passToFail.length}${tests.passToFail.length ? `: ${tests.passToFail.join(", ")}` : ""}`,
  ];
  if (report.candidates) lines.push(`candidates: ${report.candidates.candidates.length}, kept ${report.candidates.winner + 1}: ${oneLine(report.candidates.reason, 200)}`);
  if (report.changedFiles) lines.push(`changed:  ${report.changedFiles.length ? report.changedFiles.join(", ") : "nothing"}`);
  for (const problem of report.errors) lines.push(`problem:  ${problem.kind}${problem.node ? ` [${problem.node}]` : ""}: ${oneLine(problem.message, 200)}`);
  return `${lines.join("\n")}\n`;
}

/** Escapes the characters that would turn plain text into Markdown formatting. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>#|]/g, (char) => `\\${char}`);
}

function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

function testList(title: string, tests: string[]): string[] {
  if (tests.length === 0) return [`${title} (0): none.`];
  return [`${title} (${tests.length}):`, "", ...tests.map((test) => `- ${code(test)}`)];
}

/** Renders summary.md: what was asked, the outcome, what changed, how it was verified, cost and time. */
export function renderSummaryMarkdown(report: RunReport, options: { patch?: string } = {}): string {
  const files = options.patch === undefined ? report.changedFiles : listPatchFiles(options.patch);
  const { tests, timing } = report;
  const lines: string[] = [`# Run ${report.runId}: ${report.status}`, "", "## What was asked", ""];
  if (report.task) lines.push(`**${escapeMarkdown(oneLine(report.task.title, 300))}**`, "", `Source: ${report.task.source}`);
  else lines.push("The trajectory does not say (it has no run-start event).");
  lines.push("", "## Outcome", "", `Status: **${report.status}**.`);
  if (report.summary) lines.push("", report.summary.trim());
  lines.push("", "## What changed", "");
  if (files === null) lines.push("The patch was not recorded.");
  else if (files.length === 0) lines.push("Nothing: the run left no patch.");
  else lines.push(`${files.length} file${files.length === 1 ? "" : "s"}${report.patchFile ? ` (${code(report.patchFile)})` : ""}:`, "", ...files.map((file) => `- ${code(file)}`));

  lines.push("", "## How it was verified", "");
  const scopes = [["reproduction tests", tests.designed], ["existing tests", tests.existing]] as const;
  if (scopes.every(([, phases]) => !phases.base && !phases.patched)) lines.push("No tests were run.");
  else {
    lines.push("| tests | phase | command | passed | failed | errors | skipped | exit code | time |", "| --- | --- | --- | --- | --- | --- | --- | --- | --- |");
    for (const [scope, phases] of scopes) {
      for (const [phase, run] of [["base", phases.base], ["patched", phases.patched]] as const) {
        if (!run) lines.push(`| ${scope} | ${phase} | not run | | | | | | |`);
        else {
          lines.push(
            `| ${scope} | ${phase} | ${code(run.command).replace(/\|/g, "\\|")} | ${run.passed} | ${run.failed} | ${run.errors} | ${run.skipped} | ` +
              `${run.exitCode ?? "none"} | ${formatDuration(run.durationMs)} |`,
          );
        }
      }
    }
    lines.push("", ...testList("Fail → pass", tests.failToPass), "", ...testList("Pass → fail", tests.passToFail));
  }

  if (report.candidates) lines.push("", ...candidatesSection(report.candidates));

  const modelCalls = report.modelCalls.total ? ` (${formatCounts(report.modelCalls.byNode)})` : "";
  const toolCalls = report.toolCalls.total ? ` (${formatCounts(report.toolCalls.byNode)})` : "";
  lines.push(
    "",
    "## Cost and time",
    "",
    `- model: ${report.model ?? "unknown"}`,
    `- model calls: ${report.modelCalls.total}${modelCalls}${describeRetries(report)}`,
    `- tool calls: ${report.toolCalls.total}${toolCalls}, ${report.toolCalls.failed} failed`,
    `- tokens: ${formatTokens(report.usage)}`,
    `- cost: ${describeCost(report)}`,
    ...Object.entries(report.usageByRole ?? {}).map(([role, spent]) => `  - ${role}: ${spent.models.join(", ")}; ${spent.calls} call${spent.calls === 1 ? "" : "s"}; ${formatTokens(spent.usage)}; ${spent.costUsd === null ? "cost unknown" : formatCost({ usd: spent.costUsd })}`),
    `- duration: ${timing.durationMs === null ? "unknown" : formatDuration(timing.durationMs)}` +
      `${timing.startedAt && timing.endedAt ? ` (${timing.startedAt} → ${timing.endedAt})` : ""}`,
  );
  if (report.errors.length > 0) {
    lines.push("", "## Problems", "");
    for (const problem of report.errors) lines.push(`- ${problem.kind}${problem.node ? ` (${problem.node})` : ""}: ${escapeMarkdown(oneLine(problem.message, 300))}`);
  }
  return `${lines.join("\n")}\n`;
}
