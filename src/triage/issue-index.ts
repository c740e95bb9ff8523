import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import MiniSearch from "minisearch";
import type { IssueSummary } from "../github/issue-summary.js";
import { DEFAULT_DUPLICATE_THRESHOLD, embeddingConfidence, fuseConfidence, lexicalConfidence } from "./duplicate-confidence.js";
import { duplicateTerms, processIssueToken, stripIssueBoilerplate, tokenizeIssueText } from "./duplicate-terms.js";
import { findMatchingPassages, type DuplicatePassage } from "./matching-passages.js";

export { DEFAULT_DUPLICATE_THRESHOLD };
export type { DuplicatePassage };

/** The issue whose duplicates are looked for: a new issue, or one of the index's own. */
export interface DuplicateQuery {
  /** Its number when it is an issue of the repository: it is never its own candidate. */
  number?: number;
  title: string;
  body: string;
  /** With `olderOnly`, only issues created before this time are candidates. */
  createdAt?: string;
}

/** How `findDuplicates` searches; every field has a default. */
export interface FindDuplicatesOptions {
  /** How many candidates at most, best first; 5 when unset. */
  limit?: number;
  /** Only issues created before the query (its `createdAt`, else a lower issue number). */
  olderOnly?: boolean;
  /** A closed issue is a candidate only if it was closed within this many days; 180 when unset. */
  closedWithinDays?: number;
  /** The current time in ms since the epoch, for `closedWithinDays`; `Date.now()` when unset. */
  now?: number;
  /** An embedding model that re-ranks the lexical candidates; its failures fall back to words alone. */
  embeddings?: EmbeddingsInterface;
  /**
   * Names the embedding model, so that vectors cached for another model are not reused; the
   * embeddings object's own `model` field when unset.
   */
  embeddingModel?: string;
}

/** An earlier issue that may be the same as the query, with the evidence for it. */
export interface DuplicateCandidate {
  number: number;
  title: string;
  state: "open" | "closed";
  htmlUrl: string;
  createdAt: string;
  /** How likely the two are the same issue, 0..1, comparable across queries (see duplicate-confidence.ts). */
  confidence: number;
  /** The candidate's BM25+ score divided by the query's score against itself, 0..1. */
  lexicalScore: number;
  /** Cosine similarity of the two issues' embeddings, when an embedding model was used. */
  embeddingSimilarity?: number;
  /** The candidate's words that the query shares, most distinctive first. */
  matchedTerms: string[];
  /** Up to 3 sentences or lines of the candidate that share the most terms with the query. */
  passages: DuplicatePassage[];
}

/** What `findDuplicates` found, and what the caller should know about how (a failed embedding model...). */
export interface DuplicateSearchResult {
  candidates: DuplicateCandidate[];
  notes: string[];
}

/** An embedding of one issue, valid while the issue's `updatedAt` is unchanged. */
export interface CachedIssueVector {
  number: number;
  updatedAt: string;
  vector: number[];
}

/** Everything an index holds, as plain data: what the cache file stores. */
export interface IssueIndexSnapshot {
  issues: IssueSummary[];
  /** The model the vectors were made with, when there are vectors. */
  embeddingModel?: string;
  vectors: CachedIssueVector[];
}

/** Indexed bodies are cut to this many characters: long logs add nothing but noise and memory. */
export const MAX_INDEXED_BODY_CHARS = 20_000;
/** Characters of the body embedded with the title. */
const EMBEDDED_BODY_CHARS = 1_000;
/** A title's terms count this many times as much as a body's, in BM25 and in the confidence. */
const TITLE_BOOST = 2;
/** Lexical candidates re-ranked by embeddings, and candidates added from the embedding ranking. */
const LEXICAL_RERANK_COUNT = 50;
const EMBEDDING_TOP_K = 10;
/** Below this many eligible issues, the embedding baseline is 0 rather than their median similarity. */
const MIN_ISSUES_FOR_BASELINE = 8;
const DEFAULT_LIMIT = 5;
const DEFAULT_CLOSED_WITHIN_DAYS = 180;
const DAY_MS = 86_400_000;
/** The id of the query while it sits in the index as a pseudo-document. */
const QUERY_ID = -1;

