/**
 * Properties of the official SWE-bench log parsers (swebench/log-parsers/), which read the logs
 * of an instance's tests in its container: the repository's tests print what they like.
 */
import * as fc from "fast-check";
import {
  END_TEST_OUTPUT,
  extractTestOutput,
  LOG_PARSERS,
  parseLogDjango,
  parseLogPytest,
  parseLogPytestV2,
  parseLogSympy,
  START_TEST_OUTPUT,
  stripPytestV2Escapes,
  TEST_STATUSES,
} from "../../../swebench/log-parsers/index.js";
import type { StatusMap, TestStatus } from "../../../swebench/log-parsers/index.js";
import { adversarialLines, buildHugeText, hugeText, timed, timeLimitMs } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

const PARSER_NAMES = Object.keys(LOG_PARSERS);
/** One name per parser function: most names are aliases (parse_log_flask is parse_log_pytest). */
const DISTINCT_PARSER_NAMES = PARSER_NAMES.filter((name, index) => PARSER_NAMES.findIndex((other) => LOG_PARSERS[other] === LOG_PARSERS[name]) === index);

const VOCABULARY: readonly string[] = [
  ...TEST_STATUSES.map((status) => `${status} `),
  ...TEST_STATUSES.map((status) => ` ${status}`),
  "tests/test_a.py::test_x", "::", "[a b]", " - ", "SKIPPED [1] ", "[32m", "[0m", " [ 50%]",
  "test_x (mod.Class)", " ... ", " ... ok", " ... OK", " ...  OK", " ... FAIL", " ... ERROR", " ... skipped", "FAIL: ", "ERROR: ", "ok",
  "--version is equivalent to version", "Applying sites.0002_alter_domain_unique...test_no_migrations",
  "Testing against Django installed in ", " silenced).", "System check identified no issues (0 silenced)", "Internal Server Error: /",
  "test_a ok", "test_", " F", " E", "[OK]", "[FAIL]", "____ ", ".py:", " ____", "sympy/core/tests/test_a.py[3] ",
  "MouseButton.LEFT", "MouseButton.RIGHT", "[/abs/path/file]", "[//x]", "[*]",
  START_TEST_OUTPUT, END_TEST_OUTPUT, "+ : '",
];

const STATUS_SET: ReadonlySet<string> = new Set(TEST_STATUSES);

/** A status map as the parsers promise it: no prototype, only official statuses, no name across lines. */
function isWellFormed(map: StatusMap): boolean {
  return Object.getPrototypeOf(map) === null && Object.entries(map).every(([name, status]) => STATUS_SET.has(status) && !name.includes("\n"));
}

/**
 * Whether each name of a parser's map is text of the log as that parser reads it: pytest_v2 strips
 * colour codes and control characters first, matplotlib writes MouseButton members as numbers,
 * and pytest_options shortens an absolute-path parameter to its last part (so its name's two
 * halves, before and inside the brackets, are each text of the log).
 */
function namesComeFromLog(parserName: string, log: string, map: StatusMap): boolean {
  const parser = LOG_PARSERS[parserName];
  const readable =
    parser === parseLogPytestV2
      ? log.split("\n").map(stripPytestV2Escapes).join("\n")
      : parserName === "parse_log_matplotlib"
        ? log.replaceAll("MouseButton.LEFT", "1").replaceAll("MouseButton.RIGHT", "3")
        : log;
  const optionsParser = LOG_PARSERS["parse_log_pytest_options"];
  return Object.keys(map).every((name) => {
    if (parser !== optionsParser || !name.includes("[")) return readable.includes(name);
    const open = name.indexOf("[");
    return readable.includes(name.slice(0, open)) && readable.includes(name.slice(open + 1, -1));
  });
}

const arbitraryLog = fc.oneof(adversarialLines(VOCABULARY), fc.string({ unit: "binary", maxLength: 300 }));

