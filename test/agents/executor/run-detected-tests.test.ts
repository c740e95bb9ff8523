import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandForTests, detectTestCommand, type TestCommandGuess } from "../../../src/agents/executor/detect-test-command.js";
import { parseTestOutput } from "../../../src/agents/executor/parse-test-output.js";
import type { TestOutcome } from "../../../src/events/agent-event.js";
import type { Sandbox } from "../../../src/sandbox/sandbox.js";
import { writeFiles } from "../../git/git-fixture.js";
import { sandboxFactories, type SandboxFactory } from "../../support/sandbox-factories.js";

/** Unittest-style tests covering every outcome, runnable with the standard library alone. */
const testCalc = `import sys
import unittest

from calc import add


class CalcTest(unittest.TestCase):
    def test_add(self):
        self.assertEqual(add(1, 2), 3)

    def test_documented(self):
        """Adding zero changes nothing.

        The docstring's first line is what unittest prints.
        """
        self.assertEqual(add(5, 0), 5)

    def test_wrong(self):
        self.assertEqual(add(2, 2), 5)

    def test_broken(self):
        raise RuntimeError("boom")

    @unittest.skip("not today")
    def test_skipped(self):
        pass

    @unittest.expectedFailure
    def test_known_bug(self):
        self.assertEqual(add(0.1, 0.2), 0.3)

    def test_noisy(self):
        sys.stderr.write("noise on stderr\\n")

    def test_subtests(self):
        for value in range(3):
            with self.subTest(value=value):
                self.assertLess(value, 2)
`;

/** `method: status`, whatever the Python version's id format (`test_x (m.C)` or `test_x (m.C.test_x)`). */
function byMethod(outcomes: TestOutcome[]): Record<string, string> {
  return Object.fromEntries(outcomes.map((outcome) => [outcome.test.split(" ")[0] ?? "", outcome.status]));
}

describe.each(sandboxFactories)("the detected unittest command in the $name sandbox", (factory: SandboxFactory) => {
  let hostDir: string;
  let sandbox: Sandbox;
  let unittest: TestCommandGuess;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), `run-tests-${factory.name}-`));
    await writeFiles(hostDir, { "calc.py": "def add(a, b):\n    return a + b\n", "tests/test_calc.py": testCalc });
    sandbox = await factory.create(hostDir);
    const guesses = await detectTestCommand(sandbox);
    const found = guesses.find((guess) => guess.framework === "unittest");
    if (found === undefined) throw new Error(`no unittest guess among ${JSON.stringify(guesses)}`);
    unittest = found;
  }, 20 * 60_000);

  afterAll(async () => {
    await sandbox?.dispose();
    await rm(hostDir, { recursive: true, force: true });
  });

  it("runs the whole suite and its real output parses into every test's outcome", async () => {
    const result = await sandbox.exec({ command: unittest.command, cwd: sandbox.workdir, timeoutMs: 60_000 });
    expect(result.exitCode).toBe(1);
    const outcomes = parseTestOutput("unittest", `${result.stdout}\n${result.stderr}`);
    expect(byMethod(outcomes)).toEqual({
      test_add: "passed",
      test_broken: "error",
      test_documented: "passed",
      test_known_bug: "passed",
      test_noisy: "passed",
      test_skipped: "skipped",
      test_subtests: "failed",
      test_wrong: "failed",
    });
  });

  it("runs one test file through the select template", async () => {
    const command = commandForTests(unittest, ["tests/test_calc.py"]);
    const result = await sandbox.exec({ command, cwd: sandbox.workdir, timeoutMs: 60_000 });
    const outcomes = parseTestOutput("unittest", `${result.stdout}\n${result.stderr}`);
    expect(outcomes).toHaveLength(8);
    expect(outcomes.find((outcome) => outcome.test.startsWith("test_add "))?.test).toMatch(/^test_add \(tests\.test_calc\.CalcTest(\.test_add)?\)$/);
  });
});
