import { describe, expect, it } from "vitest";
import { programmerPrompt } from "../../src/agents/programmer/node.js";
import { programmerSystemPrompt } from "../../src/agents/programmer/prompt.js";
import { testDesignerPrompt } from "../../src/agents/test-designer/node.js";
import { testDesignerSystemPrompt } from "../../src/agents/test-designer/prompt.js";
import { AgentState, type AgentStateValue } from "../../src/graph/state.js";
import { plannerPrompt } from "../../src/planner/planner-node.js";
import { plannerSystemPrompt } from "../../src/planner/prompt.js";

const PROGRAMMER_DIFF = '--- a/slugs/core.py\n+++ b/slugs/core.py\n-    return text.lower().replace(" ", "-")\n+    return "-".join(text.lower().split())\n';

/** A mid-run blackboard: a plan, a designed test, a programmer's patch and the executor's verdict. */
function midRunState(): AgentStateValue {
  const defaults = Object.fromEntries(
    Object.entries(AgentState.spec).map(([key, channel]) => [key, (channel as unknown as { initialValueFactory?: () => unknown }).initialValueFactory?.()]),
  ) as unknown as AgentStateValue;
  return {
    ...defaults,
    runId: "run-1",
    task: { title: "slugify keeps surrounding spaces", body: "`slugify('  a b ')` returns `'--a-b-'`.", source: "typed" },
    baseCommit: "abc123",
    context: "slugs/\n  core.py\ntests/\n  test_core.py",
    plan: {
      summary: "slugify does not strip.",
      steps: [{ owner: "programmer", description: "Strip before joining", doneCriterion: "reproduction passes" }],
      relevantTests: ["tests/test_core.py"],
      version: 1,
    },
    findings: [{ file: "slugs/core.py", line: 3, symbol: "slugify", reason: "replaces every space", role: "planner" }],
    designedTests: [{ path: "tests/test_issue_repro.py", content: "...", kind: "basic", description: "strips spaces" }],
    patch: PROGRAMMER_DIFF,
    round: 1,
    verdict: {
      round: 1,
      reproduced: [],
      weak: [],
      notFixed: ["tests.test_issue_repro.IssueReproTest.test_strips"],
      regressions: [],
      solved: false,
      feedback: "Still failing after your change: tests.test_issue_repro.IssueReproTest.test_strips.",
      score: -4,
    },
  };
}

describe("role prompts", () => {
  it("renders the planner's system prompt and first message", () => {
    expect({ system: plannerSystemPrompt, first: plannerPrompt({ ...midRunState(), plan: null }, "How to run the tests: python3 -m unittest") }).toMatchSnapshot();
  });

  it("renders the planner's replanning message with the executor's feedback", () => {
    expect(plannerPrompt(midRunState(), "")).toMatchSnapshot();
  });

  it("renders the test designer's system prompt and first message", () => {
    expect({ system: testDesignerSystemPrompt, first: testDesignerPrompt(midRunState(), "") }).toMatchSnapshot();
  });

  it("renders the programmer's system prompt and first message with feedback", () => {
    expect({ system: programmerSystemPrompt, first: programmerPrompt(midRunState(), "") }).toMatchSnapshot();
  });

  it("never gives the test designer the programmer's diff, summary or feedback", () => {
    const state = { ...midRunState(), notes: [{ role: "programmer", text: "Split on whitespace." }] };
    const prompt = testDesignerPrompt(state, "") + testDesignerSystemPrompt;
    expect(prompt).not.toContain("join(text.lower().split())");
    expect(prompt).not.toContain("+++ b/slugs/core.py");
    expect(prompt).not.toContain("Split on whitespace.");
    expect(prompt).not.toContain(state.verdict!.feedback);
  });
});
