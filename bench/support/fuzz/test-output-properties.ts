/**
 * Properties of `parseTestOutput` (src/agents/executor/parse-test-output.ts), which reads the
 * output of test runs the agent does not control: the repository's tests print what they like.
 */
import * as fc from "fast-check";
import { parseTestOutput } from "../../../src/agents/executor/parse-test-output.js";
import type { TestOutcome } from "../../../src/events/agent-event.js";
import { adversarialLines, buildHugeText, hugeText, timed, timeLimitMs } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

/** Every framework name the parser knows, and one it does not ("auto": every parser is tried). */
const FRAMEWORKS = ["pytest", "django", "unittest", "sympy", "go", "cargo", "vitest", "jest", "node", "npm", "make", "auto"] as const;

const STATUSES: ReadonlySet<string> = new Set(["passed", "failed", "error", "skipped"]);

/** Fragments of every runner's output format, so that random text often looks like a result. */
const VOCABULARY: readonly string[] = [
  "PASSED ", "FAILED ", "ERROR ", "SKIPPED ", "XFAIL ", "XPASS ", " PASSED", " FAILED", " [ 50%]", "[gw0] [ 50%] ",
  "tests/test_a.py", "::", "::test_x", "[a b-1]", " - ", "SKIPPED [1] ", ".py",
  "test_x (mod.Class)", " ... ", " ... ok", " ... FAIL", " ... ERROR", " ... skipped 'why'", "FAIL: ", "ERROR: ", "ok", "expected failure",
  "sympy/core/tests/test_a.py[3] ", "test_a ok", " F", " E", "[OK]", "[FAIL]", "____ ", ".py:", " ____",
  "--- PASS: ", "--- FAIL: ", "--- SKIP: ", "TestX", "/case", " (0.00s)", "ok  \tpkg/a\t0.1s", "FAIL\tpkg/a [build failed]", "? ",
  "test ", "a::b", " ... ok", " ... FAILED", " ... ignored", "src/lib.rs - f (line 5)",
  " ✓ ", " × ", " ↓ ", " □ ", "✔ ", "✖ ", "○ ", " > ", " 3ms", " (2 ms)", "FAIL  src/a.test.ts [ src/a.test.ts ]",
  "PASS src/a.test.js", "FAIL src/b.test.js", "  describe", "    ✓ test", "● Test suite failed to run", "● ",
  "TAP version 13", "# Subtest: ", "    ", "ok 1 - ", "not ok 2 - ", " # SKIP", " # TODO", "  ---", "  ...", "\\#", "\\\\", "1..2",
];

/** The values an arbitrary generates. */
type ValueOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

function isWellFormed(outcomes: TestOutcome[]): boolean {
  const ids = new Set(outcomes.map((outcome) => outcome.test));
  return (
    Array.isArray(outcomes) &&
    ids.size === outcomes.length &&
    outcomes.every((outcome) => typeof outcome.test === "string" && outcome.test !== "" && STATUSES.has(outcome.status))
  );
}

/** The output as every parser reads it: colour codes removed, carriage returns as line breaks (documented in the parser). */
function asParsersReadIt(output: string): string {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r\n?/g, "\n");
}

/**
 * Whether an outcome's id is made of the input: each of its parts (ids join a file, suites and a
 * test with ` > ` or `::`) is text of one line of the input, TAP's `\#` and `\\` unescaped.
 */
