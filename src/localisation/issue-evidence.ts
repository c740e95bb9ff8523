/**
 * What an issue's text says about where the code is, before any model reads it: stack frames
 * (Python tracebacks, JavaScript stacks), file paths, dotted module paths, and the identifiers
 * of its code. Each piece is mapped onto the repository's files where it names one.
 */
import { extractIssueTerms } from "../planner/issue-terms.js";
import { isTestPath } from "../planner/symbol-index.js";

/** One piece of evidence, with the repository file it names when it names one. */
export interface IssueEvidence {
  kind: "python-frame" | "js-frame" | "path" | "module";
  /** The text as the issue gives it. */
  text: string;
  /** The repository file it maps onto; undefined when none matches. */
  file?: string;
  line?: number;
  /** The function of a stack frame. */
  symbol?: string;
}

/** Everything the issue says, in the order that tells most first: frames (innermost first), paths, modules; and the code identifiers. */
export interface EvidenceSet {
  locations: IssueEvidence[];
  identifiers: string[];
}

const SOURCE_EXTENSIONS = "py|pyx|pyi|js|jsx|mjs|cjs|ts|tsx|go|rs|rb|java|kt|scala|c|cc|cpp|h|hpp|cs|php|swift|m|sh|toml|cfg|ini|yaml|yml|json|rst|md|txt";

