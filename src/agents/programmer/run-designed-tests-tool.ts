import { z } from "zod";
import type { DesignedTest, TestCommand } from "../../memory/blackboard.js";
import { defineTool, toolFailure, toolOk } from "../../tools/agent-tool.js";
import { commandForTests } from "../executor/detect-test-command.js";
import { createTestSourceHider, runnableTestPaths, withDesignedTests } from "../executor/designed-tests.js";
import { runTestCommand } from "../executor/run-test-command.js";
import type { Workbench } from "../graph-runtime.js";

/** Time limit of one run of the designed tests from the programmer's tool. */
const RUN_TIMEOUT_MS = 10 * 60_000;
/** Test results listed before the rest are counted. */
const LISTED_RESULTS = 60;

/**
 * `run_designed_tests`: runs the test designer's reproduction tests against the programmer's
 * working tree and reports each test's result and the failure output, with every line of the
 * tests' source hidden. The tests are put in the tree for the run and taken out again, so the
 * programmer never reads them and they never enter the patch.
 */
export function createRunDesignedTestsTool(options: { bench: Workbench; tests: readonly DesignedTest[]; command: TestCommand; signal?: AbortSignal }) {
  const { bench, tests, command } = options;
  const hide = createTestSourceHider(tests);
  const selected = commandForTests(command, runnableTestPaths(tests));
  return defineTool({
    name: "run_designed_tests",
    kind: "execute",
    description:
      `Run the ${runnableTestPaths(tests).length} reproduction test file(s) the test designer wrote from the issue against your working tree, ` +
      "and get each test's result and the failure output. You do not see the tests' source (lines that quote it are hidden): " +
      "make the behaviour the issue asks for. The executor judges your change with these tests and the repository's own.",
    schema: z.object({}),
    async run(_input, signal) {
      const run = await withDesignedTests(bench, tests, () =>
        runTestCommand(bench.sandbox, { command: selected, framework: command.framework, timeoutMs: RUN_TIMEOUT_MS }, signal ?? options.signal),
      );
      const counts = new Map<string, number>();
      for (const outcome of run.outcomes) counts.set(outcome.status, (counts.get(outcome.status) ?? 0) + 1);
      const tally = [...counts].map(([status, count]) => `${count} ${status}`).join(", ") || "no test results could be read";
      const results = run.outcomes.slice(0, LISTED_RESULTS).map((outcome) => `- ${outcome.test}: ${outcome.status}`);
      if (run.outcomes.length > LISTED_RESULTS) results.push(`- … and ${run.outcomes.length - LISTED_RESULTS} more`);
      const status = run.timedOut ? `timed out after ${RUN_TIMEOUT_MS / 1000} s` : `exit code ${run.exitCode ?? "none"}`;
      const output = hide(run.output).trim();
      const text = [`${tally} (${status}, ${(run.durationMs / 1000).toFixed(1)} s)`, ...results, "", "Output (designed tests' source hidden):", output || "(no output)"].join("\n");
      const allPass = run.outcomes.length > 0 && run.outcomes.every((outcome) => outcome.status === "passed");
      const display = `designed tests: ${tally}`;
      return allPass ? toolOk(text, display) : toolFailure(text, display);
    },
  });
}
