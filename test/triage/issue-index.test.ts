import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IssueSummary } from "../../src/github/issue-summary.js";
import { processIssueToken, stripIssueBoilerplate } from "../../src/triage/duplicate-terms.js";
import { loadIssueIndex, saveIssueIndex } from "../../src/triage/issue-index-cache.js";
import { createIssueIndex, DEFAULT_DUPLICATE_THRESHOLD, type IssueIndex } from "../../src/triage/issue-index.js";

interface DuplicateFixture {
  repository: string;
  measuredAt: string;
  issues: IssueSummary[];
  duplicatePairs: { duplicate: number; original: number }[];
  nearDuplicates: { newer: number; older: number; area: string }[];
}

const fixture = JSON.parse(
  await readFile(new URL("../../bench/data/duplicate-issues.json", import.meta.url), "utf8"),
) as DuplicateFixture;
const fixtureNow = Date.parse(fixture.measuredAt);
const DAY_MS = 86_400_000;

/** An issue of a small made-up repository; every field but the number has a default. */
function issue(number: number, fields: Partial<IssueSummary> = {}): IssueSummary {
  return {
    number,
    title: `Issue ${number}`,
    body: "",
    state: "open",
    stateReason: null,
    labels: [],
    author: "someone",
    createdAt: `2026-01-${String(number).padStart(2, "0")}T10:00:00Z`,
    updatedAt: `2026-01-${String(number).padStart(2, "0")}T10:00:00Z`,
    closedAt: null,
    htmlUrl: `https://github.com/acme/widgets/issues/${number}`,
    ...fields,
  };
}

const smallRepository = (): IssueSummary[] => [
  issue(1, { title: "Upload of large files times out", body: "Uploading a 2 GB file with `upload_file()` fails with `ReadTimeout` after 30 seconds." }),
  issue(2, { title: "Crash when the config file is empty", body: "An empty `widgets.toml` raises `KeyError: 'profile'` in `load_config`." }),
  issue(3, { title: "Dark mode colours are unreadable", body: "In dark mode the sidebar text is grey on grey." }),
  issue(4, { title: "Support proxies with authentication", body: "Please allow `proxy_user` and `proxy_password` settings for corporate proxies." }),
];

/** Embeddings from a table: the vector of a text is the one of the first key the text starts with (the title comes first). */
class TableEmbeddings implements EmbeddingsInterface {
  readonly documentCalls: string[][] = [];
  readonly queryCalls: string[] = [];

  constructor(
    private readonly table: ReadonlyArray<readonly [string, number[]]>,
    private readonly failure?: Error,
  ) {}

  async embedDocuments(documents: string[]): Promise<number[][]> {
    this.documentCalls.push(documents);
    if (this.failure) throw this.failure;
    return documents.map((text) => this.vectorOf(text));
  }

  async embedQuery(document: string): Promise<number[]> {
    this.queryCalls.push(document);
    if (this.failure) throw this.failure;
    return this.vectorOf(document);
  }

  private vectorOf(text: string): number[] {
    return this.table.find(([prefix]) => text.startsWith(prefix))?.[1] ?? [0, 0, 0, 1];
  }
}

