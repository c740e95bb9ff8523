import { isPyWhitespace, pyLstrip, pySplit, pyStrip } from "./python-text.js";
import { createStatusMap } from "./test-status.js";
import type { StatusMap } from "./test-status.js";

/**
 * The official parse_log_django, for `./tests/runtests.py --verbosity 2` (unittest's verbose
 * runner). A test is named as unittest describes it: `test_x (module.Class)`, or the first line of
 * its docstring, which unittest prints on its own line just before ` ... ok`.
 */

const PASS_SUFFIXES = [" ... ok", " ... OK", " ...  OK"] as const;
/** django__django-7188: a migration's progress output runs into the test's line. */
const DJANGO_7188_PREFIX = "Applying sites.0002_alter_domain_unique...test_no_migrations";
const VERSION_TEST = "--version is equivalent to version";

/**
 * Tests whose ` ... ok` was pushed onto a later line by output printed while they ran: the
 * official patterns, `(?m)^(.*?)\s\.\.\.\s<literal><rest>\nok$` (Python's `.` and `$` break
 * at \n only; `\s` may be a newline, so the name may be the line before the ` ... `), where
 * `<rest>` is `(.*?) silenced\)\.` across lines, `([^\n]*)/` to the end of the line, or nothing.
 * Matched by `findInterruptedOks` in one pass over the log: as regexes they backtrack
 * quadratically on a long line with many ` ... ` (1 MB took 30 s).
 */
const INTERRUPTED_OK_PATTERNS: ReadonlyArray<{ literal: string; rest: "until-silenced" | "path-to-line-end" | "none" }> = [
  { literal: "Testing against Django installed in ", rest: "until-silenced" },
  { literal: "Internal Server Error: /", rest: "path-to-line-end" },
  { literal: "System check identified no issues (0 silenced)", rest: "none" },
];

/** What ends the multi-line pattern: ` silenced).`, then a line that is just `ok`. */
const SILENCED_OK = " silenced).\nok";

/** The official parse_log_django. */
export function parseLogDjango(log: string): StatusMap {
  const statusMap = createStatusMap();
  let previousTest: string | undefined;

  for (const rawLine of log.split("\n")) {
    let line = pyStrip(rawLine);

    // The help test's output spans several lines; the official parser just looks for its name.
    if (line.includes(VERSION_TEST)) statusMap[VERSION_TEST] = "PASSED";

    if (line.includes(" ... ")) previousTest = beforeFirst(line, " ... ");

    for (const suffix of PASS_SUFFIXES) {
      if (!line.endsWith(suffix)) continue;
      if (line.startsWith(DJANGO_7188_PREFIX)) line = pyStrip(afterFirst(line, "..."));
      statusMap[line.slice(0, line.lastIndexOf(suffix))] = "PASSED";
      break;
    }
    if (line.includes(" ... skipped")) statusMap[beforeFirst(line, " ... skipped")] = "SKIPPED";
    if (line.endsWith(" ... FAIL")) statusMap[beforeFirst(line, " ... FAIL")] = "FAILED";
    // "FAIL: test_x (module.Class)" records only the first word after the colon, "test_x".
    // Python would raise IndexError on a bare "FAIL:"; here such a line is skipped.
    if (line.startsWith("FAIL:")) {
      const name = pySplit(line)[1];
      if (name !== undefined) statusMap[name] = "FAILED";
    }
    if (line.endsWith(" ... ERROR")) statusMap[beforeFirst(line, " ... ERROR")] = "ERROR";
    if (line.startsWith("ERROR:")) {
      const name = pySplit(line)[1];
      if (name !== undefined) statusMap[name] = "ERROR";
    }

    // Output printed between " ... " and "ok" puts "ok" on a later line: it belongs to the last test seen.
    if (pyLstrip(line).startsWith("ok") && previousTest !== undefined) statusMap[previousTest] = "PASSED";
  }

  for (const pattern of INTERRUPTED_OK_PATTERNS) {
    for (const name of findInterruptedOks(log, pattern)) statusMap[name] = "PASSED";
  }
  return statusMap;
}