/** What the index keeps of each issue besides the issue itself: its prepared text and its terms. */
interface IndexedIssue {
  /** Title and body with the template boilerplate removed, as indexed. */
  title: string;
  body: string;
  titleTerms: Set<string>;
  terms: Set<string>;
}

/**
 * A lexical index (BM25+, title boosted) of one repository's issues for duplicate detection,
 * updated incrementally from the issues changed since `lastUpdatedAt`, optionally re-ranked by
 * an embedding model whose vectors it caches.
 */
export class IssueIndex {
  private readonly search = createMiniSearch();
  private readonly issues = new Map<number, IssueSummary>();
  private readonly indexed = new Map<number, IndexedIssue>();
  /** Each issue's total term weight, valid until the next change of the index (idf changes with it). */
  private readonly totalWeights = new Map<number, number>();
  /** In how many issues each term occurs (title or body). */
  private readonly documentFrequency = new Map<string, number>();
  private vectors = new Map<number, CachedIssueVector>();
  private vectorModel: string | undefined;
  private newestUpdate: string | undefined;

  constructor(snapshot?: IssueIndexSnapshot) {
    if (snapshot === undefined) return;
    this.update(snapshot.issues);
    this.vectorModel = snapshot.embeddingModel;
    for (const cached of snapshot.vectors) {
      if (this.issues.get(cached.number)?.updatedAt === cached.updatedAt) this.vectors.set(cached.number, cached);
    }
  }

  /** How many issues the index holds. */
  get size(): number {
    return this.issues.size;
  }

  /** The newest `updatedAt` of the issues seen: list only the issues updated since then. */
  get lastUpdatedAt(): string | undefined {
    return this.newestUpdate;
  }

  /** Adds new issues and replaces changed ones (by number); an issue whose title and body are unchanged is not re-indexed, only its state and dates refreshed. */
  update(issues: readonly IssueSummary[]): void {
    for (const issue of issues) {
      if (this.newestUpdate === undefined || Date.parse(issue.updatedAt) > Date.parse(this.newestUpdate)) {
        this.newestUpdate = issue.updatedAt;
      }
      const known = this.issues.get(issue.number);
      if (known !== undefined && known.title === issue.title && known.body === issue.body.slice(0, MAX_INDEXED_BODY_CHARS)) {
        this.issues.set(issue.number, { ...issue, body: known.body });
        continue;
      }
      if (known !== undefined) this.remove(issue.number);
      this.add(issue);
    }
  }

  /** The issue with this number, as indexed (its body cut to `MAX_INDEXED_BODY_CHARS`). */
  get(number: number): IssueSummary | undefined {
    return this.issues.get(number);
  }

  /** The index as plain data, for the cache file. */
  snapshot(): IssueIndexSnapshot {
    return {
      issues: [...this.issues.values()],
      ...(this.vectorModel === undefined ? {} : { embeddingModel: this.vectorModel }),
      vectors: [...this.vectors.values()].filter((cached) => this.issues.get(cached.number)?.updatedAt === cached.updatedAt),
    };
  }