describe("duplicate detection on the fixture (bench/data/duplicate-issues.json)", () => {
  const index = createIssueIndex();
  index.update(fixture.issues);
  const isTruePair = (duplicate: number, original: number): boolean =>
    fixture.duplicatePairs.some((pair) => pair.duplicate === duplicate && pair.original === original);

  it("has 40 or more issues, 10 duplicate pairs whose duplicate is the newer issue, and 5 or more near-duplicates", () => {
    const created = new Map(fixture.issues.map((entry) => [entry.number, Date.parse(entry.createdAt)]));
    expect(fixture.issues.length).toBeGreaterThanOrEqual(40);
    expect(fixture.duplicatePairs).toHaveLength(10);
    expect(fixture.duplicatePairs.every((pair) => created.get(pair.duplicate)! > created.get(pair.original)!)).toBe(true);
    expect(fixture.nearDuplicates.length).toBeGreaterThanOrEqual(5);
  });

  it("finds the original of at least 8 of the 10 duplicates among the top 3 candidates", async () => {
    let found = 0;
    for (const pair of fixture.duplicatePairs) {
      const query = index.get(pair.duplicate)!;
      const { candidates } = await index.findDuplicates(query, { olderOnly: true, now: fixtureNow, limit: 3 });
      if (candidates.some((candidate) => candidate.number === pair.original)) found += 1;
    }
    expect(found / fixture.duplicatePairs.length).toBeGreaterThanOrEqual(0.8);
  });

  it("flags no false duplicate at DEFAULT_DUPLICATE_THRESHOLD, and flags some true ones", async () => {
    const flagged: string[] = [];
    for (const query of fixture.issues) {
      const { candidates } = await index.findDuplicates(query, { olderOnly: true, now: fixtureNow, limit: 10 });
      for (const candidate of candidates) {
        if (candidate.confidence >= DEFAULT_DUPLICATE_THRESHOLD) flagged.push(`#${query.number} -> #${candidate.number}`);
      }
    }
    const falseDuplicates = flagged.filter((pair) => {
      const [duplicate, original] = pair.split(" -> ").map((part) => Number(part.slice(1)));
      return !isTruePair(duplicate!, original!);
    });
    expect(falseDuplicates).toEqual([]);
    expect(flagged.length).toBeGreaterThan(0);
  });

  it("never offers an issue as its own duplicate, even when the query is its exact text", async () => {
    for (const query of fixture.issues.slice(0, 10)) {
      const { candidates } = await index.findDuplicates(query, { now: fixtureNow, limit: 50 });
      expect(candidates.map((candidate) => candidate.number)).not.toContain(query.number);
    }
  });

  it("gives passages of at most 240 characters, at most 3 per candidate, each holding a matched term", async () => {
    const { candidates } = await index.findDuplicates(index.get(44)!, { olderOnly: true, now: fixtureNow, limit: 5 });
    expect(candidates.length).toBeGreaterThan(0);
    for (const candidate of candidates) {
      expect(candidate.passages.length).toBeGreaterThan(0);
      expect(candidate.passages.length).toBeLessThanOrEqual(3);
      for (const passage of candidate.passages) {
        expect(passage.text.length).toBeLessThanOrEqual(240);
        const passageWords: string[] = passage.text.toLowerCase().match(/[a-z0-9_]+/g) ?? [];
        expect(candidate.matchedTerms.some((term) => passageWords.includes(term))).toBe(true);
      }
    }
  });

  it("shows the shared error for a reworded report: StreamReset in #18 for #44", async () => {
    const { candidates } = await index.findDuplicates(index.get(44)!, { olderOnly: true, now: fixtureNow });
    const [best] = candidates;
    expect(best?.number).toBe(18);
    expect(best?.matchedTerms).toContain("streamreset");
    expect(best?.passages.some((passage) => passage.text.includes("StreamReset"))).toBe(true);
  });
});

