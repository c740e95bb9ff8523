/**
 * bench/loop-control: whether the product's loop control leaves a realistic programmer visit
 * alone and redirects a genuine repetition, and what its tree digest costs per step. Two
 * scripted programmer visits (bench/support/loop-control-scenarios.ts) over a small Python
 * package in a real git workspace with a local sandbox and the real tools:
 *   A, realistic: 10 rounds of view_file → edit_file → unittest (two edits break a test), with
 *     searches and git_diff, then submit_patch; expected: no recovery event, the loop ends "final";
 *   B, genuine repetition: the same failing edit → unittest → git_restore three times, then a
 *     different, correct edit and submit_patch; expected: a recovery event (told to change
 *     approach) before the correct edit, and the loop still ends "final".
 * The measured run goes through the product's own code path: createProgrammerNode with a
 * GraphRuntime and a blackboard state, so the loop gets role-node.ts's tree digest, the
 * product's condensation (CONDENSE_AT_TOKENS), default limits and the product's tool calls per
 * visit, max(10, ⌊maxSteps / 3⌋) (src/graph/prepare-run.ts, not exported, so computed here the
 * same way). Its cost is the wall time per step (node start to the loop's last model reply)
 * against two baselines driven through runAgentLoop directly with the same tools, prompts and
 * script, each measured in the same run (median of interleaved repetitions):
 *   with no tree digest (the option absent), as asked; without the digest loop control cannot
 *     see an edit as progress, so it may redirect or stop scenario A, and the steps differ;
 *   with replayed digests: the digests the measured run computed, given back at no cost, so
 *     loop control decides exactly as in the measured run and the only difference is the
 *     digest's own work; the headline ratio and "the digest adds" are against this one.
 * Throws (exit 1) when a scenario does not go as scripted (A redirected, B never), since the
 * figures would then mean nothing; exits 0 otherwise, and 2 when python3, git or rg is missing.
 * Run: npm run build && node dist/bench/loop-control.js [--repetitions N]
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BaseMessage } from "@langchain/core/messages";
import { runAgentLoop } from "../src/agents/agent-loop.js";
import { budgetCheck, loopSettings, type GraphRuntime, type Workbench } from "../src/agents/graph-runtime.js";
import { createProgrammerNode, programmerPrompt, programmerSystem, submitPatchSchema } from "../src/agents/programmer/node.js";
import type { AgentEvent } from "../src/events/agent-event.js";
import { createEventEmitter } from "../src/events/agent-event.js";
import { createWorkspace } from "../src/git/create-workspace.js";
import type { WorkspaceStatus } from "../src/git/workspace-git.js";
import { createWorkspaceGit } from "../src/git/workspace-git.js";
import { CONDENSE_AT_TOKENS } from "../src/graph/prepare-run.js";
import { AgentState, type AgentStateValue } from "../src/memory/blackboard.js";
import { condenseHistory } from "../src/memory/condense-history.js";
import { defaultRunLimits } from "../src/memory/run-limits.js";
import { createModelClient, type ModelClient } from "../src/models/model-client.js";
import { createRetryPolicy } from "../src/models/retry-policy.js";
import { ScriptedChatModel } from "../src/models/scripted-chat-model.js";
import { createLocalSandbox } from "../src/sandbox/local-sandbox.js";
import { createToolset, selectTools, type ToolName } from "../src/tools/registry.js";
import { createDigestTiming, withDigestTiming, type DigestTiming } from "./support/digest-timing.js";
import { createScenarioRepository } from "./support/graph-scenario.js";
import { createRealisticScenario, createRepetitionScenario, scenarioTurns, type LoopScenario } from "./support/loop-control-scenarios.js";

/** Tool calls per visit by the product's rule, as src/graph/prepare-run.ts computes it from the run's maxSteps (not exported there). */
const STEPS_PER_VISIT = Math.max(10, Math.floor(defaultRunLimits.maxSteps / 3));
/** The programmer's tools, as createProgrammerNode selects them (no designed tests here, so no run_designed_tests). */
const PROGRAMMER_TOOLS: readonly ToolName[] = ["view_file", "search", "find_files", "run_shell", "edit_file", "git_status", "git_diff", "git_restore"];
/** The programmer's final tool, as createProgrammerNode declares it. */
const SUBMIT_PATCH = { name: "submit_patch", description: "Hand in your fix when you believe it is complete.", schema: submitPatchSchema };

