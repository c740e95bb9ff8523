import { Annotation } from "@langchain/langgraph";
import type { RunStatus, TestOutcome } from "../events/agent-event.js";

/** The problem a run solves, as plain text: an issue's title and body, or a typed task. */
export interface TaskSpec {
  title: string;
  body: string;
  /** Where it came from: an issue URL, a file path, or "typed". */
  source: string;
}

/** Who does a plan step. */
export type RoleName = "test-designer" | "programmer" | "executor";

/** One step of the planner's plan. */
export interface PlanStep {
  owner: RoleName;
  description: string;
  doneCriterion: string;
}

/** A place in the code the planner (or another role) found relevant, with its evidence. */
export interface Finding {
  file: string;
  line?: number;
  symbol?: string;
  reason: string;
  role: string;
}

/** The planner's output. */
export interface Plan {
  summary: string;
  steps: PlanStep[];
  /** Existing test files relevant to the change: the executor runs them before and after, to catch regressions. */
  relevantTests: string[];
  version: number;
}

/** How to run the repository's tests, as the test designer found it (plain JSON). */
export interface TestCommand {
  framework: string;
  /** Runs the given tests; `{tests}` is replaced by the space-separated test files or ids. */
  selectTemplate: string;
}

/** A test the test designer wrote: a new file, kept with its content so it can be materialised anywhere. */
export interface DesignedTest {
  path: string;
  content: string;
  kind: "basic" | "edge" | "large-scale";
  description: string;
}

/** One execution of tests by the executor. */
export interface TestRun {
  round: number;
  phase: "base" | "patched";
  scope: "designed" | "existing";
  command: string;
  exitCode: number | null;
  outcomes: TestOutcome[];
  outputExcerpt: string;
}

/** The executor's classification of the last round. */
export interface Verdict {
  round: number;
  /** Designed tests that fail on the base commit and pass on the patch: good reproductions. */
  reproduced: string[];
  /** Designed tests that already pass on the base commit: they do not show the bug. */
  weak: string[];
  /** Designed tests that still fail on the patch. */
  notFixed: string[];
  /** Existing tests that passed on the base commit and fail on the patch. */
  regressions: string[];
  solved: boolean;
  /** What the programmer (and planner) should hear. */
  feedback: string;
  /** Higher is better; used to keep the best patch. */
  score: number;
}

/** Resources used so far, compared with the limits by the routers. */
export interface BudgetUsage {
  steps: number;
  /** Model calls made; on resume, a scripted or replayed model skips this many turns. */
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** True once any call had no known price: the cost limit then counts what is known. */
  costUnknown: boolean;
}

/** A note a role leaves for the others. */
export interface RoleNote {
  role: string;
  text: string;
}

/** Adds two usages (the state's reducer, and mid-node budget checks). */
export function addBudgetUsage(a: BudgetUsage, b: BudgetUsage): BudgetUsage {
  return {
    steps: a.steps + b.steps,
    modelCalls: a.modelCalls + b.modelCalls,
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd + b.costUsd,
    costUnknown: a.costUnknown || b.costUnknown,
  };
}

const replace = <T>(fallback: () => T) => ({ reducer: (_current: T, next: T) => next, default: fallback });
const append = <T>() => ({ reducer: (current: T[], next: T[]) => [...current, ...next], default: (): T[] => [] });

/**
 * The shared blackboard of the agents: plain JSON, so checkpoints and trajectories serialise.
 * Every field has an explicit reducer: lists append, everything else is replaced by the node
 * that owns it.
 */
export const AgentState = Annotation.Root({
  runId: Annotation<string>(replace(() => "")),
  task: Annotation<TaskSpec>(replace(() => ({ title: "", body: "", source: "" }))),
  baseCommit: Annotation<string>(replace(() => "")),
  /** The repository map and project instructions, made once at the start. */
  context: Annotation<string>(replace(() => "")),
  plan: Annotation<Plan | null>(replace<Plan | null>(() => null)),
  findings: Annotation<Finding[]>({
    reducer: (current: Finding[], next: Finding[]) => {
      const key = (finding: Finding) => `${finding.file}:${finding.line ?? ""}:${finding.symbol ?? ""}`;
      const seen = new Set(current.map(key));
      return [...current, ...next.filter((finding) => !seen.has(key(finding)))];
    },
    default: () => [],
  }),
  testCommand: Annotation<TestCommand | null>(replace<TestCommand | null>(() => null)),
  designedTests: Annotation<DesignedTest[]>(replace<DesignedTest[]>(() => [])),
  testRuns: Annotation<TestRun[]>(append<TestRun>()),
  verdict: Annotation<Verdict | null>(replace<Verdict | null>(() => null)),
  /** The diff of the programmer's working tree against the base commit after the last round. */
  patch: Annotation<string>(replace(() => "")),
  bestPatch: Annotation<{ patch: string; score: number; round: number } | null>(
    replace<{ patch: string; score: number; round: number } | null>(() => null),
  ),
  round: Annotation<number>(replace(() => 0)),
  replans: Annotation<number>(replace(() => 0)),
  usage: Annotation<BudgetUsage>({
    reducer: addBudgetUsage,
    default: () => ({ steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false }),
  }),
  startedAt: Annotation<number>(replace(() => 0)),
  notes: Annotation<RoleNote[]>(append<RoleNote>()),
  /** Set when a node stopped because a limit was reached. */
  limitHit: Annotation<string | null>(replace<string | null>(() => null)),
  status: Annotation<RunStatus | null>(replace<RunStatus | null>(() => null)),
});

/** The state as nodes read it. */
export type AgentStateValue = typeof AgentState.State;

/** What a node may return. */
export type AgentStateUpdate = typeof AgentState.Update;

/** A usage delta with nothing in it. */
export const noUsage: BudgetUsage = { steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false };
