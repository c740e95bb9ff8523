import { ConfigError } from "../../src/index.js";
import { parseLogDjango } from "./django.js";
import { parseLogMatplotlib } from "./matplotlib.js";
import { parseLogPytest } from "./pytest.js";
import { parseLogPytestOptions } from "./pytest-options.js";
import { parseLogPytestV2 } from "./pytest-v2.js";
import { parseLogSeaborn } from "./seaborn.js";
import { parseLogSympy } from "./sympy.js";
import { createStatusMap } from "./test-status.js";
import type { LogParser, StatusMap } from "./test-status.js";

/** A frozen lookup table without a prototype, so that "constructor" or "__proto__" is never found in it. */
function lookupTable<T>(entries: Record<string, T>): Readonly<Record<string, T>> {
  return Object.freeze(Object.assign(Object.create(null) as Record<string, T>, entries));
}

/**
 * Every parser of the official harness's Python log_parsers, under its official name (the
 * `log_parser` column of the v5 datasets). Most names are aliases of five families, as upstream.
 */
export const LOG_PARSERS: Readonly<Record<string, LogParser>> = lookupTable({
  parse_log_pytest: parseLogPytest,
  parse_log_pytest_options: parseLogPytestOptions,
  parse_log_pytest_v2: parseLogPytestV2,
  parse_log_django: parseLogDjango,
  parse_log_sympy: parseLogSympy,
  parse_log_matplotlib: parseLogMatplotlib,
  parse_log_seaborn: parseLogSeaborn,

  parse_log_astroid: parseLogPytest,
  parse_log_flask: parseLogPytest,
  parse_log_marshmallow: parseLogPytest,
  parse_log_pvlib: parseLogPytest,
  parse_log_pyvista: parseLogPytest,
  parse_log_sqlfluff: parseLogPytest,
  parse_log_xarray: parseLogPytest,

  parse_log_pydicom: parseLogPytestOptions,
  parse_log_requests: parseLogPytestOptions,
  parse_log_pylint: parseLogPytestOptions,

  parse_log_astropy: parseLogPytestV2,
  parse_log_scikit: parseLogPytestV2,
  parse_log_sphinx: parseLogPytestV2,
});

/** The official MAP_REPO_TO_PARSER_PY, by parser name: which parser reads each repository's test logs. */
export const REPO_PARSER_NAMES: Readonly<Record<string, string>> = lookupTable({
  "astropy/astropy": "parse_log_astropy",
  "django/django": "parse_log_django",
  "marshmallow-code/marshmallow": "parse_log_marshmallow",
  "matplotlib/matplotlib": "parse_log_matplotlib",
  "mwaskom/seaborn": "parse_log_seaborn",
  "pallets/flask": "parse_log_flask",
  "psf/requests": "parse_log_requests",
  "pvlib/pvlib-python": "parse_log_pvlib",
  "pydata/xarray": "parse_log_xarray",
  "pydicom/pydicom": "parse_log_pydicom",
  "pylint-dev/astroid": "parse_log_astroid",
  "pylint-dev/pylint": "parse_log_pylint",
  "pytest-dev/pytest": "parse_log_pytest",
  "pyvista/pyvista": "parse_log_pyvista",
  "scikit-learn/scikit-learn": "parse_log_scikit",
  "sqlfluff/sqlfluff": "parse_log_sqlfluff",
  "sphinx-doc/sphinx": "parse_log_sphinx",
  "sympy/sympy": "parse_log_sympy",
});

/** The official parser name for a repository ("owner/name"); throws a ConfigError for a repository it does not know. */
export function parserNameForRepo(repo: string): string {
  const name = REPO_PARSER_NAMES[repo];
  if (name === undefined) {
    throw new ConfigError(
      `no SWE-bench log parser is known for the repository "${repo}"; known repositories: ${Object.keys(REPO_PARSER_NAMES).join(", ")}`,
      { code: "swebench-unknown-repo" },
    );
  }
  return name;
}

/** The parser with an official name (e.g. a dataset row's `log_parser`); throws a ConfigError for an unknown name. */
export function logParserNamed(name: string): LogParser {
  const parser = LOG_PARSERS[name];
  if (parser === undefined) {
    throw new ConfigError(
      `no SWE-bench log parser is named "${name}"; known parsers: ${Object.keys(LOG_PARSERS).join(", ")}`,
      { code: "swebench-unknown-log-parser" },
    );
  }
  return parser;
}

/** The marker the eval script's `: '>>>>> Start Test Output'` leaves in the log (echoed by `set -x`). */
export const START_TEST_OUTPUT = ">>>>> Start Test Output";
/** The marker the eval script's `: '>>>>> End Test Output'` leaves in the log. */
export const END_TEST_OUTPUT = ">>>>> End Test Output";

/**
 * The test run's part of a log, cut as the official get_logs_eval cuts it: from the first start
 * marker to the next start marker or end of log, then up to the first end marker in that. The
 * echoed marker lines leave their quotes behind (`'` at the start, `+ : '` at the end). Null when
 * either marker is missing from the log.
 */
export function extractTestOutput(log: string): string | null {
  if (!log.includes(START_TEST_OUTPUT) || !log.includes(END_TEST_OUTPUT)) return null;
  const afterStart = log.split(START_TEST_OUTPUT)[1] as string;
  return afterStart.split(END_TEST_OUTPUT)[0] as string;
}

/** Which parser `parseTestLog` uses instead of the repository's official one. */
export interface ParseTestLogOptions {
  /** An official parser name, such as a v5 dataset row's `log_parser`. */
  parserName?: string;
}

/**
 * A test log's status map by the official rule: the repository's parser reads the text between
 * the start and end markers, and when that yields nothing (test output that landed outside them),
 * the whole log. A log without both markers (the test run never started) gives an empty map, as
 * upstream, whose grading then reports the patch as not applied.
 */
export function parseTestLog(repo: string, log: string, options: ParseTestLogOptions = {}): StatusMap {
  const parse = logParserNamed(options.parserName ?? parserNameForRepo(repo));
  const testOutput = extractTestOutput(log);
  if (testOutput === null) return createStatusMap();
  const statusMap = parse(testOutput);
  return Object.keys(statusMap).length > 0 ? statusMap : parse(log);
}
