import { execFileSync } from "node:child_process";
import { access, chmod, mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitError } from "../../src/errors.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { createRepository, git, useTempDirs, writeFiles } from "./git-fixture.js";

const makeTempDir = useTempDirs();

async function repository(files: Record<string, string> = { "a.txt": "a\n", "b.txt": "b\n", "old.py": "x = 1\n" }) {
  const dir = await makeTempDir();
  const base = await createRepository(dir, files);
  return { dir, base, workspaceGit: createWorkspaceGit({ workdir: dir, baseCommit: base }) };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function rejection(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GitError)) throw new Error(`expected a GitError, got ${String(error)}`);
  return error;
}

/** A hook script that leaves `marker` behind when git runs it. */
async function installHook(hooksDir: string, name: string, marker: string): Promise<void> {
  await mkdir(hooksDir, { recursive: true });
  await writeFile(join(hooksDir, name), `#!/bin/sh\ntouch '${marker}'\n`);
  await chmod(join(hooksDir, name), 0o755);
}

describe("WorkspaceGit.status", () => {
  it("groups changed files by kind of change against HEAD", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "a2\n", "staged.txt": "s\n", "new.txt": "n\n" });
    git(dir, ["add", "staged.txt"]);
    git(dir, ["rm", "--quiet", "b.txt"]);
    git(dir, ["mv", "old.py", "renamed.py"]);
    const status = await workspaceGit.status();
    expect(status.branch).toBe("main");
    expect([...status.files].sort((left, right) => left.path.localeCompare(right.path))).toEqual([
      { path: "a.txt", status: "modified" },
      { path: "b.txt", status: "deleted" },
      { path: "new.txt", status: "untracked" },
      { path: "renamed.py", status: "renamed", from: "old.py" },
      { path: "staged.txt", status: "added" },
    ]);
  });

  it("leaves build artefacts out", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "pkg/__pycache__/m.pyc": "x", "node_modules/m/index.js": "x", "keep.py": "x\n" });
    expect((await workspaceGit.status()).files).toEqual([{ path: "keep.py", status: "untracked" }]);
  });

  it("reports a null branch when HEAD is detached", async () => {
    const { dir, base, workspaceGit } = await repository();
    git(dir, ["checkout", "--quiet", "--detach", base]);
    expect((await workspaceGit.status()).branch).toBeNull();
  });
});

describe("WorkspaceGit.commit", () => {
  it("stages every change, artefacts left out, and returns the new HEAD", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "a2\n", "new.txt": "n\n", "m/__pycache__/x.pyc": "x" });
    const sha = await workspaceGit.commit("Change a, add new");
    expect(sha).toBe(git(dir, ["rev-parse", "HEAD"]).trim());
    expect(git(dir, ["show", "--name-only", "--format=%s", "HEAD"]).trim().split("\n")).toEqual(["Change a, add new", "", "a.txt", "new.txt"]);
  });

  it("commits as agent when the repository configures no identity", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "a2\n" });
    await workspaceGit.commit("x");
    expect(git(dir, ["log", "-1", "--format=%an <%ae>"]).trim()).toBe("agent <agent@localhost>");
  });

  it("commits as the identity in the repository's config when there is one", async () => {
    const { dir, workspaceGit } = await repository();
    git(dir, ["config", "user.name", "Repo Owner"]);
    git(dir, ["config", "user.email", "owner@example.com"]);
    await writeFiles(dir, { "a.txt": "a2\n" });
    await workspaceGit.commit("x");
    expect(git(dir, ["log", "-1", "--format=%an <%ae>"]).trim()).toBe("Repo Owner <owner@example.com>");
  });

  it("fails with nothing-to-commit when the tree matches HEAD", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "pkg/__pycache__/m.pyc": "x" });
    const error = await rejection(workspaceGit.commit("nothing"));
    expect(error.code).toBe("nothing-to-commit");
    expect(error.message).toMatch(/^Nothing to commit: .* Change files first\.$/);
  });

  it("runs none of the repository's hooks", async () => {
    const { dir, workspaceGit } = await repository();
    const markers = await makeTempDir();
    for (const hook of ["pre-commit", "commit-msg", "post-commit"]) await installHook(join(dir, ".git", "hooks"), hook, join(markers, hook));
    await installHook(join(dir, "custom-hooks"), "post-commit", join(markers, "custom-post-commit"));
    await writeFiles(dir, { "a.txt": "a2\n" });
    await workspaceGit.commit("with hooks installed");
    git(dir, ["config", "core.hooksPath", "custom-hooks"]);
    await writeFiles(dir, { "a.txt": "a3\n" });
    await workspaceGit.commit("with a configured hooks path");
    expect(execFileSync("ls", ["-A", markers], { encoding: "utf8" })).toBe("");
  });

  it("does not run an fsmonitor command from the repository's config", async () => {
    const { dir, workspaceGit } = await repository();
    const marker = join(await makeTempDir(), "fsmonitor-ran");
    await installHook(join(dir, "monitor"), "fsmonitor.sh", marker);
    git(dir, ["config", "core.fsmonitor", join(dir, "monitor", "fsmonitor.sh")]);
    await writeFiles(dir, { "a.txt": "a2\n" });
    await workspaceGit.status();
    await workspaceGit.patch();
    await workspaceGit.commit("x");
    expect(await exists(marker)).toBe(false);
  });
});

