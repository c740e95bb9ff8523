import type { TestOutcome } from "../../events/agent-event.js";
import type { TestFramework } from "./detect-test-command.js";

type Status = TestOutcome["status"];

/**
 * The per-test outcomes in a test run's output (stdout and stderr together), in the order the
 * tests first appear; when a test is reported twice (a verbose line, then a summary line) the
 * last report wins. Expected failures count as passed, as in SWE-bench's grading. For `npm`
 * and `make`, whose output could come from any runner, every parser is tried and the one that
 * recognises most tests wins; so it is for a framework name this module does not know.
 */
export function parseTestOutput(framework: TestFramework | (string & {}), output: string): TestOutcome[] {
  const lines = normaliseOutput(output);
  if (framework === "npm") return bestOf([parseVitest, parseJest, parseNodeTest], lines);
  return Object.hasOwn(PARSERS, framework) ? PARSERS[framework as keyof typeof PARSERS](lines) : bestOf(Object.values(PARSERS), lines);
}

type Parser = (lines: string[]) => TestOutcome[];

/** ANSI colours removed; carriage-return redraws split into lines. */
function normaliseOutput(output: string): string[] {
  // eslint-disable-next-line no-control-regex
  return output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, "").replace(/\r\n?/g, "\n").split("\n");
}

function bestOf(parsers: Parser[], lines: string[]): TestOutcome[] {
  let best: TestOutcome[] = [];
  for (const parser of parsers) {
    const outcomes = parser(lines);
    if (outcomes.length > best.length) best = outcomes;
  }
  return best;
}

/** Outcomes by test id, keeping first-seen order and the last status. */
class Outcomes {
  private readonly statuses = new Map<string, Status>();

  set(test: string, status: Status): void {
    if (test !== "") this.statuses.set(test, status);
  }

  has(test: string): boolean {
    return this.statuses.has(test);
  }

  list(): TestOutcome[] {
    return [...this.statuses].map(([test, status]) => ({ test, status }));
  }
}

const PYTEST_STATUSES: Record<string, Status> = {
  PASSED: "passed",
  XFAIL: "passed",
  XPASS: "passed",
  FAILED: "failed",
  ERROR: "error",
  SKIPPED: "skipped",
};

/**
 * pytest: the `-rA` short summary (`PASSED path::test`, `FAILED path::test - message`,
 * `ERROR path - message`) and `-v` lines (`path::test PASSED [ 50%]`). Unlike SWE-bench's
 * whitespace split, ids keep their spaces (`test_x[a b-1]`): the message starts at the first
 * ` - ` outside brackets. Only ids with `::` (or a bare `.py` file, for collection errors) count,
 * so a test's own log lines are ignored, and so is `SKIPPED [N] path:line: reason` (whatever its reason says).
 */
const parsePytest: Parser = (lines) => {
  const outcomes = new Outcomes();
  for (const raw of lines) {
    const line = raw.replace(/^\[gw\d+\]\s+\[\s*\d+%\]\s+/, "").trimEnd();
    const first = /^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS) (.+)$/.exec(line);
    if (first) {
      if (first[1] === "SKIPPED" && /^\[\d+\] /.test(first[2] ?? "")) continue;
      const id = pytestId(first[2] ?? "");
      if (id.includes("::") || /^\S+\.py$/.test(id)) outcomes.set(id, PYTEST_STATUSES[first[1] ?? ""] ?? "error");
      continue;
    }
    const last = pytestVerboseResult(line);
    if (last) outcomes.set(last.id, PYTEST_STATUSES[last.status] ?? "error");
  }
  return outcomes.list();
};

const PYTEST_STATUS_WORD = / (PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)/g;

/**
 * A `-v` line, `path::test STATUS`, then maybe ` (reason)` and ` [ 50%]`: the id is the shortest
 * prefix that holds `::`, closes its brackets (`test_x[a PASSED (b)] SKIPPED (why)`) and is
 * followed by such an ending; when no prefix closes them, the shortest (what the regex
 * `^(\S.*?::.*?) (STATUS)(?: \(.*\))?(?:\s+\[\s*\d+%\])?$` matches). Found in one pass: that
 * regex backtracks quadratically on a long line with many `::` or status words.
 */
