import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { GitError } from "../../src/errors.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import type { WorkspaceGit } from "../../src/git/workspace-git.js";
import { runTool } from "../../src/tools/agent-tool.js";
import type { AgentTool } from "../../src/tools/agent-tool.js";
import { createGitBranchTool } from "../../src/tools/git-branch.js";
import { createGitCommitTool } from "../../src/tools/git-commit.js";
import { capPatch, createGitDiffTool, MAX_DIFF_CHARACTERS } from "../../src/tools/git-diff.js";
import { createGitRestoreTool } from "../../src/tools/git-restore.js";
import { createGitStatusTool } from "../../src/tools/git-status.js";
import { createRepository, git, useTempDirs, writeFiles } from "../git/git-fixture.js";

const makeTempDir = useTempDirs();

async function workspace(): Promise<{ dir: string; base: string; workspaceGit: WorkspaceGit }> {
  const dir = await makeTempDir();
  const base = await createRepository(dir, { "a.txt": "a\n", "b.txt": "b\n", "old.py": "x = 1\n" });
  return { dir, base, workspaceGit: createWorkspaceGit({ workdir: dir, baseCommit: base }) };
}

const toolFactories: Array<[string, (options: { git: WorkspaceGit }) => AgentTool]> = [
  ["git_status", createGitStatusTool],
  ["git_diff", createGitDiffTool],
  ["git_commit", createGitCommitTool],
  ["git_branch", createGitBranchTool],
  ["git_restore", createGitRestoreTool],
];

describe("git tool definitions", () => {
  it.each(toolFactories)("%s keeps its name, kind, description and schema", async (_name, create) => {
    const { workspaceGit } = await workspace();
    const tool = create({ git: workspaceGit });
    expect({ name: tool.name, kind: tool.kind, description: tool.description, schema: z.toJSONSchema(tool.schema) }).toMatchSnapshot();
  });
});

