/**
 * bench/triage-duplicates: how well `IssueIndex.findDuplicates` finds the original of a
 * duplicate issue, against a naive baseline measured in the same run (title word-overlap
 * Jaccard over the same candidates). For every issue of the fixture it asks for the duplicates
 * among the issues created before it (olderOnly, closed issues within 180 days of the fixture's
 * date), and prints recall@1 and recall@3 of the known duplicate pairs; precision, false
 * duplicates and recall at the threshold (ours: DEFAULT_DUPLICATE_THRESHOLD; the baseline's: the
 * lowest Jaccard at which it flags no false duplicate on this data, which favours the baseline);
 * how many near-duplicates each flags; and the time to build the index and per query.
 * Run: npm run build && node dist/bench/triage-duplicates.js [--data FILE] [--rounds N] [--embeddings provider:model]
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { IssueSummary } from "../src/github/issue-summary.js";
import { loadConfig } from "../src/config/load-config.js";
import { createEmbeddings } from "../src/models/create-embeddings.js";
import { createIssueIndex, DEFAULT_DUPLICATE_THRESHOLD } from "../src/triage/issue-index.js";

interface DuplicateFixture {
  description: string;
  repository: string;
  measuredAt: string;
  issues: IssueSummary[];
  duplicatePairs: { duplicate: number; original: number }[];
  nearDuplicates: { newer: number; older: number; area: string }[];
}

/** One query's ranked candidates: issue numbers with scores, best first. */
type Ranking = { number: number; score: number }[];

const CLOSED_WITHIN_DAYS = 180;
const DAY_MS = 86_400_000;
const LIMIT = 10;