function pytestVerboseResult(line: string): { id: string; status: string } | undefined {
  const separator = line.indexOf("::", 1);
  if (separator === -1 || /^\s/.test(line)) return undefined;
  const body = line.slice(0, percentStart(line));
  let shortest: { id: string; status: string } | undefined;
  let depth = 0;
  let scanned = 0;
  PYTEST_STATUS_WORD.lastIndex = separator + 2;
  for (let match = PYTEST_STATUS_WORD.exec(body); match; match = PYTEST_STATUS_WORD.exec(body)) {
    const rest = body.length - (match.index + match[0].length);
    const endsHere = rest === 0 || (rest >= 3 && body.startsWith(" (", match.index + match[0].length) && body.endsWith(")"));
    if (endsHere) {
      for (; scanned < match.index; scanned += 1) {
        if (body[scanned] === "[") depth += 1;
        else if (body[scanned] === "]") depth = Math.max(0, depth - 1);
      }
      const result = { id: body.slice(0, match.index), status: match[1] as string };
      if (depth === 0) return result;
      shortest ??= result;
    }
    PYTEST_STATUS_WORD.lastIndex = match.index + 1;
  }
  return shortest;
}

/** Where the ` [ 50%]` ending of a `-v` line starts (the blanks before it included), or the line's length when it has none. */
function percentStart(line: string): number {
  const isBlank = (index: number): boolean => /\s/.test(line.charAt(index));
  if (!line.endsWith("%]")) return line.length;
  let index = line.length - 3;
  while (index >= 0 && /\d/.test(line.charAt(index))) index -= 1;
  if (index === line.length - 3) return line.length;
  while (index >= 0 && isBlank(index)) index -= 1;
  if (line.charAt(index) !== "[") return line.length;
  const bracket = index;
  index -= 1;
  while (index >= 0 && isBlank(index)) index -= 1;
  return index === bracket - 1 ? line.length : index + 1;
}

/** The test id at the start of a summary line's remainder, without the ` - message`. */
function pytestId(rest: string): string {
  let depth = 0;
  for (let index = 0; index < rest.length; index += 1) {
    const char = rest[index];
    if (char === "[") depth += 1;
    else if (char === "]") depth = Math.max(0, depth - 1);
    else if (depth === 0 && rest.startsWith(" - ", index)) return rest.slice(0, index).trim();
  }
  if (depth === 0) return rest.trim();
  const dash = rest.indexOf(" - ");
  return (dash === -1 ? rest : rest.slice(0, dash)).trim();
}

const UNITTEST_STATUS = /^(ok|OK|FAIL|ERROR|skipped(?: .*)?|expected failure|unexpected success)$/;
const UNITTEST_ID = /^\w+ \([\w.]+\)$/;

function unittestStatus(word: string): Status {
  if (word === "ok" || word === "OK" || word === "expected failure") return "passed";
  if (word === "FAIL" || word === "unexpected success") return "failed";
  if (word === "ERROR") return "error";
  return "skipped";
}

/**
 * unittest `-v` and Django's runner at `--verbosity 2`: `test_x (module.Class) ... ok|FAIL|ERROR|skipped 'why'`.
 * A test with a docstring prints its id on one line and the docstring's first line before
 * ` ... `; the id is kept. Output printed by a test between ` ... ` and its status is
 * skipped over; `FAIL: id` and `ERROR: id` headers of the failure report (subtests too) count as well.
 */
const parseUnittest: Parser = (lines) => {
  const outcomes = new Outcomes();
  let pending: string | undefined;
  let previous = "";
  for (const raw of lines) {
    const line = raw.trimEnd();
    const header = /^(FAIL|ERROR): (\w+ \([\w.]+\)|\S+)/.exec(line);
    const result = / \.\.\. (ok|OK|FAIL|ERROR|skipped(?: .*)?|expected failure|unexpected success)$/.exec(line);
    const started = / \.\.\.( |$)/.exec(line);
    if (header) {
      outcomes.set(header[2] as string, header[1] === "FAIL" ? "failed" : "error");
      pending = undefined;
    } else if (result) {
      outcomes.set(unittestName(line.slice(0, result.index), previous), unittestStatus(result[1] as string));
      pending = undefined;
    } else if (started) {
      pending = unittestName(line.slice(0, line.lastIndexOf(" ...")), previous);
    } else if (pending !== undefined && UNITTEST_STATUS.test(line.trim())) {
      outcomes.set(pending, unittestStatus(line.trim()));
      pending = undefined;
    }
    previous = line;
  }
  return outcomes.list();
};

/**
 * The test's id: the description itself (a subtest's `(i=2)` or `[message]` dropped, so it counts
 * for its test), or the id line before it when the description is a docstring.
 */
function unittestName(description: string, previousLine: string): string {
  const name = description.trim();
  const subtest = /^(\w+ \([\w.]+\)) (\(.*\)|\[.*\])$/.exec(name);
  if (subtest) return subtest[1] as string;
  return !UNITTEST_ID.test(name) && UNITTEST_ID.test(previousLine.trim()) ? previousLine.trim() : name;
}

const SYMPY_STATUSES: Record<string, Status> = { ok: "passed", f: "passed", X: "passed", F: "failed", E: "error", T: "error", s: "skipped", w: "skipped", K: "skipped" };

