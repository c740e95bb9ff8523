import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { runTool } from "../../src/tools/agent-tool.js";
import { createBackgroundJobsTool } from "../../src/tools/background-jobs.js";
import { createFindFilesTool } from "../../src/tools/find-files.js";
import { createRunShellTool, findInteractiveProgram } from "../../src/tools/run-shell.js";
import { createSearchTool } from "../../src/tools/search.js";
import { createFilesOnlySandbox, sandboxFactories, type SandboxFactory } from "../support/sandbox-factories.js";

const files: Record<string, string> = {
  "src/app/models.py": "class User:\n    def full_name(self):\n        return self.first + ' ' + self.last\n",
  "src/app/views.py": "from .models import User\n\ndef show(user: User):\n    return user.full_name()\n",
  "tests/test_models.py": "def test_full_name():\n    assert True\n",
  "docs/setup.cfg": "[metadata]\nname = app\n",
  ".github/workflows/ci.yml": "name: ci\n",
  ".gitignore": "build/\n",
  "build/generated.py": "def full_name(): pass\n",
  "src/app/regex.py": "PATTERN = 'a.b(c)'\n",
};

describe.each(sandboxFactories)("shell and search tools in the $name sandbox", (factory: SandboxFactory) => {
  let hostDir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), "search-tools-"));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(dirname(join(hostDir, path)), { recursive: true });
      await writeFile(join(hostDir, path), content);
    }
    await mkdir(join(hostDir, ".git"), { recursive: true });
    sandbox = await factory.create(hostDir);
  }, 20 * 60_000);

  afterAll(async () => {
    await sandbox?.dispose();
    await rm(hostDir, { recursive: true, force: true });
  });

  describe("run_shell", () => {
    it("returns the exit code and the output", async () => {
      const result = await runTool(createRunShellTool({ sandbox }), { command: "echo out; echo err >&2" });
      expect(result.ok).toBe(true);
      expect(result.output).toMatch(/^exit code: 0 \(\d+\.\d s\)\nstdout:\nout\nstderr:\nerr$/);
    });

    it("starts a server as a background job that background_jobs lists and stops, and says what it stopped otherwise", async () => {
      const shell = createRunShellTool({ sandbox });
      const jobs = createBackgroundJobsTool({ sandbox });
      const left = await runTool(shell, { command: "sleep 300 & echo started" });
      expect(left.output).toContain("1 process(es) the command left running were stopped when it returned");
      const started = await runTool(shell, { command: "python3 -m http.server 0 --bind 127.0.0.1", background: true });
      const group = Number(/process group (\d+)/.exec(started.output)![1]);
      expect((await runTool(jobs, { action: "list" })).output).toMatch(new RegExp(`^${group}  running  .*job-\\d+\\.log  python3 -m http\\.server`));
      expect(await runTool(jobs, { action: "stop", group })).toMatchObject({ ok: true, output: expect.stringContaining(`Stopped background job ${group}`) });
      expect(await runTool(jobs, { action: "stop" })).toMatchObject({ ok: false, output: "Give the process group of the job to stop (see action: list)." });
    });

    it("reports a non-zero exit code as a failure with its output", async () => {
      const result = await runTool(createRunShellTool({ sandbox }), { command: "ls no-such-file" });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/exit code: 2[\s\S]*no-such-file/);
    });

    it("reports a timeout as such, with the partial output", async () => {
      const result = await runTool(createRunShellTool({ sandbox }), { command: "echo partial; sleep 30", timeout_seconds: 1 });
      expect(result.ok).toBe(false);
      expect(result.output).toContain("timed out after 1 s and was killed");
      expect(result.output).toContain("partial");
    });

    it("refuses an editor and says what to use instead", async () => {
      const result = await runTool(createRunShellTool({ sandbox }), { command: "vim src/app/models.py" });
      expect(result).toMatchObject({ ok: false });
      expect(result.output).toContain("Use view_file to read and edit_file to change files.");
    });

    it("shortens long output for the model", async () => {
      const result = await runTool(createRunShellTool({ sandbox }), { command: "seq 1 200000" });
      expect(result.output.length).toBeLessThan(25_000);
      expect(result.output).toContain("bytes in the middle were omitted");
      expect(result.output.trimEnd().endsWith("200000")).toBe(true);
    });
  });

  describe("search", () => {
    it("groups matches by file with line numbers, skipping ignored files", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "full_name" });
      expect(result.output).toBe(
        [
          "3 matches in 3 files for /full_name/:",
          "src/app/models.py",
          "  2:     def full_name(self):",
          "src/app/views.py",
          "  4:     return user.full_name()",
          "tests/test_models.py",
          "  1: def test_full_name():",
        ].join("\n"),
      );
    });

    it("searches literally when asked", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "a.b(c)", literal: true });
      expect(result.output).toContain("src/app/regex.py\n  1: PATTERN = 'a.b(c)'");
    });

    it("filters by glob", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "full_name", glob: "tests/**" });
      expect(result.output).toMatch(/^1 matches in 1 files/);
    });

    it("says so when nothing matches", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "no_such_symbol_anywhere" });
      expect(result).toEqual({ ok: true, output: "No matches for /no_such_symbol_anywhere/." });
    });

    it("explains an invalid regular expression", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "def (" });
      expect(result.ok).toBe(false);
      expect(result.output).toMatch(/regex parse error|unclosed group/i);
    });

    it("refuses a path outside the workspace", async () => {
      const result = await runTool(createSearchTool({ sandbox }), { pattern: "root", path: "../../etc" });
      expect(result.ok).toBe(false);
      expect(result.output).toContain("outside the workspace");
    });
  });

  describe("find_files", () => {
    it("finds files whose name contains a plain word, including hidden ones", async () => {
      const result = await runTool(createFindFilesTool({ sandbox }), { pattern: "setup" });
      expect(result.output).toBe("1 file match setup:\ndocs/setup.cfg");
    });

    it("matches a glob and skips ignored files", async () => {
      const result = await runTool(createFindFilesTool({ sandbox }), { pattern: "*.py" });
      expect(result.output).toBe("4 files match *.py:\nsrc/app/models.py\nsrc/app/regex.py\nsrc/app/views.py\ntests/test_models.py");
    });

    it("includes dot-directories but not .git", async () => {
      const result = await runTool(createFindFilesTool({ sandbox }), { pattern: "*.yml" });
      expect(result.output).toBe("1 file match *.yml:\n.github/workflows/ci.yml");
    });

    it("says so when nothing matches", async () => {
      const result = await runTool(createFindFilesTool({ sandbox }), { pattern: "nothing-like-this" });
      expect(result.output).toBe("No files match nothing-like-this.");
    });
  });
});

describe("findInteractiveProgram", () => {
  it.each(["vim a.py", "cd x && less log.txt", "git log | more", "FOO=1 nano a", "python", "python3", "sudo top"])(
    "refuses %j",
    (command) => {
      expect(findInteractiveProgram(command)).toBeDefined();
    },
  );

  it.each(["python -m pytest -q", "python3 -c 'print(1)'", "node script.js", "git diff | cat", "grep -r less ."])("allows %j", (command) => {
    expect(findInteractiveProgram(command)).toBeUndefined();
  });
});

describe("tool schemas and descriptions", () => {
  const sandbox = createFilesOnlySandbox(tmpdir());
  it.each([createRunShellTool({ sandbox }), createBackgroundJobsTool({ sandbox }), createSearchTool({ sandbox }), createFindFilesTool({ sandbox })])("$name is stable", (tool) => {
    expect({ name: tool.name, kind: tool.kind, description: tool.description, schema: z.toJSONSchema(tool.schema) }).toMatchSnapshot();
  });
});
