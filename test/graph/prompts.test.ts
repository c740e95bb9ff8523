import { describe, expect, it } from "vitest";
import type { GraphRuntime } from "../../src/agents/graph-runtime.js";
import { programmerPrompt, programmerPrompts, programmerSystem } from "../../src/agents/programmer/node.js";
import { testDesignerPrompt, testDesignerPrompts, testDesignerSystem } from "../../src/agents/test-designer/node.js";
import type { AgentStateValue } from "../../src/memory/blackboard.js";
import { defaultRunLimits } from "../../src/memory/run-limits.js";
import { plannerPrompt, plannerPrompts, plannerSystem } from "../../src/planner/planner-node.js";
import { blackboardState } from "../support/blackboard-state.js";

const PROGRAMMER_DIFF = '--- a/slugs/core.py\n+++ b/slugs/core.py\n-    return text.lower().replace(" ", "-")\n+    return "-".join(text.lower().split())\n';
const DESIGNED_TEST_SOURCE = "from slugs import slugify\n\ndef test_strips():\n    assert slugify('  a b ') == 'a-b'\n";

/** A runtime with what the prompts read: the sandboxes' descriptions, the limits, the memory and the recognised runners. */
function promptRuntime(overrides: Partial<GraphRuntime> = {}): GraphRuntime {
  const bench = (workdir: string) => ({ sandbox: { description: "A Docker container (image agent-sandbox:test, Debian Linux), with no network.", workdir }, git: {}, tools: [] });
  return {
    programmer: bench("/workspace"),
    testDesigner: bench("/workspace"),
    limits: defaultRunLimits,
    stepsPerVisit: 80,
    now: () => 60_000,
    memoryText: "",
    detectedTestCommands: [{ framework: "pytest", command: "python3 -m pytest -rA", selectTemplate: "python3 -m pytest -rA {tests}", evidence: "pytest.ini" }],
    ...overrides,
  } as unknown as GraphRuntime;
}

/** A mid-run blackboard: a plan, a designed test, a programmer's patch and the executor's verdict. */
function midRunState(): AgentStateValue {
  return blackboardState({
    runId: "run-1",
    task: { title: "slugify keeps surrounding spaces", body: "`slugify('  a b ')` returns `'--a-b-'`.", source: "typed" },
    baseCommit: "abc123",
    context: "slugs/\n  core.py\ntests/\n  test_core.py",
    instructions: "=== AGENTS.md ===\nRun the tests with `python3 -m pytest -q`.",
    plan: {
      summary: "slugify does not strip.",
      steps: [
        { owner: "test-designer", description: "Reproduce with surrounding spaces", doneCriterion: "a test fails on the base commit" },
        { owner: "programmer", description: "Strip before joining with split()", doneCriterion: "reproduction passes" },
      ],
      relevantTests: ["tests/test_core.py"],
      version: 1,
    },
    findings: [{ file: "slugs/core.py", line: 3, symbol: "slugify", reason: "replaces every space", role: "planner" }],
    designedTests: [{ path: "tests/test_issue_repro.py", content: DESIGNED_TEST_SOURCE, kind: "basic", description: "strips spaces" }],
    testCommand: { framework: "pytest", selectTemplate: "python3 -m pytest -rA {tests}" },
    patch: PROGRAMMER_DIFF,
    round: 1,
    startedAt: 1,
    usage: { steps: 12, modelCalls: 14, inputTokens: 30_000, outputTokens: 900, costUsd: 0.12, costUnknown: false },
    notes: [{ role: "programmer", text: "Split on whitespace." }],
    verdict: {
      round: 1,
      reproduced: [],
      weak: [],
      notFixed: ["tests/test_issue_repro.py::test_strips"],
      regressions: [],
      solved: false,
      testProblem: null,
      feedback: "Still failing after your change: tests/test_issue_repro.py::test_strips (failed before, failed after).",
      score: -4,
    },
  });
}

