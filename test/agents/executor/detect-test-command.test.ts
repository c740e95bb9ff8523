import { chmod, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commandForTests, detectTestCommand, type TestCommandGuess } from "../../../src/agents/executor/detect-test-command.js";
import type { Sandbox } from "../../../src/sandbox/sandbox.js";
import { writeFiles, type FileTree } from "../../git/git-fixture.js";
import { sandboxFactories, type SandboxFactory } from "../../support/sandbox-factories.js";

const djangoRuntests = `#!/usr/bin/env python
import argparse
import django
from django.test.utils import get_runner

parser = argparse.ArgumentParser(description="Run the Django test suite.")
parser.add_argument("--settings", help="Python path to settings module")
parser.add_argument("--parallel", nargs="?", default=0, type=int)
`;

const sympyBinTest = `#!/usr/bin/env python
"""
Program to execute doctests using the py.test like interface.
"""
import sys
from get_sympy import path_hack
path_hack()
import sympy
sys.exit(not sympy.test(*sys.argv[1:]))
`;

const frameworks = (guesses: TestCommandGuess[]): string[] => guesses.map((guess) => guess.framework);

describe.each(sandboxFactories)("detectTestCommand in the $name sandbox", (factory: SandboxFactory) => {
  let hostDir: string;
  let sandbox: Sandbox;

  /** Replaces the workspace's files with `files`; `executables` get the x bit. */
  async function useFiles(files: FileTree, executables: string[] = []): Promise<void> {
    for (const entry of await readdir(hostDir)) await rm(join(hostDir, entry), { recursive: true, force: true });
    await writeFiles(hostDir, files);
    for (const path of executables) await chmod(join(hostDir, path), 0o755);
  }

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), `detect-tests-${factory.name}-`));
    sandbox = await factory.create(hostDir);
  }, 20 * 60_000);

  afterAll(async () => {
    await sandbox?.dispose();
    await rm(hostDir, { recursive: true, force: true });
  });

  it("recognises a pytest project by its configuration and conftest.py, with unittest as the fallback", async () => {
    await useFiles({
      "pytest.ini": "[pytest]\naddopts = -q\n",
      "app/core.py": "def add(a, b):\n    return a + b\n",
      "tests/conftest.py": "import pytest\n",
      "tests/test_core.py": "from app.core import add\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    });
    const guesses = await detectTestCommand(sandbox);
    expect(frameworks(guesses)).toEqual(["pytest", "unittest"]);
    expect(guesses[0]?.command).toMatch(/^(pytest|python3? -m pytest) -rA$/);
    expect(guesses[0]?.selectTemplate).toMatch(/ -rA \{tests\}$/);
    expect(guesses[0]?.evidence).toMatch(/^pytest\.ini; tests\/conftest\.py; 1 test file such as tests\/test_core\.py/);
  });

  it("recognises pytest configured in pyproject.toml, setup.cfg and tox.ini", async () => {
    await useFiles({
      "pyproject.toml": "[project]\nname = 'x'\n\n[tool.pytest.ini_options]\ntestpaths = ['tests']\n",
      "setup.cfg": "[metadata]\nname = x\n\n[tool:pytest]\naddopts = -ra\n",
      "tox.ini": "[tox]\nenvlist = py39\n\n[testenv]\ncommands = pytest {posargs}\n",
    });
    const [pytest] = await detectTestCommand(sandbox);
    expect(pytest?.framework).toBe("pytest");
    expect(pytest?.evidence).toMatch(/^\[tool\.pytest\.ini_options\] in pyproject\.toml; \[tool:pytest\] in setup\.cfg; tox\.ini runs pytest/);
  });

  it("recognises Django's own runner with the settings and options SWE-bench uses, and nothing else", async () => {
    await useFiles(
      {
        "django/__init__.py": "VERSION = (4, 2)\n",
        "tests/runtests.py": djangoRuntests,
        "tests/test_sqlite.py": "DATABASES = {}\n",
        "tests/auth_tests/test_validators.py": "from django.test import TestCase\n",
      },
      ["tests/runtests.py"],
    );
    const guesses = await detectTestCommand(sandbox);
    expect(frameworks(guesses)).toEqual(["django"]);
    expect(guesses[0]?.command).toMatch(/^(\.\/tests\/runtests\.py|python3? tests\/runtests\.py) --verbosity 2 --settings=test_sqlite --parallel 1$/);
    expect(guesses[0]?.selectTemplate).toBe(`${guesses[0]?.command} {tests}`);
  });

  it("recognises a Django project's manage.py", async () => {
    await useFiles({ "manage.py": "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\nfrom django.core.management import execute_from_command_line\n" });
    const [guess] = await detectTestCommand(sandbox);
    expect(guess?.framework).toBe("django");
    expect(guess?.command).toMatch(/^python3? manage\.py test --verbosity 2$/);
  });

  it("recognises SymPy's bin/test and runs it without the cache and with warnings silenced", async () => {
    await useFiles(
      {
        "bin/test": sympyBinTest,
        "sympy/__init__.py": "",
        "sympy/core/tests/test_basic.py": "def test_structure():\n    pass\n",
        "setup.py": "from setuptools import setup\n",
      },
      ["bin/test"],
    );
    const guesses = await detectTestCommand(sandbox);
    expect(frameworks(guesses)).toEqual(["sympy"]);
    expect(guesses[0]?.command).toMatch(/^PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' (bin\/test|python3? bin\/test) -C --verbose$/);
  });

  it("offers unittest, discovered from a test directory that is not a package, for plain Python tests", async () => {
    await useFiles({
      "calc.py": "def add(a, b):\n    return a + b\n",
      "tests/test_calc.py": "import unittest\n",
    });
    const guesses = await detectTestCommand(sandbox);
    expect(frameworks(guesses).sort()).toEqual(["pytest", "unittest"]);
    const unittest = guesses.find((guess) => guess.framework === "unittest");
    expect(unittest?.command).toMatch(/^python3? -m unittest discover -v -s tests$/);
    expect(unittest?.selectTemplate).toMatch(/^python3? -m unittest -v \{tests\}$/);
  });

  it("recognises vitest from package.json, with npm test after it", async () => {
    await useFiles({
      "package.json": JSON.stringify({ scripts: { test: "vitest run" }, devDependencies: { vitest: "^4.0.0" } }),
      "vitest.config.ts": "export default {};\n",
    });
    expect(await detectTestCommand(sandbox)).toEqual([
      {
        framework: "vitest",
        command: "npx vitest run --reporter=verbose",
        selectTemplate: "npx vitest run --reporter=verbose {tests}",
        evidence: 'scripts.test is "vitest run"; vitest in package.json dependencies; vitest.config.ts',
      },
      { framework: "npm", command: "npm test", selectTemplate: "npm test -- {tests}", evidence: 'scripts.test is "vitest run"' },
    ]);
  });

  it("recognises jest from package.json", async () => {
    await useFiles({ "package.json": JSON.stringify({ scripts: { test: "jest --ci" }, devDependencies: { jest: "^29.0.0" } }) });
    expect(frameworks(await detectTestCommand(sandbox))).toEqual(["jest", "npm"]);
  });

  it("ignores npm's placeholder test script", async () => {
    await useFiles({ "package.json": JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }) });
    expect(await detectTestCommand(sandbox)).toEqual([]);
  });

  it("recognises a Go module", async () => {
    await useFiles({ "go.mod": "module example.com/calc\n\ngo 1.22\n", "calc_test.go": "package calc\n" });
    expect(await detectTestCommand(sandbox)).toEqual([{ framework: "go", command: "go test -v ./...", selectTemplate: "go test -v {tests}", evidence: "go.mod" }]);
  });

  it("recognises a Cargo package", async () => {
    await useFiles({ "Cargo.toml": '[package]\nname = "calc"\nversion = "0.1.0"\n', "src/lib.rs": "pub fn add() {}\n" });
    expect(await detectTestCommand(sandbox)).toEqual([{ framework: "cargo", command: "cargo test", selectTemplate: "cargo test -- {tests}", evidence: "Cargo.toml" }]);
  });

  it("offers make test last, after the language's own runner", async () => {
    await useFiles({ "go.mod": "module example.com/calc\n", Makefile: "build:\n\tgo build ./...\n\ntest:\n\tgo test ./...\n" });
    const guesses = await detectTestCommand(sandbox);
    expect(frameworks(guesses)).toEqual(["go", "make"]);
    expect(guesses[1]).toEqual({ framework: "make", command: "make test", selectTemplate: "make test", evidence: "a test target in Makefile" });
  });

  it("finds nothing in a repository without tests", async () => {
    await useFiles({ "README.md": "# Notes\n" });
    expect(await detectTestCommand(sandbox)).toEqual([]);
  });
});

