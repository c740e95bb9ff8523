import type { BaseMessage } from "@langchain/core/messages";
import type { EmitEvent } from "../events/agent-event.js";
import type { WorkspaceGit } from "../git/workspace-git.js";
import { addBudgetUsage, type AgentStateValue, type BudgetUsage, type Suspect } from "../memory/blackboard.js";
import { exceededLimit, type RunLimits } from "../memory/run-limits.js";
import type { ModelClient } from "../models/model-client.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { AgentTool } from "../tools/agent-tool.js";
import type { ApprovalMode } from "../tools/approval.js";
import type { Approver } from "../tools/approver.js";
import type { TestCommandGuess } from "./executor/detect-test-command.js";
import type { RunSteering } from "./run-steering.js";

/** One working tree with its sandbox, git port and tools. */
export interface Workbench {
  sandbox: Sandbox;
  git: WorkspaceGit;
  tools: AgentTool[];
}

/** The model of each role that calls one (the executor is code). */
export interface RoleModels {
  planner: ModelClient;
  testDesigner: ModelClient;
  programmer: ModelClient;
  /** Breaks ties among candidates the tests cannot tell apart (models.critic); absent: the smaller change wins. */
  critic?: ModelClient;
}

/** Several programmer attempts in the first round, each in its own tree and sandbox (search.candidates). */
export interface CandidateSettings {
  /** Attempts; the feature is on from 2. */
  count: number;
  /** A new working tree at the base commit with its own sandbox, for candidate `index`; dispose removes both. */
  openBench(index: number): Promise<{ bench: Workbench; dispose(): Promise<void> }>;
  /** The model that writes candidate `index`: a client of its own, as the candidates run at once. */
  model(index: number): Promise<ModelClient>;
}

/**
 * The side effects the graph's nodes use, injected (never in the state, which stays plain
 * JSON): models per role, the programmer's working tree, and a separate clean working tree at
 * the base commit for the test designer, which therefore never sees the programmer's changes.
 */
export interface GraphRuntime {
  models: RoleModels;
  programmer: Workbench;
  testDesigner: Workbench;
  limits: RunLimits;
  /** Tool calls one role may make in one visit. */
  stepsPerVisit: number;
  approvalMode: ApprovalMode;
  approver?: Approver;
  /** A person steering the run from the terminal session; absent in headless runs. */
  steering?: RunSteering;
  /** Stream the models' text as `text-delta` events. */
  streamText?: boolean;
  emit: EmitEvent;
  signal?: AbortSignal;
  now: () => number;
  condense?: (messages: BaseMessage[]) => BaseMessage[];
  /** What the long-term memory knows about the repository, for the prompts. */
  memoryText: string;
  /** How the repository seems to run its tests, found from its files before the run; empty when nothing was recognised. */
  detectedTestCommands?: TestCommandGuess[];
  /** The test designer and the programmer's first round start together from the plan (search.parallelRoles). */
  parallelRoles?: boolean;
  /**
   * Ranks suspicious functions from the calls of a failing reproduction and of passing tests, run
   * in the given sandbox (search.spectrum; src/localisation/spectrum.ts); absent when it is off.
   */
  findSuspects?: (sandbox: Sandbox, run: SpectrumRun, signal?: AbortSignal) => Promise<Suspect[]>;
  /** Several programmer attempts in the first round and a selection among them (search.candidates); absent for one. */
  candidates?: CandidateSettings;
  /** In a candidate's own runtime: the way the plan asks this attempt to try (Plan.approaches), for the programmer's prompt. */
  approach?: string;
}

/** What the spectrum runs: the reproduction (expected to fail), the passing tests, and the files to leave out. */
export interface SpectrumRun {
  framework: string;
  failingCommand: string;
  passingCommand?: string;
  exclude: string[];
}

/** The agent-loop settings every role takes from the runtime: approval, steering, events, cancellation, condensation. */
export function loopSettings(runtime: GraphRuntime) {
  return {
    approvalMode: runtime.approvalMode,
    ...(runtime.approver ? { approver: runtime.approver } : {}),
    ...(runtime.steering ? { steering: runtime.steering } : {}),
    ...(runtime.streamText ? { streamText: true } : {}),
    emit: runtime.emit,
    ...(runtime.signal ? { signal: runtime.signal } : {}),
    ...(runtime.condense ? { condense: runtime.condense } : {}),
  };
}

/** The check an agent loop makes before each model call: has the run as a whole hit a limit? */
export function budgetCheck(state: AgentStateValue, runtime: GraphRuntime): (loop: BudgetUsage) => string | null {
  return (loop) => exceededLimit({ ...state, usage: addBudgetUsage(state.usage, loop) }, runtime.limits, runtime.now());
}

/** What is left of the run's budgets, one line for a role's prompt. */
export function describeBudgetLeft(state: AgentStateValue, runtime: GraphRuntime): string {
  const { limits } = runtime;
  const stepsLeft = Math.max(0, limits.maxSteps - state.usage.steps);
  const cost = state.usage.costUnknown ? "cost partly unknown" : `$${state.usage.costUsd.toFixed(2)} of $${limits.maxCostUsd} spent`;
  const elapsed = state.startedAt > 0 ? Math.round((runtime.now() - state.startedAt) / 60_000) : 0;
  return (
    `At most ${Math.min(runtime.stepsPerVisit, stepsLeft)} tool calls in this visit (${stepsLeft} of ${limits.maxSteps} left in the run); ` +
    `${cost}; ${elapsed} of ${Math.round(limits.maxWallTimeSec / 60)} minutes used; ${state.round} of ${limits.maxRounds} programmer rounds done.`
  );
}
