import { z } from "zod";
import { AbortedError } from "../../errors.js";
import type { AgentStateValue, DesignedTest, Suspect } from "../../memory/blackboard.js";
import { commandForTests } from "../executor/detect-test-command.js";
import { runnableTestPaths } from "../executor/designed-tests.js";
import { startBaseRuns } from "../executor/node.js";
import { loopControlNotes } from "../agent-loop.js";
import { formatStepsOf } from "../format-plan.js";
import { describeBudgetLeft, type GraphRuntime, type Workbench } from "../graph-runtime.js";
import { loadPromptTemplate } from "../prompt-template.js";
import { createRoleNode, describeEnvironment } from "../role-node.js";
import { MAX_HANDED_IN_BYTES, newFilesOf, normaliseHandedInPath, problemOfHandedInFile, reviewHandedInFiles, type HandedInFile } from "./handed-in-files.js";

/** The test designer's prompts, kept as data beside this file. */
export const testDesignerPrompts = {
  system: loadPromptTemplate(import.meta.url, "system.md"),
  task: loadPromptTemplate(import.meta.url, "task.md"),
  redesign: loadPromptTemplate(import.meta.url, "redesign.md"),
};

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
  support_files: z
    .array(z.string().min(1))
    .default([])
    .describe(
      `Other NEW files your tests need, relative to the repository root: a conftest.py, a fixture or data file a test reads (e.g. a config file beside it). They are written with the tests wherever the tests run, never passed to the command; UTF-8 text, at most ${MAX_HANDED_IN_BYTES / 1024} KB each.`,
    ),
  setup_commands: z
    .array(z.object({ command: z.string().min(1), purpose: z.string().min(1) }))
    .default([])
    .describe("Commands you had to run before the tests could run (e.g. a build step), with what each is for."),
});

/** How the repository's test runners were recognised from its files, for the prompt. */
function describeRunners(runtime: GraphRuntime): string {
  const guesses = runtime.detectedTestCommands ?? [];
  if (guesses.length === 0) return "(nothing recognised from the repository's files: find out from its configuration and documentation)";
  return guesses.map((guess) => `- ${guess.framework}: \`${guess.command}\` (selected tests: \`${guess.selectTemplate}\`; found from ${guess.evidence})`).join("\n");
}

/** What the executor said of the previous tests, when it sent the run back; only base-commit facts, never the programmer's change. */
function redesignSection(state: AgentStateValue): string {
  const problem = state.verdict?.testProblem;
  if (!problem) return "";
  const previous = state.designedTests.length
    ? `${state.designedTests.map((test) => test.path).join(", ")}, run with \`${state.testCommand?.selectTemplate ?? "(no command)"}\``
    : "no tests";
  return testDesignerPrompts.redesign.render({ previous, feedback: problem.feedback });
}

/**
 * The test designer's first message: the issue, the repository, its own steps of the plan and
 * nothing of the programmer's work (not its steps either, which may describe the fix) —
 * AgentCoder's point is tests unbiased by the code under test.
 */
export function testDesignerPrompt(state: AgentStateValue, runtime: GraphRuntime): string {
  return testDesignerPrompts.task.render({
    title: state.task.title,
    body: state.task.body,
    context: state.context,
    runners: describeRunners(runtime),
    steps: formatStepsOf(state.plan, "test-designer"),
    instructions: state.instructions || "(none)",
    memory: runtime.memoryText || "(nothing yet)",
    budget: describeBudgetLeft(state, runtime),
    redesign: redesignSection(state),
  });
}

/** The test designer's system prompt: its role, the environment, the workflow and the rules. */
export function testDesignerSystem(runtime: GraphRuntime): string {
  return testDesignerPrompts.system.render({ environment: describeEnvironment(runtime.testDesigner, runtime), maxFileKb: String(MAX_HANDED_IN_BYTES / 1024) });
}

/** Every file of a hand-in: the tests, then the support files. */
function handedInFiles(submitted: z.output<typeof submitTestsSchema>): HandedInFile[] {
  return [...submitted.tests.map((test) => ({ path: test.path, isTest: true })), ...submitted.support_files.map((path) => ({ path, isTest: false }))];
}

/**
 * Holds the test designer to adding files: changes to files of the base commit are undone and
 * new files it did not hand in are removed, so its tree is the base commit plus its tests (the
 * executor's base runs happen there). Returns what was undone, for the notes.
 */
async function keepOnlyHandedInFiles(bench: Workbench, handedIn: ReadonlySet<string>): Promise<string[]> {
  const problems: string[] = [];
  for (const file of (await bench.git.status()).files) {
    const isNew = file.status === "untracked" || file.status === "added";
    if (isNew && handedIn.has(file.path)) continue;
    await bench.git.restoreFile(file.path);
    if (file.from !== undefined) await bench.git.restoreFile(file.from);
    problems.push(isNew ? `removed ${file.path}, a new file that was not handed in` : `undid the change to ${file.path}: the test designer may only add files`);
  }
  return problems;
}

