import { z } from "zod";
import { budgetCheck } from "../../graph/budget.js";
import { loopSettings, type GraphRuntime } from "../../graph/runtime.js";
import type { AgentStateUpdate, AgentStateValue, DesignedTest } from "../../graph/state.js";
import { selectTools } from "../../tools/registry.js";
import { loopControlNotes, runAgentLoop } from "../agent-loop.js";
import { renderPrompt } from "../render-prompt.js";
import { testDesignerSystemPrompt, testDesignerTaskPrompt } from "./prompt.js";

/** The test designer's structured output. */
export const submitTestsSchema = z.object({
  framework: z.string().min(1).describe("The test framework, e.g. pytest, unittest, django, sympy, vitest, jest, node (node --test), go, cargo."),
  command_template: z
    .string()
    .includes("{tests}")
    .describe("A shell command that runs the given test files; {tests} is replaced by them, e.g. `python -m pytest -rA {tests}`."),
  tests: z
    .array(
      z.object({
        path: z.string().min(1).describe("A NEW test file you created, relative to the repository root."),
        kind: z.enum(["basic", "edge", "large-scale"]),
        description: z.string().min(1).describe("What it checks."),
      }),
    )
    .min(1),
});

/**
 * The test designer's first message: the issue and the repository context, and nothing of the
 * programmer's work — AgentCoder's point is tests unbiased by the code under test.
 */
export function testDesignerPrompt(state: AgentStateValue, memoryText: string): string {
  return renderPrompt(testDesignerTaskPrompt, {
    title: state.task.title,
    body: state.task.body,
    context: state.context,
    memory: memoryText || "(nothing yet)",
  });
}

/** Creates the test-designer node: writes reproduction tests in its own clean working tree at the base commit. */
export function createTestDesignerNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    runtime.emit({ type: "node-start", node: "test-designer", round: state.round });
    const bench = runtime.testDesigner;
    const result = await runAgentLoop({
      node: "test-designer",
      model: runtime.models.testDesigner,
      tools: selectTools(bench.tools, ["view_file", "search", "find_files", "run_shell", "edit_file"]),
      finalTool: { name: "submit_tests", description: "Hand in the reproduction tests you wrote and how to run them.", schema: submitTestsSchema },
      system: testDesignerSystemPrompt,
      prompt: testDesignerPrompt(state, runtime.memoryText),
      maxSteps: runtime.stepsPerVisit,
      shouldStop: budgetCheck(state, runtime),
      ...loopSettings(runtime),
    });
    const designedTests: DesignedTest[] = [];
    const problems: string[] = [];
    const newFiles = new Set((await bench.git.status()).files.filter((file) => file.status === "untracked" || file.status === "added").map((file) => file.path));
    for (const test of result.final?.tests ?? []) {
      const path = test.path.replace(/^\.\//, "");
      if (!newFiles.has(path)) {
        problems.push(`${path} is not a new file in the test designer's tree`);
        continue;
      }
      const content = (await bench.sandbox.readFile(path)).toString("utf8");
      designedTests.push({ path, content, kind: test.kind, description: test.description });
    }
    const summary = designedTests.length
      ? `${designedTests.length} test file(s): ${designedTests.map((test) => test.path).join(", ")}`
      : `no tests (${result.stoppedBy}${problems.length ? `; ${problems.join("; ")}` : ""})`;
    runtime.emit({ type: "node-end", node: "test-designer", round: state.round, summary });
    return {
      designedTests,
      testCommand: result.final ? { framework: result.final.framework, selectTemplate: result.final.command_template } : null,
      usage: result.usage,
      limitHit: result.limit,
      notes: [...problems.map((text) => ({ role: "test-designer", text })), ...loopControlNotes(result)],
    };
  };
}