describe("a repository the agent could have tampered with", () => {
  it("does not run filter drivers from the repository's config, and takes files byte for byte", async () => {
    const { dir, base, workspaceGit } = await repository();
    const markers = await makeTempDir();
    await writeFiles(dir, { ".gitattributes": "*.txt filter=evil\n" });
    git(dir, ["config", "filter.evil.clean", `touch '${join(markers, "clean")}'; tr a-z A-Z`]);
    git(dir, ["config", "filter.evil.smudge", `touch '${join(markers, "smudge")}'; cat`]);
    git(dir, ["config", "filter.evil.process", `touch '${join(markers, "process")}'`]);
    git(dir, ["config", "filter.evil.required", "true"]);
    await writeFiles(dir, { "a.txt": "changed\n" });
    await workspaceGit.status();
    expect(await workspaceGit.patch()).toContain("+changed\n");
    await workspaceGit.commit("x");
    await workspaceGit.restoreFile("a.txt");
    expect(git(dir, ["show", `${base}:a.txt`])).toBe("a\n");
    expect(execFileSync("ls", ["-A", markers], { encoding: "utf8" })).toBe("");
  });

  it("refuses a .git file that points to another repository, leaving that repository alone", async () => {
    const { dir, base, workspaceGit } = await repository();
    const other = await makeTempDir();
    const otherHead = await createRepository(other, { "mine.txt": "mine\n" });
    execFileSync("rm", ["-rf", join(dir, ".git")]);
    await writeFile(join(dir, ".git"), `gitdir: ${join(other, ".git")}\n`);
    await writeFiles(dir, { "a.txt": "changed\n" });
    const error = await rejection(workspaceGit.commit("into the other repository"));
    expect(error.code).toBe("unsafe-repository");
    expect(git(other, ["rev-parse", "HEAD"]).trim()).toBe(otherHead);
    expect(base).not.toBe(otherHead);
  });

  it("refuses a .git directory whose commondir points to another repository", async () => {
    const { dir, workspaceGit } = await repository();
    const other = await makeTempDir();
    await createRepository(other, { "mine.txt": "mine\n" });
    await writeFile(join(dir, ".git", "commondir"), join(other, ".git"));
    expect((await rejection(workspaceGit.patch())).code).toBe("unsafe-repository");
  });
});

describe("WorkspaceGit.createBranch", () => {
  it("creates a branch at HEAD without switching to it", async () => {
    const { dir, base, workspaceGit } = await repository();
    await workspaceGit.createBranch("fix/issue-1");
    expect(git(dir, ["rev-parse", "fix/issue-1"]).trim()).toBe(base);
    expect(git(dir, ["branch", "--show-current"]).trim()).toBe("main");
  });

  it("switches to the new branch when asked, keeping uncommitted changes", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "dirty\n" });
    await workspaceGit.createBranch("work", { checkout: true });
    expect(git(dir, ["branch", "--show-current"]).trim()).toBe("work");
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("dirty\n");
  });

  it.each(["bad..name", "-starts-with-dash", "has space", "ends.lock", "@{-1}", ""])("refuses the invalid name %j", async (name) => {
    const { workspaceGit } = await repository();
    expect((await rejection(workspaceGit.createBranch(name))).code).toBe("bad-branch-name");
  });

  it("refuses a branch that already exists", async () => {
    const { workspaceGit } = await repository();
    const error = await rejection(workspaceGit.createBranch("main"));
    expect(error.code).toBe("branch-exists");
    expect(error.message).toBe('A branch named "main" already exists; choose another name.');
  });
});