describe("IssueIndex", () => {
  it("re-indexes an edited issue: its new words match and its old ones no longer do", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    index.update([issue(3, { title: "Keyboard shortcut for search", body: "Ctrl+K should open the search palette.", updatedAt: "2026-02-01T00:00:00Z" })]);
    const byNewWords = await index.findDuplicates({ title: "Add a keyboard shortcut to open search", body: "" });
    const byOldWords = await index.findDuplicates({ title: "Dark mode colours unreadable", body: "sidebar text grey" });
    expect(byNewWords.candidates[0]?.number).toBe(3);
    expect(byOldWords.candidates.map((candidate) => candidate.number)).not.toContain(3);
    expect(index.size).toBe(4);
  });

  it("finds an issue added by a later update, and lastUpdatedAt moves to the newest updatedAt", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    expect(index.lastUpdatedAt).toBe("2026-01-04T10:00:00Z");
    index.update([issue(5, { title: "Export to CSV drops unicode characters", body: "`export_csv()` writes `?` for every accented letter." })]);
    const { candidates } = await index.findDuplicates({ title: "CSV export loses accented letters", body: "export_csv replaces é with ?" });
    expect(candidates[0]?.number).toBe(5);
    expect(index.size).toBe(5);
    expect(index.lastUpdatedAt).toBe("2026-01-05T10:00:00Z");
  });

  it("with olderOnly, leaves out the issues created after the query", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    const query = { title: "Timeout when uploading big files", body: "upload_file ReadTimeout", createdAt: "2025-12-31T00:00:00Z" };
    const all = await index.findDuplicates(query);
    const older = await index.findDuplicates(query, { olderOnly: true });
    expect(all.candidates[0]?.number).toBe(1);
    expect(older.candidates).toEqual([]);
  });

  it("counts a closed issue only if it was closed within closedWithinDays (180 by default)", async () => {
    const now = Date.parse("2026-06-01T00:00:00Z");
    const closedAt = new Date(now - 200 * DAY_MS).toISOString();
    const index = createIssueIndex();
    index.update([...smallRepository().filter((entry) => entry.number !== 1), issue(1, { ...smallRepository()[0], state: "closed", stateReason: "completed", closedAt })]);
    const query = { title: "Timeout when uploading big files", body: "upload_file ReadTimeout" };
    const byDefault = await index.findDuplicates(query, { now });
    const withinAYear = await index.findDuplicates(query, { now, closedWithinDays: 365 });
    expect(byDefault.candidates.map((candidate) => candidate.number)).not.toContain(1);
    expect(withinAYear.candidates[0]?.number).toBe(1);
  });

  it("says so instead of searching when the query has no words", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    const result = await index.findDuplicates({ title: "???", body: "### Describe the bug\n\n### Steps to reproduce\n" });
    expect(result.candidates).toEqual([]);
    expect(result.notes[0]).toMatch(/no words to match/);
  });

  it("reports confidence and lexicalScore between 0 and 1, sorted by confidence", async () => {
    const index = createIssueIndex();
    index.update(fixture.issues);
    const { candidates } = await index.findDuplicates(index.get(41)!, { now: fixtureNow, limit: 10 });
    const confidences = candidates.map((candidate) => candidate.confidence);
    expect(confidences).toEqual([...confidences].sort((a, b) => b - a));
    for (const candidate of candidates) {
      expect(candidate.confidence).toBeGreaterThanOrEqual(0);
      expect(candidate.confidence).toBeLessThanOrEqual(1);
      expect(candidate.lexicalScore).toBeGreaterThanOrEqual(0);
      expect(candidate.lexicalScore).toBeLessThanOrEqual(1);
    }
  });
});

describe("text preparation", () => {
  it("keeps an identifier whole and adds its camelCase or snake_case parts", () => {
    expect(processIssueToken("RemoteProtocolError")).toEqual(["remoteprotocolerror", "remot", "protocol", "error"]);
    expect(processIssueToken("max_keepalive_connections")).toEqual(["max_keepalive_connections", "max", "keepaliv", "connection"]);
  });

  it("drops template headings, checklists, HTML comments and the environment section", () => {
    const body = [
      "<!-- Please search existing issues first -->",
      "### Describe the bug",
      "Uploads hang.",
      "### Expected behavior",
      "They finish.",
      "### Environment",
      "- widgets 1.2.3",
      "- Ubuntu 24.04",
      "- [x] I have searched the existing issues",
    ].join("\n");
    expect(stripIssueBoilerplate(body).split("\n").filter((line) => line.trim() !== "")).toEqual(["Uploads hang.", "They finish."]);
  });
});