/** `File "/x/y.py", line 12, in name` */
const PYTHON_FRAME = /File "([^"\n]+)", line (\d+)(?:, in ([\w<>.]+))?/g;
/** `at name (path/x.js:12:3)` and `at path/x.js:12:3` */
const JS_FRAME = /\bat (?:([\w$.<>[\] ]+?) \()?((?:file:\/\/)?[^\s()]+?\.(?:[cm]?js|jsx|ts|tsx)):(\d+):\d+\)?/g;
/** A path with a source extension, optionally `:line`. */
const PATH_IN_TEXT = new RegExp(`(?<![\\w/.-])((?:[\\w.-]+/)*[\\w-][\\w.-]*\\.(?:${SOURCE_EXTENSIONS}))(?::(\\d+))?(?![\\w/])`, "g");
/** `pkg.module.name` with at least two dots' worth of parts, lower-case first part. */
const DOTTED = /(?<![\w.])([a-z_][a-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*){1,})(?![\w(])/g;

/** A repository's files, for mapping what an issue names onto them. */
export interface FileLookup {
  /** The repository-relative path of a file whose path ends with `path` (the shortest such), or undefined. */
  bySuffix(path: string): string | undefined;
  has(path: string): boolean;
}

export function createFileLookup(paths: readonly string[]): FileLookup {
  const all = new Set(paths);
  const byBase = new Map<string, string[]>();
  for (const path of paths) {
    const base = path.slice(path.lastIndexOf("/") + 1);
    const list = byBase.get(base) ?? [];
    list.push(path);
    byBase.set(base, list);
  }
  return {
    has: (path) => all.has(path),
    bySuffix(path) {
      const clean = path.replace(/^file:\/\//, "").replace(/\\/g, "/").replace(/^\.\//, "");
      if (all.has(clean)) return clean;
      const base = clean.slice(clean.lastIndexOf("/") + 1);
      const sameName = byBase.get(base) ?? [];
      // A bare name (`test_foo.py`, or `/home/me/test_foo.py` sharing nothing but the name) is
      // usually the reporter's own file: it counts only when one file of the repository has
      // that name and it is not a test.
      const sharesDirectory = (candidate: string) => clean.endsWith(`/${candidate}`) || (candidate.includes("/") && clean.includes("/") && commonSuffixLength(candidate, clean) > base.length + 1);
      const candidates = sameName.filter((candidate) => sharesDirectory(candidate) || (clean.includes("/") && candidate.endsWith(`/${clean}`)));
      if (candidates.length === 0) {
        const only = sameName.length === 1 ? sameName[0]! : undefined;
        return only !== undefined && !clean.includes("/") && !isTestPath(only) ? only : undefined;
      }
      // The longest path shared with the text wins (an installed site-packages/pkg/x.py maps to pkg/x.py, not tests/x.py).
      const shared = (candidate: string) => commonSuffixLength(candidate, clean);
      return [...candidates].sort((a, b) => shared(b) - shared(a) || a.length - b.length || (a < b ? -1 : 1))[0];
    },
  };
}

function commonSuffixLength(a: string, b: string): number {
  let length = 0;
  while (length < a.length && length < b.length && a[a.length - 1 - length] === b[b.length - 1 - length]) length += 1;
  return length;
}

/** The repository files a dotted name may mean: its longest module prefix that is a file or a package. */
export function moduleFile(dotted: string, files: FileLookup): string | undefined {
  const parts = dotted.split(".");
  for (let length = parts.length; length >= 1; length -= 1) {
    const stem = parts.slice(0, length).join("/");
    for (const candidate of [`${stem}.py`, `${stem}/__init__.py`, `src/${stem}.py`, `src/${stem}/__init__.py`, `lib/${stem}.py`]) {
      if (files.has(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Python frames and JS frames, innermost (last printed) first, as each names the place closer to the fault. */
function stackFrames(text: string, files: FileLookup): IssueEvidence[] {
  const python = [...text.matchAll(PYTHON_FRAME)].map((match): IssueEvidence => {
    const file = files.bySuffix(match[1]!);
    return { kind: "python-frame", text: match[0], ...(file ? { file } : {}), line: Number(match[2]), ...(match[3] ? { symbol: match[3] } : {}) };
  });
  const js = [...text.matchAll(JS_FRAME)].map((match): IssueEvidence => {
    const file = files.bySuffix(match[2]!);
    return { kind: "js-frame", text: match[0], ...(file ? { file } : {}), line: Number(match[3]), ...(match[1] ? { symbol: match[1].trim() } : {}) };
  });
  // A Python traceback prints the innermost frame last; a JS stack prints it first.
  return [...python.reverse(), ...js];
}

/**
 * The evidence in an issue, mapped onto `paths` (the repository's files). Frames come first
 * (innermost first), then paths and dotted module names in the order of the text; a file is
 * named once, by its strongest evidence. Identifiers are those of extractIssueTerms.
 */
export function extractIssueEvidence(task: { title: string; body: string }, paths: readonly string[]): EvidenceSet {
  const files = createFileLookup(paths);
  const text = `${task.title}\n${task.body}`;
  const frames = stackFrames(text, files);
  const framed = new Set(frames.map((frame) => frame.text));
  const mentioned: IssueEvidence[] = [];
  for (const match of text.matchAll(PATH_IN_TEXT)) {
    if ([...framed].some((frame) => frame.includes(match[1]!))) continue;
    const file = files.bySuffix(match[1]!);
    mentioned.push({ kind: "path", text: match[0], ...(file ? { file } : {}), ...(match[2] ? { line: Number(match[2]) } : {}) });
  }
  for (const match of text.matchAll(DOTTED)) {
    const dotted = match[1]!;
    if (/\.(?:py|js|ts|md|txt|rst|html|com|org|io|ini|cfg|toml|yml|yaml|json|lock)$/.test(dotted)) continue;
    const file = moduleFile(dotted, files);
    if (file) mentioned.push({ kind: "module", text: dotted, file });
  }
  const locations: IssueEvidence[] = [];
  const named = new Set<string>();
  for (const evidence of [...frames, ...mentioned]) {
    if (evidence.file !== undefined) {
      if (named.has(evidence.file) && evidence.kind !== "python-frame" && evidence.kind !== "js-frame") continue;
      named.add(evidence.file);
    }
    locations.push(evidence);
  }
  return { locations, identifiers: extractIssueTerms(task, { maxTerms: 40 }) };
}