  /**
   * The issues most likely to be duplicates of `query`, best first, with a calibrated confidence
   * (compare it with `DEFAULT_DUPLICATE_THRESHOLD`). The query's own issue is never a candidate;
   * closed issues count only if closed within `closedWithinDays`. With `embeddings`, the lexical
   * top 50 and the embedding top 10 are re-ranked by the fused confidence; when the model fails,
   * the lexical ranking is returned with a note saying so.
   */
  async findDuplicates(query: DuplicateQuery, options: FindDuplicatesOptions = {}): Promise<DuplicateSearchResult> {
    const notes: string[] = [];
    const limit = Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT));
    const isEligible = this.eligibility(query, options, notes);
    const title = stripIssueBoilerplate(query.title);
    const body = stripIssueBoilerplate(query.body).slice(0, MAX_INDEXED_BODY_CHARS);
    const titleTerms = new Set(duplicateTerms(title));
    const queryTerms = new Set([...titleTerms, ...duplicateTerms(body)]);
    if (queryTerms.size === 0) {
      notes.push("The issue has no words to match (only punctuation, numbers or template headings), so no duplicates were looked for.");
      return { candidates: [], notes };
    }

    const lexical = this.scoreLexically({ title, body }, queryTerms, titleTerms, isEligible);
    let ranked = lexical.slice(0, LEXICAL_RERANK_COUNT).map((hit) => ({ ...hit, confidence: hit.lexicalConfidence, embeddingSimilarity: undefined as number | undefined }));
    if (options.embeddings !== undefined) {
      const reranked = await this.rerankWithEmbeddings({ title, body }, lexical, ranked, isEligible, options, notes);
      if (reranked !== undefined) ranked = reranked;
    }
    ranked.sort((a, b) => b.confidence - a.confidence || b.lexicalScore - a.lexicalScore || a.number - b.number);

    const candidates = ranked.slice(0, limit).map((hit): DuplicateCandidate => {
      const issue = this.issues.get(hit.number)!;
      const indexed = this.indexed.get(hit.number)!;
      return {
        number: issue.number,
        title: issue.title,
        state: issue.state,
        htmlUrl: issue.htmlUrl,
        createdAt: issue.createdAt,
        confidence: round(hit.confidence),
        lexicalScore: round(hit.lexicalScore),
        ...(hit.embeddingSimilarity === undefined ? {} : { embeddingSimilarity: round(hit.embeddingSimilarity) }),
        matchedTerms: this.matchedTerms(issue.number, queryTerms),
        passages: findMatchingPassages({ title: issue.title, body: indexed.body }, queryTerms),
      };
    });
    return { candidates, notes };
  }

  private add(issue: IssueSummary): void {
    const stored = { ...issue, body: issue.body.slice(0, MAX_INDEXED_BODY_CHARS) };
    const title = stripIssueBoilerplate(stored.title);
    const body = stripIssueBoilerplate(stored.body);
    this.issues.set(issue.number, stored);
    this.search.add({ id: issue.number, title, body });
    const titleTerms = new Set(duplicateTerms(title));
    const terms = new Set([...titleTerms, ...duplicateTerms(body)]);
    this.indexed.set(issue.number, { title, body, titleTerms, terms });
    for (const term of terms) this.documentFrequency.set(term, (this.documentFrequency.get(term) ?? 0) + 1);
    this.totalWeights.clear();
  }

  /** Removes an issue's terms at once (minisearch's `discard` would leave them to skew the next searches' statistics). */
  private remove(number: number): void {
    const indexed = this.indexed.get(number)!;
    this.search.remove({ id: number, title: indexed.title, body: indexed.body });
    this.issues.delete(number);
    this.indexed.delete(number);
    for (const term of indexed.terms) {
      const count = (this.documentFrequency.get(term) ?? 1) - 1;
      if (count > 0) this.documentFrequency.set(term, count);
      else this.documentFrequency.delete(term);
    }
    this.totalWeights.clear();
  }

  private eligibility(query: DuplicateQuery, options: FindDuplicatesOptions, notes: string[]): (issue: IssueSummary) => boolean {
    const now = options.now ?? Date.now();
    const closedWithinMs = (options.closedWithinDays ?? DEFAULT_CLOSED_WITHIN_DAYS) * DAY_MS;
    const createdAt = query.createdAt ?? (query.number === undefined ? undefined : this.issues.get(query.number)?.createdAt);
    const createdBefore = createdAt === undefined ? undefined : Date.parse(createdAt);
    if (options.olderOnly && createdBefore === undefined && query.number === undefined) {
      notes.push("olderOnly was ignored: give the query its createdAt or its number so that older issues can be told apart.");
    }
    return (issue) => {
      if (issue.number === query.number) return false;
      if (options.olderOnly) {
        if (createdBefore !== undefined && !(Date.parse(issue.createdAt) < createdBefore)) return false;
        if (createdBefore === undefined && query.number !== undefined && issue.number >= query.number) return false;
      }
      if (issue.state === "closed") {
        const closedAt = Date.parse(issue.closedAt ?? issue.updatedAt);
        if (!(now - closedAt <= closedWithinMs)) return false;
      }
      return true;
    };
  }

  /**
   * BM25+ scores of the eligible issues against the query, divided by the query's own score: the
   * query is indexed as a pseudo-document for the one search (so its self-score uses the same
   * statistics) and removed right after. Synchronous, so no other search sees it.
   */
  private scoreLexically(
    query: { title: string; body: string },
    queryTerms: ReadonlySet<string>,
    titleTerms: ReadonlySet<string>,
    isEligible: (issue: IssueSummary) => boolean,
  ): LexicalHit[] {
    const pseudoDocument = { id: QUERY_ID, title: query.title, body: query.body };
    this.search.add(pseudoDocument);
    let results;
    try {
      results = this.search.search([...queryTerms].join(" "), {
        tokenize: (text) => text.split(" "),
        processTerm: (term) => term,
        boost: { title: TITLE_BOOST },
        filter: (result) => result.id === QUERY_ID || isEligible(this.issues.get(result.id as number)!),
      });
    } finally {
      this.search.remove(pseudoDocument);
    }
    const selfScore = results.find((result) => result.id === QUERY_ID)?.score ?? 0;
    if (selfScore <= 0) return [];
    const queryWeights = this.termWeights(queryTerms);
    for (const term of titleTerms) queryWeights.set(term, queryWeights.get(term)! * TITLE_BOOST);
    const rareTermWeight = inverseDocumentFrequency(1, this.issues.size);
    return results
      .filter((result) => result.id !== QUERY_ID)
      .map((result) => {
        const number = result.id as number;
        const lexicalScore = Math.min(1, result.score / selfScore);
        const overlap = this.overlap(queryWeights, number);
        return { number, lexicalScore, lexicalConfidence: lexicalConfidence({ ...overlap, rareTermWeight }) };
      })
      .sort((a, b) => b.lexicalConfidence - a.lexicalConfidence || b.lexicalScore - a.lexicalScore || a.number - b.number);
  }

  /** Inverse document frequency of each term (terms the index has never seen weigh the most). */
  private termWeights(terms: Iterable<string>): Map<string, number> {
    const weights = new Map<string, number>();
    for (const term of terms) weights.set(term, inverseDocumentFrequency(this.documentFrequency.get(term) ?? 0, this.issues.size));
    return weights;
  }

  /** The query's and the candidate's total term weight, and the weight of the terms they share. */
  private overlap(queryWeights: ReadonlyMap<string, number>, number: number): { sharedWeight: number; queryWeight: number; candidateWeight: number } {
    const candidate = this.indexed.get(number)!;
    let sharedWeight = 0;
    let queryWeight = 0;
    for (const [term, weight] of queryWeights) {
      queryWeight += weight;
      if (candidate.terms.has(term)) sharedWeight += weight;
    }
    let candidateWeight = this.totalWeights.get(number);
    if (candidateWeight === undefined) {
      candidateWeight = 0;
      for (const [term, weight] of this.termWeights(candidate.terms)) candidateWeight += weight * (candidate.titleTerms.has(term) ? TITLE_BOOST : 1);
      this.totalWeights.set(number, candidateWeight);
    }
    return { sharedWeight, queryWeight, candidateWeight };
  }

  /** The candidate's words (as written, in lower case) that share a term with the query: title words first, then the rarest. */
  private matchedTerms(number: number, queryTerms: ReadonlySet<string>): string[] {
    const indexed = this.indexed.get(number)!;
    const words = new Map<string, { word: string; weight: number; inTitle: boolean }>();
    const weights = this.termWeights(queryTerms);
    for (const token of tokenizeIssueText(`${indexed.title}\n${indexed.body}`)) {
      const word = token.replace(/^_+|_+$/g, "");
      const key = word.toLowerCase();
      if (words.has(key)) continue;
      const shared = processIssueToken(word).filter((term) => queryTerms.has(term));
      if (shared.length === 0) continue;
      const weight = Math.max(...shared.map((term) => weights.get(term) ?? 0));
      words.set(key, { word: key, weight, inTitle: shared.some((term) => indexed.titleTerms.has(term)) });
    }
    return [...words.values()]
      .sort((a, b) => Number(b.inTitle) - Number(a.inTitle) || b.weight - a.weight)
      .slice(0, 12)
      .map((entry) => entry.word);
  }

  private async rerankWithEmbeddings(
    query: { title: string; body: string },
    lexical: readonly LexicalHit[],
    ranked: readonly RankedHit[],
    isEligible: (issue: IssueSummary) => boolean,
    options: FindDuplicatesOptions,
    notes: string[],
  ): Promise<RankedHit[] | undefined> {
    const embeddings = options.embeddings!;
    const model = options.embeddingModel ?? readModelName(embeddings);
    if (model !== this.vectorModel) {
      this.vectors = new Map();
      this.vectorModel = model;
    }
    const eligible = [...this.issues.values()].filter(isEligible);
    let similarities: Map<number, number>;
    try {
      const missing = eligible.filter((issue) => this.vectors.get(issue.number)?.updatedAt !== issue.updatedAt);
      if (missing.length > 0) {
        const vectors = await embeddings.embedDocuments(missing.map((issue) => embeddingText(issue.title, this.indexed.get(issue.number)!.body)));
        if (vectors.length !== missing.length) throw new Error(`the model returned ${vectors.length} vectors for ${missing.length} texts`);
        missing.forEach((issue, index) => this.vectors.set(issue.number, { number: issue.number, updatedAt: issue.updatedAt, vector: vectors[index]! }));
      }
      const queryVector = await embeddings.embedQuery(embeddingText(query.title, query.body));
      similarities = new Map(eligible.map((issue) => [issue.number, cosineSimilarity(queryVector, this.vectors.get(issue.number)!.vector)]));
    } catch (error) {
      notes.push(
        `The embedding model${model ? ` ${model}` : ""} failed (${firstLine(error instanceof Error ? error.message : String(error))}); ` +
          "the candidates are ranked by shared words alone. Check the model's address and key, or run without embeddings.",
      );
      return undefined;
    }
    const values = [...similarities.values()];
    const baseline = values.length >= MIN_ISSUES_FOR_BASELINE ? median(values) : 0;
    const pool = new Map(ranked.map((hit) => [hit.number, hit]));
    const lexicalByNumber = new Map(lexical.map((hit) => [hit.number, hit]));
    const byEmbedding = [...similarities].sort((a, b) => b[1] - a[1]).slice(0, EMBEDDING_TOP_K);
    for (const [number] of byEmbedding) {
      if (pool.has(number)) continue;
      const hit = lexicalByNumber.get(number) ?? { number, lexicalScore: 0, lexicalConfidence: 0 };
      pool.set(number, { ...hit, confidence: hit.lexicalConfidence, embeddingSimilarity: undefined });
    }
    return [...pool.values()].map((hit) => {
      const similarity = similarities.get(hit.number) ?? 0;
      return {
        ...hit,
        embeddingSimilarity: similarity,
        confidence: fuseConfidence(hit.lexicalConfidence, embeddingConfidence(similarity, baseline)),
      };
    });
  }
}