const repetitionsFlag = process.argv.indexOf("--repetitions");
const repetitions = repetitionsFlag >= 0 ? Math.max(1, Number(process.argv[repetitionsFlag + 1]) || 1) : 5;

function requireProgram(program: string, args: string[], purpose: string): void {
  const result = spawnSync(program, args, { stdio: "ignore" });
  if (result.error || result.status !== 0) {
    process.stderr.write(`bench/loop-control: \`${program}\` is missing or does not run; install it first (${purpose}).\n`);
    process.exit(2);
  }
}

requireProgram("git", ["--version"], "the workspace is a git clone");
requireProgram("python3", ["--version"], "the scenarios run unittest with python3");
requireProgram("rg", ["--version"], "the search tool runs ripgrep");

const sandboxPath = process.env["PATH"] ?? "/usr/bin:/bin";

/** How a run drives the loop: the product's node, or runAgentLoop with no digest or with replayed ones. */
type LoopVariant = "product" | "no-digest" | "replayed-digests";

/** One recovery event, with the tool calls made before it. */
interface RecoveryRecord {
  afterStep: number;
  reason: string;
  action: string;
}

/** What one run of a scenario did and cost. */
interface LoopRunMeasurement {
  variant: LoopVariant;
  /** From the node's start (or just before runAgentLoop) to the loop's last model reply. */
  wallMs: number;
  toolMs: number;
  modelMs: number;
  steps: number;
  failedSteps: number;
  recoveries: RecoveryRecord[];
  /** How the loop ended: final, step-limit, budget, no-tool-call or no-progress. */
  stoppedBy: string;
  digest: DigestTiming;
  /** The digests the product's loop was given, as equality keys, in order (product runs only). */
  digestKeys: string[];
}

/** A blackboard with every field at its reducer's default, then the run's own: the state the programmer node sees. */
function programmerState(scenario: LoopScenario, baseCommit: string): AgentStateValue {
  const defaults = Object.fromEntries(
    Object.entries(AgentState.spec).map(([key, channel]) => [key, (channel as unknown as { initialValueFactory?: () => unknown }).initialValueFactory?.()]),
  ) as unknown as AgentStateValue;
  return {
    ...defaults,
    runId: "bench-loop-control",
    task: { ...scenario.task, source: "typed" },
    baseCommit,
    context: `A Python package (${Object.keys(scenario.files).length} files):\n${Object.keys(scenario.files).sort().join("\n")}`,
  };
}

/**
 * Wraps the workbench so each tree digest the product computes is recorded as an equality key:
 * a hash of the `git status` it asked for and the changed files it read, which are equal exactly
 * when role-node.ts's digest is (it hashes the same status and contents).
 */
function recordDigestKeys(workbench: Workbench, keys: string[]): { workbench: Workbench; finish: () => void } {
  let current: ReturnType<typeof createHash> | undefined;
  const finish = (): void => {
    if (current) keys.push(current.digest("hex"));
    current = undefined;
  };
  const git = new Proxy(workbench.git, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      if (property !== "status") return value.bind(object);
      return async () => {
        finish();
        const status = (await (value as () => Promise<WorkspaceStatus>).call(object)) as WorkspaceStatus;
        current = createHash("sha256").update(JSON.stringify([...status.files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))));
        return status;
      };
    },
  });
  const sandbox = new Proxy(workbench.sandbox, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      if (property !== "readFile") return value.bind(object);
      return async (path: string) => {
        const content = (await (value as (file: string) => Promise<Buffer>).call(object, path)) as Buffer;
        current?.update(path).update("\0").update(content).update("\0");
        return content;
      };
    },
  });
  return { workbench: { tools: workbench.tools, git, sandbox }, finish };
}