describe("WorkspaceGit.restoreFile", () => {
  it("puts a modified file back to its base-commit content", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "changed\n", "b.txt": "also changed\n" });
    await workspaceGit.restoreFile("a.txt");
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("a\n");
    expect(await readFile(join(dir, "b.txt"), "utf8")).toBe("also changed\n");
  });

  it("puts back a file changed in a commit made after the base commit", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "committed change\n" });
    await workspaceGit.commit("change a");
    await workspaceGit.restoreFile("a.txt");
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("a\n");
    expect(await workspaceGit.changedFiles()).toEqual([]);
  });

  it("brings back a deleted file", async () => {
    const { dir, workspaceGit } = await repository();
    git(dir, ["rm", "--quiet", "b.txt"]);
    await workspaceGit.restoreFile("b.txt");
    expect(await readFile(join(dir, "b.txt"), "utf8")).toBe("b\n");
  });

  it("deletes an untracked file added since the base commit", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "added.txt": "new\n" });
    await workspaceGit.restoreFile("added.txt");
    expect(await exists(join(dir, "added.txt"))).toBe(false);
  });

  it("deletes a file added and committed since the base commit", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "added.txt": "new\n" });
    await workspaceGit.commit("add");
    await workspaceGit.restoreFile("added.txt");
    expect(await exists(join(dir, "added.txt"))).toBe(false);
    expect(await workspaceGit.patch()).toBe("");
  });

  it("takes the path literally, not as a glob", async () => {
    const { dir, workspaceGit } = await repository();
    await writeFiles(dir, { "a.txt": "changed\n" });
    expect((await rejection(workspaceGit.restoreFile("*.txt"))).code).toBe("not-found");
    expect(await readFile(join(dir, "a.txt"), "utf8")).toBe("changed\n");
  });

  it("fails with not-found for a path that is neither in the base commit nor in the working tree", async () => {
    const { workspaceGit } = await repository();
    const error = await rejection(workspaceGit.restoreFile("missing.txt"));
    expect(error.code).toBe("not-found");
    expect(error.message).toMatch(/^missing.txt is neither in the base commit [0-9a-f]{7} nor a new file/);
  });

  it("fails with bad-path for a path outside the repository", async () => {
    const { workspaceGit } = await repository();
    const error = await rejection(workspaceGit.restoreFile("/etc/passwd"));
    expect(error.code).toBe("bad-path");
    expect(error.message).toMatch(/^git restore failed: .*outside repository.*\. Paths are relative to the repository root /);
  });
});

describe("WorkspaceGit.headCommit", () => {
  it("returns the full sha of HEAD", async () => {
    const { base, workspaceGit } = await repository();
    expect(await workspaceGit.headCommit()).toBe(base);
  });

  it("fails with git's reason and what to check when the directory is not a repository", async () => {
    const dir = await makeTempDir();
    const error = await rejection(createWorkspaceGit({ workdir: dir, baseCommit: "0".repeat(40) }).headCommit());
    expect(error.message).toMatch(/^git rev-parse failed: not a git repository.*\. Check that .* is a git working tree/);
  });
});

describe.runIf(process.getuid?.() === 0)("a working tree owned by another user", () => {
  async function foreignRepository() {
    const result = await repository();
    execFileSync("chown", ["-R", "1000:1000", result.dir]);
    return result;
  }

  function filesNotOwnedBy1000(dir: string): string {
    return execFileSync("find", [dir, "(", "!", "-uid", "1000", "-o", "!", "-gid", "1000", ")", "-print"], { encoding: "utf8" });
  }

  it("can be read: status and patch work", async () => {
    const { dir, workspaceGit } = await foreignRepository();
    await writeFile(join(dir, "a.txt"), "a2\n");
    execFileSync("chown", ["1000:1000", join(dir, "a.txt")]);
    expect((await workspaceGit.status()).files).toEqual([{ path: "a.txt", status: "modified" }]);
    expect(await workspaceGit.patch()).toContain("+a2\n");
  });

  it("stays owned by its user after commits, branches and restores", async () => {
    const { dir, workspaceGit } = await foreignRepository();
    await writeFile(join(dir, "a.txt"), "a2\n");
    await workspaceGit.commit("as root");
    await workspaceGit.createBranch("next", { checkout: true });
    await workspaceGit.restoreFile("a.txt");
    expect(filesNotOwnedBy1000(dir)).toBe("");
    expect((await stat(join(dir, "a.txt"))).uid).toBe(1000);
  });
});

describe("WorkspaceGit.patch", () => {
  it("fails saying the base commit is missing when it is not in the repository", async () => {
    const { dir } = await repository();
    const error = await rejection(createWorkspaceGit({ workdir: dir, baseCommit: "1".repeat(40) }).patch());
    expect(error.message).toMatch(/^git read-tree failed: .*\. Check that the base commit 1111111 is in the repository/);
  });
});
