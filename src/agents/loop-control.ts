/** What an agent did in one step: the tool it called and the input it gave. */
export interface LoopAction {
  tool: string;
  input: unknown;
}

/** The progress signals after a step, as the caller sees them. */
export interface LoopProgress {
  /** Files viewed so far (a cumulative list, or only this step's; either works). */
  filesSeen: readonly string[];
  /** A hash of the current diff of the workspace. */
  diffHash: string;
  /** A hash of the latest test statuses. */
  testStatusHash: string;
}

/** One recorded step: the action and the progress snapshot taken right after it. */
export interface LoopStep {
  action: LoopAction;
  progress: LoopProgress;
}

/** Whether the agent may carry on, is repeating one action to no effect, or has stopped making progress. */
export type LoopVerdict =
  | { kind: "ok" }
  | { kind: "repeating"; action: string; times: number }
  | { kind: "stalled"; steps: number };

/** The thresholds of a loop monitor. */
export interface LoopMonitorOptions {
  /** The same action this many times in a row with no progress between them is repeating (default 3). */
  maxRepeats: number;
  /** This many consecutive steps with no new file, no diff change and no test change is stalled (default 8). */
  maxStepsWithoutProgress: number;
}

/** Watches one agent's steps for circles; stateful but pure (no clock, no timers). */
export interface LoopMonitor {
  /** Records a step taken and says whether the agent is going round in circles. */
  record(step: LoopStep): LoopVerdict;
  /** Clears the repeat and stall counts and the recorded steps, after a recovery; files already seen stay seen. */
  reset(): void;
  /** The steps recorded since the monitor was created or last reset, oldest first. */
  history(): readonly LoopStep[];
}

const DEFAULT_LOOP_MONITOR_OPTIONS: LoopMonitorOptions = { maxRepeats: 3, maxStepsWithoutProgress: 8 };
/** Characters of an action's input shown in verdicts and descriptions. */
const ACTION_INPUT_CHARS = 120;
/** Steps described by describeFailedApproach when the caller does not say. */
const DEFAULT_DESCRIBED_STEPS = 10;

/** Creates a monitor that tells a repeated or stalled agent from one that repeats itself while making progress. */
export function createLoopMonitor(options: Partial<LoopMonitorOptions> = {}): LoopMonitor {
  const { maxRepeats, maxStepsWithoutProgress } = { ...DEFAULT_LOOP_MONITOR_OPTIONS, ...options };
  const filesSeen = new Set<string>();
  let lastProgress: { diffHash: string; testStatusHash: string } | undefined;
  let lastActionKey: string | undefined;
  let repeats = 0;
  let stepsWithoutProgress = 0;
  let steps: LoopStep[] = [];

  function record(step: LoopStep): LoopVerdict {
    steps.push(step);
    const made = madeProgress(step.progress);
    const actionKey = canonicalAction(step.action);
    repeats = actionKey === lastActionKey && !made ? repeats + 1 : 1;
    lastActionKey = actionKey;
    stepsWithoutProgress = made ? 0 : stepsWithoutProgress + 1;
    if (repeats >= maxRepeats) return { kind: "repeating", action: describeAction(step.action), times: repeats };
    if (stepsWithoutProgress >= maxStepsWithoutProgress) return { kind: "stalled", steps: stepsWithoutProgress };
    return { kind: "ok" };
  }

  /** Compares with the previous snapshot and remembers this one; the first snapshot counts as progress. */
  function madeProgress(progress: LoopProgress): boolean {
    let made = lastProgress === undefined || progress.diffHash !== lastProgress.diffHash || progress.testStatusHash !== lastProgress.testStatusHash;
    for (const file of progress.filesSeen) {
      if (filesSeen.has(file)) continue;
      filesSeen.add(file);
      made = true;
    }
    lastProgress = { diffHash: progress.diffHash, testStatusHash: progress.testStatusHash };
    return made;
  }

  function reset(): void {
    lastActionKey = undefined;
    repeats = 0;
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
