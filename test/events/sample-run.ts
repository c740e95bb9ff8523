import { createEventEmitter, type AgentEvent, type AgentEventPayload, type TestOutcome } from "../../src/events/agent-event.js";
import type { CostEstimate, ModelUsage } from "../../src/events/usage.js";

/** The run id of the sample run. */
export const sampleRunId = "20250314-093000-a1b2c3";

/** The time the sample run starts. */
export const sampleRunStart = Date.parse("2025-03-14T09:30:00.000Z");

/** The patch the sample run produced: one source file fixed, one test file added. */
export const samplePatch = [
  "diff --git a/src/widgets/config.py b/src/widgets/config.py",
  "index 3b18e51..a9f2c07 100644",
  "--- a/src/widgets/config.py",
  "+++ b/src/widgets/config.py",
  "@@ -12,6 +12,8 @@ def load_config(path):",
  "     with open(path) as handle:",
  "         data = yaml.safe_load(handle)",
  "+    if data is None:",
  "+        return dict(DEFAULTS)",
  "     return {**DEFAULTS, **data[\"widgets\"]}",
  "diff --git a/tests/test_empty_config.py b/tests/test_empty_config.py",
  "new file mode 100644",
  "index 0000000..5d1e2f3",
  "--- /dev/null",
  "+++ b/tests/test_empty_config.py",
  "@@ -0,0 +1,6 @@",
  "+from widgets.config import DEFAULTS, load_config",
  "+",
  "+",
  "+def test_empty_file_gives_defaults(tmp_path):",
  "+    (tmp_path / \"c.yaml\").write_text(\"\")",
  "+    assert load_config(tmp_path / \"c.yaml\") == DEFAULTS",
  "",
].join("\n");

const TEST_COMMAND = "python -m pytest -q tests/test_config.py tests/test_empty_config.py";
const MODEL = "openai:gpt-4.1";

const usage = (inputTokens: number, outputTokens: number, cachedInputTokens = 0): ModelUsage => ({
  inputTokens,
  outputTokens,
  cachedInputTokens,
  cacheWriteTokens: 0,
});

/** What the sample run can be varied in; the defaults give a solved run with known costs. */
export interface SampleRunOptions {
  /** The cost of the programmer's last model call (null: no price known). */
  lastCallCostUsd?: number | null;
}

/**
 * A realistic solved run: planner (with its plan), test designer, programmer and executor nodes with model
 * calls (usage and cost), tool calls (one failing), a retry, an approval, text deltas, test runs
 * on the base commit and on the patched tree, and run-end. Timestamps advance deterministically.
 */