interface LexicalHit {
  number: number;
  lexicalScore: number;
  lexicalConfidence: number;
}

interface RankedHit extends LexicalHit {
  confidence: number;
  embeddingSimilarity: number | undefined;
}

/** An empty index; fill it with `update`. `snapshot` restores one saved with `snapshot()`. */
export function createIssueIndex(snapshot?: IssueIndexSnapshot): IssueIndex {
  return new IssueIndex(snapshot);
}

function createMiniSearch(): MiniSearch<{ id: number; title: string; body: string }> {
  return new MiniSearch({
    fields: ["title", "body"],
    tokenize: tokenizeIssueText,
    processTerm: processIssueToken,
  });
}

/** BM25's idf, as minisearch computes it. */
function inverseDocumentFrequency(frequency: number, count: number): number {
  return Math.log(1 + (count - frequency + 0.5) / (frequency + 0.5));
}

function embeddingText(title: string, body: string): string {
  return `${title}\n\n${body.replace(/\s+/g, " ").trim().slice(0, EMBEDDED_BODY_CHARS)}`;
}

function readModelName(embeddings: EmbeddingsInterface): string | undefined {
  const model = (embeddings as { model?: unknown }).model;
  return typeof model === "string" ? model : undefined;
}

/** Cosine similarity of two vectors; 0 when either is all zeros or their lengths differ. */
function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length) return 0;
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let index = 0; index < a.length; index += 1) {
    dot += a[index]! * b[index]!;
    normA += a[index]! * a[index]!;
    normB += b[index]! * b[index]!;
  }
  return normA > 0 && normB > 0 ? dot / Math.sqrt(normA * normB) : 0;
}

/** The first non-empty line of an error message (providers' messages go on with troubleshooting links). */
function firstLine(message: string): string {
  return message.split("\n").map((line) => line.trim()).find((line) => line !== "") ?? "no message";
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