describe("role prompts", () => {
  it("keeps every role's prompts in markdown files with the placeholders the nodes fill", () => {
    expect({
      planner: Object.fromEntries(Object.entries(plannerPrompts).map(([name, template]) => [name, template.placeholders])),
      testDesigner: Object.fromEntries(Object.entries(testDesignerPrompts).map(([name, template]) => [name, template.placeholders])),
      programmer: Object.fromEntries(Object.entries(programmerPrompts).map(([name, template]) => [name, template.placeholders])),
    }).toMatchSnapshot();
  });

  it("renders the planner's system prompt and first message", () => {
    const runtime = promptRuntime({ memoryText: "How to run the tests: python3 -m unittest" });
    expect({ system: plannerSystem(runtime), first: plannerPrompt({ ...midRunState(), plan: null, verdict: null }, runtime) }).toMatchSnapshot();
  });

  it("renders the planner's replanning message with the executor's feedback", () => {
    expect(plannerPrompt(midRunState(), promptRuntime())).toMatchSnapshot();
  });

  it("renders the test designer's system prompt and first message", () => {
    const state = { ...midRunState(), designedTests: [], testCommand: null, verdict: null, patch: "", round: 0 };
    expect({ system: testDesignerSystem(promptRuntime()), first: testDesignerPrompt(state, promptRuntime()) }).toMatchSnapshot();
  });

  it("renders the test designer's message when the executor sends its tests back", () => {
    const state = midRunState();
    state.verdict = {
      ...state.verdict!,
      testProblem: { kind: "not-reproducing", feedback: "None of your tests fails on the base commit (tests/test_issue_repro.py::test_strips: passed)." },
    };
    const prompt = testDesignerPrompt(state, promptRuntime());
    expect(prompt).toContain("# Your previous tests need rework");
    expect(prompt).toContain("None of your tests fails on the base commit");
    expect(prompt).toContain("tests/test_issue_repro.py, run with `python3 -m pytest -rA {tests}`");
    expect(prompt).not.toContain(state.verdict.feedback);
  });

  it("renders the programmer's system prompt and first message with feedback", () => {
    const runtime = promptRuntime();
    expect({ system: programmerSystem(runtime), first: programmerPrompt(midRunState(), runtime) }).toMatchSnapshot();
  });

  it("gives every role the sandbox's description and the budget left", () => {
    const runtime = promptRuntime();
    const state = midRunState();
    for (const system of [plannerSystem(runtime), testDesignerSystem(runtime), programmerSystem(runtime)]) {
      expect(system).toContain("A Docker container (image agent-sandbox:test, Debian Linux), with no network.");
    }
    for (const first of [plannerPrompt(state, runtime), testDesignerPrompt(state, runtime), programmerPrompt(state, runtime)]) {
      expect(first).toContain("238 of 250 left in the run");
      expect(first).toContain("$0.12 of $5 spent");
    }
  });

  it("gives every role the project's instructions", () => {
    const runtime = promptRuntime();
    const state = midRunState();
    for (const first of [plannerPrompt(state, runtime), testDesignerPrompt(state, runtime), programmerPrompt(state, runtime)]) {
      expect(first).toContain("# Project instructions\n=== AGENTS.md ===\nRun the tests with `python3 -m pytest -q`.");
    }
  });

  it("never gives the test designer the programmer's diff, summary, steps or feedback", () => {
    const state = midRunState();
    const prompt = testDesignerPrompt(state, promptRuntime()) + testDesignerSystem(promptRuntime());
    expect(prompt).not.toContain("join(text.lower().split())");
    expect(prompt).not.toContain("+++ b/slugs/core.py");
    expect(prompt).not.toContain("Split on whitespace.");
    expect(prompt).not.toContain("Strip before joining with split()");
    expect(prompt).not.toContain(state.verdict!.feedback);
    expect(prompt).toContain("Reproduce with surrounding spaces");
  });

  it("never gives the programmer the designed tests' source or paths", () => {
    const prompt = programmerPrompt(midRunState(), promptRuntime()) + programmerSystem(promptRuntime());
    expect(prompt).not.toContain("assert slugify");
    expect(prompt).not.toContain("tests/test_issue_repro.py (basic)");
    expect(prompt).toContain("a basic test: strips spaces");
    expect(prompt).toContain("run_designed_tests");
  });
});
