/**
 * Where to look, before a model looks: the repository's files and functions ranked by
 * reciprocal-rank fusion of what the issue names (stack frames, paths, modules), the
 * definitions of its identifiers (the rarer the name, the more it says), and BM25 over files
 * and over function-level chunks. Each location keeps the evidence that put it there.
 */
import { isTestPath } from "../planner/symbol-index.js";
import type { CodeChunk, CodeIndex } from "./code-retrieval.js";
import { extractIssueEvidence, type IssueEvidence } from "./issue-evidence.js";

export interface RankedFile {
  path: string;
  score: number;
  /** Why it ranks: one line per source of evidence. */
  evidence: string[];
}

export interface RankedFunction {
  path: string;
  name: string;
  line: number;
  score: number;
  evidence: string[];
}

export interface Localisation {
  files: RankedFile[];
  functions: RankedFunction[];
}

/** The rank constant of the fusion: small, so the first places of each list count most. */
const FUSION_K = 5;
/** How much each list counts in the fusion. */
const WEIGHTS = { named: 3, module: 1.5, defined: 1.5, files: 1, chunks: 1, title: 1 } as const;
/** Tests are rarely what an issue's fix changes: their fused score is scaled down, unless the issue names them. */
const TEST_FACTOR = 0.3;
/** An identifier defined in more files than this says too little to count. */
const MAX_DEFINITION_FILES = 12;
/** Modules of the standard library and of common dependencies: a dotted name under them is not the repository's. */
const FOREIGN_MODULES = new Set(["os", "sys", "re", "json", "math", "collections", "itertools", "functools", "typing", "pathlib", "subprocess", "logging", "datetime", "time", "random", "string", "io", "shutil", "inspect", "numpy", "np", "pandas", "pd", "scipy"]);
/** Documentation, examples and scripts: a definition there is rarely what a fix changes. */
const PERIPHERAL_DIRECTORY = /(?:^|\/)(?:docs?|examples?|scripts|benchmarks?)\//;
/** Hits of each BM25 list that enter the fusion. */
const RETRIEVED = 50;
/** Characters of the issue used as the BM25 query. */
const QUERY_CHARS = 6_000;

interface Scored<T> {
  item: T;
  score: number;
  evidence: string[];
}

function describeEvidence(evidence: IssueEvidence): string {
  if (evidence.kind === "python-frame" || evidence.kind === "js-frame") return `a stack frame in the issue (line ${evidence.line}${evidence.symbol ? `, in ${evidence.symbol}` : ""})`;
  if (evidence.kind === "module") return `the issue names the module ${evidence.text}`;
  return `the issue names ${evidence.text}`;
}

/** Adds a ranked list into the fusion: the i-th item gets weight / (k + i). */
function fuse<T>(into: Map<string, Scored<T>>, ranked: ReadonlyArray<{ key: string; item: T; why: string }>, weight: number): void {
  ranked.forEach(({ key, item, why }, index) => {
    const entry = into.get(key) ?? { item, score: 0, evidence: [] };
    entry.score += weight / (FUSION_K + index + 1);
    if (!entry.evidence.includes(why)) entry.evidence.push(why);
    into.set(key, entry);
  });
}

function chunkAt(index: CodeIndex, path: string, line: number | undefined, symbol: string | undefined): CodeChunk | undefined {
  const inFile = index.chunks.filter((chunk) => chunk.path === path);
  if (line !== undefined) {
    const containing = inFile.filter((chunk) => chunk.startLine <= line && line <= chunk.endLine && chunk.name !== "(module)");
    if (containing.length > 0) return containing[0];
  }
  if (symbol) return inFile.find((chunk) => chunk.name === symbol || chunk.name.endsWith(`.${symbol}`));
  return undefined;
}

