/**
 * bench/parallel-roles: the wall time of the first round (test designer, programmer, executor)
 * with the roles in series, as by default, against search.parallelRoles, where the planner starts
 * the test designer and the programmer together; both through the real graph (buildAgentGraph),
 * real tools and local sandboxes over a small Python repository with a real bug, in the same
 * process. Every model call is a scripted turn that takes MODEL_LATENCY_MS (200 ms), a stand-in
 * for a real model's latency; no model is reached. The test designer and the programmer make
 * seven calls each (read, search, write, run, hand in), the planner three; the executor runs the
 * designed and the existing tests before and after the change.
 *   round: from the first of the two roles' node-start to the executor's node-end;
 *   ratio: the parallel round's median over the serial round's median (target <= 0.6).
 * The ideal is (the longer role + the executor) / (both roles + the executor): the executor's
 * test runs, which no order can overlap, keep it above 0.5. Runs alternate between the two
 * orders, RUNS of each after one unreported warm-up of each. Exits 0 whether the target is met
 * or not; 2 when python3, git or rg is missing.
 * Run: npm run build && node dist/bench/parallel-roles.js
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import type { GraphRuntime } from "../src/agents/graph-runtime.js";
import { createEventEmitter, type AgentEvent } from "../src/events/agent-event.js";
import { buildAgentGraph } from "../src/graph/build-graph.js";
import type { AgentStateValue } from "../src/memory/blackboard.js";
import { defaultRunLimits } from "../src/memory/run-limits.js";
import { createModelClient } from "../src/models/model-client.js";
import { createRetryPolicy } from "../src/models/retry-policy.js";
import { ScriptedChatModel, type ScriptedTurn } from "../src/models/scripted-chat-model.js";
import { createScenarioRepository } from "./support/graph-scenario.js";
import { createWorkbenches, requireProgram } from "./support/graph-workbenches.js";

const MODEL_LATENCY_MS = 200;
const TARGET_RATIO = 0.6;
const RUNS = 5;

requireProgram("bench/parallel-roles", "git", ["--version"], "the workspaces are git clones");
requireProgram("bench/parallel-roles", "python3", ["--version"], "the executor runs unittest files with python3");
requireProgram("bench/parallel-roles", "rg", ["--version"], "the search tool runs ripgrep");

const files: Record<string, string> = {
  "slugs/__init__.py": "from .core import slugify\nfrom .words import split_words\n",
  "slugs/core.py": 'from .words import split_words\n\n\ndef slugify(text):\n    """Lower-case text with words joined by dashes."""\n    return text.lower().replace(" ", "-")\n',
  "slugs/words.py": 'def split_words(text):\n    """The words of a text."""\n    return text.split()\n',
  "tests/__init__.py": "",
  "tests/test_core.py":
    "import unittest\nfrom slugs import slugify\n\n\nclass SlugifyTest(unittest.TestCase):\n    def test_lower_case(self):\n        self.assertEqual(slugify('Hello World'), 'hello-world')\n",
  "README.md": "# slugs\n\nMakes URL slugs.\n",
};

const reproTest =
  "import unittest\nfrom slugs import slugify\n\n\nclass IssueReproTest(unittest.TestCase):\n" +
  "    def test_strips_surrounding_spaces(self):\n        self.assertEqual(slugify('  Hello World '), 'hello-world')\n";

function call(name: string, args: Record<string, unknown>): ScriptedTurn {
  return { content: "", toolCalls: [{ name, args }], usage: { input: 1_000, output: 50, cost: 0 } };
}

function scripts(): Record<"planner" | "testDesigner" | "programmer", ScriptedTurn[]> {
  return {
    planner: [
      call("search", { pattern: "def slugify" }),
      call("view_file", { path: "slugs/core.py" }),
      call("submit_plan", {
        summary: "slugify does not strip surrounding whitespace.",
        findings: [{ file: "slugs/core.py", line: 6, symbol: "slugify", reason: "replaces every space" }],
        steps: [
          { owner: "test-designer", description: "Reproduce with surrounding spaces", done_criterion: "a test fails on the current code" },
          { owner: "programmer", description: "Split on whitespace", done_criterion: "the reproduction passes" },
        ],
        relevant_tests: ["tests/test_core.py"],
      }),
    ],
    testDesigner: [
      call("view_file", { path: "slugs/core.py" }),
      call("view_file", { path: "tests/test_core.py" }),
      call("search", { pattern: "slugify" }),
      call("view_file", { path: "slugs/__init__.py" }),
      call("edit_file", { command: "create", path: "tests/test_issue_repro.py", file_text: reproTest }),
      call("run_shell", { command: "python3 -m unittest tests/test_issue_repro.py" }),
      call("submit_tests", {
        framework: "unittest",
        command_template: "python3 -m unittest -v {tests}",
        tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are stripped" }],
      }),
    ],
    programmer: [
      call("view_file", { path: "slugs/core.py" }),
      call("view_file", { path: "slugs/words.py" }),
      call("search", { pattern: "split_words" }),
      call("view_file", { path: "tests/test_core.py" }),
      call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: 'text.lower().replace(" ", "-")', new_str: '"-".join(split_words(text.lower()))' }),
      call("run_shell", { command: "python3 -m unittest tests/test_core.py" }),
      call("submit_patch", { summary: "Join the words." }),
    ],
  };
}

/** A scripted model whose every answer takes MODEL_LATENCY_MS, as a real model's would take seconds. */
class SlowScriptedChatModel extends ScriptedChatModel {
  override async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    await new Promise((resolve) => setTimeout(resolve, MODEL_LATENCY_MS));
    return super._generate(messages, options);
  }
}

