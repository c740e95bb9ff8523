import { createRequire } from "node:module";
import { basename, dirname, extname, join } from "node:path";
import type * as TreeSitter from "@vscode/tree-sitter-wasm";

/** One syntax error, 1-based. */
export interface SyntaxIssue {
  line: number;
  column: number;
  message: string;
}

/** Whether content parses: not checked (unknown language), ok, or failed with its first errors. */
export type SyntaxCheckResult =
  | { checked: false }
  | { checked: true; ok: true; language: string }
  | { checked: true; ok: false; language: string; errors: SyntaxIssue[] };

/** Parses source files to catch edits that break their syntax. */
export interface SyntaxChecker {
  /** Checks `content` as the language that `path`'s extension names. */
  check(path: string, content: string): Promise<SyntaxCheckResult>;
}

/** The most errors a check reports; the first one is what matters. */
const MAX_ERRORS = 5;

/** Tree-sitter grammar (wasm file stem) by file extension. */
const GRAMMARS_BY_EXTENSION: Record<string, string> = {
  ".py": "python",
  ".pyi": "python",
  ".js": "javascript",
  ".mjs": "javascript",
  ".cjs": "javascript",
  ".jsx": "javascript",
  ".ts": "typescript",
  ".mts": "typescript",
  ".cts": "typescript",
  ".tsx": "tsx",
  ".go": "go",
  ".rs": "rust",
  ".java": "java",
  ".rb": "ruby",
};

/** JSON files that are really JSON with comments, which JSON.parse would wrongly reject. */
const JSONC_FILE = /^(tsconfig|jsconfig)(\..*)?\.json$/i;

/** Creates a checker; the tree-sitter runtime and each grammar load once per process, on first use. */
export function createSyntaxChecker(): SyntaxChecker {
  return {
    async check(path, content) {
      const extension = extname(path).toLowerCase();
      if (extension === ".json") return JSONC_FILE.test(basename(path)) ? { checked: false } : checkJson(content);
      const grammar = GRAMMARS_BY_EXTENSION[extension];
      if (grammar === undefined) return { checked: false };
      const parser = await loadTreeSitterParser(grammar);
      const tree = parser.parse(content);
      if (tree === null) return { checked: false };
      try {
        const errors = collectErrors(tree.rootNode, content);
        return errors.length === 0 ? { checked: true, ok: true, language: grammar } : { checked: true, ok: false, language: grammar, errors };
      } finally {
        tree.delete();
      }
    },
  };
}

function checkJson(content: string): SyntaxCheckResult {
  try {
    JSON.parse(content);
    return { checked: true, ok: true, language: "json" };
  } catch (error) {
    const raw = (error as Error).message;
    const position = /at position (\d+)/.exec(raw);
    const offset = position ? Number(position[1]) : content.length;
    const { line, column } = positionAt(content, offset);
    const message = raw.replace(/\s*in JSON at position \d+.*$/s, "").replace(/,\s*".*" is not valid JSON$/s, "");
    return { checked: true, ok: false, language: "json", errors: [{ line, column, message }] };
  }
}

function positionAt(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: offset - lineStart + 1 };
}

/** ERROR and MISSING nodes in document order; an ERROR node's insides are not searched further. */
function collectErrors(root: TreeSitter.Node, content: string): SyntaxIssue[] {
  const errors: SyntaxIssue[] = [];
  const visit = (node: TreeSitter.Node): void => {
    if (errors.length >= MAX_ERRORS) return;
    if (node.isMissing) {
      errors.push({ ...oneBased(node.startPosition), message: node.isNamed ? `missing ${node.type}` : `missing "${node.type}"` });
      return;
    }
    if (node.isError) {
      const start = errorStart(node);
      errors.push({ ...oneBased(start.startPosition), message: describeError(content, start.startIndex, node.endIndex) });
      return;
    }
    if (!node.hasError) return;
    for (let index = 0; index < node.childCount; index += 1) {
      const child = node.child(index);
      if (child) visit(child);
    }
  };
  visit(root);
  return errors;
}

/**
 * Where the trouble in an ERROR node begins. Tree-sitter's recovery often wraps complete
 * statements before the real error (a whole module after a missing colon); those are skipped.
 */
function errorStart(node: TreeSitter.Node): TreeSitter.Node {
  for (let index = 0; index < node.childCount; index += 1) {
    const child = node.child(index);
    const next = node.child(index + 1);
    if (child === null) break;
    const isCompleteEarlierLine = child.isNamed && !child.hasError && next !== null && child.endPosition.row < next.startPosition.row;
    if (isCompleteEarlierLine) continue;
    return child.isError ? errorStart(child) : child;
  }
  return node;
}

function oneBased(point: TreeSitter.Point): { line: number; column: number } {
  return { line: point.row + 1, column: point.column + 1 };
}

/** `syntax error near "<the rest of the line from the error's start>"`. */
function describeError(content: string, start: number, end: number): string {
  const lineEnd = content.indexOf("\n", start);
  const excerpt = content.slice(start, Math.min(end, lineEnd === -1 ? content.length : lineEnd)).trim();
  if (excerpt === "") return "syntax error";
  return `syntax error near ${JSON.stringify(excerpt.length > 40 ? `${excerpt.slice(0, 40)}…` : excerpt)}`;
}

type TreeSitterModule = typeof TreeSitter;

let runtime: Promise<TreeSitterModule> | undefined;
const parsers = new Map<string, Promise<TreeSitter.Parser>>();

function wasmDirectory(): string {
  return dirname(createRequire(import.meta.url).resolve("@vscode/tree-sitter-wasm"));
}

function loadRuntime(): Promise<TreeSitterModule> {
  runtime ??= (async () => {
    const module = createRequire(import.meta.url)("@vscode/tree-sitter-wasm") as TreeSitterModule;
    const directory = wasmDirectory();
    await module.Parser.init({ locateFile: (file) => join(directory, file) });
    return module;
  })().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

/** The tree-sitter grammar (e.g. "python", "tsx") for a path's extension; undefined for languages without one. */
export function treeSitterGrammarFor(path: string): string | undefined {
  return GRAMMARS_BY_EXTENSION[extname(path).toLowerCase()];
}

/**
 * A parser for one tree-sitter grammar, shared with the syntax checker: the runtime and each
 * grammar load once per process, on first use. Parsing is synchronous, so sharing is safe.
 */
export function loadTreeSitterParser(grammar: string): Promise<TreeSitter.Parser> {
  let parser = parsers.get(grammar);
  if (parser === undefined) {
    parser = (async () => {
      const module = await loadRuntime();
      const language = await module.Language.load(join(wasmDirectory(), `tree-sitter-${grammar}.wasm`));
      return new module.Parser().setLanguage(language);
    })().catch((error: unknown) => {
      parsers.delete(grammar);
      throw error;
    });
    parsers.set(grammar, parser);
  }
  return parser;
}