function flagValue(name: string): string | undefined {
  const at = process.argv.indexOf(name);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

const dataFile = resolve(flagValue("--data") ?? fileURLToPath(new URL("../../bench/data/duplicate-issues.json", import.meta.url)));
const rounds = Math.max(1, Math.floor(Number(flagValue("--rounds") ?? 5)) || 1);
const embeddingModel = flagValue("--embeddings");
const fixture = JSON.parse(readFileSync(dataFile, "utf8")) as DuplicateFixture;
const now = Date.parse(fixture.measuredAt);
const isTruePair = (duplicate: number, original: number): boolean =>
  fixture.duplicatePairs.some((pair) => pair.duplicate === duplicate && pair.original === original);
const isNearDuplicate = (newer: number, older: number): boolean =>
  fixture.nearDuplicates.some((pair) => pair.newer === newer && pair.older === older);

let embeddings: EmbeddingsInterface | undefined;
if (embeddingModel !== undefined) {
  const loaded = await loadConfig({ cwd: process.cwd(), env: process.env, homeDir: homedir() });
  embeddings = createEmbeddings({ model: embeddingModel, config: loaded.config, userConfigPath: loaded.files.user, modelOrigin: "--embeddings" });
}

/** Our rankings, and the median over the rounds of the build time and the time per query. */
async function measureIssueIndex(): Promise<{ rankings: Map<number, Ranking>; buildMs: number; queryMs: number; notes: Set<string> }> {
  const buildTimes: number[] = [];
  const queryTimes: number[] = [];
  const rankings = new Map<number, Ranking>();
  const notes = new Set<string>();
  // Round 0 is an untimed warm-up (the JIT compiles the hot paths).
  for (let round = 0; round <= rounds; round += 1) {
    const buildStart = performance.now();
    const index = createIssueIndex();
    index.update(fixture.issues);
    if (round > 0) buildTimes.push(performance.now() - buildStart);
    const queryStart = performance.now();
    for (const issue of fixture.issues) {
      const result = await index.findDuplicates(issue, {
        olderOnly: true,
        now,
        closedWithinDays: CLOSED_WITHIN_DAYS,
        limit: LIMIT,
        ...(embeddings ? { embeddings, embeddingModel } : {}),
      });
      rankings.set(issue.number, result.candidates.map((candidate) => ({ number: candidate.number, score: candidate.confidence })));
      for (const note of result.notes) notes.add(note);
    }
    if (round > 0) queryTimes.push((performance.now() - queryStart) / fixture.issues.length);
  }
  return { rankings, buildMs: median(buildTimes), queryMs: median(queryTimes), notes };
}

/** The baseline: Jaccard of the two titles' lower-case word sets, over the same candidates as ours. */
function measureTitleJaccard(): { rankings: Map<number, Ranking>; queryMs: number } {
  const words = (title: string): Set<string> => new Set(title.toLowerCase().match(/[a-z0-9]+/g) ?? []);
  const queryTimes: number[] = [];
  const rankings = new Map<number, Ranking>();
  for (let round = 0; round <= rounds; round += 1) {
    const start = performance.now();
    for (const query of fixture.issues) {
      const queryWords = words(query.title);
      const ranking = fixture.issues
        .filter((candidate) => isEligible(candidate, query))
        .map((candidate) => {
          const candidateWords = words(candidate.title);
          const shared = [...queryWords].filter((word) => candidateWords.has(word)).length;
          const union = new Set([...queryWords, ...candidateWords]).size;
          return { number: candidate.number, score: union > 0 ? shared / union : 0 };
        })
        .filter((entry) => entry.score > 0)
        .sort((a, b) => b.score - a.score || b.number - a.number)
        .slice(0, LIMIT);
      rankings.set(query.number, ranking);
    }
    if (round > 0) queryTimes.push((performance.now() - start) / fixture.issues.length);
  }
  return { rankings, queryMs: median(queryTimes) };
}

/** The candidates `findDuplicates` allows with olderOnly and closedWithinDays. */
function isEligible(candidate: IssueSummary, query: IssueSummary): boolean {
  if (candidate.number === query.number || !(Date.parse(candidate.createdAt) < Date.parse(query.createdAt))) return false;
  if (candidate.state === "closed" && !(now - Date.parse(candidate.closedAt ?? candidate.updatedAt) <= CLOSED_WITHIN_DAYS * DAY_MS)) return false;
  return true;
}

interface Figures {
  recallAt1: number;
  recallAt3: number;
  flagged: number;
  truePositives: number;
  falseDuplicates: number;
  nearDuplicatesFlagged: number;
  precision: number;
  recallAtThreshold: number;
}

function evaluate(rankings: Map<number, Ranking>, threshold: number): Figures {
  let at1 = 0;
  let at3 = 0;
  for (const pair of fixture.duplicatePairs) {
    const rank = (rankings.get(pair.duplicate) ?? []).findIndex((entry) => entry.number === pair.original);
    if (rank === 0) at1 += 1;
    if (rank >= 0 && rank < 3) at3 += 1;
  }
  let flagged = 0;
  let truePositives = 0;
  let nearDuplicatesFlagged = 0;
  for (const [query, ranking] of rankings) {
    for (const entry of ranking) {
      if (entry.score < threshold) continue;
      flagged += 1;
      if (isTruePair(query, entry.number)) truePositives += 1;
      if (isNearDuplicate(query, entry.number)) nearDuplicatesFlagged += 1;
    }
  }
  const pairs = fixture.duplicatePairs.length;
  return {
    recallAt1: at1 / pairs,
    recallAt3: at3 / pairs,
    flagged,
    truePositives,
    falseDuplicates: flagged - truePositives,
    nearDuplicatesFlagged,
    precision: flagged > 0 ? truePositives / flagged : Number.NaN,
    recallAtThreshold: truePositives / pairs,
  };
}

/** The share of true pairs among a ranking's `count` most confident candidates over all queries: precision at the same number of flags. */
function precisionOfTop(rankings: Map<number, Ranking>, count: number): number {
  const all = [...rankings].flatMap(([query, ranking]) => ranking.map((entry) => ({ query, ...entry })));
  const top = all.sort((a, b) => b.score - a.score).slice(0, count);
  return top.length > 0 ? top.filter((entry) => isTruePair(entry.query, entry.number)).length / top.length : Number.NaN;
}

/** The lowest score at which a ranking flags no false duplicate: just above its best-scored false candidate. */
function zeroFalseThreshold(rankings: Map<number, Ranking>): number {
  let bestFalse = 0;
  for (const [query, ranking] of rankings) {
    for (const entry of ranking) if (!isTruePair(query, entry.number)) bestFalse = Math.max(bestFalse, entry.score);
  }
  return bestFalse + 1e-9;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ours = await measureIssueIndex();
const baseline = measureTitleJaccard();
const baselineThreshold = zeroFalseThreshold(baseline.rankings);
const oursFigures = evaluate(ours.rankings, DEFAULT_DUPLICATE_THRESHOLD);
const baselineFigures = evaluate(baseline.rankings, baselineThreshold);

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(2)}x` : "n/a");
const share = (value: number): string => (Number.isNaN(value) ? "n/a" : value.toFixed(2));
const sameVolume = Math.max(oursFigures.flagged, 1);
const oursTopPrecision = precisionOfTop(ours.rankings, sameVolume);
const baselineTopPrecision = precisionOfTop(baseline.rankings, sameVolume);
const out = (line: string): boolean => process.stdout.write(`${line}\n`);

out(`bench/triage-duplicates: ${dataFile}`);
out(
  `data: ${fixture.repository} (imaginary), ${fixture.issues.length} issues, ${fixture.duplicatePairs.length} duplicate pairs, ` +
    `${fixture.nearDuplicates.length} near-duplicate pairs; as of ${fixture.measuredAt}; median of ${rounds} rounds after a warm-up; node ${process.version}`,
);
out(`ranking: ${embeddingModel ? `lexical + embeddings ${embeddingModel}` : "lexical (BM25+ retrieval, weighted-overlap confidence)"}; baseline: title word-overlap Jaccard`);
for (const note of ours.notes) out(`note: ${note}`);
if (baselineFigures.flagged === 0) out("the baseline flags nothing at the lowest threshold that keeps it free of false duplicates: its precision there is n/a");
out("");
out(`${"".padEnd(34)}${"issue index".padStart(14)}${"baseline".padStart(14)}${"ratio".padStart(20)}`);
const row = (label: string, a: string, b: string, r: string): boolean => out(`${label.padEnd(34)}${a.padStart(14)}${b.padStart(14)}${r.padStart(20)}`);
row("recall@1", oursFigures.recallAt1.toFixed(2), baselineFigures.recallAt1.toFixed(2), ratio(oursFigures.recallAt1, baselineFigures.recallAt1));
row("recall@3", oursFigures.recallAt3.toFixed(2), baselineFigures.recallAt3.toFixed(2), ratio(oursFigures.recallAt3, baselineFigures.recallAt3));
row("threshold", DEFAULT_DUPLICATE_THRESHOLD.toFixed(3), baselineThreshold.toFixed(3), "");
row("flagged at the threshold", String(oursFigures.flagged), String(baselineFigures.flagged), "");
row("precision at the threshold", share(oursFigures.precision), share(baselineFigures.precision), ratio(oursFigures.precision, baselineFigures.precision));
row("false duplicates at the threshold", String(oursFigures.falseDuplicates), String(baselineFigures.falseDuplicates), "");
row("near-duplicates flagged", String(oursFigures.nearDuplicatesFlagged), String(baselineFigures.nearDuplicatesFlagged), "");
row(`precision of the ${sameVolume} most confident`, share(oursTopPrecision), share(baselineTopPrecision), ratio(oursTopPrecision, baselineTopPrecision));
row("recall at the threshold", oursFigures.recallAtThreshold.toFixed(2), baselineFigures.recallAtThreshold.toFixed(2), ratio(oursFigures.recallAtThreshold, baselineFigures.recallAtThreshold));
row("ms per query", ours.queryMs.toFixed(2), baseline.queryMs.toFixed(3), ratio(ours.queryMs, baseline.queryMs));
row("ms to build the index", ours.buildMs.toFixed(1), "-", "");