describe("commandForTests", () => {
  const guess = (framework: TestCommandGuess["framework"], selectTemplate: string): TestCommandGuess => ({ framework, command: "", selectTemplate, evidence: "" });

  it("passes pytest ids through, quoting those with spaces or brackets", () => {
    expect(commandForTests(guess("pytest", "pytest -rA {tests}"), ["tests/test_a.py::test_x", "tests/test_a.py::test_p[a b-1]"])).toBe(
      "pytest -rA tests/test_a.py::test_x 'tests/test_a.py::test_p[a b-1]'",
    );
  });

  it("turns Django test files and verbose test names into runtests.py labels", () => {
    const runtests = guess("django", "./tests/runtests.py --verbosity 2 {tests}");
    expect(
      commandForTests(runtests, ["tests/auth_tests/test_validators.py", "test_help_text (auth_tests.test_validators.UserAttributeSimilarityValidatorTest)", "test_x (m.C.test_x)"]),
    ).toBe("./tests/runtests.py --verbosity 2 auth_tests.test_validators auth_tests.test_validators.UserAttributeSimilarityValidatorTest.test_help_text m.C.test_x");
  });

  it("keeps unittest file paths, which unittest accepts", () => {
    expect(commandForTests(guess("unittest", "python3 -m unittest -v {tests}"), ["tests/test_calc.py"])).toBe("python3 -m unittest -v tests/test_calc.py");
  });

  it("runs the packages of Go test files and ids once each", () => {
    expect(commandForTests(guess("go", "go test -v {tests}"), ["store/store_test.go", "store/cache_test.go", "example.com/calc::TestAdd", "main_test.go"])).toBe(
      "go test -v ./store example.com/calc .",
    );
  });

  it("runs the files of vitest and SymPy test ids", () => {
    expect(commandForTests(guess("vitest", "npx vitest run {tests}"), ["test/a.test.ts > math > adds", "test/a.test.ts > math > subtracts"])).toBe("npx vitest run test/a.test.ts");
    expect(commandForTests(guess("sympy", "bin/test -C {tests}"), ["sympy/core/tests/test_basic.py::test_structure"])).toBe("bin/test -C sympy/core/tests/test_basic.py");
  });

  it("passes node:test files as they are, for a template that compiles them first", () => {
    const template = "tsc --outDir .tsbuild {tests} && node --test --test-reporter=tap .tsbuild/";
    expect(commandForTests(guess("node", template), ["test/slug.test.ts", "test/a b.test.ts"])).toBe(
      "tsc --outDir .tsbuild test/slug.test.ts 'test/a b.test.ts' && node --test --test-reporter=tap .tsbuild/",
    );
  });

  it("runs the whole suite for a template that cannot select tests, or for no tests", () => {
    expect(commandForTests(guess("make", "make test"), ["a"])).toBe("make test");
    expect(commandForTests(guess("pytest", "pytest -rA {tests}"), [])).toBe("pytest -rA");
  });
});