/** Ranks the files and functions of `index` for the task. */
export function rankLocations(task: { title: string; body: string }, index: CodeIndex, options: { maxFiles?: number; maxFunctions?: number } = {}): Localisation {
  const evidence = extractIssueEvidence(task, index.paths);
  const files = new Map<string, Scored<string>>();
  const functions = new Map<string, Scored<CodeChunk>>();
  const chunkKey = (chunk: CodeChunk) => `${chunk.path}:${chunk.startLine}`;

  const named = evidence.locations.filter((location) => location.file !== undefined);
  // A frame or a path names a file; a dotted name only a module, often a package's __init__: it counts less.
  const strong = named.filter((location) => location.kind !== "module");
  const modules = named.filter((location) => location.kind === "module");
  fuse(files, dedupe(strong.map((location) => ({ key: location.file!, item: location.file!, why: describeEvidence(location) }))), WEIGHTS.named);
  fuse(files, dedupe(modules.map((location) => ({ key: location.file!, item: location.file!, why: describeEvidence(location) }))), WEIGHTS.module);
  const framedChunks = named.flatMap((location) => {
    const chunk = chunkAt(index, location.file!, location.line, location.symbol);
    return chunk ? [{ key: chunkKey(chunk), item: chunk, why: describeEvidence(location) }] : [];
  });
  fuse(functions, dedupe(framedChunks), WEIGHTS.named);

  // Definitions of the issue's identifiers, the most telling (earliest, rarest) first.
  const definedIn: Array<{ chunk: CodeChunk; weight: number; term: string }> = [];
  evidence.identifiers.forEach((term, position) => {
    const name = term.slice(term.lastIndexOf(".") + 1);
    const defined = index.definitions.get(name) ?? [];
    const definingFiles = new Set(defined.map((chunk) => chunk.path));
    if (defined.length === 0 || definingFiles.size > MAX_DEFINITION_FILES) return;
    const module = term.includes(".") ? term.slice(0, term.lastIndexOf(".")).replace(/\./g, "/") : undefined;
    // `os.path.dirname` is the standard library's, whatever the repository defines under that name.
    if (module !== undefined && FOREIGN_MODULES.has(module.split("/")[0]!)) return;
    for (const chunk of defined) {
      const inModule = module !== undefined && chunk.path.replace(/(?:\/__init__)?\.\w+$/, "").endsWith(module);
      // A dotted term outside its module is an attribute of something (`request.node.add_marker`): weaker.
      const place = module === undefined ? 1 : inModule ? 2 : 0.5;
      const peripheral = PERIPHERAL_DIRECTORY.test(chunk.path) ? 0.5 : 1;
      definedIn.push({ chunk, weight: (place * peripheral) / (definingFiles.size * (1 + position * 0.15)), term });
    }
  });
  definedIn.sort((a, b) => b.weight - a.weight);
  fuse(files, dedupe(definedIn.map(({ chunk, term }) => ({ key: chunk.path, item: chunk.path, why: `defines ${term}` }))), WEIGHTS.defined);
  fuse(functions, dedupe(definedIn.map(({ chunk, term }) => ({ key: chunkKey(chunk), item: chunk, why: `defines ${term}` }))), WEIGHTS.defined);

  const query = `${task.title}\n${task.title}\n${task.body}`.slice(0, QUERY_CHARS);
  const fileHits = index.searchFiles(query, RETRIEVED);
  fuse(files, fileHits.map((hit, rank) => ({ key: hit.path, item: hit.path, why: `its text matches the issue's words (BM25 rank ${rank + 1})` })), WEIGHTS.files);
  const chunkHits = index.searchChunks(query, RETRIEVED);
  fuse(functions, chunkHits.map((hit, rank) => ({ key: chunkKey(hit.chunk), item: hit.chunk, why: `its code matches the issue's words (BM25 rank ${rank + 1})` })), WEIGHTS.chunks);
  fuse(files, dedupe(chunkHits.map((hit, rank) => ({ key: hit.chunk.path, item: hit.chunk.path, why: `${hit.chunk.name} matches the issue's words (BM25 rank ${rank + 1})` }))), WEIGHTS.chunks);

  // The title alone, too: it says what is wrong in a few words, where the body's logs and code dilute the query.
  const titleHits = index.searchChunks(task.title, RETRIEVED);
  fuse(files, dedupe(titleHits.map((hit, rank) => ({ key: hit.chunk.path, item: hit.chunk.path, why: `${hit.chunk.name} matches the title's words (BM25 rank ${rank + 1})` }))), WEIGHTS.title);
  fuse(functions, titleHits.map((hit, rank) => ({ key: chunkKey(hit.chunk), item: hit.chunk, why: `its code matches the title's words (BM25 rank ${rank + 1})` })), WEIGHTS.title);

  const namedFiles = new Set(named.map((location) => location.file!));
  const adjust = (path: string, score: number) => (namedFiles.has(path) ? score : isTestPath(path) ? score * TEST_FACTOR : PERIPHERAL_DIRECTORY.test(path) ? score * 0.5 : score);
  const rankedFiles = [...files.values()]
    .map((entry) => ({ path: entry.item, score: adjust(entry.item, entry.score), evidence: entry.evidence }))
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1));
  const fileScore = new Map(rankedFiles.map((file) => [file.path, file.score]));
  // A function in a file that ranks high is more likely than the same match in a file that does not.
  const rankedFunctions = [...functions.values()]
    .map((entry) => ({ path: entry.item.path, name: entry.item.name, line: entry.item.startLine, score: adjust(entry.item.path, entry.score) + 0.5 * (fileScore.get(entry.item.path) ?? 0), evidence: entry.evidence }))
    .sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : 1) || a.line - b.line);
  return { files: rankedFiles.slice(0, options.maxFiles ?? 20), functions: rankedFunctions.slice(0, options.maxFunctions ?? 20) };
}

/** The first of each key, in order. */
function dedupe<T extends { key: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => (seen.has(item.key) ? false : (seen.add(item.key), true)));
}
