/**
 * The long-term memory of the agent: what it learned about each repository (how to run its
 * tests, set-up that worked, conventions, past fixes, approaches that failed), kept in an
 * embedded SQLite database so the next run on the same repository starts smarter.
 */
import { mkdirSync } from "node:fs";
import { dirname, isAbsolute, join } from "node:path";
import Database from "better-sqlite3";
import { z } from "zod";
import { AgentError, ConfigError } from "../errors.js";
import { createSecretRedactor } from "../events/redact-secrets.js";
import { redactTokenPatterns } from "./secret-patterns.js";

const nonEmptyText = z.string({ error: "expected a non-empty string" }).trim().min(1, { error: "expected a non-empty string" });

/** The value each kind of entry holds; checked before anything is written. */
export const memoryValueSchemas = {
  /** How to run the repository's tests; a repository has at most one. */
  "test-command": z.strictObject({ command: nonEmptyText, framework: nonEmptyText, notes: nonEmptyText.optional() }),
  /** A set-up command that worked; deduplicated by its text. */
  "setup-command": z.strictObject({ command: nonEmptyText, purpose: nonEmptyText }),
  /** A convention of the repository, as free text; deduplicated. */
  convention: nonEmptyText,
  /** The summary of a past fix; the newest 50 are kept. */
  "fix-summary": z.strictObject({ task: nonEmptyText, summary: nonEmptyText, files: z.array(nonEmptyText), status: nonEmptyText }),
  /** An approach that did not work, recorded by loop control; the newest 50 are kept. */
  "failed-approach": z.strictObject({ task: nonEmptyText, approach: nonEmptyText, reason: nonEmptyText }),
} as const;

/** The kinds of entry, in the order they are shown. */
export const memoryKinds = ["test-command", "setup-command", "convention", "fix-summary", "failed-approach"] as const;

/** One kind of entry. */
export type MemoryKind = (typeof memoryKinds)[number];

/** The value of an entry of kind `K`. */
export type MemoryValue<K extends MemoryKind> = z.infer<(typeof memoryValueSchemas)[K]>;

/** What a caller asks the store to remember; `source` is the run id that learned it. */
export type MemoryEntryInput = { [K in MemoryKind]: { kind: K; value: MemoryValue<K>; source?: string } }[MemoryKind];

/** An entry as stored: timestamps are ISO 8601 strings. */
export type MemoryEntry<K extends MemoryKind = MemoryKind> = {
  [P in K]: {
    id: number;
    repositoryKey: string;
    kind: P;
    value: MemoryValue<P>;
    source?: string;
    createdAt: string;
    updatedAt: string;
  };
}[K];

/** Everything remembered about one repository, grouped by kind, newest first. */
export interface RepositoryMemory {
  repositoryKey: string;
  testCommand?: MemoryEntry<"test-command">;
  setupCommands: Array<MemoryEntry<"setup-command">>;
  conventions: Array<MemoryEntry<"convention">>;
  fixSummaries: Array<MemoryEntry<"fix-summary">>;
  failedApproaches: Array<MemoryEntry<"failed-approach">>;
}

/** One repository the store knows, for listings. */
export interface RememberedRepository {
  key: string;
  entries: number;
  updatedAt: string;
}

/** Which entries of a repository `forget` removes: all by default. */
export interface ForgetOptions {
  kind?: MemoryKind;
  id?: number;
}

/** The long-term store as the rest of the system sees it (a port: fakes implement it in tests). */
export interface LongTermStore {
  /** The database file. */
  readonly path: string;
  /** Validates, redacts and stores an entry (upserting or deduplicating by kind) and returns it as stored. */
  remember(repositoryKey: string, entry: MemoryEntryInput): MemoryEntry;
  /** Everything remembered about a repository; empty groups when nothing is. */
  recall(repositoryKey: string): RepositoryMemory;
  /** The repositories with entries, most recently updated first. */
  listRepositories(): RememberedRepository[];
  /** Removes entries of a repository (all, one kind, or one id) and returns how many were removed. */
  forget(repositoryKey: string, options?: ForgetOptions): number;
  /** Closes the database; further calls fail. Calling it twice is harmless. */
  close(): void;
}

/** How a store is opened. */
export interface LongTermStoreOptions {
  /** Exact values (API keys, tokens) that must never be written, on top of the token patterns. */
  secrets?: Iterable<string | undefined>;
  /** The clock, for timestamps; injected by tests. */
  now?: () => Date;
  /** How long to wait for another process's write lock before failing. */
  busyTimeoutMs?: number;
}

