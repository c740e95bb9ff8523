/**
 * The scripted 200-step run bench/graph-overhead drives through the real graph: a generated
 * Python repository with a real bug, and what each role does in it, as data. The same tool calls
 * are replayed without the graph for the baseline, so the scenario is one list of steps.
 */
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { ScriptedTurn } from "../../src/models/scripted-chat-model.js";

/** Modules of generated code the programmer reads through, one per five steps. */
const MODULE_COUNT = 40;
/** Functions per generated module; each takes ten lines, so a module has about 300 lines. */
const FUNCTIONS_PER_MODULE = 30;
/** Modules the programmer reads before it turns to the bug: 38 × 5 steps, then 5 steps on the fix. */
const MODULES_READ = 38;

/** The roles that call tools, keyed as GraphRuntime.models is. */
export type ScenarioRole = "planner" | "testDesigner" | "programmer";

/** One tool call of the scenario, by the role that makes it (and so the working tree it runs in). */
export interface ScenarioStep {
  role: ScenarioRole;
  tool: string;
  args: Record<string, unknown>;
  /** True for the call whose failure is the point (the reproduction run on the buggy code). */
  isExpectedToFail?: boolean;
}

/** The whole scenario: the repository, the issue, the tool calls in order and each role's final call. */
export interface GraphScenario {
  files: Record<string, string>;
  task: { title: string; body: string };
  /** What the run starts with in `context`, as the CLI's repository map would give it. */
  context: string;
  steps: ScenarioStep[];
  finals: Record<ScenarioRole, ScenarioStep>;
}

const pad = (value: number): string => String(value).padStart(2, "0");

function moduleSource(batch: number): string {
  const lines = [`"""Batch ${pad(batch)} of the inventory package: pricing helpers."""`, "", ""];
  for (let step = 0; step < FUNCTIONS_PER_MODULE; step += 1) {
    lines.push(
      `def price_batch_${pad(batch)}_step_${pad(step)}(items, rate=${step + 1}, discount=0):`,
      `    """Return the discounted total of the items for batch ${pad(batch)}, step ${pad(step)}."""`,
      "    total = 0",
      "    for item in items:",
      "        if item < 0:",
      `            raise ValueError("negative item in batch ${pad(batch)}")`,
      "        total += item * rate",
      "    return total - discount",
      "",
      "",
    );
  }
  return lines.join("\n");
}

const coreSource =
  '"""Stock-keeping unit (SKU) helpers."""\n\n\n' +
  "def normalise_sku(text):\n" +
  '    """Upper-case a SKU with its parts joined by dashes."""\n' +
  '    return text.upper().replace(" ", "-")\n';

const existingTest =
  "import unittest\n\nfrom inventory.core import normalise_sku\n\n\n" +
  "class NormaliseSkuTest(unittest.TestCase):\n" +
  "    def test_upper_case(self):\n" +
  "        self.assertEqual(normalise_sku('ab 12'), 'AB-12')\n";

const reproductionTest =
  "import unittest\n\nfrom inventory.core import normalise_sku\n\n\n" +
  "class IssueReproTest(unittest.TestCase):\n" +
  "    def test_strips_surrounding_spaces(self):\n" +
  "        self.assertEqual(normalise_sku('  ab 12 '), 'AB-12')\n\n" +
  "    def test_only_spaces(self):\n" +
  "        self.assertEqual(normalise_sku('   '), '')\n";

/** A search per module read, varied so outputs range from a few lines to the 100-match cap. */
function searchFor(index: number): Record<string, unknown> {
  if (index % 3 === 0) return { pattern: `def price_batch_${pad(index)}_step_1\\d` };
  if (index % 3 === 1) return { pattern: `rate=${(index % FUNCTIONS_PER_MODULE) + 1},`, literal: true };
  return { pattern: "raise ValueError", literal: true, glob: `inventory/batch_${pad(index).slice(0, 1)}*.py` };
}

/**
 * What a programmer runs while reading a module, different for every module: its length, its
 * function count, or whether it imports. Each command names its module, so no two are the same
 * action (the same command on the same tree three times is repetition to loop control).
 */
function shellCommandFor(index: number): Record<string, unknown> {
  const module = `inventory/batch_${pad(index)}.py`;
  if (index % 3 === 0) return { command: `wc -l ${module}` };
  if (index % 3 === 1) return { command: `grep -c "def " ${module}` };
  return { command: `python3 -c "import inventory.batch_${pad(index)}"` };
}

/** A harmless docstring edit, one every eighth module read. */
function docstringEdit(index: number): Record<string, unknown> {
  const docstring = `"""Return the discounted total of the items for batch ${pad(index)}, step 05`;
  return { command: "str_replace", path: `inventory/batch_${pad(index)}.py`, old_str: `${docstring}."""`, new_str: `${docstring} (prices in cents)."""` };
}