/** The spectrum of the handed-in reproduction, run in the test designer's tree (the base commit plus the tests); none when it cannot be had. */
async function suspectsOf(runtime: GraphRuntime, bench: Workbench, tests: DesignedTest[], submitted: { framework: string; command_template: string }, state: AgentStateValue): Promise<Suspect[]> {
  const command = { framework: submitted.framework, selectTemplate: submitted.command_template };
  const designed = runnableTestPaths(tests);
  const relevant = (state.plan?.relevantTests ?? []).filter((path) => !designed.includes(path));
  const run = {
    framework: command.framework,
    failingCommand: commandForTests(command, designed),
    ...(relevant.length > 0 ? { passingCommand: commandForTests(command, relevant) } : {}),
    exclude: tests.map((test) => test.path),
  };
  try {
    return await runtime.findSuspects!(bench.sandbox, run, runtime.signal);
  } catch (error) {
    if (error instanceof AbortedError) throw error;
    return [];
  }
}

/** Creates the test-designer node: writes reproduction tests in its own clean working tree at the base commit. */
export function createTestDesignerNode(runtime: GraphRuntime) {
  return createRoleNode(runtime, {
    node: "test-designer",
    model: "testDesigner",
    bench: "testDesigner",
    tools: ["view_file", "search", "find_files", "run_shell", "background_jobs", "edit_file"],
    finalTool: { name: "submit_tests", description: "Hand in the reproduction tests you wrote and how to run them.", schema: submitTestsSchema },
    system: (_state, rt) => testDesignerSystem(rt),
    prompt: testDesignerPrompt,
    round: (state) => state.round,
    changesFiles: true,
    // A hand-in with a file that cannot be taken goes back to the model with why, so it can fix it in this visit.
    reviewFinal: async (submitted, _state, rt) => {
      const problems = await reviewHandedInFiles(rt.testDesigner, handedInFiles(submitted));
      return problems.length > 0 ? `${problems.join("; ")}. Call submit_tests again with every file fixed.` : null;
    },
    complete: async ({ state, bench, result }) => {
      const submitted = result.final;
      const problems: string[] = [];
      const newFiles = await newFilesOf(bench);
      const handedIn: DesignedTest[] = [];
      const entries = [
        ...(submitted?.tests ?? []).map((test) => ({ path: test.path, kind: test.kind, description: test.description })),
        ...(submitted?.support_files ?? []).map((path) => ({ path, kind: "support" as const, description: "a file the tests need" })),
      ];
      for (const entry of entries) {
        const problem = await problemOfHandedInFile(bench, { path: entry.path, isTest: entry.kind !== "support" }, newFiles);
        if (problem !== undefined) {
          problems.push(problem);
          continue;
        }
        const path = normaliseHandedInPath(entry.path);
        handedIn.push({ ...entry, path, content: (await bench.sandbox.readFile(path)).toString("utf8") });
      }
      const isRedesign = Boolean(state.verdict?.testProblem);
      const usable = handedIn.some((test) => test.kind !== "support") && submitted !== null;
      // Without a usable new submission the previous tests stay, byte for byte, in the tree and on the blackboard.
      const designedTests = usable ? handedIn : state.designedTests;
      problems.push(...(await keepOnlyHandedInFiles(bench, new Set(designedTests.map((test) => test.path)))));
      if (!usable) for (const test of state.designedTests) await bench.sandbox.writeFile(test.path, test.content);
      // A usable reproduction that fails on the base commit says which functions it runs that the passing tests do not.
      const suspects = usable && submitted && runtime.findSuspects ? await suspectsOf(runtime, bench, designedTests, submitted, state) : state.suspects;
      const testCommand = usable && submitted ? { framework: submitted.framework, selectTemplate: submitted.command_template } : state.testCommand;
      // The tree is final: the executor's base runs start now and go on while the programmer works.
      if (usable) startBaseRuns({ ...state, designedTests, testCommand }, runtime);
      const summary = usable
        ? `${handedIn.length} test file(s): ${handedIn.map((test) => test.path).join(", ")}`
        : `no tests (${result.stoppedBy}${problems.length ? `; ${problems.join("; ")}` : ""})`;
      return {
        summary,
        update: {
          designedTests,
          testCommand,
          suspects,
          usage: result.usage,
          limitHit: result.limit,
          ...(isRedesign ? { testRedesigns: state.testRedesigns + 1 } : {}),
          learned: { conventions: [], setupCommands: usable && submitted ? submitted.setup_commands : [] },
          notes: [...problems.map((text) => ({ role: "test-designer", text })), ...loopControlNotes(result)],
        },
      };
    },
  });
}