/** Entries kept per repository and kind for the kinds that append. */
export const MAX_APPENDED_ENTRIES = 50;

/** The schema version this code writes (`PRAGMA user_version`). */
export const MEMORY_SCHEMA_VERSION = 1;

/** Migration `n` takes the schema from version `n` to `n + 1`. */
const MIGRATIONS: ReadonlyArray<(db: Database.Database) => void> = [
  (db) =>
    db.exec(`
      CREATE TABLE memory_entries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        repo_key TEXT NOT NULL,
        kind TEXT NOT NULL,
        dedupe_key TEXT,
        value TEXT NOT NULL,
        source TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (repo_key, kind, dedupe_key)
      );
      CREATE INDEX memory_entries_by_repository ON memory_entries (repo_key, updated_at);
    `),
];

const APPENDED_KINDS: ReadonlySet<MemoryKind> = new Set(["fix-summary", "failed-approach"]);

interface EntryRow {
  id: number;
  repo_key: string;
  kind: string;
  value: string;
  source: string | null;
  created_at: string;
  updated_at: string;
}

/** `$XDG_DATA_HOME/agent/memory.sqlite`, or `~/.local/share/agent/memory.sqlite` for the given home. */
export function defaultMemoryPath(env: Record<string, string | undefined>, homeDir: string): string {
  const xdg = env["XDG_DATA_HOME"];
  const dataHome = xdg !== undefined && isAbsolute(xdg) ? xdg : join(homeDir, ".local", "share");
  return join(dataHome, "agent", "memory.sqlite");
}

/**
 * Opens (creating and migrating when needed) the store at `path`, in WAL mode so that several
 * runs can share it. A file that is not a readable database of this program is a ConfigError
 * that names the file and says to move it aside.
 */