function comesFromInput(id: string, input: string): boolean {
  const unescaped = input.replace(/\\([\\#])/g, "$1");
  // A package named `a:` gives `a:::Test`, so a part may keep a colon of its neighbour.
  const isText = (part: string): boolean => input.includes(part) || unescaped.includes(part);
  return !id.includes("\n") && id.split(/ > |::/).every((part) => isText(part) || isText(part.replace(/^:+|:+$/g, "")));
}

const arbitraryOutput = fc.oneof(adversarialLines(VOCABULARY), fc.string({ unit: "binary", maxLength: 300 }));

// ---------------------------------------------------------------------------------------------
// Round trips: an output written from a list of (test id, status) is read back as that list.

const PYTEST_STATUS_OF: Record<string, TestOutcome["status"]> = {
  PASSED: "passed",
  XFAIL: "passed",
  XPASS: "passed",
  FAILED: "failed",
  ERROR: "error",
  SKIPPED: "skipped",
};

const identifier = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);

/** A pytest parameter set: balanced brackets, spaces, dashes, ` - `, parentheses and status words inside. */
const pytestParameters = fc
  .array(fc.constantFrom("a", "b1", "x_y", " ", "-", " - ", ".", "0", "PASSED", "FAILED", "(p)", "[1, 2]", "::", "%", "é"), { minLength: 1, maxLength: 6 })
  .map((parts) => `[${parts.join("")}]`);

const pytestId = fc
  .record({
    directories: fc.array(identifier, { maxLength: 2 }),
    file: identifier,
    className: fc.option(identifier.map((name) => `Test${name}`), { nil: undefined }),
    test: identifier.map((name) => `test_${name}`),
    parameters: fc.option(pytestParameters, { nil: undefined }),
  })
  .map(({ directories, file, className, test, parameters }) =>
    `${[...directories, `test_${file}.py`].join("/")}::${className === undefined ? "" : `${className}::`}${test}${parameters ?? ""}`,
  );

const pytestRuns = fc.uniqueArray(
  fc.record({
    id: pytestId,
    status: fc.constantFrom("PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL", "XPASS"),
    verbose: fc.boolean(),
    summary: fc.boolean(),
    xdist: fc.boolean(),
    /** pytest writes ` - message` only when there is a message. */
    message: fc.stringMatching(/^[A-Za-z0-9 :=()[\]'"-]{0,30}$/).filter((message) => message.trim() !== ""),
  }),
  { selector: (run) => run.id, maxLength: 12 },
);

/** Lines of a pytest run that are not results. */
const PYTEST_NOISE: readonly string[] = [
  "============================= test session starts ==============================",
  "platform linux -- Python 3.11.4, pytest-7.4.0, pluggy-1.3.0",
  "collected 12 items",
  "",
  "tests/test_a.py ..F.sxX                                              [ 66%]",
  "    def test_x():",
  ">       assert 1 == 2",
  "E       assert 1 == 2",
  "tests/test_a.py:31: AssertionError",
  "____________________________ test_x[a - b] ____________________________",
  "SKIPPED [2] tests/test_a.py:40: requires network",
  "=========================== short test summary info ============================",
  "Captured stdout call: PASSED is just a word here",
];

/** A pytest `-v -rA` output of the runs, with noise; and the outcomes it reports, in first-seen order. */
function writePytestOutput(runs: ValueOf<typeof pytestRuns>, noise: number[], order: number[]): { output: string; expected: TestOutcome[] } {
  const lines: string[] = [PYTEST_NOISE[0] as string, PYTEST_NOISE[1] as string];
  const seen = new Map<string, TestOutcome["status"]>();
  const report = (id: string, status: string): void => {
    if (!seen.has(id)) seen.set(id, PYTEST_STATUS_OF[status] as TestOutcome["status"]);
  };
  runs.forEach((run, index) => {
    // A skipped test's -rA line is the folded `SKIPPED [N] path:line: reason`, which names no test: it is read from -v.
    if (!(run.verbose || run.status === "SKIPPED" || !run.summary)) return;
    const reason = run.status === "SKIPPED" ? " (requires network)" : "";
    lines.push(`${run.xdist ? "[gw1] [ 40%] " : ""}${run.id} ${run.status}${reason} [ ${String((index * 7) % 100).padStart(2)}%]`);
    report(run.id, run.status);
    lines.push(PYTEST_NOISE[(noise[index] ?? 0) % PYTEST_NOISE.length] as string);
  });
  lines.push("=========================== short test summary info ============================");
  for (const index of order) {
    const run = runs[index];
    if (run === undefined || !run.summary) continue;
    if (run.status === "SKIPPED") {
      lines.push(`SKIPPED [1] ${run.id.split("::")[0]}:3: ${run.message}`);
      continue;
    }
    const withMessage = run.status === "FAILED" || run.status === "ERROR" || (run.status === "XFAIL" && run.message !== "");
    lines.push(`${run.status} ${run.id}${withMessage ? ` - ${run.message}` : ""}`);
    report(run.id, run.status);
  }
  lines.push("============= 2 failed, 4 passed in 0.41s ==============");
  return { output: `${lines.join("\n")}\n`, expected: [...seen].map(([test, status]) => ({ test, status })) };
}

const UNITTEST_STATUS_OF: Record<string, TestOutcome["status"]> = {
  ok: "passed",
  "expected failure": "passed",
  FAIL: "failed",
  "unexpected success": "failed",
  ERROR: "error",
  "skipped 'needs network'": "skipped",
};

const unittestRuns = fc.uniqueArray(
  fc.record({
    module: fc.array(identifier, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(".")),
    className: identifier.map((name) => `Test${name}`),
    test: identifier.map((name) => `test_${name}`),
    /** Python 3.11+ writes `test_x (module.Class.test_x)`. */
    qualified: fc.boolean(),
    status: fc.constantFrom("ok", "FAIL", "ERROR", "skipped 'needs network'", "expected failure", "unexpected success"),
    docstring: fc.option(fc.stringMatching(/^[A-Z][a-z]{2,8}( [a-z]{1,8}){0,4}\.?$/), { nil: undefined }),
    /** What the test prints between ` ... ` and its status; a line that is itself a status word would be one. */
    printed: fc.array(
      fc.stringMatching(/^[a-z]{1,6}( [a-z=0-9]{1,6}){0,3}$/).filter((line) => !/^(ok|skipped|expected|unexpected)\b/.test(line)),
      { maxLength: 2 },
    ),
  }),
  { selector: (run) => `${run.test} (${run.module}.${run.className})`, maxLength: 10 },
);

/** A `python -m unittest -v` output of the runs (docstrings, output printed mid-test, the failure report). */
function writeUnittestOutput(runs: ValueOf<typeof unittestRuns>): { output: string; expected: TestOutcome[] } {
  const lines: string[] = [];
  const expected: TestOutcome[] = [];
  const failures: string[] = [];
  for (const run of runs) {
    const id = `${run.test} (${run.module}.${run.className}${run.qualified ? `.${run.test}` : ""})`;
    const description = run.docstring === undefined ? id : run.docstring;
    if (run.docstring !== undefined) lines.push(id);
    if (run.printed.length > 0) lines.push(`${description} ... ${run.printed[0]}`, ...run.printed.slice(1), run.status);
    else lines.push(`${description} ... ${run.status}`);
    expected.push({ test: id, status: UNITTEST_STATUS_OF[run.status] as TestOutcome["status"] });
    if (run.status === "FAIL" || run.status === "ERROR") {
      failures.push("=".repeat(70), `${run.status}: ${id}`, "-".repeat(70), "Traceback (most recent call last):", '  File "x.py", line 3, in test', "AssertionError: 1 != 2", "");
    }
  }
  lines.push("", ...failures, "-".repeat(70), `Ran ${runs.length} tests in 0.004s`, "", "OK");
  return { output: `${lines.join("\n")}\n`, expected };
}

const goRuns = fc.uniqueArray(
  fc.record({
    pkg: fc.array(identifier, { minLength: 1, maxLength: 3 }).map((parts) => `example.com/${parts.join("/")}`),
    test: fc.stringMatching(/^Test[A-Z][A-Za-z0-9_]{0,8}$/),
    subtest: fc.option(fc.stringMatching(/^[a-z][a-z0-9_]{0,6}$/), { nil: undefined }),
    status: fc.constantFrom("PASS", "FAIL", "SKIP"),
  }),
  { selector: (run) => `${run.pkg}::${run.test}${run.subtest === undefined ? "" : `/${run.subtest}`}`, maxLength: 10 },
);

/** A `go test -v ./...` output of the runs, grouped by package, each closed by its `ok`/`FAIL` line. */
function writeGoOutput(runs: ValueOf<typeof goRuns>): { output: string; expected: TestOutcome[] } {
  const packages = [...new Set(runs.map((run) => run.pkg))];
  const lines: string[] = [];
  const expected: TestOutcome[] = [];
  const statusOf = { PASS: "passed", FAIL: "failed", SKIP: "skipped" } as const;
  for (const pkg of packages) {
    const inPackage = runs.filter((run) => run.pkg === pkg);
    for (const run of inPackage) {
      const name = `${run.test}${run.subtest === undefined ? "" : `/${run.subtest}`}`;
      lines.push(`=== RUN   ${name}`, `    ${name.split("/")[0]}_test.go:12: some log line`, `${run.subtest === undefined ? "" : "    "}--- ${run.status}: ${name} (0.00s)`);
      expected.push({ test: `${pkg}::${name}`, status: statusOf[run.status] });
    }
    const failed = inPackage.some((run) => run.status === "FAIL");
    lines.push(failed ? "FAIL" : "PASS", failed ? `FAIL\t${pkg}\t0.012s` : `ok  \t${pkg}\t0.012s`);
  }
  return { output: `${lines.join("\n")}\n`, expected };
}

export const testOutputProperties: FuzzPropertyGroup = {
  subject: "parseTestOutput",
  properties: [
    {
      name: "never throws and returns distinct non-empty ids with known statuses, for any text and framework",
      prepare: () => ({
        property: fc.asyncProperty(fc.constantFrom(...FRAMEWORKS), arbitraryOutput, async (framework, output) => {
          return isWellFormed(parseTestOutput(framework, output));
        }),
      }),
    },
    {
      name: "takes every part of every outcome's id from one line of the output",
      prepare: () => ({
        property: fc.asyncProperty(fc.constantFrom(...FRAMEWORKS), arbitraryOutput, async (framework, output) => {
          const readable = asParsersReadIt(output);
          return parseTestOutput(framework, output).every((outcome) => comesFromInput(outcome.test, readable));
        }),
      }),
    },
    {
      name: "reads a pytest -v -rA output written from random (id, status) pairs back as exactly those pairs, in order",
      prepare: () => ({
        property: fc.asyncProperty(
          pytestRuns.chain((runs) =>
            fc.tuple(fc.constant(runs), fc.array(fc.nat(), { minLength: runs.length, maxLength: runs.length }), fc.shuffledSubarray([...runs.keys()], { minLength: runs.length })),
          ),
          async ([runs, noise, order]) => {
            const { output, expected } = writePytestOutput(runs, noise, order);
            const parsed = parseTestOutput("pytest", output);
            return JSON.stringify(parsed) === JSON.stringify(expected);
          },
        ),
      }),
    },
    {
      name: "reads a unittest -v output written from random (id, status) pairs back as exactly those pairs, in order, for unittest and django",
      prepare: () => ({
        property: fc.asyncProperty(unittestRuns, fc.constantFrom("unittest", "django"), async (runs, framework) => {
          const { output, expected } = writeUnittestOutput(runs);
          return JSON.stringify(parseTestOutput(framework, output)) === JSON.stringify(expected);
        }),
      }),
    },
    {
      name: "reads a go test -v output written from random (package, test, status) triples back as exactly those outcomes",
      prepare: () => ({
        property: fc.asyncProperty(goRuns, async (runs) => {
          const { output, expected } = writeGoOutput(runs);
          return JSON.stringify(parseTestOutput("go", output)) === JSON.stringify(expected);
        }),
      }),
    },
    {
      name: "reads the same outcomes whatever colour codes and CRLF line endings the terminal adds",
      prepare: () => ({
        property: fc.asyncProperty(pytestRuns, fc.constantFrom("\n", "\r\n"), async (runs, newline) => {
          const { output } = writePytestOutput(runs, [], [...runs.keys()]);
          const coloured = output
            .replace(/\b(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\b/g, "\x1b[32m$1\x1b[0m")
            .replaceAll("\n", newline);
          return JSON.stringify(parseTestOutput("pytest", coloured)) === JSON.stringify(parseTestOutput("pytest", output));
        }),
      }),
    },
    {
      name: "parses 64 KB to 1 MB of repeated hostile text within a time linear in its size, for every framework",
      weight: 0.05,
      prepare: () => ({
        property: fc.asyncProperty(hugeText(VOCABULARY), async (recipe) => {
          const text = buildHugeText(recipe);
          const slow: string[] = [];
          for (const framework of FRAMEWORKS) {
            const { result, ms } = timed(() => parseTestOutput(framework, text));
            if (!isWellFormed(result)) return false;
            if (ms > timeLimitMs(text.length)) slow.push(`${framework} took ${ms.toFixed(0)} ms`);
          }
          if (slow.length > 0) throw new Error(`on ${text.length} characters, ${slow.join(", ")}`);
          return true;
        }),
      }),
    },
  ],
};