/** Runs a scenario once, on a fresh clone, in the given variant; `replayKeys` are the product run's digests for the replayed variant. */
async function runScenario(scenario: LoopScenario, source: { path: string; commit: string }, variant: LoopVariant, replayKeys: readonly string[] = []): Promise<LoopRunMeasurement> {
  const root = await mkdtemp(join(tmpdir(), "bench-loop-control-"));
  const workspace = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: join(root, "programmer") });
  const sandbox = await createLocalSandbox({ hostWorkdir: workspace.workdir, path: sandboxPath, commandTimeoutMs: 120_000 });
  const git = createWorkspaceGit({ workdir: workspace.workdir, baseCommit: workspace.baseCommit });
  const workbench: Workbench = { sandbox, git, tools: createToolset({ sandbox, git }) };
  const measured: LoopRunMeasurement = {
    variant,
    wallMs: 0,
    toolMs: 0,
    modelMs: 0,
    steps: 0,
    failedSteps: 0,
    recoveries: [],
    stoppedBy: "unknown",
    digest: createDigestTiming(),
    digestKeys: [],
  };
  const started = new Map<string, number>();
  let runStartedAt = 0;
  let lastModelReplyAt = 0;
  let nodeSummary: string | undefined;
  const sink = (event: AgentEvent): void => {
    const at = performance.now();
    if (event.type === "node-start") runStartedAt = at;
    else if (event.type === "node-end") nodeSummary = event.summary;
    else if (event.type === "tool-call-start" || event.type === "model-call-start") started.set(event.callId, at);
    else if (event.type === "tool-call-end") {
      measured.toolMs += at - (started.get(event.callId) ?? at);
      measured.steps += 1;
      if (!event.ok) measured.failedSteps += 1;
    } else if (event.type === "model-call-end") {
      measured.modelMs += at - (started.get(event.callId) ?? at);
      lastModelReplyAt = at;
    } else if (event.type === "recovery") measured.recoveries.push({ afterStep: measured.steps, reason: event.reason, action: event.action });
  };
  const emit = createEventEmitter("bench-loop-control", sink);
  const model: ModelClient = createModelClient({
    chatModel: new ScriptedChatModel({ turns: scenarioTurns(scenario), label: `scenario ${scenario.name} script` }),
    provider: { modelKey: "scripted:programmer", credentialsHint: "" },
    billing: "scripted",
    timeoutMs: 30_000,
    retry: createRetryPolicy(0),
    emit,
  });
  const recorded = recordDigestKeys(withDigestTiming(workbench, measured.digest), measured.digestKeys);
  const runtime: GraphRuntime = {
    // Only the programmer's model is called; the other roles never run here.
    models: { planner: model, testDesigner: model, programmer: model },
    programmer: variant === "product" ? recorded.workbench : workbench,
    // The programmer node never touches the test designer's tree.
    testDesigner: workbench,
    limits: defaultRunLimits,
    stepsPerVisit: STEPS_PER_VISIT,
    approvalMode: "full-auto",
    emit,
    now: Date.now,
    memoryText: "",
    condense: (messages: BaseMessage[]) => condenseHistory(messages, { maxTokens: CONDENSE_AT_TOKENS }).messages,
  };
  const state = programmerState(scenario, source.commit);
  try {
    if (variant === "product") {
      await createProgrammerNode(runtime)(state);
      recorded.finish();
      const ended = /no summary \(([^)]+)\)/.exec(nodeSummary ?? "");
      measured.stoppedBy = nodeSummary?.startsWith(scenario.finalSummary) ? "final" : (ended?.[1] ?? "unknown");
    } else {
      let replayed = 0;
      runStartedAt = performance.now();
      const result = await runAgentLoop({
        node: "programmer",
        model,
        tools: selectTools(workbench.tools, PROGRAMMER_TOOLS),
        finalTool: SUBMIT_PATCH,
        system: programmerSystem(runtime),
        prompt: programmerPrompt(state, runtime),
        maxSteps: runtime.stepsPerVisit,
        shouldStop: budgetCheck(state, runtime),
        ...(variant === "replayed-digests" ? { treeDigest: async () => replayKeys[replayed++] ?? `beyond the recording ${replayed}` } : {}),
        ...loopSettings(runtime),
      });
      measured.stoppedBy = result.stoppedBy;
      if (variant === "replayed-digests" && replayed !== replayKeys.length) {
        throw new Error(`The replayed run asked for ${replayed} tree digests where the product's asked for ${replayKeys.length}: the runs differ, so the comparison means nothing.`);
      }
    }
    measured.wallMs = lastModelReplyAt - runStartedAt;
  } finally {
    await sandbox.dispose();
    await rm(root, { recursive: true, force: true });
  }
  return measured;
}