interface RoundTiming {
  roundMs: number;
  runMs: number;
  modelCalls: number;
}

async function runOnce(source: { path: string; commit: string }, parallelRoles: boolean): Promise<RoundTiming> {
  const root = await mkdtemp(join(tmpdir(), "bench-parallel-roles-"));
  const trees = await createWorkbenches(root, source);
  const benches = [trees.programmer, trees.testDesigner];
  let roundStart: number | undefined;
  let roundEnd: number | undefined;
  let modelCalls = 0;
  const emit = createEventEmitter("bench-parallel-roles", (event: AgentEvent) => {
    const at = performance.now();
    if (event.type === "node-start" && (event.node === "test-designer" || event.node === "programmer")) roundStart ??= at;
    if (event.type === "node-end" && event.node === "executor") roundEnd ??= at;
    if (event.type === "model-call-end") modelCalls += 1;
  });
  const script = scripts();
  const client = (role: keyof typeof script) =>
    createModelClient({
      chatModel: new SlowScriptedChatModel({ turns: script[role], label: `${role} script` }),
      provider: { modelKey: `scripted:${role}`, credentialsHint: "" },
      billing: "scripted",
      timeoutMs: 30_000,
      retry: createRetryPolicy(0),
      emit,
    });
  const runtime: GraphRuntime = {
    models: { planner: client("planner"), testDesigner: client("testDesigner"), programmer: client("programmer") },
    programmer: benches[0]!,
    testDesigner: benches[1]!,
    limits: { ...defaultRunLimits, maxReplans: 0 },
    stepsPerVisit: Math.max(10, Math.floor(defaultRunLimits.maxSteps / 3)),
    approvalMode: "full-auto",
    emit,
    now: Date.now,
    memoryText: "",
    parallelRoles,
  };
  try {
    const started = performance.now();
    const state = (await buildAgentGraph(runtime).invoke({ runId: "bench", task: { title: "slugify keeps surrounding spaces", body: "`slugify(' a b ')` gives `-a-b-`.", source: "typed" }, baseCommit: source.commit, context: "" })) as AgentStateValue;
    const runMs = performance.now() - started;
    if (state.status !== "solved" || roundStart === undefined || roundEnd === undefined || modelCalls !== 17) {
      throw new Error(`The scripted run did not go as scripted (status ${state.status}, ${modelCalls} model calls of 17): fix bench/parallel-roles.ts before reading any figure.`);
    }
    return { roundMs: roundEnd - roundStart, runMs, modelCalls };
  } finally {
    for (const bench of benches) await bench.sandbox.dispose();
    await rm(root, { recursive: true, force: true });
  }
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
};

const source = await createScenarioRepository(files);
await runOnce(source, false);
await runOnce(source, true);
const serial: RoundTiming[] = [];
const parallel: RoundTiming[] = [];
for (let run = 0; run < RUNS; run += 1) {
  serial.push(await runOnce(source, false));
  parallel.push(await runOnce(source, true));
}
const serialRound = median(serial.map((timing) => timing.roundMs));
const parallelRound = median(parallel.map((timing) => timing.roundMs));
const ratio = parallelRound / serialRound;
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
process.stdout.write(
  [
    `bench/parallel-roles: ${RUNS} runs of each order, ${MODEL_LATENCY_MS} ms per model call, 7 calls each for the test designer and the programmer, local sandboxes`,
    `serial round (test designer, then programmer, then executor): median ${seconds(serialRound)}; whole run ${seconds(median(serial.map((timing) => timing.runMs)))}`,
    `parallel round (both together, then executor):              median ${seconds(parallelRound)}; whole run ${seconds(median(parallel.map((timing) => timing.runMs)))}`,
    `ratio parallel / serial: ${ratio.toFixed(2)} (target <= ${TARGET_RATIO}: ${ratio <= TARGET_RATIO ? "met" : "NOT met"})`,
    "",
  ].join("\n"),
);
await rm(source.path, { recursive: true, force: true });