describe("the issue index cache", () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "issue-index-"));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it("loads what was saved: the same issues, lastUpdatedAt and candidates", async () => {
    const index = createIssueIndex();
    index.update(fixture.issues);
    const file = join(directory, "triage", "tidal-http", "tidal", "issue-index.json");
    await saveIssueIndex(index, file);
    const loaded = await loadIssueIndex(file);
    const query = index.get(46)!;
    expect(loaded?.size).toBe(index.size);
    expect(loaded?.lastUpdatedAt).toBe(index.lastUpdatedAt);
    expect(await loaded?.findDuplicates(query, { now: fixtureNow })).toEqual(await index.findDuplicates(query, { now: fixtureNow }));
  });

  it("keeps the embedding vectors, so a loaded index embeds only the query", async () => {
    const embeddings = new TableEmbeddings([["Upload", [1, 0, 0, 0]]]);
    const index = createIssueIndex();
    index.update(smallRepository());
    await index.findDuplicates({ title: "Upload timeout", body: "" }, { embeddings, embeddingModel: "table" });
    const file = join(directory, "issue-index.json");
    await saveIssueIndex(index, file);
    const loaded = (await loadIssueIndex(file))!;
    const again = new TableEmbeddings([["Upload", [1, 0, 0, 0]]]);
    const result = await loaded.findDuplicates({ title: "Upload timeout", body: "" }, { embeddings: again, embeddingModel: "table" });
    expect(again.documentCalls).toEqual([]);
    expect(again.queryCalls).toHaveLength(1);
    expect(result.candidates[0]).toMatchObject({ number: 1, embeddingSimilarity: 1 });
  });

  it("reads a corrupt file, another version's file or no file as no cache", async () => {
    const corrupt = join(directory, "corrupt.json");
    const oldVersion = join(directory, "old.json");
    await writeFile(corrupt, '{"version": 1, "issues": [');
    await writeFile(oldVersion, JSON.stringify({ version: 0, savedAt: "2025-01-01T00:00:00Z", issues: [], vectors: [] }));
    expect(await loadIssueIndex(corrupt)).toBeUndefined();
    expect(await loadIssueIndex(oldVersion)).toBeUndefined();
    expect(await loadIssueIndex(join(directory, "missing.json"))).toBeUndefined();
  });

  it("replaces the file whole, leaving no temporary file behind", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    const file = join(directory, "issue-index.json");
    await writeFile(file, "garbage from an interrupted run");
    await saveIssueIndex(index, file);
    expect((await loadIssueIndex(file))?.size).toBe(4);
    const { readdir } = await import("node:fs/promises");
    expect(await readdir(directory)).toEqual(["issue-index.json"]);
  });
});

describe("re-ranking with embeddings", () => {
  /** A query that shares words with #1 but means #4 (by the table's vectors). */
  const query = { title: "Uploads through the corporate proxy fail", body: "uploading files times out" };
  const table: Array<[string, number[]]> = [
    ["Uploads through the corporate proxy", [0, 0, 1, 0.1]],
    ["Support proxies with authentication", [0, 0, 1, 0]],
    ["Upload of large files", [1, 0, 0, 0]],
  ];

  async function rank(index: IssueIndex, embeddings?: EmbeddingsInterface): Promise<number[]> {
    const { candidates } = await index.findDuplicates(query, embeddings ? { embeddings, embeddingModel: "table" } : {});
    return candidates.map((candidate) => candidate.number);
  }

  it("moves the issue whose embedding matches the query above one that only shares words", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    expect((await rank(index))[0]).toBe(1);
    const result = await index.findDuplicates(query, { embeddings: new TableEmbeddings(table), embeddingModel: "table" });
    expect(result.candidates[0]?.number).toBe(4);
    expect(result.candidates[0]?.embeddingSimilarity).toBeCloseTo(0.995, 3);
    expect(result.notes).toEqual([]);
  });

  it("embeds each issue once, and again only after it changed", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    const embeddings = new TableEmbeddings(table);
    await rank(index, embeddings);
    await rank(index, embeddings);
    index.update([issue(2, { ...smallRepository()[1], body: "An empty file raises KeyError.", updatedAt: "2026-02-02T00:00:00Z" })]);
    await rank(index, embeddings);
    expect(embeddings.documentCalls.map((texts) => texts.length)).toEqual([4, 1]);
  });

  it("falls back to the lexical ranking with a note when the embedding model fails", async () => {
    const index = createIssueIndex();
    index.update(smallRepository());
    const failing = new TableEmbeddings(table, new Error("401 Incorrect API key provided"));
    const lexical = await index.findDuplicates(query);
    const result = await index.findDuplicates(query, { embeddings: failing, embeddingModel: "openai:text-embedding-3-small" });
    expect(result.candidates).toEqual(lexical.candidates);
    expect(result.notes).toHaveLength(1);
    expect(result.notes[0]).toContain("openai:text-embedding-3-small failed (401 Incorrect API key provided)");
    expect(result.notes[0]).toContain("ranked by shared words alone");
  });
});