/**
 * SymPy's bin/test `--verbose`: a `path.py[N]` line per file, then `test_name ok|F|E|f|X|s|w|T`
 * per test (the file's last test ends with `[OK]` or `[FAIL]`). Ids are `path::test_name`.
 * Failure banners (`____ path:test_name ____`) and import failures count too, so runs without
 * `--verbose` still report what failed.
 */
const parseSympy: Parser = (lines) => {
  const outcomes = new Outcomes();
  let file = "";
  for (const raw of lines) {
    const line = raw.trim();
    const fileLine = /^(\S+\.py)\[(\d+|\?)\]/.exec(line);
    if (fileLine) {
      file = fileLine[1] as string;
      if (fileLine[2] === "?") outcomes.set(file, "error");
      continue;
    }
    const banner = /^_{2,} (\S+\.py)(?:::|:)(\w+) _{2,}$/.exec(line);
    if (banner) {
      const test = `${banner[1]}::${banner[2]}`;
      if (!outcomes.has(test)) outcomes.set(test, "failed");
      continue;
    }
    const testLine = /^(test\w*)\s+(.*?)\s*(?:\[(?:OK|FAIL)\])?$/.exec(line);
    if (!testLine) continue;
    const status = SYMPY_STATUSES[(testLine[2] as string).split(/\s+/).pop() ?? ""];
    if (status !== undefined) outcomes.set(file === "" ? (testLine[1] as string) : `${file}::${testLine[1]}`, status);
  }
  return outcomes.list();
};

/**
 * go test -v: `--- PASS|FAIL|SKIP: TestX (0.00s)` (subtests indented, `TestX/case`), then the
 * package's `ok  pkg` or `FAIL pkg` line, which qualifies them: `pkg::TestX`. A package that
 * does not build is one error named after the package.
 */
const parseGo: Parser = (lines) => {
  const outcomes = new Outcomes();
  let pending: Array<{ name: string; status: Status }> = [];
  const flush = (pkg: string | undefined): void => {
    for (const test of pending) outcomes.set(pkg === undefined ? test.name : `${pkg}::${test.name}`, test.status);
    pending = [];
  };
  for (const raw of lines) {
    const line = raw.trimEnd();
    const result = /^\s*--- (PASS|FAIL|SKIP): (\S+)/.exec(line);
    if (result) {
      pending.push({ name: result[2] as string, status: result[1] === "PASS" ? "passed" : result[1] === "FAIL" ? "failed" : "skipped" });
      continue;
    }
    const summary = /^(ok|FAIL|\?)\s+(\S+)(?:\s+(.*))?$/.exec(line);
    if (summary && summary[2] !== undefined && !summary[2].startsWith("[")) {
      flush(summary[2]);
      if (summary[1] === "FAIL" && /\[(build|setup) failed\]/.test(summary[3] ?? "")) outcomes.set(summary[2], "error");
    }
  }
  flush(undefined);
  return outcomes.list();
};

/** cargo test: `test path::name ... ok|FAILED|ignored`, doc tests (`src/lib.rs - f (line 5)`) too. */
const parseCargo: Parser = (lines) => {
  const outcomes = new Outcomes();
  for (const line of lines) {
    const match = /^test (.+) \.\.\. (ok|FAILED|ignored)\b/.exec(line.trimEnd());
    if (match) outcomes.set(match[1] as string, match[2] === "ok" ? "passed" : match[2] === "FAILED" ? "failed" : "skipped");
  }
  return outcomes.list();
};

const CHECK_MARKS: Record<string, Status> = { "✓": "passed", "√": "passed", "✔": "passed", "×": "failed", "✕": "failed", "✗": "failed", "✖": "failed", "↓": "skipped", "□": "skipped", "○": "skipped", "✎": "skipped", "﹣": "skipped" };

/**
 * vitest `--reporter=verbose`: ` ✓ file > suite > test 3ms`, ` × …`, ` ↓ …` (skipped), ` □ …`
 * (todo); a file that fails to load is ` FAIL  file [ file ]`, one error named after the file.
 */
const parseVitest: Parser = (lines) => {
  const outcomes = new Outcomes();
  for (const raw of lines) {
    const line = raw.trim();
    const suiteFailure = /^FAIL\s+(\S+) \[ .+ \]$/.exec(line);
    if (suiteFailure) {
      outcomes.set(suiteFailure[1] as string, "error");
      continue;
    }
    const match = /^(\S)\s+(.+? > .+?)(?:\s+\d+(?:\.\d+)?\s?m?s)?$/.exec(line);
    const status = match ? CHECK_MARKS[match[1] as string] : undefined;
    if (match && status !== undefined) outcomes.set(match[2] as string, status);
  }
  return outcomes.list();
};