describe("git_status", () => {
  it("shows the branch and the changed files grouped by kind", async () => {
    const { dir, base, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n", "new.txt": "n\n", "__pycache__/x.pyc": "x" });
    git(dir, ["mv", "old.py", "new.py"]);
    git(dir, ["rm", "--quiet", "b.txt"]);
    const result = await runTool(createGitStatusTool({ git: workspaceGit }), {});
    const short = base.slice(0, 7);
    expect(result).toEqual({
      ok: true,
      output: [
        `On branch main at ${short} (the run's base commit is ${short}).`,
        "Changes since the last commit:",
        "Modified (1):",
        "  a.txt",
        "Deleted (1):",
        "  b.txt",
        "Renamed (1):",
        "  old.py -> new.py",
        "Untracked (1):",
        "  new.txt",
      ].join("\n"),
      display: "main: 1 modified, 1 deleted, 1 renamed, 1 untracked",
    });
  });

  it("says when nothing changed since the last commit", async () => {
    const { base, workspaceGit } = await workspace();
    const result = await runTool(createGitStatusTool({ git: workspaceGit }), {});
    expect(result.output).toBe(
      `On branch main at ${base.slice(0, 7)} (the run's base commit is ${base.slice(0, 7)}).\n` +
        "No changes since the last commit. git_diff shows the changes since the base commit.",
    );
    expect(result.display).toBe("main: clean");
  });
});

describe("git_diff", () => {
  it("shows the patch against the base commit", async () => {
    const { dir, base, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n" });
    const result = await runTool(createGitDiffTool({ git: workspaceGit }), {});
    expect(result.ok).toBe(true);
    expect(result.output).toBe(`Changes against the base commit ${base.slice(0, 7)} (1 file):\n${await workspaceGit.patch()}`);
    expect(result.display).toBe("1 file changed");
  });

  it("says there are no changes against the base commit", async () => {
    const { base, workspaceGit } = await workspace();
    expect(await runTool(createGitDiffTool({ git: workspaceGit }), {})).toEqual({
      ok: true,
      output: `No changes against the base commit ${base.slice(0, 7)}.`,
      display: "no changes",
    });
  });

  it("shows only the given paths", async () => {
    const { dir, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n", "b.txt": "b2\n" });
    const result = await runTool(createGitDiffTool({ git: workspaceGit }), { paths: ["b.txt"] });
    expect(result.output).toContain("diff --git a/b.txt b/b.txt");
    expect(result.output).not.toContain("a.txt");
  });

  it("returns a failure for a path outside the repository", async () => {
    const { workspaceGit } = await workspace();
    const result = await runTool(createGitDiffTool({ git: workspaceGit }), { paths: ["/etc/passwd"] });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/outside repository.*Paths are relative to the repository root/);
  });

  it("keeps the head and tail of a long patch and names the files elided", async () => {
    const { dir, workspaceGit } = await workspace();
    const bigFile = (tag: string) => Array.from({ length: 1500 }, (_, index) => `${tag} line ${index} ${"x".repeat(20)}`).join("\n") + "\n";
    await writeFiles(dir, { "a.txt": bigFile("first"), "m1.txt": bigFile("middle"), "z.txt": bigFile("last") });
    const patch = await workspaceGit.patch();
    const result = await runTool(createGitDiffTool({ git: workspaceGit }), {});
    expect(result.output.length).toBeLessThan(MAX_DIFF_CHARACTERS + 500);
    expect(result.output).toContain("+first line 0 ");
    expect(result.output).toContain("+last line 1499 ");
    expect(result.output).not.toContain("+middle line 700 ");
    expect(result.output).toMatch(/\n\[\.\.\. \d+ characters \(\d+ lines\) elided, in a\.txt, m1\.txt, z\.txt\. Call git_diff with paths to see these files in full \.\.\.\]\n/);
    expect(result.output.endsWith(patch.slice(-1000))).toBe(true);
  });
});

describe("capPatch", () => {
  it("returns a patch within the limit unchanged", () => {
    expect(capPatch("diff --git a/x b/x\n+1\n", 100)).toBe("diff --git a/x b/x\n+1\n");
  });

  it("cuts at line boundaries", () => {
    const patch = "diff --git a/x b/x\n" + Array.from({ length: 100 }, (_, index) => `+line ${index}\n`).join("");
    const capped = capPatch(patch, 300);
    for (const line of capped.split("\n").filter((line) => line.startsWith("+"))) expect(line).toMatch(/^\+line \d+$/);
  });
});

describe("git_commit", () => {
  it("commits every change and reports the new commit", async () => {
    const { dir, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n" });
    const result = await runTool(createGitCommitTool({ git: workspaceGit }), { message: "Update a\n\nDetails." });
    const head = git(dir, ["rev-parse", "--short=7", "HEAD"]).trim();
    expect(result).toEqual({ ok: true, output: `Committed ${head}: Update a`, display: `committed ${head}` });
  });

  it("returns a failure when there is nothing to commit", async () => {
    const { workspaceGit } = await workspace();
    const result = await runTool(createGitCommitTool({ git: workspaceGit }), { message: "nothing" });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^Nothing to commit: /);
  });

  it("returns a failure for a blank message", async () => {
    const { dir, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n" });
    const result = await runTool(createGitCommitTool({ git: workspaceGit }), { message: "  \n" });
    expect(result).toEqual({ ok: false, output: "The commit message is empty; say what the change does." });
  });
});

describe("git_branch", () => {
  it("creates and switches to a branch", async () => {
    const { dir, base, workspaceGit } = await workspace();
    const result = await runTool(createGitBranchTool({ git: workspaceGit }), { name: "fix/x", checkout: true });
    expect(result.output).toBe(`Created branch fix/x at ${base.slice(0, 7)} and switched to it.`);
    expect(git(dir, ["branch", "--show-current"]).trim()).toBe("fix/x");
  });

  it("returns a failure for an invalid name", async () => {
    const { workspaceGit } = await workspace();
    const result = await runTool(createGitBranchTool({ git: workspaceGit }), { name: "bad..name" });
    expect(result).toEqual({
      ok: false,
      output: '"bad..name" is not a valid branch name. Use letters, digits, "-", "_", "." and "/", e.g. "fix/issue-123".',
    });
  });

  it("returns a failure for a branch that exists", async () => {
    const { workspaceGit } = await workspace();
    const result = await runTool(createGitBranchTool({ git: workspaceGit }), { name: "main" });
    expect(result).toEqual({ ok: false, output: 'A branch named "main" already exists; choose another name.' });
  });
});

describe("git_restore", () => {
  it("restores a file to its base-commit content", async () => {
    const { dir, base, workspaceGit } = await workspace();
    await writeFiles(dir, { "a.txt": "a2\n" });
    const result = await runTool(createGitRestoreTool({ git: workspaceGit }), { path: "a.txt" });
    expect(result.ok).toBe(true);
    expect(result.output).toContain(`Restored a.txt to the base commit ${base.slice(0, 7)}`);
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("a\n");
  });

  it("returns a failure for a path that does not exist anywhere", async () => {
    const { workspaceGit } = await workspace();
    const result = await runTool(createGitRestoreTool({ git: workspaceGit }), { path: "nope.txt" });
    expect(result.ok).toBe(false);
    expect(result.output).toMatch(/^nope.txt is neither in the base commit/);
  });

  it("throws when the repository itself is broken", async () => {
    const dir = await makeTempDir();
    const workspaceGit = createWorkspaceGit({ workdir: dir, baseCommit: "0".repeat(40) });
    await expect(runTool(createGitRestoreTool({ git: workspaceGit }), { path: "a.txt" })).rejects.toBeInstanceOf(GitError);
  });
});