export function createLongTermStore(path: string, options: LongTermStoreOptions = {}): LongTermStore {
  const now = options.now ?? (() => new Date());
  const redactSecrets = createSecretRedactor(options.secrets ?? []);
  const redact = (text: string) => redactTokenPatterns(redactSecrets(text));
  const guard = <T>(action: () => T): T => {
    try {
      return action();
    } catch (error) {
      throw describeDatabaseError(error, path);
    }
  };

  const db = guard(() => {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    const opened = new Database(path, { timeout: options.busyTimeoutMs ?? 5_000 });
    try {
      opened.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5_000)}`);
      opened.pragma("journal_mode = WAL");
      migrate(opened, path);
      return opened;
    } catch (error) {
      opened.close();
      throw error;
    }
  });

  const insert = db.prepare<[{ repoKey: string; kind: string; dedupeKey: string | null; value: string; source: string | null; now: string }], EntryRow>(
    `INSERT INTO memory_entries (repo_key, kind, dedupe_key, value, source, created_at, updated_at)
     VALUES (@repoKey, @kind, @dedupeKey, @value, @source, @now, @now)
     ON CONFLICT (repo_key, kind, dedupe_key) DO UPDATE SET value = excluded.value, source = excluded.source, updated_at = excluded.updated_at
     RETURNING *`,
  );
  const trim = db.prepare<[string, string, string, string, number]>(
    `DELETE FROM memory_entries WHERE repo_key = ? AND kind = ? AND id NOT IN
       (SELECT id FROM memory_entries WHERE repo_key = ? AND kind = ? ORDER BY updated_at DESC, id DESC LIMIT ?)`,
  );
  const selectRepository = db.prepare<[string], EntryRow>("SELECT * FROM memory_entries WHERE repo_key = ? ORDER BY updated_at DESC, id DESC");
  const selectRepositories = db.prepare<[], RememberedRepository>(
    `SELECT repo_key AS key, COUNT(*) AS entries, MAX(updated_at) AS updatedAt
     FROM memory_entries GROUP BY repo_key ORDER BY updatedAt DESC, key`,
  );
  const rememberInTransaction = db.transaction((repoKey: string, entry: MemoryEntryInput): MemoryEntry => {
    const value = redactDeep(entry.value, redact);
    const row = insert.get({
      repoKey,
      kind: entry.kind,
      dedupeKey: dedupeKeyOf(entry.kind, value),
      value: JSON.stringify(value),
      source: entry.source === undefined ? null : redact(entry.source),
      now: now().toISOString(),
    })!;
    if (APPENDED_KINDS.has(entry.kind)) trim.run(repoKey, entry.kind, repoKey, entry.kind, MAX_APPENDED_ENTRIES);
    return toEntry(row)!;
  });

  return {
    path,
    remember(repositoryKey, entry) {
      assertRepositoryKey(repositoryKey);
      const schema = memoryKinds.includes(entry.kind) ? memoryValueSchemas[entry.kind] : undefined;
      if (!schema) throw new AgentError("memory-invalid-entry", `Cannot remember an entry of kind "${String(entry.kind)}"; expected one of ${memoryKinds.join(", ")}.`);
      const parsed = schema.safeParse(entry.value);
      if (!parsed.success) {
        const problems = parsed.error.issues.map((issue) => `${issue.path.join(".") || "value"}: ${issue.message}`);
        throw new AgentError("memory-invalid-entry", `Cannot remember a ${entry.kind} entry: ${problems.join("; ")}.`);
      }
      return guard(() => rememberInTransaction(repositoryKey, { ...entry, value: parsed.data } as MemoryEntryInput));
    },

    recall(repositoryKey) {
      const memory: RepositoryMemory = { repositoryKey, setupCommands: [], conventions: [], fixSummaries: [], failedApproaches: [] };
      for (const entry of guard(() => selectRepository.all(repositoryKey)).map(toEntry)) {
        if (!entry) continue;
        if (entry.kind === "test-command") memory.testCommand ??= entry;
        else if (entry.kind === "setup-command") memory.setupCommands.push(entry);
        else if (entry.kind === "convention") memory.conventions.push(entry);
        else if (entry.kind === "fix-summary") memory.fixSummaries.push(entry);
        else memory.failedApproaches.push(entry);
      }
      return memory;
    },

    listRepositories() {
      return guard(() => selectRepositories.all());
    },

    forget(repositoryKey, forgetOptions = {}) {
      const conditions = ["repo_key = ?"];
      const parameters: Array<string | number> = [repositoryKey];
      if (forgetOptions.kind !== undefined) {
        conditions.push("kind = ?");
        parameters.push(forgetOptions.kind);
      }
      if (forgetOptions.id !== undefined) {
        conditions.push("id = ?");
        parameters.push(forgetOptions.id);
      }
      return guard(() => db.prepare(`DELETE FROM memory_entries WHERE ${conditions.join(" AND ")}`).run(...parameters).changes);
    },

    close() {
      if (db.open) db.close();
    },
  };
}

/** Brings the schema from its `user_version` to MEMORY_SCHEMA_VERSION, in one transaction that takes the write lock first. */
function migrate(db: Database.Database, path: string): void {
  db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new ConfigError(
        `The memory database at ${path} has schema version ${version}, newer than this agent understands (${MIGRATIONS.length}). ` +
          "Upgrade agent, or move the file aside to start a new memory.",
        { code: "memory-unreadable" },
      );
    }
    for (let step = version; step < MIGRATIONS.length; step += 1) MIGRATIONS[step]!(db);
    if (version !== MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  }).immediate();
}

/** Turns SQLite failures that the user has to fix into errors that say how. */
function describeDatabaseError(error: unknown, path: string): unknown {
  if (error instanceof AgentError) return error;
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === "SQLITE_BUSY" || code === "SQLITE_LOCKED") {
    return new AgentError("memory-busy", `The memory database at ${path} stayed locked by another process (${reason}); try again.`, { cause: error });
  }
  if (code === "SQLITE_NOTADB" || code === "SQLITE_CORRUPT") {
    return new ConfigError(
      `The memory database at ${path} is damaged or is not a database (${reason}). ` +
        `Move it aside (mv "${path}" "${path}.broken") and a new, empty one is created on the next run.`,
      { code: "memory-unreadable", cause: error },
    );
  }
  const unusable =
    typeof code === "string" && (/^SQLITE_(CANTOPEN|IOERR|PERM|READONLY|AUTH)/.test(code) || ["EACCES", "EPERM", "ENOTDIR", "EROFS"].includes(code));
  if (!unusable) return error;
  return new ConfigError(
    `The memory database at ${path} cannot be opened (${reason}). Check that it is a file that you may read and write in a writable directory, ` +
      "or move it aside to start a new memory.",
    { code: "memory-unreadable", cause: error },
  );
}

function assertRepositoryKey(repositoryKey: string): void {
  if (typeof repositoryKey !== "string" || repositoryKey.trim() === "") {
    throw new AgentError("memory-invalid-entry", "Cannot remember an entry without a repository key; compute one with repositoryKey().");
  }
}

/** The text an entry is deduplicated by: one test command per repository; set-up commands and conventions by their text. */
function dedupeKeyOf(kind: MemoryKind, value: unknown): string | null {
  if (kind === "test-command") return "";
  if (kind === "setup-command") return (value as MemoryValue<"setup-command">).command.replace(/\s+/g, " ");
  if (kind === "convention") return (value as string).replace(/\s+/g, " ");
  return null;
}

/** Applies `redact` to every string inside a JSON value. */
function redactDeep<T>(value: T, redact: (text: string) => string): T {
  if (typeof value === "string") return redact(value) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => redactDeep(item, redact)) as T;
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactDeep(item, redact)])) as T;
  }
  return value;
}

/** A row as an entry; undefined for a row this version cannot read (unknown kind or invalid value), which is skipped. */
function toEntry(row: EntryRow): MemoryEntry | undefined {
  const kind = memoryKinds.find((known) => known === row.kind);
  if (!kind) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(row.value);
  } catch {
    return undefined;
  }
  const parsed = memoryValueSchemas[kind].safeParse(json);
  if (!parsed.success) return undefined;
  return {
    id: row.id,
    repositoryKey: row.repo_key,
    kind,
    value: parsed.data,
    ...(row.source === null ? {} : { source: row.source }),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  } as MemoryEntry;
}

/** Every entry of a repository's memory in one list, in the order of `memoryKinds`, newest first within a kind. */
export function listMemoryEntries(memory: RepositoryMemory): MemoryEntry[] {
  return [
    ...(memory.testCommand ? [memory.testCommand] : []),
    ...memory.setupCommands,
    ...memory.conventions,
    ...memory.fixSummaries,
    ...memory.failedApproaches,
  ];
}

/** Characters of memory put into a prompt when the caller does not say. */
export const DEFAULT_MEMORY_PROMPT_CHARS = 4_000;

/** Longest single remembered item in a prompt; longer ones end in "…". */
const MAX_ITEM_CHARS = 500;

/**
 * A compact text block of a repository's memory for a prompt, at most `maxChars` long; "" when
 * nothing is remembered. Failed approaches come before past fixes: they are short and say
 * what not to retry. When it does not all fit, whole items are left out and a last line says
 * how many.
 */
export function formatMemoryForPrompt(memory: RepositoryMemory, options: { maxChars?: number } = {}): string {
  const maxChars = options.maxChars ?? DEFAULT_MEMORY_PROMPT_CHARS;
  const test = memory.testCommand?.value;
  const sections: Array<{ header?: string; items: string[] }> = [
    { items: test ? [`How to run the tests: \`${test.command}\` (${test.framework})${test.notes ? `; ${test.notes}` : ""}`] : [] },
    { header: "Set-up that worked:", items: memory.setupCommands.map(({ value }) => `- \`${value.command}\`: ${value.purpose}`) },
    { header: "Conventions:", items: memory.conventions.map(({ value }) => `- ${value}`) },
    {
      header: "Approaches that failed before (do not retry):",
      items: memory.failedApproaches.map(({ value }) => `- ${value.task}: ${value.approach}. It failed because ${value.reason}`),
    },
    {
      header: "Past fixes:",
      items: memory.fixSummaries.map(
        ({ value }) => `- ${value.task} (${value.status}): ${value.summary}${value.files.length > 0 ? ` Files: ${value.files.join(", ")}.` : ""}`,
      ),
    },
  ].map((section) => ({ ...section, items: section.items.map(oneLine) }));

  const render = (parts: typeof sections) =>
    parts
      .filter((section) => section.items.length > 0)
      .map((section) => [...(section.header ? [section.header] : []), ...section.items].join("\n"))
      .join("\n");
  const full = render(sections);
  if (full.length <= maxChars) return full;

  const itemCount = sections.reduce((sum, section) => sum + section.items.length, 0);
  const note = (left: number) => `(${left} more remembered item${left === 1 ? "" : "s"} left out to fit ${maxChars} characters)`;
  const budget = maxChars - note(itemCount).length - 1;
  const kept = sections.map((section) => ({ ...section, items: [] as string[] }));
  let left = 0;
  sections.forEach((section, index) => {
    for (const item of section.items) {
      const target = kept[index]!;
      target.items.push(item);
      if (render(kept).length > budget) {
        target.items.pop();
        left += 1;
      }
    }
  });
  const text = [render(kept), note(left)].filter(Boolean).join("\n");
  return text.slice(0, maxChars);
}

/** One line, at most MAX_ITEM_CHARS long. */
function oneLine(text: string): string {
  const flat = text.replace(/\s*\n\s*/g, " ").trim();
  return flat.length <= MAX_ITEM_CHARS ? flat : `${flat.slice(0, MAX_ITEM_CHARS - 1)}…`;
}
