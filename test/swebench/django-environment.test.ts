import { execFileSync } from "node:child_process";
import { chmod, mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { expect, it } from "vitest";
import { debianPackagesFor } from "../../swebench/debian-packages.js";
import { environmentVerdict } from "../../swebench/environment-check.js";
import { evaluatePredictions } from "../../swebench/evaluate.js";
import type { SweBenchInstance } from "../../swebench/instance.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { describeWithDocker } from "../support/require-docker.js";

const docker = createDockerClient(process.env);

/**
 * A django-shaped repository: a package installed with `pip install -e .` and a
 * tests/runtests.py that takes django's arguments and prints what Django's runner prints
 * (unittest at verbosity 2), so the real spec, package list, eval script and parser of
 * django/django 3.2 are what is checked. Its tests import what django's own tests need.
 */
const FILES: Record<string, string> = {
  "setup.py": "from setuptools import setup\n\nsetup(name='shaped', version='3.2', packages=['shaped'])\n",
  "shaped/__init__.py": "",
  "shaped/text.py": "def title(value):\n    return value\n",
  "tests/runtests.py": `#!/usr/bin/env python
import argparse
import importlib
import os
import sys
import unittest

parser = argparse.ArgumentParser()
parser.add_argument("modules", nargs="*")
parser.add_argument("--verbosity", type=int, default=1)
parser.add_argument("--settings")
parser.add_argument("--parallel")
args = parser.parse_args()
assert args.settings == "test_sqlite", args.settings
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromModule(importlib.import_module(name)) for name in args.modules)
result = unittest.TextTestRunner(verbosity=args.verbosity).run(suite)
sys.exit(not result.wasSuccessful())
`,
  "tests/test_sqlite.py": "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3'}}\n",
  "tests/shaped_tests/__init__.py": "",
  "tests/shaped_tests/tests.py": `import importlib
import locale
import unittest

from shaped.text import title


class DependencyTests(unittest.TestCase):
    def test_required_dependencies(self):
        for name in ("asgiref", "sqlparse", "pytz"):
            importlib.import_module(name)

    def test_optional_test_dependencies(self):
        for name in ("argon2", "bcrypt", "docutils", "jinja2", "numpy", "PIL", "yaml", "tblib", "colorama", "aiosmtpd"):
            importlib.import_module(name)

    def test_locale(self):
        locale.setlocale(locale.LC_ALL, "en_US.UTF-8")
`,
};

const TEST_PATCH = `diff --git a/tests/shaped_tests/tests.py b/tests/shaped_tests/tests.py
--- a/tests/shaped_tests/tests.py
+++ b/tests/shaped_tests/tests.py
@@ -17,3 +17,8 @@ class DependencyTests(unittest.TestCase):
 
     def test_locale(self):
         locale.setlocale(locale.LC_ALL, "en_US.UTF-8")
+
+
+class TitleTests(unittest.TestCase):
+    def test_title(self):
+        self.assertEqual(title("hello world"), "Hello World")
`;

const GOLD_PATCH = `diff --git a/shaped/text.py b/shaped/text.py
--- a/shaped/text.py
+++ b/shaped/text.py
@@ -1,2 +1,2 @@
 def title(value):
-    return value
+    return value.title()
`;

async function createDjangoShapedRepository(): Promise<{ reposDir: string; baseCommit: string }> {
  const reposDir = await mkdtemp(join(tmpdir(), "swebench-django-"));
  const repo = join(reposDir, "django", "django");
  await mkdir(repo, { recursive: true });
  for (const [path, content] of Object.entries(FILES)) {
    await mkdir(dirname(join(repo, path)), { recursive: true });
    await writeFile(join(repo, path), content);
  }
  await chmod(join(repo, "tests/runtests.py"), 0o755);
  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "-c", "commit.gpgsign=false", ...args], {
      cwd: repo,
      encoding: "utf8",
      env: { ...process.env, GIT_AUTHOR_DATE: "2026-01-01T00:00:00Z", GIT_COMMITTER_DATE: "2026-01-01T00:00:00Z" },
    }).trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "shaped");
  return { reposDir, baseCommit: git("rev-parse", "HEAD") };
}

describeWithDocker("django/django's Debian environment on a django-shaped repository", () => {
  it("installs what django's tests need, generates the locale, runs tests/runtests.py and grades with django's parser: gold resolves, empty does not", async () => {
    const { reposDir, baseCommit } = await createDjangoShapedRepository();
    const passToPass = ["test_locale", "test_optional_test_dependencies", "test_required_dependencies"].map((name) => `${name} (shaped_tests.tests.DependencyTests)`);
    const instance = (id: string): SweBenchInstance => ({
      repo: "django/django",
      instance_id: id,
      base_commit: baseCommit,
      patch: GOLD_PATCH,
      test_patch: TEST_PATCH,
      problem_statement: "title() should capitalise words.",
      hints_text: "",
      created_at: "2026-01-01T00:00:00Z",
      version: "3.2",
      FAIL_TO_PASS: JSON.stringify(["test_title (shaped_tests.tests.TitleTests)"]),
      PASS_TO_PASS: JSON.stringify(passToPass),
      environment_setup_commit: baseCommit,
    });
    // Two instances of the same commit evaluated side by side: one with the gold patch, one with none.
    const instances = [instance("django__django-shaped-gold"), instance("django__django-shaped-empty")];
    expect(debianPackagesFor("django/django")).toContain("python3-asgiref");
    const logRoot = await mkdtemp(join(tmpdir(), "swebench-django-eval-"));
    const run = await evaluatePredictions({
      docker,
      instances,
      predictions: [
        { instance_id: "django__django-shaped-gold", model_name_or_path: "check", model_patch: GOLD_PATCH },
        { instance_id: "django__django-shaped-empty", model_name_or_path: "check", model_patch: "" },
      ],
      runId: "django-shaped",
      logRoot,
      reportDir: logRoot,
      environment: "debian",
      reposDir,
      cacheDir: join(logRoot, "cache"),
      workers: 2,
      timeoutSec: 300,
      evaluateEmptyPatches: true,
    });
    const byId = new Map(run.results.map((result) => [result.instanceId, result]));
    expect(environmentVerdict(byId.get("django__django-shaped-gold")!, "gold")).toEqual({ instanceId: "django__django-shaped-gold", valid: true });
    expect(environmentVerdict(byId.get("django__django-shaped-empty")!, "empty")).toEqual({ instanceId: "django__django-shaped-empty", valid: true });
  }, 900_000);
});
