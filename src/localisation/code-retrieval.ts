/**
 * Lexical retrieval over a repository: BM25 over whole files and over
 * function- and class-level chunks, with identifiers split the way code names are
 * (`has_close_elements` also matches `close`, `FileField` also `field`).
 */

/** A source file's text. */
export interface SourceDocument {
  path: string;
  content: string;
}

/** A definition and the lines it spans (up to the next definition). */
export interface CodeChunk {
  path: string;
  /** `name`, or `Class.name` for a method. */
  name: string;
  startLine: number;
  endLine: number;
}

/** The retrieval index of a repository. */
export interface CodeIndex {
  paths: string[];
  chunks: CodeChunk[];
  /** Where each definition name (last part) is defined. */
  definitions: Map<string, CodeChunk[]>;
  searchFiles(query: string, limit: number): Array<{ path: string; score: number }>;
  searchChunks(query: string, limit: number): Array<{ chunk: CodeChunk; score: number }>;
}

/** Words too common in code or prose to tell files apart. */
const STOP_WORDS = new Set(
  (
    "the a an and or of to in is it be that this for on with as by at from are was were not but if then else when which what how why can could should would " +
    "will do does did have has had i we you he she they them there here so such no yes all any some one two use used using get set also just only very " +
    "self cls def class return import none true false elif try except finally raise pass lambda yield while for in is not and or const let var function new this " +
    "null undefined public private static void int str bool list dict"
  ).split(" "),
);

const isWordChar = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95;
const isUpper = (code: number) => code >= 65 && code <= 90;
const isLower = (code: number) => code >= 97 && code <= 122;
const isDigit = (code: number) => code >= 48 && code <= 57;

function pushToken(tokens: string[], word: string): void {
  const lower = word.toLowerCase();
  if (lower.length >= 2 && !STOP_WORDS.has(lower)) tokens.push(lower);
}

/**
 * Identifiers and words, each identifier also split at `_` and case changes; lower-cased, stop
 * words and short tokens left out. One pass over the characters: it runs over whole
 * repositories (sympy's 28 MB), where a regular expression per word costs seconds.
 */
export function codeTokens(text: string): string[] {
  const tokens: string[] = [];
  const length = text.length;
  let index = 0;
  while (index < length) {
    const code = text.charCodeAt(index);
    if (!isWordChar(code) || isDigit(code)) {
      index += 1;
      continue;
    }
    const start = index;
    while (index < length && isWordChar(text.charCodeAt(index))) index += 1;
    const word = text.slice(start, index);
    pushToken(tokens, word);
    // The parts, when there is more than one: at underscores, lower→Upper, and UPPER→Upper+lower.
    let partStart = 0;
    let parts = 0;
    const partsOf: string[] = [];
    for (let at = 1; at <= word.length; at += 1) {
      const previous = word.charCodeAt(at - 1);
      const current = at < word.length ? word.charCodeAt(at) : -1;
      const next = at + 1 < word.length ? word.charCodeAt(at + 1) : -1;
      const boundary =
        current === -1 || current === 95 || previous === 95 || ((isLower(previous) || isDigit(previous)) && isUpper(current)) || (isUpper(previous) && isUpper(current) && isLower(next));
      if (!boundary) continue;
      if (previous !== 95 && at > partStart) {
        partsOf.push(word.slice(partStart, at));
        parts += 1;
      }
      partStart = current === 95 ? at + 1 : at;
    }
    if (parts > 1) for (const part of partsOf) pushToken(tokens, part);
  }
  return tokens;
}

const PYTHON_DEFINITION = /^([ \t]*)(?:async[ \t]+)?(def|class)[ \t]+([A-Za-z_]\w*)/;
const JS_DEFINITION = /^([ \t]*)(?:export[ \t]+)?(?:default[ \t]+)?(?:async[ \t]+)?(?:(function)\*?[ \t]+([A-Za-z_$][\w$]*)|(class)[ \t]+([A-Za-z_$][\w$]*)|(?:const|let)[ \t]+([A-Za-z_$][\w$]*)[ \t]*=[ \t]*(?:async[ \t]*)?(?:\([^)]*\)|[A-Za-z_$][\w$]*)[ \t]*=>)/;
/** Lines of a window chunk, for files whose definitions are not recognised. */
const WINDOW_LINES = 80;

/** Splits a file into definition chunks: Python and JavaScript-like definitions by their lines, other files by windows. */
export function chunkSource(document: SourceDocument): CodeChunk[] {
  const lines = document.content.split("\n");
  const isPython = /\.pyi?$/.test(document.path);
  const isJs = /\.(?:[cm]?[jt]sx?)$/.test(document.path);
  const starts: Array<{ line: number; name: string }> = [];
  const classes: Array<{ indent: number; name: string }> = [];
  if (isPython || isJs) {
    lines.forEach((text, index) => {
      const match = (isPython ? PYTHON_DEFINITION : JS_DEFINITION).exec(text);
      if (!match) return;
      const indent = match[1]!.replace(/\t/g, "    ").length;
      while (classes.length > 0 && classes.at(-1)!.indent >= indent) classes.pop();
      const name = isPython ? match[3]! : (match[3] ?? match[5] ?? match[6])!;
      const isClass = isPython ? match[2] === "class" : match[4] === "class";
      starts.push({ line: index + 1, name: classes.length > 0 ? `${classes.at(-1)!.name}.${name}` : name });
      if (isClass) classes.push({ indent, name });
    });
  }
  if (starts.length === 0) {
    const chunks: CodeChunk[] = [];
    for (let start = 1; start <= lines.length; start += WINDOW_LINES) chunks.push({ path: document.path, name: `${document.path}:${start}`, startLine: start, endLine: Math.min(lines.length, start + WINDOW_LINES - 1) });
    return chunks;
  }
  const chunks: CodeChunk[] = [];
  // What comes before the first definition (imports, module docstring) is a chunk of its own.
  if (starts[0]!.line > 1) chunks.push({ path: document.path, name: "(module)", startLine: 1, endLine: starts[0]!.line - 1 });
  starts.forEach((start, index) => chunks.push({ path: document.path, name: start.name, startLine: start.line, endLine: (starts[index + 1]?.line ?? lines.length + 1) - 1 }));
  return chunks;
}

