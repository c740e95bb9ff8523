/**
 * Properties of `judgeTestRuns` (src/agents/executor/judge-test-runs.ts), which judges outcomes
 * parsed from test runs the repository controls, and of the output it quotes.
 */
import * as fc from "fast-check";
import { findUnrelatedTestError, judgeTestRuns, type ObservedTestRun } from "../../../src/agents/executor/judge-test-runs.js";
import type { TestOutcome } from "../../../src/events/agent-event.js";
import { adversarialText, buildHugeText, hugeText, timed, timeLimitMs } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

/** Test ids a runner might report, some of them in a designed file's name. */
const TEST_IDS = [
  "tests/test_issue.py::test_a", "tests/test_issue.py::test_b", "tests/test_issue.py", "test_issue.TestX.test_c", "test_c (test_issue.TestX)",
  "tests/test_other.py::test_d", "tests/test_other.py", "unittest.loader._FailedTest.test_issue", "pkg::TestE", "src/a.test.ts > suite > f",
] as const;
const DESIGNED_FILES = ["tests/test_issue.py", "src/a.test.ts"];
const EXISTING_FILES = ["tests/test_other.py"];
const STATUSES = ["passed", "failed", "error", "skipped"] as const;

const UNRELATED_OUTPUT_VOCABULARY = [
  "SyntaxError: invalid syntax", "E   NameError: name 'x' is not defined", "fixture 'db' not found", "ModuleNotFoundError: No module named 'x'",
  ": command not found", "No such file or directory", "usage: ", "unrecognized arguments", "Cannot find module './x'", "ImportError", "'", "\n",
];

const observedRun: fc.Arbitrary<ObservedTestRun> = fc.record({
  outcomes: fc.uniqueArray(fc.record({ test: fc.constantFrom(...TEST_IDS), status: fc.constantFrom(...STATUSES) }), { selector: (outcome) => outcome.test, maxLength: 6 }),
  exitCode: fc.constantFrom(0, 1, 2, 5, null),
  timedOut: fc.boolean(),
  output: adversarialText(UNRELATED_OUTPUT_VOCABULARY, 20),
});

const judgeInput = fc.record({
  round: fc.nat({ max: 5 }),
  designedBefore: fc.option(observedRun, { nil: null }),
  designedAfter: fc.option(observedRun, { nil: null }),
  existingBefore: fc.option(observedRun, { nil: null }),
  existingAfter: fc.option(observedRun, { nil: null }),
  hasPatch: fc.boolean(),
});

/** Characters of a run's output the executor keeps for the verdict (OUTPUT_TAIL_CHARS of run-test-command.ts). */
const OUTPUT_TAIL_CHARS = 3_000;

const passingRun = (outcomes: TestOutcome[]): ObservedTestRun => ({ outcomes, exitCode: outcomes.every((outcome) => outcome.status === "passed") ? 0 : 1, timedOut: false, output: "" });

export const judgeTestRunsProperties: FuzzPropertyGroup = {
  subject: "judgeTestRuns",
  properties: [
    {
      name: "never throws, names only reported tests, keeps fixed, not fixed and weak apart, and solves only with a patch, a fix and nothing failing",
      prepare: () => ({
        property: fc.asyncProperty(judgeInput, async (input) => {
          const verdict = judgeTestRuns({ ...input, designedFiles: DESIGNED_FILES, existingFiles: EXISTING_FILES });
          const reported = new Set([input.designedBefore, input.designedAfter, input.existingBefore, input.existingAfter].flatMap((run) => run?.outcomes.map((outcome) => outcome.test) ?? []));
          const named = [...verdict.reproduced, ...verdict.weak, ...verdict.notFixed, ...verdict.regressions, ...(verdict.details ?? []).map((detail) => detail.test)];
          const disjoint = [verdict.reproduced, verdict.notFixed, verdict.weak].every((list, index, lists) => lists.every((other, otherIndex) => otherIndex === index || list.every((test) => !other.includes(test))));
          const solvedRightly = !verdict.solved || (input.hasPatch && verdict.reproduced.length > 0 && verdict.notFixed.length === 0 && verdict.regressions.length === 0 && input.designedAfter?.timedOut !== true && input.existingAfter?.timedOut !== true);
          return named.every((test) => reported.has(test)) && disjoint && solvedRightly && typeof verdict.feedback === "string";
        }),
      }),
    },
    {
      name: "solves a patch whose designed tests all fail or error before and pass after, with the existing tests passing throughout",
      prepare: () => ({
        property: fc.asyncProperty(
          fc.uniqueArray(fc.record({ test: fc.constantFrom(...TEST_IDS.slice(0, 2), "tests/test_issue.py::test_x", "tests/test_issue.py::test_y"), status: fc.constantFrom("failed", "error") }), { selector: (outcome) => outcome.test, minLength: 1, maxLength: 4 }),
          fc.uniqueArray(fc.constantFrom("tests/test_other.py::test_d", "tests/test_other.py::test_e"), { maxLength: 2 }),
          async (designed, existing) => {
            const verdict = judgeTestRuns({
              round: 1,
              designedFiles: DESIGNED_FILES,
              existingFiles: EXISTING_FILES,
              designedBefore: { ...passingRun(designed), exitCode: 1 },
              designedAfter: passingRun(designed.map(({ test }) => ({ test, status: "passed" }))),
              existingBefore: existing.length === 0 ? null : passingRun(existing.map((test) => ({ test, status: "passed" }))),
              existingAfter: existing.length === 0 ? null : passingRun(existing.map((test) => ({ test, status: "passed" }))),
              hasPatch: true,
            });
            return verdict.solved && JSON.stringify([...verdict.reproduced].sort()) === JSON.stringify(designed.map(({ test }) => test).sort());
          },
        ),
      }),
    },
    {
      name: "counts an existing test that passed before and fails, errors or goes missing after as a regression",
      prepare: () => ({
        property: fc.asyncProperty(fc.constantFrom<TestOutcome["status"] | "missing">("failed", "error", "skipped", "missing"), async (after) => {
          const test = "tests/test_other.py::test_d";
          const other = { test: "tests/test_other.py::test_e", status: "passed" as const };
          const verdict = judgeTestRuns({
            round: 1,
            designedFiles: DESIGNED_FILES,
            existingFiles: EXISTING_FILES,
            designedBefore: { ...passingRun([{ test: "tests/test_issue.py::test_a", status: "failed" }]), exitCode: 1 },
            designedAfter: passingRun([{ test: "tests/test_issue.py::test_a", status: "passed" }]),
            existingBefore: passingRun([{ test, status: "passed" }, other]),
            existingAfter: passingRun(after === "missing" ? [other] : [{ test, status: after }, other]),
            hasPatch: true,
          });
          return !verdict.solved && verdict.regressions.includes(test);
        }),
      }),
    },
    {
      // Only the tail the executor keeps: on longer text its `^\s*` patterns (which cross lines) are quadratic, 11 s on 64 KB of blank lines (reported).
      name: "findUnrelatedTestError reads the 3,000-character tail of hostile test output the executor keeps within a time linear in its size",
      weight: 0.05,
      prepare: () => ({
        property: fc.asyncProperty(hugeText(UNRELATED_OUTPUT_VOCABULARY), async (recipe) => {
          const output = buildHugeText(recipe).slice(-OUTPUT_TAIL_CHARS);
          const { ms } = timed(() => findUnrelatedTestError(output));
          if (ms > timeLimitMs(output.length)) throw new Error(`took ${ms.toFixed(0)} ms on ${output.length} characters`);
          return true;
        }),
      }),
    },

  ],
};