/**
 * The scenario: the planner looks around (3 calls), the test designer writes and runs a
 * reproduction (2), the programmer reads 38 modules in 100-line windows with a search and a shell
 * command or an edit between them (190), then fixes the bug and checks it (5): 200 tool calls.
 * Loop control never intervenes: no action is taken three times on the same tree (a search
 * repeats at most twice between two docstring edits), and every other step is an action not yet
 * taken on the tree as it is, so no two steps in a row bring nothing new.
 */
export function createGraphScenario(): GraphScenario {
  const files: Record<string, string> = {
    "inventory/__init__.py": "",
    "inventory/core.py": coreSource,
    "tests/__init__.py": "",
    "tests/test_core.py": existingTest,
  };
  for (let batch = 0; batch < MODULE_COUNT; batch += 1) files[`inventory/batch_${pad(batch)}.py`] = moduleSource(batch);

  const steps: ScenarioStep[] = [
    { role: "planner", tool: "view_file", args: { path: "inventory" } },
    { role: "planner", tool: "search", args: { pattern: "def normalise_sku" } },
    { role: "planner", tool: "view_file", args: { path: "inventory/core.py" } },
    { role: "testDesigner", tool: "edit_file", args: { command: "create", path: "tests/test_issue_repro.py", file_text: reproductionTest } },
    { role: "testDesigner", tool: "run_shell", args: { command: "python3 -m unittest -v tests/test_issue_repro.py" }, isExpectedToFail: true },
  ];
  for (let index = 0; index < MODULES_READ; index += 1) {
    const path = `inventory/batch_${pad(index)}.py`;
    steps.push(
      { role: "programmer", tool: "view_file", args: { path } },
      { role: "programmer", tool: "view_file", args: { path, start_line: 101 } },
      { role: "programmer", tool: "search", args: searchFor(index) },
      { role: "programmer", tool: "view_file", args: { path, start_line: 201 } },
      index % 8 === 7
        ? { role: "programmer", tool: "edit_file", args: docstringEdit(index) }
        : { role: "programmer", tool: "run_shell", args: shellCommandFor(index) },
    );
  }
  steps.push(
    { role: "programmer", tool: "view_file", args: { path: "inventory/core.py" } },
    {
      role: "programmer",
      tool: "edit_file",
      args: { command: "str_replace", path: "inventory/core.py", old_str: '    return text.upper().replace(" ", "-")', new_str: '    return "-".join(text.upper().split())' },
    },
    { role: "programmer", tool: "run_shell", args: { command: "python3 -m unittest -v tests/test_core.py" } },
    { role: "programmer", tool: "git_status", args: {} },
    { role: "programmer", tool: "git_diff", args: {} },
  );

  const finals: Record<ScenarioRole, ScenarioStep> = {
    planner: {
      role: "planner",
      tool: "submit_plan",
      args: {
        summary: "normalise_sku in inventory/core.py replaces every space, so surrounding spaces become dashes.",
        findings: [{ file: "inventory/core.py", line: 4, symbol: "normalise_sku", reason: "replaces each space instead of splitting on whitespace" }],
        steps: [
          { owner: "test-designer", description: "Reproduce with surrounding spaces", done_criterion: "a test fails on the current code" },
          { owner: "programmer", description: "Split on whitespace before joining", done_criterion: "the reproduction passes" },
        ],
        relevant_tests: ["tests/test_core.py"],
      },
    },
    testDesigner: {
      role: "testDesigner",
      tool: "submit_tests",
      args: {
        framework: "unittest",
        command_template: "python3 -m unittest -v {tests}",
        tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are dropped" }],
      },
    },
    programmer: { role: "programmer", tool: "submit_patch", args: { summary: "normalise_sku splits on whitespace, so surrounding spaces no longer become dashes." } },
  };

  const listing = Object.keys(files).sort();
  return {
    files,
    task: {
      title: "normalise_sku keeps surrounding spaces",
      body: "`normalise_sku('  ab 12 ')` returns `'--AB-12-'`; it should return `'AB-12'`.",
    },
    context: `A Python package (${listing.length} files):\n${listing.join("\n")}`,
    steps,
    finals,
  };
}

/** Each role's scripted turns: one tool call per turn, then its final call. */
export function scriptTurns(scenario: GraphScenario, role: ScenarioRole): ScriptedTurn[] {
  const calls = [...scenario.steps.filter((step) => step.role === role), scenario.finals[role]];
  return calls.map((step) => ({ content: "", toolCalls: [{ name: step.tool, args: step.args }] }));
}

/** Writes the files into a new temporary git repository with one commit; returns its path and commit. */
export async function createScenarioRepository(files: Record<string, string>): Promise<{ path: string; commit: string }> {
  const path = await mkdtemp(join(tmpdir(), "bench-graph-source-"));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(path, file)), { recursive: true });
    await writeFile(join(path, file), content);
  }
  const git = (...args: string[]): string =>
    execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", ...args], { cwd: path }).toString().trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  return { path, commit: git("rev-parse", "HEAD") };
}