/**
 * jest `--verbose`: a `PASS|FAIL file` header, describe blocks by indentation, and
 * `✓ name (2 ms)`, `✕ name`, `○ skipped name`, `✎ todo name` lines; ids are `file > describe > name`,
 * as for vitest. `● Test suite failed to run` under a file is one error named after the file.
 */
const parseJest: Parser = (lines) => {
  const outcomes = new Outcomes();
  let file: string | undefined;
  let isInDetails = false;
  let describes: Array<{ indent: number; name: string }> = [];
  for (const raw of lines) {
    const header = /^(PASS|FAIL)\s+(\S+)/.exec(raw);
    if (header) {
      file = header[2] as string;
      isInDetails = false;
      describes = [];
      continue;
    }
    if (file === undefined || raw.trim() === "") continue;
    const indent = raw.length - raw.trimStart().length;
    const text = raw.trim();
    if (indent === 0) {
      file = undefined;
      continue;
    }
    if (text.startsWith("●")) {
      if (/^● Test suite failed to run/.test(text)) outcomes.set(file, "error");
      isInDetails = true;
      continue;
    }
    if (isInDetails) continue;
    describes = describes.filter((entry) => entry.indent < indent);
    const test = /^(\S)\s+(?:(?:skipped|todo) )?(.+?)(?: \(\d+(?:\.\d+)? ?m?s\))?$/.exec(text);
    const status = test ? CHECK_MARKS[test[1] as string] : undefined;
    if (test && status !== undefined) outcomes.set([file, ...describes.map((entry) => entry.name), test[2] as string].join(" > "), status);
    else describes.push({ indent, name: text });
  }
  return outcomes.list();
};

/**
 * node:test (`node --test`), and TAP from any producer: `ok 1 - name`, `not ok 2 - name`,
 * `# SKIP` and `# TODO` (both skipped). Subtests are indented four spaces a level under their
 * `# Subtest: name` line and reported before their parent; only the innermost tests count, with
 * ids of their names from the outermost in (`suite > nested > test`). A file that fails to load
 * is one failed test named after the file. YAML diagnostics between `---` and `...` are skipped,
 * and `\#` and `\\` in names are unescaped. node:test's spec reporter (`✔ name (1ms)`) is read too,
 * for plain `npm test` scripts run where stdout is a terminal.
 */
const parseNodeTest: Parser = (lines) => {
  const outcomes = new Outcomes();
  const names: string[] = [];
  /** By depth: whether a test one level deeper was reported since the last test at this depth. */
  const hasChildren: boolean[] = [];
  let isInYaml = false;
  let isAfterResult = false;
  for (const raw of lines) {
    const line = raw.trim();
    if (isInYaml) {
      isInYaml = line !== "...";
      continue;
    }
    if (isAfterResult && line === "---") {
      isInYaml = true;
      continue;
    }
    isAfterResult = false;
    const depth = Math.floor((raw.length - raw.trimStart().length) / 4);
    const subtest = /^# Subtest: (.*)$/.exec(line);
    if (subtest) {
      names.length = depth;
      names[depth] = unescapeTapName(subtest[1] as string);
      hasChildren.length = depth;
      hasChildren[depth] = false;
      continue;
    }
    const tap = /^(not ok|ok)\b(?: \d+)?(?: -)?(?: (.*?))?(?: # (SKIP|TODO)\b.*)?$/.exec(line);
    if (tap) {
      isAfterResult = true;
      const isParent = hasChildren[depth] === true;
      hasChildren.length = depth;
      hasChildren[depth] = false;
      if (depth > 0) hasChildren[depth - 1] = true;
      if (!isParent && tap[2] !== undefined) {
        const status = tap[3] !== undefined ? "skipped" : tap[1] === "ok" ? "passed" : "failed";
        outcomes.set([...names.slice(0, depth), unescapeTapName(tap[2])].join(" > "), status);
      }
      continue;
    }
    const spec = /^(\S)\s+(.+?)(?: \(\d+(?:\.\d+)?m?s\))?( # (?:SKIP|TODO))?$/.exec(line);
    const status = spec ? CHECK_MARKS[spec[1] as string] : undefined;
    if (spec && status !== undefined) outcomes.set(spec[2] as string, spec[3] !== undefined ? "skipped" : status);
  }
  return outcomes.list();
};

/** TAP escapes `#` and `\` in test names with a backslash. */
function unescapeTapName(name: string): string {
  return name.replace(/\\([\\#])/g, "$1");
}

const PARSERS: Record<Exclude<TestFramework, "npm" | "make">, Parser> = {
  pytest: parsePytest,
  django: parseUnittest,
  unittest: parseUnittest,
  sympy: parseSympy,
  go: parseGo,
  cargo: parseCargo,
  vitest: parseVitest,
  jest: parseJest,
  node: parseNodeTest,
};
