import { access, readFile, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { GitError } from "../../src/errors.js";
import { createWorkspace } from "../../src/git/create-workspace.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { createRepository, git, gitExitCode, useTempDirs, writeFiles } from "./git-fixture.js";

const makeTempDir = useTempDirs();

/** A source repository with two commits on main and a tag at the first. */
async function sourceRepository(): Promise<{ source: string; first: string; second: string }> {
  const source = await makeTempDir();
  const first = await createRepository(source, { "a.txt": "first\n" });
  git(source, ["tag", "v1"]);
  await writeFiles(source, { "a.txt": "second\n" });
  git(source, ["commit", "--quiet", "--all", "--message", "second"]);
  return { source, first, second: git(source, ["rev-parse", "HEAD"]).trim() };
}

async function rejection(promise: Promise<unknown>): Promise<GitError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof GitError)) throw new Error(`expected a GitError, got ${String(error)}`);
  return error;
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

describe("createWorkspace", () => {
  it("checks out the base commit with HEAD detached", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "run-1", "workspace");
    const workspace = await createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir });
    expect(workspace).toEqual({ workdir: workspaceDir, baseCommit: first });
    expect(git(workspaceDir, ["rev-parse", "HEAD"]).trim()).toBe(first);
    expect(gitExitCode(workspaceDir, ["symbolic-ref", "--quiet", "HEAD"])).toBe(1);
    expect(await readFile(join(workspaceDir, "a.txt"), "utf8")).toBe("first\n");
    expect(git(workspaceDir, ["status", "--porcelain"])).toBe("");
  });

  it("resolves a tag, a branch or a short sha to the full sha", async () => {
    const { source, first, second } = await sourceRepository();
    const parent = await makeTempDir();
    expect((await createWorkspace({ sourceRepo: source, baseCommit: "v1", workspaceDir: join(parent, "tag") })).baseCommit).toBe(first);
    expect((await createWorkspace({ sourceRepo: source, baseCommit: "main", workspaceDir: join(parent, "branch") })).baseCommit).toBe(second);
    const short = first.slice(0, 8);
    expect((await createWorkspace({ sourceRepo: source, baseCommit: short, workspaceDir: join(parent, "short") })).baseCommit).toBe(first);
  });

  it("creates and switches to the branch when one is given", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    await createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir, branch: "agent/fix-1" });
    expect(git(workspaceDir, ["branch", "--show-current"]).trim()).toBe("agent/fix-1");
    expect(git(workspaceDir, ["rev-parse", "HEAD"]).trim()).toBe(first);
  });

  it("makes a self-contained clone that keeps working when the source repository is gone", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    await createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir });
    expect((await stat(join(workspaceDir, ".git"))).isDirectory()).toBe(true);
    await rename(source, `${source}-moved`);
    try {
      expect(git(workspaceDir, ["log", "--format=%s"]).trim()).toBe("base");
      expect(gitExitCode(workspaceDir, ["fsck", "--no-dangling", "--no-progress"])).toBe(0);
    } finally {
      await rename(`${source}-moved`, source);
    }
  });

  it("copies the objects a source borrows through alternates", async () => {
    const { source: original, first } = await sourceRepository();
    const borrower = join(await makeTempDir(), "borrower");
    git(original, ["clone", "--quiet", "--shared", original, borrower]);
    const workspaceDir = join(await makeTempDir(), "workspace");
    await createWorkspace({ sourceRepo: borrower, baseCommit: first, workspaceDir });
    await rm(borrower, { recursive: true, force: true });
    await rename(original, `${original}-moved`);
    try {
      expect(await exists(join(workspaceDir, ".git", "objects", "info", "alternates"))).toBe(false);
      expect(gitExitCode(workspaceDir, ["fsck", "--no-dangling", "--no-progress"])).toBe(0);
    } finally {
      await rename(`${original}-moved`, original);
    }
  });

  it("disables hooks in the clone's own config", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    await createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir });
    expect(git(workspaceDir, ["config", "--local", "core.hooksPath"]).trim()).toBe("/dev/null");
  });

  it("leaves the source repository untouched when the run commits", async () => {
    const { source, first, second } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    const workspace = await createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir, branch: "agent/work" });
    await writeFiles(workspaceDir, { "a.txt": "agent\n" });
    await createWorkspaceGit(workspace).commit("agent change");
    expect(git(source, ["rev-parse", "HEAD"]).trim()).toBe(second);
    expect(gitExitCode(source, ["rev-parse", "--verify", "--quiet", "refs/heads/agent/work"])).toBe(1);
    expect(git(source, ["status", "--porcelain"])).toBe("");
  });

  it("fails with unknown-commit for a commit the repository does not have, creating nothing", async () => {
    const { source } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    const error = await rejection(createWorkspace({ sourceRepo: source, baseCommit: "no-such-ref", workspaceDir }));
    expect(error.code).toBe("unknown-commit");
    expect(error.message).toBe(
      `The commit no-such-ref is not in the repository ${source}; give a commit sha, branch or tag that exists there (see git log).`,
    );
    expect(await exists(workspaceDir)).toBe(false);
  });

  it("fails with not-a-repository when the source is not a git repository", async () => {
    const notARepository = await makeTempDir();
    const error = await rejection(
      createWorkspace({ sourceRepo: notARepository, baseCommit: "HEAD", workspaceDir: join(notARepository, "workspace") }),
    );
    expect(error.code).toBe("not-a-repository");
  });

  it("fails with bad-branch-name for an invalid branch, creating nothing", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = join(await makeTempDir(), "workspace");
    const error = await rejection(createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir, branch: "bad..name" }));
    expect(error.code).toBe("bad-branch-name");
    expect(await exists(workspaceDir)).toBe(false);
  });

  it("fails saying what to check when the workspace directory is not empty", async () => {
    const { source, first } = await sourceRepository();
    const workspaceDir = await makeTempDir();
    await writeFiles(workspaceDir, { "keep.txt": "mine\n" });
    const error = await rejection(createWorkspace({ sourceRepo: source, baseCommit: first, workspaceDir }));
    expect(error.message).toMatch(/^git clone failed: .*already exists and is not an empty directory\. Check that .* does not exist or is empty/);
    expect(await readFile(join(workspaceDir, "keep.txt"), "utf8")).toBe("mine\n");
  });
});