/** A whitespace-free pytest node id, as every parser of the pytest family reads them. */
const pytestName = fc
  .tuple(fc.stringMatching(/^[a-z][a-z0-9_/]{0,10}\.py$/), fc.stringMatching(/^test_[a-z0-9_]{0,8}$/), fc.option(fc.stringMatching(/^\[[a-z0-9_.:-]{1,8}\]$/), { nil: "" }))
  .map(([file, test, parameters]) => `${file}::${test}${parameters}`)
  // parse_log_pytest_v2 deletes `[0m`-like colour codes wherever they are, as upstream does.
  .filter((name) => !/\[\d+m/.test(name));

const pytestResults = fc.uniqueArray(fc.record({ name: pytestName, status: fc.constantFrom(...TEST_STATUSES), verbose: fc.boolean() }), {
  selector: (result) => result.name,
  maxLength: 12,
});

/** A pytest `-rA` (or `-v`) log of the results, with the lines around them that are not results. */
function writePytestLog(results: ReadonlyArray<{ name: string; status: TestStatus; verbose: boolean }>, colour: boolean): string {
  const paint = (status: string): string => (colour ? `\x1b[${status === "PASSED" ? 32 : 31}m${status}\x1b[0m` : status);
  const lines = ["============================= test session starts ==============================", "collected 3 items", ""];
  for (const { name, status, verbose } of results) {
    if (verbose) lines.push(`${name} ${paint(status)} [ 50%]`);
    else lines.push(status === "FAILED" || status === "ERROR" ? `${paint(status)} ${name} - AssertionError: 1 != 2` : `${paint(status)} ${name}`);
  }
  lines.push("SKIPPED [2] tests/test_a.py:40: requires network", "============= 2 failed, 4 passed in 0.41s ==============");
  return `${lines.join("\n")}\n`;
}

function mapOf(entries: Iterable<readonly [string, TestStatus]>): Record<string, TestStatus> {
  return Object.fromEntries(entries);
}

const DJANGO_STATUSES = { PASSED: "ok", FAILED: "FAIL", ERROR: "ERROR", SKIPPED: "skipped 'why'" } as const;

const djangoResults = fc.uniqueArray(
  fc.record({
    name: fc
      .tuple(fc.stringMatching(/^test_[a-z0-9_]{1,8}$/), fc.stringMatching(/^[a-z][a-z0-9_]{0,6}(\.[a-z][a-z0-9_]{0,6}){0,2}\.[A-Z][A-Za-z]{0,8}$/))
      .map(([test, className]) => `${test} (${className})`),
    status: fc.constantFrom<keyof typeof DJANGO_STATUSES>("PASSED", "FAILED", "ERROR", "SKIPPED"),
  }),
  { selector: (result) => result.name, maxLength: 12 },
);

const sympyResults = fc.uniqueArray(
  fc.record({ name: fc.stringMatching(/^test_[a-z0-9_]{1,10}$/), status: fc.constantFrom<"ok" | "F" | "E">("ok", "F", "E") }),
  { selector: (result) => result.name, maxLength: 12 },
);

const SYMPY_STATUSES = { ok: "PASSED", F: "FAILED", E: "ERROR" } as const;

/** Text that holds neither marker. */
const markerFree = adversarialLines(["+ : '", ">>>>> ", "Start Test", "End Test", "Output"], 8).filter(
  (text) => !text.includes(START_TEST_OUTPUT) && !text.includes(END_TEST_OUTPUT),
);

export const swebenchLogParserProperties: FuzzPropertyGroup = {
  subject: "SWE-bench log parsers",
  properties: [
    {
      name: "never throw and return a prototype-free map of official statuses, for any log and every parser",
      prepare: () => ({
        property: fc.asyncProperty(fc.constantFrom(...PARSER_NAMES), arbitraryLog, async (parserName, log) => {
          return isWellFormed((LOG_PARSERS[parserName] as (text: string) => StatusMap)(log));
        }),
      }),
    },
    {
      name: "take every test name from the log as the parser reads it",
      prepare: () => ({
        property: fc.asyncProperty(fc.constantFrom(...PARSER_NAMES), arbitraryLog, async (parserName, log) => {
          return namesComeFromLog(parserName, log, (LOG_PARSERS[parserName] as (text: string) => StatusMap)(log));
        }),
      }),
    },
    {
      name: "read a pytest log written from random (name, status) pairs back as exactly those pairs, with and without colour codes (pytest, pytest_v2)",
      prepare: () => ({
        property: fc.asyncProperty(pytestResults, fc.boolean(), async (results, colour) => {
          const expected = JSON.stringify(mapOf(results.map(({ name, status }) => [name, status] as const)));
          const log = writePytestLog(results, colour);
          const v2 = JSON.stringify({ ...parseLogPytestV2(log) });
          // parse_log_pytest reads no colour codes, as upstream: only the plain log must round-trip.
          return v2 === expected && (colour || JSON.stringify({ ...parseLogPytest(log) }) === expected);
        }),
      }),
    },
    {
      name: "read a django --verbosity 2 log written from random (name, status) pairs back as exactly those pairs",
      prepare: () => ({
        property: fc.asyncProperty(djangoResults, async (results) => {
          const lines = ["Creating test database for alias 'default'...", ...results.map(({ name, status }) => `${name} ... ${DJANGO_STATUSES[status]}`)];
          const failures = results.filter(({ status }) => status === "FAILED" || status === "ERROR");
          for (const { name, status } of failures) lines.push("=".repeat(70), `${status === "FAILED" ? "FAIL" : "ERROR"}: ${name}`, "-".repeat(70), "Traceback (most recent call last):");
          lines.push("-".repeat(70), `Ran ${results.length} tests in 0.01s`, "", failures.length > 0 ? "FAILED (failures=1)" : "OK");
          const parsed = parseLogDjango(`${lines.join("\n")}\n`);
          // "FAIL: test_x (module.Class)" also records the header's first word, "test_x", as upstream does.
          const expected = mapOf(results.map(({ name, status }) => [name, status] as const));
          for (const { name, status } of failures) expected[name.split(" ")[0] as string] = status;
          return JSON.stringify(Object.entries(parsed).sort()) === JSON.stringify(Object.entries(expected).sort());
        }),
      }),
    },
    {
      name: "read a sympy bin/test --verbose log written from random (name, status) pairs back as exactly those pairs",
      prepare: () => ({
        property: fc.asyncProperty(sympyResults, async (results) => {
          const lines = ["============================= test process starts ==============================", "sympy/core/tests/test_a.py[4] "];
          for (const { name, status } of results) lines.push(`${name} ${status}`);
          lines.push("________________________________________________________________________________", "=========== tests finished: 3 passed, 1 failed, in 0.10 seconds ============");
          const expected = mapOf(results.map(({ name, status }) => [name, SYMPY_STATUSES[status]] as const));
          return JSON.stringify({ ...parseLogSympy(`${lines.join("\n")}\n`) }) === JSON.stringify(expected);
        }),
      }),
    },
    {
      name: "cut exactly the text between the start and end markers, and nothing from a log that lacks one",
      prepare: () => ({
        property: fc.asyncProperty(markerFree, markerFree, markerFree, fc.constantFrom("both", "start", "end"), async (before, body, after, markers) => {
          const start = markers === "end" ? "" : START_TEST_OUTPUT;
          const end = markers === "start" ? "" : END_TEST_OUTPUT;
          const cut = extractTestOutput(`${before}${start}${body}${end}${after}`);
          return markers === "both" ? cut === body : cut === null;
        }),
      }),
    },
    {
      name: "parse 64 KB to 1 MB of repeated hostile text within a time linear in its size, with every parser",
      weight: 0.05,
      prepare: () => ({
        property: fc.asyncProperty(hugeText(VOCABULARY), async (recipe) => {
          const text = buildHugeText(recipe);
          const slow: string[] = [];
          for (const parserName of DISTINCT_PARSER_NAMES) {
            const { result, ms } = timed(() => (LOG_PARSERS[parserName] as (log: string) => StatusMap)(text));
            if (!isWellFormed(result)) return false;
            if (ms > timeLimitMs(text.length)) slow.push(`${parserName} took ${ms.toFixed(0)} ms`);
          }
          if (slow.length > 0) throw new Error(`on ${text.length} characters, ${slow.join(", ")}`);
          return true;
        }),
      }),
    },
  ],
};
