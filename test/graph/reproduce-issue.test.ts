import { execFileSync } from "node:child_process";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, it } from "vitest";
import { AbortedError, SandboxError } from "../../src/errors.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { reproduceIssue, type ReproduceIssueOptions } from "../../src/graph/reproduce-issue.js";
import { resumeRun, type ResumeRunOptions } from "../../src/graph/run-task.js";
import { writeSlugsRepository } from "../cli/solve-fixture.js";
import { localRunFixture } from "../support/session-fixture.js";

/** A fresh checkout of the slugs repository, in a temporary root that also holds the runs. */
async function createCheckout(): Promise<{ root: string; checkout: string }> {
  const root = await mkdtemp(join(tmpdir(), "agent-reproduce-"));
  const checkout = join(root, "project");
  await writeSlugsRepository(checkout);
  return { root, checkout };
}

const task = { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` returns `'-a-b-'`; it should return `'a-b'`.", source: "typed" };

const turn = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, args }], usage: { input: 500, output: 20 } });

/** The test designer's turns: write `content` to tests/test_repro.py and hand it in with `commandTemplate`. */
function designerScript(content: string, commandTemplate = "python3 -m pytest -rA {tests}", framework = "pytest") {
  return {
    turns: [
      turn("edit_file", { command: "create", path: "tests/test_repro.py", file_text: content }),
      turn("submit_tests", { framework, command_template: commandTemplate, tests: [{ path: "tests/test_repro.py", kind: "basic", description: "surrounding spaces are stripped" }] }),
    ],
  };
}

const failingPytest = "from slugs import slugify\n\n\ndef test_strip():\n    assert slugify(' A B ') == 'a-b'\n";
const passingUnittest =
  "import unittest\nfrom slugs import slugify\n\n\nclass Repro(unittest.TestCase):\n    def test_lower(self):\n        self.assertEqual(slugify('A B'), 'a-b')\n";

const failingUnittest =
  "import unittest\nfrom slugs import slugify\n\n\nclass Repro(unittest.TestCase):\n    def test_strip(self):\n        self.assertEqual(slugify(' A B '), 'a-b')\n";

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** What can be seen of the source repository: its status, HEAD and the file under test. */
async function snapshotOf(checkout: string): Promise<string[]> {
  return [git(checkout, "status", "--porcelain"), git(checkout, "rev-parse", "HEAD"), await readFile(join(checkout, "slugs/core.py"), "utf8")];
}

/** A reproduction on a fresh slugs checkout with a local sandbox and `script` as the model; every event is kept, and the checkout as it was before. */
async function reproduce(script: unknown, extra: Partial<ReproduceIssueOptions> = {}) {
  const { root, checkout } = await createCheckout();
  const before = await snapshotOf(checkout);
  const { environment } = await localRunFixture(root, checkout, script);
  const events: AgentEvent[] = [];
  const result = await reproduceIssue({ ...environment, task, repoPath: checkout, limits: { maxSteps: 30 }, sink: (event) => events.push(event), ...extra });
  return { result, events, checkout, before };
}

/** The reproduction of a bug that reproduces, run once for the tests that look at it. */
let reproducedRun: ReturnType<typeof reproduce> | undefined;
function reproducedBug(): ReturnType<typeof reproduce> {
  // The test designer first tries a fix in its tree: the reproduction must undo it and run on the base commit.
  const tryFix = turn("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: "text.lower()", new_str: "text.strip().lower()" });
  reproducedRun ??= reproduce({ turns: [tryFix, ...designerScript(failingPytest).turns] });
  return reproducedRun;
}

// Each test waits on git, a sandbox and Python far more than on the CPU, so they run side by side (and get the time a busy machine needs then).
describe.concurrent("reproduceIssue", { timeout: 90_000 }, () => {
  it("reproduces a bug whose designed test fails on the base commit, with the failing test, the command and the log", async ({ expect }) => {
    const { result, checkout } = await reproducedBug();
    expect(result).toMatchObject({
      verdict: "reproduced",
      reason: "1 of 1 designed test(s) fail on the base commit: tests/test_repro.py::test_strip",
      failingTests: ["tests/test_repro.py::test_strip"],
      tests: [{ path: "tests/test_repro.py", content: failingPytest, kind: "basic" }],
      command: "python3 -m pytest -rA tests/test_repro.py",
      baseCommit: git(checkout, "rev-parse", "HEAD"),
      usage: { inputTokens: 1_500, outputTokens: 60 },
    });
    expect(result.log).toContain("FAILED tests/test_repro.py::test_strip");
    expect(result.log).toContain("AssertionError");
  });

  it("runs only the test designer, then the tests once on the base commit", async ({ expect }) => {
    const { events } = await reproducedBug();
    expect(events.filter((event) => event.type === "node-start").map((event) => event.node)).toEqual(["test-designer", "executor"]);
    expect(events.filter((event) => event.type === "test-run-end")).toMatchObject([{ phase: "base", scope: "designed", exitCode: 1 }]);
  });

  it("never changes the source repository, though the test designer edited the code in its tree", async ({ expect }) => {
    const { checkout, before } = await reproducedBug();
    expect(await snapshotOf(checkout)).toEqual(before);
  });

  it("records the reproduction as an ordinary run, with its verdict in reproduction.json and summary.md", async ({ expect }) => {
    const { result } = await reproducedBug();
    expect(await readdir(result.runDir)).toEqual(expect.arrayContaining(["run.json", "trajectory.jsonl", "checkpoints.sqlite", "report.json", "summary.md", "reproduction.json"]));
    expect(JSON.parse(await readFile(join(result.runDir, "run.json"), "utf8"))).toMatchObject({ runId: result.runId, task, limits: { maxSteps: 30 } });
    expect(JSON.parse(await readFile(join(result.runDir, "reproduction.json"), "utf8"))).toEqual(result);
    expect(await readFile(join(result.runDir, "summary.md"), "utf8")).toContain("## Reproduction\n\nVerdict: **reproduced**: 1 of 1 designed test(s) fail");
  });

  it("is recorded as a reproduction, which agent resume refuses to continue as a solve", async ({ expect }) => {
    const { result } = await reproducedBug();
    const manifest = JSON.parse(await readFile(join(result.runDir, "run.json"), "utf8")) as { kind?: string };
    expect(manifest.kind).toBe("reproduction");
    const resuming = resumeRun({ runsDir: dirname(result.runDir), runId: result.runId } as ResumeRunOptions);
    await expect(resuming).rejects.toThrow(/is a triage's reproduction, which is not resumed/);
  });

  it("does not reproduce a bug whose designed test passes on the base commit", async ({ expect }) => {
    const { result } = await reproduce(designerScript(passingUnittest, "python3 -m unittest -v {tests}", "unittest"));

    expect(result).toMatchObject({ verdict: "not-reproduced", failingTests: [], command: "python3 -m unittest -v tests/test_repro.py" });
    expect(result.reason).toBe("every designed test passes on the base commit (1 passed), so the issue did not show");
  });

  it("could not run a designed test with a syntax error, naming the error", async ({ expect }) => {
    // edit_file refuses a file that does not parse, so the file is written from the shell.
    const script = designerScript(failingUnittest, "python3 -m unittest -v {tests}", "unittest");
    script.turns[0] = turn("run_shell", { command: "printf 'import unittest\\n\\ndef test_strip(:\\n    pass\\n' > tests/test_repro.py" });
    const { result } = await reproduce(script);

    expect(result.verdict).toBe("could-not-run");
    expect(result.reason).toMatch(/^the designed tests broke before they tested anything, for a reason no fix can cure: `.*SyntaxError/);
    expect(result.log).toContain("SyntaxError");
  });

  it("could not run when the test designer's budget runs out before it hands in a test, and records the run", async ({ expect }) => {
    const { result } = await reproduce({ turns: [1, 2, 3].map(() => turn("view_file", { path: "slugs/core.py" })) }, { limits: { maxSteps: 2 } });

    expect(result).toMatchObject({ verdict: "could-not-run", tests: [], log: "", failingTests: [] });
    expect(result.reason).toBe("the test designer handed in no test (the step limit (2 tool calls) was reached)");
    expect(JSON.parse(await readFile(join(result.runDir, "report.json"), "utf8"))).toMatchObject({ status: "limits-exceeded" });
  });

  it("could not run when the model fails, and still writes the run's record", async ({ expect }) => {
    const { result } = await reproduce({ turns: [turn("view_file", { path: "slugs/core.py" })] });

    expect(result.verdict).toBe("could-not-run");
    expect(result.reason).toContain("the test designer handed in no test (the run stopped: ");
    expect(result.reason).toContain("has no turn 2");
    expect(JSON.parse(await readFile(join(result.runDir, "report.json"), "utf8"))).toMatchObject({ status: "error" });
    expect(await readFile(join(result.runDir, "summary.md"), "utf8")).toContain("Verdict: **could-not-run**");
  });

  it("could not run when the sandbox cannot start, with its message", async ({ expect }) => {
    const refuse = async () => {
      throw new SandboxError("Stopped: the local sandbox was not accepted.", { code: "local-sandbox-refused" });
    };
    const { result } = await reproduce(designerScript(failingUnittest), { confirmSandbox: refuse });

    expect(result).toMatchObject({ verdict: "could-not-run", reason: "the run could not start: Stopped: the local sandbox was not accepted.", baseCommit: null, costUsd: 0 });
  });

  it("throws an AbortedError when interrupted", async ({ expect }) => {
    const controller = new AbortController();
    const script = { turns: [turn("run_shell", { command: "sleep 5" }), ...designerScript(failingUnittest).turns] };
    const running = reproduce(script, {
      signal: controller.signal,
      sink: (event) => {
        if (event.type === "tool-call-start") controller.abort();
      },
    });

    await expect(running).rejects.toBeInstanceOf(AbortedError);
    await expect(running).rejects.toThrow("start the reproduction again");
  });
});