function lastPart(name: string): string {
  return name.slice(name.lastIndexOf(".") + 1);
}

/**
 * A BM25 index over documents given as term counts: postings per term, document lengths, and
 * a search that scores only the documents holding a query term. Built here rather than with
 * minisearch (which the triage index uses) because of size: minisearch took 2.5 s for pytest's
 * 3.8 MB of Python and would take about 18 s for sympy's 28 MB, while a localisation must be
 * ready in about a second.
 */
class Bm25Index {
  /** Per term id: document ids and counts, interleaved. */
  private readonly postings: number[][] = [];
  private readonly lengths: number[] = [];
  private totalLength = 0;

  /** Adds a document (ids are given in order from 0) from its distinct term ids and their counts. */
  add(terms: readonly number[], counts: ArrayLike<number>): void {
    const id = this.lengths.length;
    let length = 0;
    for (const term of terms) {
      const count = counts[term]!;
      length += count;
      (this.postings[term] ??= []).push(id, count);
    }
    this.lengths.push(length);
    this.totalLength += length;
  }

  /** The best `limit` documents for the query's distinct term ids, best first. */
  search(queryTerms: Iterable<number>, limit: number): Array<{ id: number; score: number }> {
    const count = this.lengths.length;
    if (count === 0) return [];
    const average = this.totalLength / count;
    const scores = new Float64Array(count);
    const touched: number[] = [];
    const k1 = 1.2;
    const b = 0.75;
    for (const term of queryTerms) {
      const list = this.postings[term];
      if (!list) continue;
      const frequency = list.length / 2;
      const idf = Math.log(1 + (count - frequency + 0.5) / (frequency + 0.5));
      for (let at = 0; at < list.length; at += 2) {
        const id = list[at]!;
        const tf = list[at + 1]!;
        if (scores[id] === 0) touched.push(id);
        scores[id] = scores[id]! + (idf * tf * (k1 + 1)) / (tf + k1 * (1 - b + (b * this.lengths[id]!) / average));
      }
    }
    return touched
      .map((id) => ({ id, score: scores[id]! }))
      .sort((x, y) => y.score - x.score || x.id - y.id)
      .slice(0, limit);
  }
}

/** Counts of term ids, reused from one document to the next (only the touched entries are reset). */
class TermCounter {
  counts = new Int32Array(1 << 16);
  touched: number[] = [];

  add(term: number, count = 1): void {
    if (term >= this.counts.length) {
      const grown = new Int32Array(Math.max(term + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    if (this.counts[term] === 0) this.touched.push(term);
    this.counts[term] = this.counts[term]! + count;
  }

  flushInto(index: Bm25Index): void {
    index.add(this.touched, this.counts);
    for (const term of this.touched) this.counts[term] = 0;
    this.touched = [];
  }
}

/** Builds the index of `documents` (read by the caller; nothing here touches the disk). */
export function buildCodeIndex(documents: readonly SourceDocument[]): CodeIndex {
  const fileIndex = new Bm25Index();
  const chunkIndex = new Bm25Index();
  const termIds = new Map<string, number>();
  const idOf = (term: string) => {
    let id = termIds.get(term);
    if (id === undefined) {
      id = termIds.size;
      termIds.set(term, id);
    }
    return id;
  };
  const fileCounter = new TermCounter();
  const chunkCounter = new TermCounter();
  const paths: string[] = [];
  const chunks: CodeChunk[] = [];
  const definitions = new Map<string, CodeChunk[]>();
  for (const document of documents) {
    paths.push(document.path);
    // The path's own words count: a file named after a term is about it.
    for (const token of codeTokens(document.path.replace(/[/.]/g, " "))) fileCounter.add(idOf(token));
    const lines = document.content.split("\n");
    for (const chunk of chunkSource(document)) {
      chunks.push(chunk);
      for (const token of codeTokens(chunk.name.replace(/\./g, " "))) chunkCounter.add(idOf(token));
      for (const token of codeTokens(lines.slice(chunk.startLine - 1, chunk.endLine).join("\n"))) chunkCounter.add(idOf(token));
      for (const term of chunkCounter.touched) fileCounter.add(term, chunkCounter.counts[term]!);
      chunkCounter.flushInto(chunkIndex);
      if (chunk.name !== "(module)" && !chunk.name.includes(":")) {
        const key = lastPart(chunk.name);
        const list = definitions.get(key) ?? [];
        list.push(chunk);
        definitions.set(key, list);
      }
    }
    fileCounter.flushInto(fileIndex);
  }
  const queryTerms = (query: string) => new Set(codeTokens(query).flatMap((token) => termIds.get(token) ?? []));
  return {
    paths,
    chunks,
    definitions,
    searchFiles: (query, limit) => fileIndex.search(queryTerms(query), limit).map((hit) => ({ path: paths[hit.id]!, score: hit.score })),
    searchChunks: (query, limit) => chunkIndex.search(queryTerms(query), limit).map((hit) => ({ chunk: chunks[hit.id]!, score: hit.score })),
  };
}
