import { readFile, rename, rm, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { cloneAt, createRepository, git, gitExitCode, listFiles, useTempDirs, writeFiles } from "./git-fixture.js";

const makeTempDir = useTempDirs();

/** Bytes with NULs and every byte value, so git treats the file as binary. */
const binaryBytes = (seed: number): Buffer => Buffer.from(Array.from({ length: 600 }, (_, index) => (index * seed + 7) % 256));

const renamedBody = Array.from({ length: 30 }, (_, index) => `line ${index}`).join("\n") + "\n";

const baseFiles = {
  ".gitignore": "build/\n*.log\n",
  "src/mod.py": "def f():\n    return 1\n",
  "old_name.py": renamedBody,
  "remove_me.txt": "bye\n",
  "image.bin": binaryBytes(3),
};

/** A repository at its base commit, then the run's changes: every kind of change plus artefacts and ignored files. */
async function repositoryWithChanges(): Promise<{ dir: string; base: string }> {
  const dir = await makeTempDir();
  const base = await createRepository(dir, baseFiles);
  await writeFiles(dir, {
    "src/mod.py": "def f():\n    return 2\n",
    "src/new_file.py": "print('new')\n",
    "image.bin": binaryBytes(5),
    "new.bin": binaryBytes(11),
    "src/__pycache__/mod.cpython-311.pyc": binaryBytes(13),
    "stray.pyc": "x",
    "pkg.egg-info/PKG-INFO": "Name: pkg\n",
    "node_modules/left-pad/index.js": "module.exports = 1;\n",
    "sub/node_modules/x.js": "1\n",
    ".pytest_cache/v/cache/lastfailed": "{}\n",
    ".coverage": "coverage data\n",
    "native.so": binaryBytes(17),
    ".agent/notes.md": "scratch\n",
    "build/out.txt": "built\n",
    "debug.log": "log\n",
  });
  await rm(join(dir, "remove_me.txt"));
  await rename(join(dir, "old_name.py"), join(dir, "new_name.py"));
  return { dir, base };
}

/** Applies `patch` to a fresh clone of `source` at `base` and returns the clone's directory. */
async function applyToFreshClone(source: string, base: string, patch: string): Promise<string> {
  const target = join(await makeTempDir(), "clone");
  await cloneAt(source, base, target);
  await writeFile(join(target, "..", "run.patch"), patch);
  git(target, ["apply", "--check", "../run.patch"]);
  git(target, ["apply", "../run.patch"]);
  return target;
}

describe("WorkspaceGit.patch", () => {
  it("shows a modified, a new and a deleted file", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(patch).toContain("diff --git a/src/mod.py b/src/mod.py\n");
    expect(patch).toContain("+    return 2\n");
    expect(patch).toMatch(/diff --git a\/src\/new_file.py b\/src\/new_file.py\nnew file mode 100644/);
    expect(patch).toMatch(/diff --git a\/remove_me.txt b\/remove_me.txt\ndeleted file mode 100644/);
  });

  it("shows a moved file as a rename", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(patch).toContain("similarity index 100%\nrename from old_name.py\nrename to new_name.py\n");
  });

  it("shows binary files as git binary patches", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(patch).toMatch(/diff --git a\/image.bin b\/image.bin\nindex [0-9a-f]{40}\.\.[0-9a-f]{40} 100644\nGIT binary patch\n/);
    expect(patch).toMatch(/diff --git a\/new.bin b\/new.bin\nnew file mode 100644\nindex 0{40}\.\.[0-9a-f]{40}\nGIT binary patch\n/);
  });

  it("leaves out build artefacts and ignored files", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    const touched = [...patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map((match) => match[2]).sort();
    expect(touched).toEqual(["image.bin", "new.bin", "new_name.py", "remove_me.txt", "src/mod.py", "src/new_file.py"]);
  });

  it("applies cleanly to a fresh checkout of the base commit and reproduces the working tree byte for byte", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    const clone = await applyToFreshClone(dir, base, patch);
    const expected = [".gitignore", "image.bin", "new.bin", "new_name.py", "src/mod.py", "src/new_file.py"];
    expect(await listFiles(clone)).toEqual(expected);
    for (const path of expected) expect(await readFile(join(clone, path)), path).toEqual(await readFile(join(dir, path)));
  });

  it("keeps the exact bytes of a file that is not UTF-8", async () => {
    const dir = await makeTempDir();
    const base = await createRepository(dir, { "latin1.txt": Buffer.from("caf\xe9\n", "latin1"), "ok.txt": "ok\n" });
    await writeFiles(dir, { "latin1.txt": Buffer.from("caf\xe9 cr\xe8me\n", "latin1"), "ok.txt": "still ok\n" });
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    const clone = await applyToFreshClone(dir, base, patch);
    expect(await readFile(join(clone, "latin1.txt"))).toEqual(Buffer.from("caf\xe9 cr\xe8me\n", "latin1"));
    expect(patch).toContain("+still ok\n");
  });

  it("keeps the exact bytes of a non-UTF-8 file whose name has spaces, accents and glob characters", async () => {
    const dir = await makeTempDir();
    const name = "dir with space/caf\u00e9 [1]*.txt";
    const base = await createRepository(dir, { [name]: Buffer.from("caf\xe9\n", "latin1"), "plain.txt": Buffer.from("\xe9t\xe9\n", "latin1") });
    await writeFiles(dir, { [name]: Buffer.from("caf\xe9 cr\xe8me\n", "latin1"), "plain.txt": Buffer.from("hiver\n", "latin1") });
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    const clone = await applyToFreshClone(dir, base, patch);
    expect(await readFile(join(clone, name))).toEqual(Buffer.from("caf\xe9 cr\xe8me\n", "latin1"));
    expect(await readFile(join(clone, "plain.txt"))).toEqual(Buffer.from("hiver\n", "latin1"));
  });

  it("ends with a newline", async () => {
    const { dir, base } = await repositoryWithChanges();
    expect((await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch()).endsWith("\n")).toBe(true);
  });

  it("is empty when nothing changed since the base commit", async () => {
    const dir = await makeTempDir();
    const base = await createRepository(dir, { "a.txt": "a\n" });
    expect(await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch()).toBe("");
  });

  it("is limited to the given paths", async () => {
    const { dir, base } = await repositoryWithChanges();
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch({ paths: ["src"] });
    const touched = [...patch.matchAll(/^diff --git a\/(\S+) b\/(\S+)$/gm)].map((match) => match[2]).sort();
    expect(touched).toEqual(["src/mod.py", "src/new_file.py"]);
  });

  it("includes the changes of commits made after the base commit", async () => {
    const dir = await makeTempDir();
    const base = await createRepository(dir, { "a.txt": "a\n", "b.txt": "b\n" });
    await writeFiles(dir, { "a.txt": "a2\n", "c.txt": "c\n" });
    git(dir, ["add", "--all"]);
    git(dir, ["commit", "--quiet", "--message", "agent commit"]);
    await writeFiles(dir, { "b.txt": "b2\n" });
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(patch).toContain("+a2\n");
    expect(patch).toContain("+c\n");
    expect(patch).toContain("+b2\n");
  });

  it("leaves the repository's index as it was, staged changes included", async () => {
    const { dir, base } = await repositoryWithChanges();
    git(dir, ["add", "src/mod.py", "src/new_file.py"]);
    const stagedBefore = git(dir, ["diff", "--cached"]);
    const statusBefore = git(dir, ["status", "--porcelain"]);
    const indexBefore = await readFile(join(dir, ".git", "index"));
    await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(git(dir, ["diff", "--cached"])).toBe(stagedBefore);
    expect(git(dir, ["status", "--porcelain"])).toBe(statusBefore);
    expect(await readFile(join(dir, ".git", "index"))).toEqual(indexBefore);
  });

  it("leaves out a file that was staged and then deleted from the working tree", async () => {
    const dir = await makeTempDir();
    const base = await createRepository(dir, { "a.txt": "a\n" });
    await writeFiles(dir, { "gone.txt": "staged\n" });
    git(dir, ["add", "gone.txt"]);
    await rm(join(dir, "gone.txt"));
    expect(await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch()).toBe("");
  });

  it("sees a same-size edit made in the instant the real index was written", async () => {
    const dir = await makeTempDir();
    const instant = new Date(Date.now() - 60_000);
    git(dir, ["init", "--quiet"]);
    // Writing a file always moves its ctime; without ctime, size and mtime are all git can compare.
    git(dir, ["config", "core.trustctime", "false"]);
    await writeFile(join(dir, "a.txt"), "aaa\n");
    await utimes(join(dir, "a.txt"), instant, instant);
    git(dir, ["add", "a.txt"]);
    git(dir, ["commit", "--quiet", "--message", "base"]);
    const base = git(dir, ["rev-parse", "HEAD"]).trim();
    await writeFile(join(dir, "a.txt"), "bbb\n");
    await utimes(join(dir, "a.txt"), instant, instant);
    await utimes(join(dir, ".git", "index"), instant, instant);
    expect(await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch()).toContain("-aaa\n+bbb\n");
  });

  it("works while a merge conflict is unresolved", async () => {
    const dir = await makeTempDir();
    const base = await createRepository(dir, { "a.txt": "a\n" });
    git(dir, ["switch", "--quiet", "-c", "other"]);
    await writeFiles(dir, { "a.txt": "other\n" });
    git(dir, ["commit", "--quiet", "--all", "--message", "other"]);
    git(dir, ["switch", "--quiet", "main"]);
    await writeFiles(dir, { "a.txt": "main\n" });
    git(dir, ["commit", "--quiet", "--all", "--message", "main"]);
    expect(gitExitCode(dir, ["merge", "--quiet", "other"])).toBe(1);
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(patch).toContain("+<<<<<<< HEAD\n+main\n+=======\n+other\n+>>>>>>> other\n");
  });

  it("writes no object into the repository", async () => {
    const { dir, base } = await repositoryWithChanges();
    const objectsBefore = git(dir, ["count-objects", "-v"]);
    await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    expect(git(dir, ["count-objects", "-v"])).toBe(objectsBefore);
  });

  it("ignores git variables and config of the host environment", async () => {
    const { dir, base } = await repositoryWithChanges();
    vi.stubEnv("GIT_DIR", "/nonexistent");
    vi.stubEnv("GIT_INDEX_FILE", "/nonexistent/index");
    vi.stubEnv("GIT_CONFIG_PARAMETERS", "'diff.noprefix'='true'");
    try {
      const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
      expect(patch).toContain("diff --git a/src/mod.py b/src/mod.py\n");
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it("is not changed by diff settings in the repository's config", async () => {
    const { dir, base } = await repositoryWithChanges();
    git(dir, ["config", "diff.noprefix", "true"]);
    git(dir, ["config", "diff.external", "false"]);
    git(dir, ["config", "color.diff", "always"]);
    const patch = await createWorkspaceGit({ workdir: dir, baseCommit: base }).patch();
    await applyToFreshClone(dir, base, patch);
    expect(patch).toContain("diff --git a/src/mod.py b/src/mod.py\n");
  });
});

describe("WorkspaceGit.changedFiles", () => {
  it("lists the paths of the patch, both sides of a rename, artefacts left out", async () => {
    const { dir, base } = await repositoryWithChanges();
    expect(await createWorkspaceGit({ workdir: dir, baseCommit: base }).changedFiles()).toEqual([
      "image.bin",
      "new.bin",
      "new_name.py",
      "old_name.py",
      "remove_me.txt",
      "src/mod.py",
      "src/new_file.py",
    ]);
  });
});