/** Throws when the product's run of a scenario did not go as scripted: then no figure means anything. */
function checkAsScripted(scenario: LoopScenario, run: LoopRunMeasurement): void {
  const problems: string[] = [];
  const expectedSteps = scenario.steps.length;
  const expectedFailures = scenario.steps.filter((step) => step.isExpectedToFail).length;
  if (run.stoppedBy !== "final") problems.push(`the loop ended "${run.stoppedBy}", not "final"`);
  if (run.steps !== expectedSteps) problems.push(`${run.steps} of ${expectedSteps} tool calls were made`);
  if (run.failedSteps !== expectedFailures) problems.push(`${run.failedSteps} tool calls failed where ${expectedFailures} should`);
  if (!scenario.expectsRecovery && run.recoveries.length > 0) {
    problems.push(`loop control intervened in a realistic session (${run.recoveries.map((recovery) => `after step ${recovery.afterStep}: ${recovery.reason}`).join("; ")})`);
  }
  if (scenario.expectsRecovery) {
    const beforeCorrectEdit = run.recoveries.filter((recovery) => recovery.afterStep < (scenario.correctEditStep ?? Number.POSITIVE_INFINITY));
    if (beforeCorrectEdit.length === 0) problems.push(`loop control never redirected the repeated approach before the correct edit (step ${scenario.correctEditStep})`);
  }
  if (problems.length > 0) {
    throw new Error(`bench/loop-control: scenario ${scenario.name} did not go as scripted: ${problems.join("; ")}. Fix bench/support/loop-control-scenarios.ts (or loop control) before reading any figure.`);
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** The median run by wall time per step. */
function medianRun(runs: LoopRunMeasurement[]): LoopRunMeasurement {
  const perStep = median(runs.map(wallPerStep));
  return runs.reduce((best, run) => (Math.abs(wallPerStep(run) - perStep) < Math.abs(wallPerStep(best) - perStep) ? run : best));
}

const wallPerStep = (run: LoopRunMeasurement): number => run.wallMs / Math.max(1, run.steps);
const loopOwnPerStep = (run: LoopRunMeasurement): number => (run.wallMs - run.toolMs - run.modelMs) / Math.max(1, run.steps);

function describeRecoveries(run: LoopRunMeasurement): string {
  if (run.recoveries.length === 0) return "none";
  return run.recoveries.map((recovery) => `after step ${recovery.afterStep}: ${recovery.reason} → ${recovery.action}`).join("; ");
}

/** The recoveries in short: the steps they came after. */
function recoverySteps(run: LoopRunMeasurement): string {
  return run.recoveries.length === 0 ? "no recovery" : `recoveries after step ${run.recoveries.map((recovery) => recovery.afterStep).join(", ")}`;
}

/** Runs a scenario's three variants, interleaved, after a warm-up of each; returns its lines of output. */
async function measureScenario(scenario: LoopScenario): Promise<string[]> {
  const source = await createScenarioRepository(scenario.files);
  try {
    const warmUp = await runScenario(scenario, source, "product");
    checkAsScripted(scenario, warmUp);
    await runScenario(scenario, source, "replayed-digests", warmUp.digestKeys);
    await runScenario(scenario, source, "no-digest");
    const runs: Record<LoopVariant, LoopRunMeasurement[]> = { product: [], "replayed-digests": [], "no-digest": [] };
    for (let repetition = 0; repetition < repetitions; repetition += 1) {
      const product = await runScenario(scenario, source, "product");
      checkAsScripted(scenario, product);
      runs.product.push(product);
      runs["replayed-digests"].push(await runScenario(scenario, source, "replayed-digests", product.digestKeys));
      runs["no-digest"].push(await runScenario(scenario, source, "no-digest"));
    }
    const product = medianRun(runs.product);
    const replayed = medianRun(runs["replayed-digests"]);
    const absent = medianRun(runs["no-digest"]);
    const productPerStep = median(runs.product.map(wallPerStep));
    const replayedPerStep = median(runs["replayed-digests"].map(wallPerStep));
    const absentPerStep = median(runs["no-digest"].map(wallPerStep));
    const { statusCalls, statusMs, readFileCalls, readFileMs } = product.digest;
    const variantLine = (label: string, run: LoopRunMeasurement, perStep: number): string =>
      `  ${label.padEnd(34)} ${String(run.steps).padStart(3)} steps, ended ${run.stoppedBy.padEnd(11)} wall ${perStep.toFixed(2).padStart(7)} ms/step ` +
      `(tools ${(run.toolMs / run.steps).toFixed(2)}, model ${(run.modelMs / run.steps).toFixed(2)}, loop itself ${loopOwnPerStep(run).toFixed(2)}); ${recoverySteps(run)}`;
    return [
      `scenario ${scenario.name}, ${scenario.description}`,
      `  product path (createProgrammerNode): ${product.steps} steps, ${product.recoveries.length} recovery event${product.recoveries.length === 1 ? "" : "s"}, loop ended "${product.stoppedBy}" ` +
        `(${scenario.expectsRecovery ? "expected: a redirection before the correct edit, then final" : "expected: no recovery, final"}) as scripted`,
      `  recovery events: ${describeRecoveries(product)}`,
      `  wall time per step, with the product's tree digest vs replayed digests (no cost): ${productPerStep.toFixed(2)} ms vs ${replayedPerStep.toFixed(2)} ms, ` +
        `ratio ${(productPerStep / replayedPerStep).toFixed(3)}; the digest adds ${(productPerStep - replayedPerStep).toFixed(2)} ms per step`,
      `  wall time per step, with the product's tree digest vs no tree digest (option absent): ${productPerStep.toFixed(2)} ms vs ${absentPerStep.toFixed(2)} ms, ` +
        `ratio ${(productPerStep / absentPerStep).toFixed(3)}${absent.steps !== product.steps || absent.recoveries.length !== product.recoveries.length ? " (the runs differ: see below)" : ""}`,
      `  tree digests (median run): ${statusCalls} digests, git status ${statusMs.toFixed(0)} ms (${(statusMs / Math.max(1, statusCalls)).toFixed(2)} ms each), ` +
        `${readFileCalls} changed-file reads ${readFileMs.toFixed(1)} ms = ${((statusMs + readFileMs) / product.steps).toFixed(2)} ms per step`,
      "  median runs:",
      variantLine("product (tree digest)", product, productPerStep),
      variantLine("runAgentLoop, replayed digests", replayed, replayedPerStep),
      variantLine("runAgentLoop, no tree digest", absent, absentPerStep),
      ...(describeRecoveries(absent) === describeRecoveries(product) ? [] : [`  recovery events with no tree digest: ${describeRecoveries(absent)}`]),
    ];
  } finally {
    await rm(source.path, { recursive: true, force: true });
  }
}

const output = [
  `bench/loop-control: two scripted programmer visits through the product's loop (real tools, local sandbox, git workspace, zero-latency scripted model); ` +
    `median of ${repetitions} interleaved repetitions after a warm-up`,
  `settings: the product's (default limits, ${STEPS_PER_VISIT} tool calls per visit by the product's rule, condensation at ${CONDENSE_AT_TOKENS.toLocaleString("en-US")} tokens, ` +
    "loop control with role-node.ts's tree digest)",
  "baselines: the same script through runAgentLoop directly, with replayed digests (same decisions, no digest work) and with no tree digest at all",
  ...(await measureScenario(createRealisticScenario())),
  ...(await measureScenario(createRepetitionScenario())),
];
process.stdout.write(`${output.join("\n")}\n`);