export function sampleRunEvents(options: SampleRunOptions = {}): AgentEvent[] {
  const events: AgentEvent[] = [];
  let now = sampleRunStart;
  const emitNow = createEventEmitter(sampleRunId, (event) => events.push(event), () => new Date(now));
  const emit = (afterMs: number, payload: AgentEventPayload) => {
    now += afterMs;
    emitNow(payload);
  };
  let calls = 0;
  let totalUsage = usage(0, 0);
  let totalUsd: number | null = 0;
  const modelCall = (
    reply: { text?: string; toolCalls?: { id: string; name: string; args: Record<string, unknown> }[] },
    callUsage: ModelUsage,
    cost: CostEstimate,
    durationMs: number,
    attempts = 1,
  ) => {
    calls += 1;
    const callId = `model-call-${calls}`;
    emit(5, { type: "model-call-start", callId, model: MODEL, messageCount: 2 + calls * 2, toolNames: ["view_file", "search", "edit_file", "run_shell"] });
    if (attempts > 1) emit(400, { type: "model-retry", callId, model: MODEL, attempt: 1, delayMs: 1000, reason: "429 rate limited" });
    if (reply.text) emit(durationMs / 2, { type: "text-delta", callId, text: reply.text });
    emit(reply.text ? durationMs / 2 : durationMs, {
      type: "model-call-end",
      callId,
      model: MODEL,
      message: { text: reply.text ?? "", toolCalls: reply.toolCalls ?? [] },
      usage: callUsage,
      cost,
      durationMs,
      attempts,
    });
    totalUsage = {
      inputTokens: totalUsage.inputTokens + callUsage.inputTokens,
      outputTokens: totalUsage.outputTokens + callUsage.outputTokens,
      cachedInputTokens: totalUsage.cachedInputTokens + callUsage.cachedInputTokens,
      cacheWriteTokens: 0,
    };
    totalUsd = totalUsd === null || cost.usd === null ? null : totalUsd + cost.usd;
    return callId;
  };
  const priced = (usd: number): CostEstimate => ({ usd, basis: "price-table" });
  const toolCall = (node: "planner" | "test-designer" | "programmer" | "executor", callId: string, tool: string, input: Record<string, unknown>, ok: boolean, output: string, durationMs: number) => {
    emit(3, { type: "tool-call-start", callId, node, tool, input });
    emit(durationMs, { type: "tool-call-end", callId, node, tool, ok, output, durationMs });
  };
  const outcomes = (statuses: Record<string, TestOutcome["status"]>): TestOutcome[] =>
    Object.entries(statuses).map(([test, status]) => ({ test, status }));

  emit(0, {
    type: "run-start",
    task: { title: "Parsing an empty config file crashes with TypeError", source: "https://github.com/acme/widgets/issues/42" },
    model: MODEL,
    sandbox: "docker",
    baseCommit: "3f2c1a9e8b7d6c5f4e3d2c1b0a9f8e7d6c5b4a39",
  });

  emit(40, { type: "node-start", node: "planner", round: 1 });
  modelCall({ toolCalls: [{ id: "tc-1", name: "search", args: { pattern: "def load_config" } }] }, usage(1200, 80), priced(0.0031), 850);
  toolCall("planner", "tc-1", "search", { pattern: "def load_config" }, true, "src/widgets/config.py\n12: def load_config(path):", 45);
  modelCall(
    { text: "Plan: 1. reproduce with an empty file; 2. return the defaults when yaml gives None." },
    usage(2100, 350, 1024),
    priced(0.0052),
    2300,
  );
  emit(0, {
    type: "plan-submitted",
    version: 1,
    summary: "load_config indexes yaml.safe_load's result, which is None for an empty file.",
    steps: [
      { owner: "test-designer", description: "Write a test that loads an empty config file and expects the defaults." },
      { owner: "programmer", description: "Return the defaults in load_config when yaml gives None." },
    ],
    files: ["src/widgets/config.py"],
  });
  emit(2, { type: "node-end", node: "planner", round: 1, summary: "2 steps; likely src/widgets/config.py:load_config" });

  emit(5, { type: "node-start", node: "test-designer", round: 1 });
  modelCall(
    { toolCalls: [{ id: "tc-2", name: "edit_file", args: { command: "create", path: "tests/test_empty_config.py" } }] },
    usage(1800, 240),
    priced(0.0055),
    1900,
  );
  toolCall("test-designer", "tc-2", "edit_file", { command: "create", path: "tests/test_empty_config.py" }, true, "Created tests/test_empty_config.py (6 lines).", 30);
  emit(2, { type: "node-end", node: "test-designer", round: 1, summary: "1 reproduction test: tests/test_empty_config.py" });

  emit(5, { type: "node-start", node: "programmer", round: 1 });
  modelCall({ toolCalls: [{ id: "tc-3", name: "view_file", args: { path: "src/widgets/config.py" } }] }, usage(2500, 60, 1024), priced(0.0046), 700);
  toolCall("programmer", "tc-3", "view_file", { path: "src/widgets/config.py" }, true, "1 import yaml\n...\n15     return {**DEFAULTS, **data[\"widgets\"]}", 12);
  const editArgs = { command: "str_replace", path: "src/widgets/config.py", old_str: "    return", new_str: "    if data is None:\n        return dict(DEFAULTS)\n    return" };
  modelCall({ toolCalls: [{ id: "tc-4", name: "edit_file", args: editArgs }] }, usage(2900, 120, 2048), priced(0.0049), 1400, 2);
  toolCall("programmer", "tc-4", "edit_file", editArgs, false, "old_str occurs 2 times: lines 9, 15. Include more context so it occurs once.", 8);
  modelCall(
    { toolCalls: [{ id: "tc-5", name: "edit_file", args: { ...editArgs, old_str: "    return {**DEFAULTS" } }] },
    usage(3100, 110, 2048),
    priced(0.005),
    1200,
  );
  toolCall("programmer", "tc-5", "edit_file", { ...editArgs, old_str: "    return {**DEFAULTS" }, true, "Edited src/widgets/config.py (lines 14-17).", 15);
  modelCall({ toolCalls: [{ id: "tc-6", name: "run_shell", args: { command: TEST_COMMAND } }] }, usage(3300, 50, 3072), priced(0.0041), 600);
  emit(2, { type: "approval-request", node: "programmer", tool: "run_shell", input: { command: TEST_COMMAND }, reason: "commands need approval in auto-edit mode" });
  emit(900, { type: "approval-decision", node: "programmer", tool: "run_shell", decision: "allow", reason: "approved at the terminal" });
  toolCall("programmer", "tc-6", "run_shell", { command: TEST_COMMAND }, true, "exit code 0\n3 passed in 0.41s", 1800);
  const lastUsd = options.lastCallCostUsd === undefined ? 0.0038 : options.lastCallCostUsd;
  modelCall(
    { text: "The loader now returns the defaults for an empty file." },
    usage(3500, 90, 3072),
    lastUsd === null ? { usd: null, basis: "unknown" } : priced(lastUsd),
    900,
  );
  emit(2, { type: "node-end", node: "programmer", round: 1, summary: "load_config returns DEFAULTS when the file is empty" });

  emit(5, { type: "node-start", node: "executor", round: 1 });
  emit(2400, {
    type: "test-run-end",
    phase: "base",
    scope: "designed",
    command: TEST_COMMAND,
    exitCode: 1,
    outcomes: outcomes({
      "tests/test_config.py::test_load_basic": "passed",
      "tests/test_config.py::test_load_overrides": "passed",
      "tests/test_config.py::test_missing_section": "failed",
      "tests/test_empty_config.py::test_empty_file_gives_defaults": "failed",
      "tests/test_config.py::test_windows_paths": "skipped",
    }),
    durationMs: 2400,
  });
  emit(2300, {
    type: "test-run-end",
    phase: "patched",
    scope: "designed",
    command: TEST_COMMAND,
    exitCode: 0,
    outcomes: outcomes({
      "tests/test_config.py::test_load_basic": "passed",
      "tests/test_config.py::test_load_overrides": "passed",
      "tests/test_config.py::test_missing_section": "passed",
      "tests/test_empty_config.py::test_empty_file_gives_defaults": "passed",
      "tests/test_config.py::test_windows_paths": "skipped",
    }),
    durationMs: 2300,
  });
  emit(3, { type: "node-end", node: "executor", round: 1, summary: "2 fail → pass, 0 pass → fail" });

  emit(10, {
    type: "run-end",
    status: "solved",
    summary: "load_config now returns the defaults for an empty file; the reproduction test passes and no test regressed.",
    usage: totalUsage,
    costUsd: totalUsd === null ? null : Math.round(totalUsd * 1e10) / 1e10,
    durationMs: now - sampleRunStart + 10,
    patchFile: `runs/${sampleRunId}/patch.diff`,
  });
  return events;
}
