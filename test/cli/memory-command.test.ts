import { existsSync } from "node:fs";
import { realpath, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createLongTermStore } from "../../src/memory/long-term-store.js";
import { git } from "../git/git-fixture.js";
import { createCliSandbox, runInProcess, type CliSandbox } from "./cli-harness.js";

let home: CliSandbox;
let memoryEnv: { AGENT_MEMORY_PATH: string };
const repo = "github.com/owner/repo";

beforeEach(async () => {
  home = await createCliSandbox();
  memoryEnv = { AGENT_MEMORY_PATH: join(home.home, "data", "memory.sqlite") };
});

/** Writes entries into the memory database the CLI will read; returns their ids. */
function seed(entries: Array<[string, Parameters<ReturnType<typeof createLongTermStore>["remember"]>[1]]>): number[] {
  const store = createLongTermStore(memoryEnv.AGENT_MEMORY_PATH);
  try {
    return entries.map(([key, entry]) => store.remember(key, entry).id);
  } finally {
    store.close();
  }
}

/** The entries the memory database holds about a repository, read back after the CLI ran. */
function countEntries(key: string): number {
  const store = createLongTermStore(memoryEnv.AGENT_MEMORY_PATH);
  try {
    return store.listRepositories().find((repository) => repository.key === key)?.entries ?? 0;
  } finally {
    store.close();
  }
}

const conventionA = { kind: "convention", value: "Use tabs." } as const;
const conventionB = { kind: "convention", value: "Type hints everywhere." } as const;
const testCommand = { kind: "test-command", value: { command: "pytest -q", framework: "pytest" }, source: "run-7" } as const;

describe("agent memory list", () => {
  it("lists the repositories with their entry counts as JSON", async () => {
    seed([
      [repo, conventionA],
      [repo, conventionB],
      ["local:/srv/other", conventionA],
    ]);
    const run = await runInProcess(["--json", "memory", "list"], home, memoryEnv);
    expect(run.code).toBe(0);
    const listed = JSON.parse(run.stdout).repositories.map((repository: { key: string; entries: number }) => [repository.key, repository.entries]);
    expect(listed.sort()).toEqual([
      [repo, 2],
      ["local:/srv/other", 1],
    ]);
  });

  it("says nothing is remembered yet without creating the database", async () => {
    const run = await runInProcess(["memory", "list"], home, memoryEnv);
    expect(run.stdout).toContain("Nothing remembered yet");
    expect(existsSync(memoryEnv.AGENT_MEMORY_PATH)).toBe(false);
  });

  it("uses the XDG data directory when AGENT_MEMORY_PATH is not set", async () => {
    const run = await runInProcess(["--json", "memory", "list"], home);
    expect(JSON.parse(run.stdout).path).toBe(join(home.home, ".local", "share", "agent", "memory.sqlite"));
  });

  it("exits 2 and names the file when the database is corrupt", async () => {
    memoryEnv = { AGENT_MEMORY_PATH: join(home.home, "garbage.sqlite") };
    await writeFile(memoryEnv.AGENT_MEMORY_PATH, "not a database; ".repeat(300));
    const run = await runInProcess(["memory", "list"], home, memoryEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${memoryEnv.AGENT_MEMORY_PATH} is damaged or is not a database`);
  });
});

describe("agent memory show", () => {
  it("prints a repository's entries with their ids", async () => {
    const [conventionId] = seed([
      [repo, conventionA],
      [repo, testCommand],
    ]);
    const run = await runInProcess(["memory", "show", repo], home, memoryEnv);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("pytest -q  (pytest)");
    expect(run.stdout).toContain(`#${conventionId}  Use tabs.`);
  });

  it("accepts an origin URL in place of the key", async () => {
    seed([[repo, conventionA]]);
    const run = await runInProcess(["--json", "memory", "show", "git@github.com:Owner/Repo.git"], home, memoryEnv);
    expect(JSON.parse(run.stdout)).toMatchObject({ repositoryKey: repo, conventions: [{ value: "Use tabs." }] });
  });

  it("shows the repository of the current directory by default", async () => {
    await rm(join(home.project, ".git"), { recursive: true });
    git(home.project, ["init", "--quiet"]);
    git(home.project, ["remote", "add", "origin", "https://github.com/Owner/Repo.git"]);
    seed([[repo, conventionB]]);
    const run = await runInProcess(["--json", "memory", "show"], home, memoryEnv);
    expect(JSON.parse(run.stdout)).toMatchObject({ repositoryKey: repo, conventions: [{ value: "Type hints everywhere." }] });
  });

  it("keys a repository without an origin by its root path", async () => {
    await rm(join(home.project, ".git"), { recursive: true });
    git(home.project, ["init", "--quiet"]);
    const run = await runInProcess(["--json", "memory", "show"], home, memoryEnv);
    expect(JSON.parse(run.stdout).repositoryKey).toBe(`local:${await realpath(home.project)}`);
  });

  it("exits 2 outside a git repository and says to pass a repository key", async () => {
    const run = await runInProcess(["memory", "show"], home, memoryEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not inside a git repository; pass a repository key");
  });
});

describe("agent memory forget", () => {
  it("forgets everything about a repository with --yes", async () => {
    seed([
      [repo, conventionA],
      [repo, testCommand],
    ]);
    const run = await runInProcess(["--json", "memory", "forget", repo, "--yes"], home, memoryEnv);
    expect(JSON.parse(run.stdout)).toMatchObject({ repository: repo, removed: 2 });
    expect(countEntries(repo)).toBe(0);
  });

  it("forgets only the entries of one kind", async () => {
    seed([
      [repo, conventionA],
      [repo, conventionB],
      [repo, testCommand],
    ]);
    const run = await runInProcess(["memory", "forget", repo, "--kind", "convention", "--yes"], home, memoryEnv);
    expect(run.stdout).toBe(`Forgot 2 entries about ${repo}.\n`);
    expect(countEntries(repo)).toBe(1);
  });

  it("forgets one entry by id", async () => {
    const [first] = seed([
      [repo, conventionA],
      [repo, conventionB],
    ]);
    await runInProcess(["memory", "forget", repo, "--id", String(first), "--yes"], home, memoryEnv);
    expect(countEntries(repo)).toBe(1);
  });

  it("refuses without --yes when there is no terminal to ask, exits 2 and keeps the entries", async () => {
    seed([[repo, conventionA]]);
    const run = await runInProcess(["memory", "forget", repo], home, memoryEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("pass --yes");
    expect(countEntries(repo)).toBe(1);
  });

  it("asks the person and forgets when they agree", async () => {
    seed([[repo, conventionA]]);
    const questions: string[] = [];
    const run = await runInProcess(["memory", "forget", repo], home, memoryEnv, async (question) => {
      questions.push(question);
      return true;
    });
    expect(questions).toEqual([`Forget 1 entry about ${repo}? This cannot be undone.`]);
    expect([run.code, countEntries(repo)]).toEqual([0, 0]);
  });

  it("exits 1 and keeps the entries when the person declines", async () => {
    seed([[repo, conventionA]]);
    const run = await runInProcess(["memory", "forget", repo], home, memoryEnv, async () => false);
    expect([run.code, countEntries(repo)]).toEqual([1, 1]);
  });

  it("rejects an unknown kind with exit 2", async () => {
    const run = await runInProcess(["memory", "forget", repo, "--kind", "habit", "--yes"], home, memoryEnv);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("test-command");
  });
});
