import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { GitError } from "../../src/errors.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { createRepository, listFiles, useTempDirs, writeFiles } from "./git-fixture.js";

const tempDir = useTempDirs();

async function workspace() {
  const dir = await tempDir();
  const base = await createRepository(dir, { "a.py": "one\n", "b.py": "two\n", ".gitignore": "build/\n" });
  return { dir, git: createWorkspaceGit({ workdir: dir, baseCommit: base }) };
}

describe("WorkspaceGit.applyPatch", () => {
  it("applies a patch made by patch() to a fresh tree", async () => {
    const source = await workspace();
    await writeFile(join(source.dir, "a.py"), "ONE\n");
    await writeFiles(source.dir, { "new/c.py": "three\n" });
    const patch = await source.git.patch();
    const target = await workspace();
    await target.git.applyPatch(patch);
    expect(await target.git.patch()).toBe(patch);
  });

  it("throws and changes nothing when the patch does not apply", async () => {
    const { dir, git } = await workspace();
    await writeFile(join(dir, "a.py"), "changed by hand\n");
    const patch = "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-one\n+ONE\n";
    await expect(git.applyPatch(patch)).rejects.toThrow(/git apply failed/);
    expect(await readFile(join(dir, "a.py"), "utf8")).toBe("changed by hand\n");
  });
});

describe("WorkspaceGit.resetTo", () => {
  it("puts the tree back to the base commit plus a patch, undoing edits, new files and deletions since", async () => {
    const { dir, git } = await workspace();
    await writeFile(join(dir, "a.py"), "checkpoint\n");
    const checkpoint = await git.patch();
    await writeFile(join(dir, "a.py"), "later edit\n");
    await rm(join(dir, "b.py"));
    await writeFiles(dir, { "scratch/try.py": "print(1)\n", "build/out.o": "kept: ignored\n" });
    await git.resetTo(checkpoint);
    expect(await git.patch()).toBe(checkpoint);
    expect(await readFile(join(dir, "b.py"), "utf8")).toBe("two\n");
    expect(await listFiles(dir)).toEqual([".gitignore", "a.py", "b.py", "build/out.o"]);
  });

  it("puts the tree back to the base commit itself with an empty patch", async () => {
    const { dir, git } = await workspace();
    await writeFile(join(dir, "a.py"), "edit\n");
    await git.resetTo("");
    expect(await git.patch()).toBe("");
  });

  it("fails with reset-failed when the patch does not apply to the base commit", async () => {
    const { git } = await workspace();
    const foreign = "diff --git a/zzz.py b/zzz.py\n--- a/zzz.py\n+++ b/zzz.py\n@@ -1 +1 @@\n-x\n+y\n";
    const error = (await git.resetTo(foreign).catch((caught: unknown) => caught)) as GitError;
    expect(error.code).toBe("reset-failed");
    expect(error.message).toContain("applying the patch failed");
  });
});