/**
 * The names one interrupted-ok pattern captures, in the order and with the overlaps Python's
 * `re.findall` gives: from each line start in turn (after the previous match), the first
 * ` ... ` (each blank any Python whitespace, the first one maybe the line's newline) followed by
 * the literal and its rest; the name is the text from the line start to that first blank.
 */
function findInterruptedOks(log: string, pattern: (typeof INTERRUPTED_OK_PATTERNS)[number]): string[] {
  const names: string[] = [];
  const isOkLineEnd = (at: number): boolean => at === log.length || log[at] === "\n";
  const silencedEnds: number[] = [];
  if (pattern.rest === "until-silenced") {
    for (let at = log.indexOf(SILENCED_OK); at !== -1; at = log.indexOf(SILENCED_OK, at + 1)) {
      if (isOkLineEnd(at + SILENCED_OK.length)) silencedEnds.push(at + SILENCED_OK.length);
    }
  }
  /** Where the match whose literal starts at `literalAt` (on the line ending at `literalLineEnd`) ends, if it does. */
  const matchEnd = (literalAt: number, literalLineEnd: number): number | undefined => {
    const afterLiteral = literalAt + pattern.literal.length;
    if (pattern.rest === "none") return log.startsWith("\nok", afterLiteral) && isOkLineEnd(afterLiteral + 3) ? afterLiteral + 3 : undefined;
    if (pattern.rest === "path-to-line-end") {
      const ok = literalLineEnd + 1;
      return literalLineEnd < log.length && literalLineEnd - 1 >= afterLiteral && log[literalLineEnd - 1] === "/" && log.startsWith("ok", ok) && isOkLineEnd(ok + 2)
        ? ok + 2
        : undefined;
    }
    // The first ` silenced).` + `ok` line at or after the literal's end (the ends are sorted).
    let low = 0;
    let high = silencedEnds.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((silencedEnds[middle] as number) - SILENCED_OK.length >= afterLiteral) high = middle;
      else low = middle + 1;
    }
    return silencedEnds[low];
  };
  let resumeAt = 0;
  /** The first "..." at or after the current line's second character, looked up once for all the lines before it. */
  let dots = log.indexOf("...", 1);
  for (let lineStart = 0; lineStart <= log.length && dots !== -1; ) {
    const lineEnd = indexOrEnd(log, "\n", lineStart);
    if (dots < lineStart + 1) dots = log.indexOf("...", lineStart + 1);
    if (lineStart >= resumeAt) {
      // The blank before "..." is at dots - 1, on this line or its newline; the literal starts at dots + 4.
      for (let at = dots; at !== -1 && at <= lineEnd + 1; at = log.indexOf("...", at + 1)) {
        const literalAt = at + 4;
        if (!isPyWhitespace(log.charAt(at - 1)) || !isPyWhitespace(log.charAt(at + 3)) || !log.startsWith(pattern.literal, literalAt)) continue;
        const end = matchEnd(literalAt, literalAt < lineEnd ? lineEnd : indexOrEnd(log, "\n", literalAt));
        if (end === undefined) continue;
        names.push(log.slice(lineStart, at - 1));
        resumeAt = end;
        break;
      }
    }
    if (lineEnd === log.length) break;
    lineStart = lineEnd + 1;
  }
  return names;
}

function indexOrEnd(text: string, search: string, from: number): number {
  const at = text.indexOf(search, from);
  return at === -1 ? text.length : at;
}

/** Python's `text.split(separator)[0]`. */
function beforeFirst(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at === -1 ? text : text.slice(0, at);
}

/** Python's `text.split(separator, 1)[-1]`. */
function afterFirst(text: string, separator: string): string {
  const at = text.indexOf(separator);
  return at === -1 ? text : text.slice(at + separator.length);
}
