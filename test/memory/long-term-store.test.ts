import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { AgentError, ConfigError } from "../../src/errors.js";
import {
  createLongTermStore,
  defaultMemoryPath,
  MAX_APPENDED_ENTRIES,
  MEMORY_SCHEMA_VERSION,
  type LongTermStore,
  type LongTermStoreOptions,
} from "../../src/memory/long-term-store.js";
import { useTempDirs } from "../git/git-fixture.js";

const tempDir = useTempDirs();
const open: LongTermStore[] = [];
const repo = "github.com/owner/repo";

afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

/** A store in a new temp dir whose clock ticks one second per call, so "newest first" is well defined. */
async function createStore(options: LongTermStoreOptions = {}, path?: string): Promise<LongTermStore> {
  let tick = Date.parse("2025-01-01T00:00:00Z");
  const store = createLongTermStore(path ?? join(await tempDir("agent-memory-"), "memory.sqlite"), {
    now: () => new Date((tick += 1000)),
    ...options,
  });
  open.push(store);
  return store;
}

describe("LongTermStore", () => {
  it("recalls a remembered test command with its source and timestamps", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "test-command", value: { command: "pytest -q", framework: "pytest" }, source: "run-1" });
    expect(store.recall(repo).testCommand).toMatchObject({
      kind: "test-command",
      repositoryKey: repo,
      value: { command: "pytest -q", framework: "pytest" },
      source: "run-1",
      createdAt: "2025-01-01T00:00:01.000Z",
    });
  });

  it("groups every kind of entry, newest first", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "setup-command", value: { command: "pip install -e .", purpose: "install the package" } });
    store.remember(repo, { kind: "convention", value: "Tests live next to the code." });
    store.remember(repo, { kind: "convention", value: "Use black." });
    store.remember(repo, { kind: "fix-summary", value: { task: "#12", summary: "Guarded None.", files: ["a.py"], status: "solved" } });
    store.remember(repo, { kind: "failed-approach", value: { task: "#12", approach: "Catch the exception", reason: "hid the bug" } });
    const memory = store.recall(repo);
    expect(memory.setupCommands.map((entry) => entry.value.command)).toEqual(["pip install -e ."]);
    expect(memory.conventions.map((entry) => entry.value)).toEqual(["Use black.", "Tests live next to the code."]);
    expect(memory.fixSummaries.map((entry) => entry.value.files)).toEqual([["a.py"]]);
    expect(memory.failedApproaches.map((entry) => entry.value.reason)).toEqual(["hid the bug"]);
  });

  it("keeps one test command per repository, the latest one", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "test-command", value: { command: "pytest", framework: "pytest" } });
    store.remember(repo, { kind: "test-command", value: { command: "tox -e py311", framework: "tox", notes: "needs tox" } });
    expect(store.recall(repo).testCommand?.value).toEqual({ command: "tox -e py311", framework: "tox", notes: "needs tox" });
    expect(store.listRepositories()[0]?.entries).toBe(1);
  });

  it("deduplicates set-up commands by their text and keeps the latest purpose", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "setup-command", value: { command: "pip install -e .", purpose: "install" } });
    store.remember(repo, { kind: "setup-command", value: { command: "pip  install -e . ", purpose: "install in development mode" } });
    expect(store.recall(repo).setupCommands.map((entry) => entry.value)).toEqual([{ command: "pip  install -e .", purpose: "install in development mode" }]);
  });

  it("keeps only the newest 50 fix summaries of a repository", async () => {
    const store = await createStore();
    for (let index = 1; index <= MAX_APPENDED_ENTRIES + 5; index += 1) {
      store.remember(repo, { kind: "fix-summary", value: { task: `task ${index}`, summary: "fixed", files: [], status: "solved" } });
    }
    const tasks = store.recall(repo).fixSummaries.map((entry) => entry.value.task);
    expect(tasks).toHaveLength(MAX_APPENDED_ENTRIES);
    expect([tasks[0], tasks.at(-1)]).toEqual(["task 55", "task 6"]);
  });

  it("keeps the memories of different repositories apart", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "convention", value: "A" });
    store.remember("local:/srv/other", { kind: "convention", value: "B" });
    expect(store.recall("local:/srv/other").conventions.map((entry) => entry.value)).toEqual(["B"]);
  });

  it("lists repositories with their entry counts, most recently updated first", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "convention", value: "A" });
    store.remember(repo, { kind: "convention", value: "B" });
    store.remember("local:/srv/other", { kind: "convention", value: "C" });
    expect(store.listRepositories()).toEqual([
      { key: "local:/srv/other", entries: 1, updatedAt: "2025-01-01T00:00:03.000Z" },
      { key: repo, entries: 2, updatedAt: "2025-01-01T00:00:02.000Z" },
    ]);
  });

  it("forgets one kind of entry and returns the count removed", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "convention", value: "A" });
    store.remember(repo, { kind: "convention", value: "B" });
    store.remember(repo, { kind: "test-command", value: { command: "pytest", framework: "pytest" } });
    expect(store.forget(repo, { kind: "convention" })).toBe(2);
    expect(store.recall(repo)).toMatchObject({ conventions: [], testCommand: { value: { command: "pytest" } } });
  });

  it("forgets one entry by id", async () => {
    const store = await createStore();
    const first = store.remember(repo, { kind: "convention", value: "A" });
    store.remember(repo, { kind: "convention", value: "B" });
    expect(store.forget(repo, { id: first.id })).toBe(1);
    expect(store.recall(repo).conventions.map((entry) => entry.value)).toEqual(["B"]);
  });

  it("does not forget an id that belongs to another repository", async () => {
    const store = await createStore();
    const other = store.remember("local:/srv/other", { kind: "convention", value: "A" });
    expect(store.forget(repo, { id: other.id })).toBe(0);
  });

  it("forgets everything about a repository and leaves the others", async () => {
    const store = await createStore();
    store.remember(repo, { kind: "convention", value: "A" });
    store.remember(repo, { kind: "setup-command", value: { command: "make", purpose: "build" } });
    store.remember("local:/srv/other", { kind: "convention", value: "B" });
    expect(store.forget(repo)).toBe(2);
    expect(store.listRepositories().map((repository) => repository.key)).toEqual(["local:/srv/other"]);
  });

  it("keeps its entries across close and reopen", async () => {
    const path = join(await tempDir("agent-memory-"), "nested", "memory.sqlite");
    const first = createLongTermStore(path);
    first.remember(repo, { kind: "convention", value: "Use tabs." });
    first.close();
    const second = await createStore({}, path);
    expect(second.recall(repo).conventions.map((entry) => entry.value)).toEqual(["Use tabs."]);
  });

  it("migrates an empty file to the current schema version in WAL mode", async () => {
    const path = join(await tempDir("agent-memory-"), "memory.sqlite");
    await writeFile(path, "");
    (await createStore({}, path)).close();
    const db = new Database(path, { readonly: true });
    try {
      expect([db.pragma("user_version", { simple: true }), db.pragma("journal_mode", { simple: true })]).toEqual([MEMORY_SCHEMA_VERSION, "wal"]);
    } finally {
      db.close();
    }
  });

  it("refuses a database written by a newer schema version and says to move it aside", async () => {
    const path = join(await tempDir("agent-memory-"), "memory.sqlite");
    const db = new Database(path);
    db.pragma(`user_version = ${MEMORY_SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => createLongTermStore(path)).toThrow(/newer than this agent understands.*move the file aside/);
  });

  it("reports a corrupt file as a ConfigError that names the path and says to move it aside", async () => {
    const path = join(await tempDir("agent-memory-"), "memory.sqlite");
    await writeFile(path, Buffer.from("this is not a database at all; ".repeat(200)));
    let caught: unknown;
    try {
      createLongTermStore(path);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    expect((caught as ConfigError).message).toContain(path);
    expect((caught as ConfigError).message).toContain(`Move it aside (mv "${path}"`);
  });

  it("never stores an API key found in a value", async () => {
    const path = join(await tempDir("agent-memory-"), "memory.sqlite");
    const store = await createStore({}, path);
    store.remember(repo, { kind: "convention", value: "Export OPENAI_API_KEY=sk-proj-abcdefghijklmnopqrstuvwxyz0123 before testing." });
    store.close();
    const reopened = await createStore({}, path);
    expect(reopened.recall(repo).conventions[0]?.value).toBe("Export OPENAI_API_KEY=[redacted] before testing.");
  });

  it("never stores a secret passed by value, in nested values too", async () => {
    const store = await createStore({ secrets: ["hunter2-database-password"] });
    store.remember(repo, {
      kind: "fix-summary",
      value: { task: "login", summary: "Used hunter2-database-password in the fixture.", files: ["conf/hunter2-database-password.txt"], status: "solved" },
    });
    expect(JSON.stringify(store.recall(repo))).not.toContain("hunter2-database-password");
  });

  it("rejects a value that does not match its kind's schema", async () => {
    const store = await createStore();
    const invalid = { kind: "fix-summary", value: { task: "x", summary: "y", status: "solved" } } as never;
    expect(() => store.remember(repo, invalid)).toThrow(AgentError);
  });
});

describe("defaultMemoryPath", () => {
  it("uses XDG_DATA_HOME when it is absolute", () => {
    expect(defaultMemoryPath({ XDG_DATA_HOME: "/data" }, "/home/u")).toBe("/data/agent/memory.sqlite");
  });

  it("falls back to ~/.local/share", () => {
    expect(defaultMemoryPath({ XDG_DATA_HOME: "relative" }, "/home/u")).toBe("/home/u/.local/share/agent/memory.sqlite");
  });
});
