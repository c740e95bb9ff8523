import { Annotation } from "@langchain/langgraph";
import type { RankedCandidate, RunStatus, TestOutcome } from "../events/agent-event.js";

export type { RankedCandidate };

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
  /** Distinct ways to fix it, when the planner saw more than one: candidate i of search.candidates is asked to try the i-th. Never shown to the test designer. */
  approaches?: string[];
  version: number;
}

/** How to run the repository's tests, as the test designer found it (plain JSON). */
export interface TestCommand {
  framework: string;
  /** Runs the given tests; `{tests}` is replaced by the space-separated test files or ids. */
  selectTemplate: string;
}

/** A file the test designer wrote (a test, or a support file such as a conftest.py), kept with its content so it can be materialised anywhere. */
export interface DesignedTest {
  path: string;
  content: string;
  kind: "basic" | "edge" | "large-scale" | "support";
  description: string;
}

/** One execution of tests by the executor. */
export interface TestRun {
  round: number;
  phase: "base" | "patched";
  scope: "designed" | "existing";
  command: string;
  exitCode: number | null;
  /** True when the run hit its time limit (absent in checkpoints of older versions). */
  timedOut?: boolean;
  outcomes: TestOutcome[];
  outputExcerpt: string;
  /** A digest of the designed tests' content the run used, so a base run is reused only for the same tests. */
  testsDigest?: string;
}

/** A test's status in one run as the verifier sees it: a reported status, or why none was reported. */
export type VerdictTestStatus = TestOutcome["status"] | "timeout" | "missing";

/** How the verifier judged one test from its status before and after the change. */
export interface TestVerdictDetail {
  test: string;
  scope: "designed" | "existing";
  before: VerdictTestStatus;
  after: VerdictTestStatus;
  category: "fixed" | "not-fixed" | "weak" | "broken-by-change" | "regression" | "already-failing" | "also-fixed" | "kept";
}

/** Why the designed tests, rather than the code, stand in the way; the feedback holds base-commit facts only. */
export interface TestProblem {
  kind: "no-tests" | "did-not-run" | "not-reproducing" | "broken";
  /** For the test designer: what went wrong on the base commit and what to do. Never shows the programmer's change. */
  feedback: string;
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
  /** Tests that passed on the base commit and do not pass on the patch: designed tests broken by the change, and existing tests. */
  regressions: string[];
  /** Every designed test and every existing test that regressed, with its status before and after. */
  details?: TestVerdictDetail[];
  solved: boolean;
  /** Set when the designed tests must be reworked before a change can be verified. */
  testProblem?: TestProblem | null;
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

/** What the roles report about the repository: conventions (from the planner) and set-up commands that were needed (from the test designer). */
export interface LearnedFacts {
  conventions: string[];
  setupCommands: Array<{ command: string; purpose: string }>;
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
  /** The repository map, made once at the start. */
  context: Annotation<string>(replace(() => "")),
  /** What the user and the repository tell every role: the user's and the repository's AGENTS.md files, the project file's instructions and conventions. */
  instructions: Annotation<string>(replace(() => "")),
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
  /** Times the executor sent the run back to the test designer. */
  testRedesigns: Annotation<number>(replace(() => 0)),
  /** What the roles learned about the repository, for the long-term memory once the run has shown it true. */
  learned: Annotation<LearnedFacts>({
    reducer: (current: LearnedFacts, next: LearnedFacts) => ({
      conventions: [...new Set([...current.conventions, ...next.conventions])],
      setupCommands: [...current.setupCommands, ...next.setupCommands.filter((entry) => !current.setupCommands.some((known) => known.command === entry.command))],
    }),
    default: (): LearnedFacts => ({ conventions: [], setupCommands: [] }),
  }),
  usage: Annotation<BudgetUsage>({
    reducer: addBudgetUsage,
    default: () => ({ steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false }),
  }),
  startedAt: Annotation<number>(replace(() => 0)),
  notes: Annotation<RoleNote[]>(append<RoleNote>()),
  /**
   * Set when a node stopped because a limit was reached; it stays set (a later node's null does not
   * clear it), so a role that hit a limit beside one that did not (search.parallelRoles) is not forgotten.
   */
  limitHit: Annotation<string | null>({ reducer: (current: string | null, next: string | null) => next ?? current, default: () => null }),
  status: Annotation<RunStatus | null>(replace<RunStatus | null>(() => null)),
  /** The functions the failing reproduction runs and the passing tests do not (search.spectrum), most suspicious first. */
  suspects: Annotation<Suspect[]>(replace<Suspect[]>(() => [])),
  /** The programmer's first-round attempts, each in its own tree and verified on its own (search.candidates); each appends itself. */
  candidates: Annotation<Candidate[]>(append<Candidate>()),
  /** Which candidate the run went on with, and why (search.candidates). */
  selection: Annotation<CandidateSelection | null>(replace<CandidateSelection | null>(() => null)),
});

/** One programmer attempt of a first round with several (search.candidates), as the executor judged it in its own tree. */
export interface Candidate {
  /** 0-based; the index of its Send, its tree and its model. */
  index: number;
  /** The model that wrote it. */
  model: string;
  patch: string;
  /** The programmer's own summary, or why it stopped. */
  summary: string;
  /** The executor's verdict on its tree; null when the attempt failed before it could be verified. */
  verdict: Verdict | null;
  /** The executor's runs of this candidate (base runs included). */
  testRuns: TestRun[];
  usage: BudgetUsage;
  /** The limit of its share of the budget that stopped it, if one did. */
  limitHit: string | null;
  /** What went wrong, when the attempt failed (the model, the sandbox, git). */
  error?: string;
}

/** The selection among candidates: the winner, every candidate's standing, and the reason in words. */
export interface CandidateSelection {
  winner: number;
  ranking: RankedCandidate[];
  reason: string;
  /** What the critic model said, when it broke a tie. */
  critic?: string;
}

/** A function the spectrum ranks (search.spectrum): where it is defined, its Ochiai score, and why. */
export interface Suspect {
  path: string;
  line: number;
  name: string;
  /** Failing runs that entered it / √(failing runs × every run that entered it). */
  score: number;
  evidence: string;
}

/** The state as nodes read it. */
export type AgentStateValue = typeof AgentState.State;

/** What a node may return. */
export type AgentStateUpdate = typeof AgentState.Update;

/** A usage delta with nothing in it. */
export const noUsage: BudgetUsage = { steps: 0, modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, costUnknown: false };

/** A blackboard with every field at its reducer's default: the state before the first node. */
export function initialBlackboard(): AgentStateValue {
  return Object.fromEntries(
    Object.entries(AgentState.spec).map(([key, channel]) => [key, (channel as unknown as { initialValueFactory?: () => unknown }).initialValueFactory?.()]),
  ) as unknown as AgentStateValue;
}
