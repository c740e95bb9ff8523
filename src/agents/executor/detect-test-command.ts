import { posix } from "node:path";
import type { Sandbox } from "../../sandbox/sandbox.js";
import { shellQuote } from "../../sandbox/shell-session.js";

/** The test runners the executor knows how to run and whose output it can parse. */
export type TestFramework = "pytest" | "django" | "sympy" | "unittest" | "vitest" | "jest" | "node" | "npm" | "go" | "cargo" | "make";

/** One way to run the repository's tests. Plain JSON, so it can live in graph state. */
export interface TestCommandGuess {
  framework: TestFramework;
  /** Runs the whole suite from the workspace root. */
  command: string;
  /**
   * Runs chosen tests: `{tests}` stands for the test files or ids, shell-quoted (fill it with
   * commandForTests). A template without `{tests}` means the runner cannot select tests.
   */
  selectTemplate: string;
  /** The files and settings that point to this runner, for prompts and reports. */
  evidence: string;
}

/** What the sandbox has on its PATH, which decides how a script is started. */
interface Toolbox {
  python: string;
  hasPython: boolean;
  hasPytest: boolean;
  /** What the probe found: command names, and `exec:<path>` for executable scripts. */
  found: Set<string>;
}

/** The placeholder in `selectTemplate`. */
const TESTS_PLACEHOLDER = "{tests}";

const SYMPY_WARNINGS = "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning'";
const DEFAULT_NPM_TEST = /no test specified/;
const PYTHON_TEST_FILE = /(^|\/)(test_[^/]*|[^/]*_test|tests)\.py$/;

/**
 * Finds how the repository runs its tests, most specific first: Django's and SymPy's own
 * runners, pytest, unittest, vitest, jest, npm, go, cargo, make. Reads files through the
 * sandbox and runs one probe for the interpreters on its PATH (so `python3` is used where there
 * is no `python`). An empty list means nothing was recognised.
 */
export async function detectTestCommand(sandbox: Sandbox, signal?: AbortSignal): Promise<TestCommandGuess[]> {
  const toolbox = await probeToolbox(sandbox, signal);
  const files = new RepoFiles(sandbox);
  const guesses: TestCommandGuess[] = [];
  const django = await detectDjango(files, toolbox);
  if (django) guesses.push(django);
  const sympy = await detectSympy(files, toolbox);
  if (sympy) guesses.push(sympy);
  if (!django && !sympy) guesses.push(...(await detectPython(files, toolbox)));
  guesses.push(...(await detectJavaScript(files)));
  if (await files.exists("go.mod")) {
    guesses.push({ framework: "go", command: "go test -v ./...", selectTemplate: `go test -v ${TESTS_PLACEHOLDER}`, evidence: "go.mod" });
  }
  if (await files.exists("Cargo.toml")) {
    guesses.push({ framework: "cargo", command: "cargo test", selectTemplate: `cargo test -- ${TESTS_PLACEHOLDER}`, evidence: "Cargo.toml" });
  }
  const make = await detectMake(files);
  if (make) guesses.push(make);
  return guesses;
}

/**
 * The command for some tests, filling `selectTemplate` with each runner's own form of a
 * selector: Django labels (`tests/auth_tests/test_x.py` and `test_y (auth_tests.test_x.T)` become
 * `auth_tests.test_x` and `auth_tests.test_x.T.test_y`), unittest `module.Class.test`, Go
 * packages for `_test.go` files and `pkg::TestX` ids, test files for vitest/jest/SymPy ids;
 * pytest ids, node:test files (a template that compiles TypeScript first takes the `.ts` files)
 * and everything else as given. Quoted for the shell only where needed. With no
 * tests the placeholder is dropped, which for most runners means the whole suite. Takes any
 * `{ framework, selectTemplate }`, so a guess kept in graph state works as well.
 */
