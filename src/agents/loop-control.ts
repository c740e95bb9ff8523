/** What an agent did in one step: the tool it called and the input it gave. */
export interface LoopAction {
  tool: string;
  input: unknown;
}

/** One recorded step: the action and the state of the work right after it. */
export interface LoopStep {
  action: LoopAction;
  /** A digest of the working tree's diff after the step; the same text for every step of a role that changes nothing. */
  treeDigest: string;
  /** A digest of the test outcomes the step reported, when it ran tests. */
  testDigest?: string;
}

/** Whether the agent may carry on, is doing the same thing again on the same code, or has stopped making progress. */
export type LoopVerdict =
  | { kind: "ok" }
  | { kind: "repeating"; action: string; times: number }
  | { kind: "stalled"; steps: number };

/** The thresholds of a loop monitor. */
export interface LoopMonitorOptions {
  /** The same action on the same working tree this many times is repeating (default 3). */
  maxRepeats: number;
  /** This many consecutive steps that bring nothing new is stalled (default 8). */
  maxStepsWithoutProgress: number;
  /** The digest of the working tree before the first step, so a step that returns to it is not mistaken for progress. */
  initialTreeDigest?: string;
}

/** Watches one agent's steps for circles; stateful but pure (no clock, no timers). */
export interface LoopMonitor {
  /** Records a step taken and says whether the agent is going round in circles. */
  record(step: LoopStep): LoopVerdict;
  /** Clears the repeat and stall counts and the recorded steps, after a redirection; the states already reached stay known. */
  reset(): void;
  /** The steps recorded since the monitor was created or last reset, oldest first. */
  history(): readonly LoopStep[];
}

const DEFAULT_LOOP_MONITOR_OPTIONS: LoopMonitorOptions = { maxRepeats: 3, maxStepsWithoutProgress: 8 };
/** Characters of an action's input shown in verdicts and descriptions. */
const ACTION_INPUT_CHARS = 120;
/** Steps described by describeFailedApproach when the caller does not say. */
const DEFAULT_DESCRIBED_STEPS = 10;

/**
 * Creates a monitor that measures progress from the state that matters. A step makes progress
 * when it brings the working tree to a diff never seen before, reports test outcomes never seen
 * before, or is an action not yet taken on the tree as it was (a file read for the first time,
 * or read again after it changed). Only real repetition counts against the agent: the same
 * action on the same tree `maxRepeats` times, even with other steps in between (an edit made,
 * undone and made again), or `maxStepsWithoutProgress` steps in a row that bring nothing new.
 * A normal read → edit → test cycle changes the diff every time and is never flagged.
 */
export function createLoopMonitor(options: Partial<LoopMonitorOptions> = {}): LoopMonitor {
  const { maxRepeats, maxStepsWithoutProgress, initialTreeDigest } = { ...DEFAULT_LOOP_MONITOR_OPTIONS, ...options };
  const treesSeen = new Set<string>(initialTreeDigest === undefined ? [] : [initialTreeDigest]);
  const testResultsSeen = new Set<string>();
  let actionsOnTree = new Map<string, number>();
  let treeBefore: string | undefined = initialTreeDigest;
  let stepsWithoutProgress = 0;
  let steps: LoopStep[] = [];

  function record(step: LoopStep): LoopVerdict {
    steps.push(step);
    const key = `${canonicalAction(step.action)}@${treeBefore ?? step.treeDigest}`;
    const times = (actionsOnTree.get(key) ?? 0) + 1;
    actionsOnTree.set(key, times);
    const newTree = !treesSeen.has(step.treeDigest);
    const newTestResults = step.testDigest !== undefined && !testResultsSeen.has(step.testDigest);
    treesSeen.add(step.treeDigest);
    if (step.testDigest !== undefined) testResultsSeen.add(step.testDigest);
    treeBefore = step.treeDigest;
    const madeProgress = newTree || newTestResults || times === 1;
    stepsWithoutProgress = madeProgress ? 0 : stepsWithoutProgress + 1;
    if (times >= maxRepeats && !newTree && !newTestResults) return { kind: "repeating", action: describeAction(step.action), times };
    if (stepsWithoutProgress >= maxStepsWithoutProgress) return { kind: "stalled", steps: stepsWithoutProgress };
    return { kind: "ok" };
  }

  function reset(): void {
    actionsOnTree = new Map();
    stepsWithoutProgress = 0;
    steps = [];
  }

  return { record, reset, history: () => [...steps] };
}

/** A short text of the recent actions, consecutive repeats folded, for recording an approach that failed. */
export function describeFailedApproach(history: readonly LoopStep[], maxSteps = DEFAULT_DESCRIBED_STEPS): string {
  const recent = history.slice(-maxSteps);
  if (recent.length === 0) return "No actions were recorded.";
  const lines: string[] = [];
  let previous: string | undefined;
  let times = 0;
  const flush = (): void => {
    if (previous !== undefined) lines.push(`- ${previous}${times > 1 ? ` (×${times})` : ""}`);
  };
  for (const step of recent) {
    const described = describeAction(step.action);
    if (described === previous) {
      times += 1;
      continue;
    }
    flush();
    previous = described;
    times = 1;
  }
  flush();
  const skipped = history.length - recent.length;
  const header = skipped > 0 ? `Last ${recent.length} of ${history.length} actions:` : `Actions (${recent.length}):`;
  return [header, ...lines].join("\n");
}

/** JSON with object keys sorted at every depth, so `{a, b}` and `{b, a}` are the same input. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? "null";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value === null || typeof value !== "object") return value;
  if (typeof (value as { toJSON?: unknown }).toJSON === "function") return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = sortKeys((value as Record<string, unknown>)[key]);
  return sorted;
}

function canonicalAction(action: LoopAction): string {
  return `${action.tool} ${canonicalJson(action.input)}`;
}

/** The action as one short line: the tool and the start of its canonical input. */
function describeAction(action: LoopAction): string {
  const input = canonicalJson(action.input);
  return `${action.tool} ${input.length > ACTION_INPUT_CHARS ? `${input.slice(0, ACTION_INPUT_CHARS)}…` : input}`;
}