export function commandForTests(guess: { framework: string; selectTemplate: string }, tests: string[]): string {
  const selectors = [...new Set(tests.map((test) => toSelector(guess.framework, test.trim())).filter((test) => test !== ""))];
  return guess.selectTemplate.replace(TESTS_PLACEHOLDER, selectors.map(quoteIfNeeded).join(" ")).trim();
}

function toSelector(framework: string, test: string): string {
  switch (framework) {
    case "django":
      return toUnittestLabel(test, true);
    case "unittest":
      return toUnittestLabel(test, false);
    case "sympy":
      return test.replace(/\.py::?.*$/, ".py");
    case "vitest":
    case "jest":
      return test.split(" > ")[0] ?? test;
    case "go":
      if (test.endsWith(".go")) return posix.dirname(test) === "." ? "." : `./${posix.dirname(test)}`;
      return test.replace(/::.*$/, "");
    default:
      return test;
  }
}

/** `test_x (module.Class)` or `test_x (module.Class.test_x)` → `module.Class.test_x`; for Django also paths → modules. */
function toUnittestLabel(test: string, isDjango: boolean): string {
  const verbose = /^(\w+) \(([\w.]+)\)$/.exec(test);
  if (verbose) {
    const method = verbose[1] ?? "";
    const qualified = verbose[2] ?? "";
    return qualified.endsWith(`.${method}`) ? qualified : `${qualified}.${method}`;
  }
  if (isDjango && test.endsWith(".py")) return test.replace(/\.py$/, "").replace(/^(\.\/)?tests\//, "").replaceAll("/", ".");
  return test;
}

function quoteIfNeeded(value: string): string {
  return /^[\w@%+=:,./-]+$/.test(value) ? value : shellQuote(value);
}

async function probeToolbox(sandbox: Sandbox, signal: AbortSignal | undefined): Promise<Toolbox> {
  const script = [
    'for c in python python3 pytest; do command -v "$c" >/dev/null 2>&1 && echo "$c"; done',
    'for f in tests/runtests.py bin/test; do [ -x "$f" ] && echo "exec:$f"; done',
    "true",
  ].join("; ");
  const result = await sandbox.exec({ command: script, cwd: sandbox.workdir, timeoutMs: 30_000 }, signal);
  const found = new Set(result.stdout.split("\n").map((line) => line.trim()).filter((line) => line !== ""));
  const hasPython = found.has("python");
  return {
    python: hasPython || !found.has("python3") ? "python" : "python3",
    hasPython,
    hasPytest: found.has("pytest"),
    found,
  };
}

/**
 * A script run directly, as SWE-bench writes it (`./tests/runtests.py`, `bin/test`), when it is
 * executable and its `#!/usr/bin/env python` will resolve; through the interpreter otherwise.
 */
function scriptRunner(toolbox: Toolbox, path: string, direct: string): string {
  return toolbox.hasPython && toolbox.found.has(`exec:${path}`) ? direct : `${toolbox.python} ${path}`;
}

async function detectDjango(files: RepoFiles, toolbox: Toolbox): Promise<TestCommandGuess | undefined> {
  const runtests = await files.read("tests/runtests.py");
  if (runtests !== undefined && /django/i.test(runtests)) {
    const options = ["--verbosity 2"];
    const evidence = ["tests/runtests.py (Django's own test runner)"];
    if (runtests.includes("--settings") && (await files.exists("tests/test_sqlite.py"))) {
      options.push("--settings=test_sqlite");
      evidence.push("tests/test_sqlite.py");
    }
    if (runtests.includes("--parallel")) options.push("--parallel 1");
    const command = `${scriptRunner(toolbox, "tests/runtests.py", "./tests/runtests.py")} ${options.join(" ")}`;
    return { framework: "django", command, selectTemplate: `${command} ${TESTS_PLACEHOLDER}`, evidence: evidence.join("; ") };
  }
  const manage = await files.read("manage.py");
  if (manage !== undefined && /django/i.test(manage)) {
    const command = `${toolbox.python} manage.py test --verbosity 2`;
    return { framework: "django", command, selectTemplate: `${command} ${TESTS_PLACEHOLDER}`, evidence: "manage.py of a Django project" };
  }
  return undefined;
}

async function detectSympy(files: RepoFiles, toolbox: Toolbox): Promise<TestCommandGuess | undefined> {
  const binTest = await files.read("bin/test");
  if (binTest === undefined || !/sympy/i.test(binTest)) return undefined;
  const command = `${SYMPY_WARNINGS} ${scriptRunner(toolbox, "bin/test", "bin/test")} -C --verbose`;
  return { framework: "sympy", command, selectTemplate: `${command} ${TESTS_PLACEHOLDER}`, evidence: "bin/test (SymPy's own test runner)" };
}

async function detectPython(files: RepoFiles, toolbox: Toolbox): Promise<TestCommandGuess[]> {
  const evidence: string[] = [];
  if (await files.exists("pytest.ini")) evidence.push("pytest.ini");
  if (/^\[tool\.pytest/m.test((await files.read("pyproject.toml")) ?? "")) evidence.push("[tool.pytest.ini_options] in pyproject.toml");
  if (/^\[tool:pytest\]/m.test((await files.read("setup.cfg")) ?? "")) evidence.push("[tool:pytest] in setup.cfg");
  const tox = (await files.read("tox.ini")) ?? "";
  if (/^\[pytest\]/m.test(tox)) evidence.push("[pytest] in tox.ini");
  else if (/\bpytest\b/.test(tox)) evidence.push("tox.ini runs pytest");
  for (const conftest of ["conftest.py", "tests/conftest.py", "test/conftest.py"]) {
    if (await files.exists(conftest)) evidence.push(conftest);
  }
  const testFiles = await files.pythonTestFiles();
  const isStrong = evidence.length > 0;
  if (testFiles.length > 0) evidence.push(`${testFiles.length} test file${testFiles.length === 1 ? "" : "s"} such as ${testFiles[0]}`);
  if (evidence.length === 0) return [];
  const pytestRunner = toolbox.hasPytest ? "pytest" : `${toolbox.python} -m pytest`;
  const pytest: TestCommandGuess = {
    framework: "pytest",
    command: `${pytestRunner} -rA`,
    selectTemplate: `${pytestRunner} -rA ${TESTS_PLACEHOLDER}`,
    evidence: `${evidence.join("; ")}${toolbox.hasPytest ? "" : "; no pytest on the sandbox's PATH"}`,
  };
  if (testFiles.length === 0) return [pytest];
  const unittest = await unittestGuess(files, toolbox, testFiles);
  return isStrong || toolbox.hasPytest ? [pytest, unittest] : [unittest, pytest];
}

/** Discovery from the root reaches only packages; a test directory without `__init__.py` is discovered from itself. */
async function unittestGuess(files: RepoFiles, toolbox: Toolbox, testFiles: string[]): Promise<TestCommandGuess> {
  const directories = [...new Set(testFiles.map((path) => posix.dirname(path)))];
  const topDirectory = directories.find((directory) => !directory.includes("/") && directory !== ".");
  const needsStartDirectory = !directories.includes(".") && topDirectory !== undefined && !(await files.exists(`${topDirectory}/__init__.py`));
  const base = `${toolbox.python} -m unittest`;
  return {
    framework: "unittest",
    command: needsStartDirectory ? `${base} discover -v -s ${topDirectory}` : `${base} -v`,
    selectTemplate: `${base} -v ${TESTS_PLACEHOLDER}`,
    evidence: `Python test files such as ${testFiles[0]} (unittest runs unittest-style tests without extra packages)`,
  };
}

async function detectJavaScript(files: RepoFiles): Promise<TestCommandGuess[]> {
  const text = await files.read("package.json");
  if (text === undefined) return [];
  let manifest: { scripts?: Record<string, unknown>; dependencies?: Record<string, unknown>; devDependencies?: Record<string, unknown> };
  try {
    manifest = JSON.parse(text) as typeof manifest;
  } catch {
    // A package.json that does not parse names no runner; npm itself would refuse it.
    return [];
  }
  const testScript = typeof manifest.scripts?.["test"] === "string" ? manifest.scripts["test"] : undefined;
  const hasScript = testScript !== undefined && !DEFAULT_NPM_TEST.test(testScript);
  const dependencies = { ...manifest.dependencies, ...manifest.devDependencies };
  const rootNames = await files.rootNames();
  const guesses: TestCommandGuess[] = [];
  const frameworkEvidence = (name: "vitest" | "jest"): string[] => {
    const evidence: string[] = [];
    if (hasScript && new RegExp(`\\b${name}\\b`).test(testScript)) evidence.push(`scripts.test is "${testScript}"`);
    if (name in dependencies) evidence.push(`${name} in package.json dependencies`);
    const config = rootNames.find((entry) => new RegExp(`^${name}\\.config\\.[cm]?[jt]s$`).test(entry));
    if (config) evidence.push(config);
    return evidence;
  };
  const vitest = frameworkEvidence("vitest");
  if (vitest.length > 0) {
    const command = "npx vitest run --reporter=verbose";
    guesses.push({ framework: "vitest", command, selectTemplate: `${command} ${TESTS_PLACEHOLDER}`, evidence: vitest.join("; ") });
  }
  const jest = frameworkEvidence("jest");
  if (jest.length > 0) {
    const command = "npx jest --verbose";
    guesses.push({ framework: "jest", command, selectTemplate: `${command} ${TESTS_PLACEHOLDER}`, evidence: jest.join("; ") });
  }
  if (hasScript) {
    guesses.push({ framework: "npm", command: "npm test", selectTemplate: `npm test -- ${TESTS_PLACEHOLDER}`, evidence: `scripts.test is "${testScript}"` });
  }
  return guesses;
}

async function detectMake(files: RepoFiles): Promise<TestCommandGuess | undefined> {
  for (const name of ["GNUmakefile", "makefile", "Makefile"]) {
    const makefile = await files.read(name);
    if (makefile !== undefined && /^test\s*:/m.test(makefile)) {
      return { framework: "make", command: "make test", selectTemplate: "make test", evidence: `a test target in ${name}` };
    }
  }
  return undefined;
}

/** Cached reads of the few files detection looks at. */
class RepoFiles {
  private readonly sandbox: Sandbox;
  private readonly texts = new Map<string, Promise<string | undefined>>();
  private root: Promise<string[]> | undefined;

  constructor(sandbox: Sandbox) {
    this.sandbox = sandbox;
  }

  async exists(path: string): Promise<boolean> {
    return (await this.sandbox.stat(path))?.type === "file";
  }

  /** The file's text; undefined when it is missing or not a regular file. */
  read(path: string): Promise<string | undefined> {
    let text = this.texts.get(path);
    if (text === undefined) {
      text = this.exists(path).then(async (exists) => (exists ? (await this.sandbox.readFile(path)).toString("utf8") : undefined));
      this.texts.set(path, text);
    }
    return text;
  }

  /** Names of the entries at the workspace root. */
  rootNames(): Promise<string[]> {
    this.root ??= this.sandbox.listDirectory(".", 1).then((entries) => entries.map((entry) => entry.path));
    return this.root;
  }

  /** Python test files in the first four levels, shallowest first. */
  async pythonTestFiles(): Promise<string[]> {
    const entries = await this.sandbox.listDirectory(".", 4);
    return entries
      .filter((entry) => entry.type === "file" && PYTHON_TEST_FILE.test(entry.path) && !/(^|\/)(\.|node_modules\/|site-packages\/|build\/|dist\/)/.test(entry.path))
      .map((entry) => entry.path)
      .sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1));
  }
}
