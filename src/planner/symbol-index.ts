import type * as TreeSitter from "@vscode/tree-sitter-wasm";
import { loadTreeSitterParser, treeSitterGrammarFor } from "../tools/syntax-check.js";

/** A source file to index; `path` is relative to the repository root. */
export interface SourceFile {
  path: string;
  content: string;
}

/** What a definition is, across languages. */
export type SymbolKind = "class" | "function" | "method" | "interface" | "type" | "enum" | "struct" | "trait" | "module";

/** One definition; `name` is qualified by its enclosing types (`User.full_name`), `line` is 1-based. */
export interface SymbolDefinition {
  name: string;
  kind: SymbolKind;
  line: number;
}

/** The definitions of one file, in source order. */
export interface FileSymbols {
  path: string;
  /** The tree-sitter grammar the file was parsed with (python, typescript, tsx, go...). */
  language: string;
  symbols: SymbolDefinition[];
}

/** Every definition found, plus a ranked, size-capped text rendering for prompts. Plain JSON. */
export interface SymbolIndex {
  /** Every file that has definitions, in path order. */
  files: FileSymbols[];
  /** One line per file (`src/app/models.py: class User (3), def User.full_name (10)`), at most `maxChars`. */
  text: string;
  /** Files with definitions that did not fit into `text`. */
  omittedFiles: number;
}

/** How to build a symbol index. */
export interface SymbolIndexOptions {
  /** Upper bound on the length of `text`. */
  maxChars: number;
  /** Terms from the issue (identifiers, file names); files whose path or definitions match them are shown first. */
  focus?: string[];
  /** Definitions listed per file before the rest are counted; 40 when unset. */
  maxSymbolsPerFile?: number;
}

/** A definition that matches a term, for localisation. */
export interface SymbolMatch {
  term: string;
  path: string;
  name: string;
  kind: SymbolKind;
  line: number;
}

/** Files bigger than this are generated or minified; parsing them costs much and tells little. */
const MAX_FILE_CHARS = 1_000_000;

/** Directory names of code copied in from elsewhere. */
const VENDORED_SEGMENT = /^(vendor|vendored|third_party|thirdparty|third-party|node_modules|site-packages|bower_components)$/i;

/** Directory names of code that is often, not always, someone else's or build output (sympy/external is sympy's own). */
const OUTSIDE_SEGMENT = /^(external|extern|dist|build|target)$/i;

/** Directory names of code that is rarely what an issue is about. */
const PERIPHERAL_SEGMENT = /^(docs?|examples?|samples?|benchmarks?|bench|migrations|scripts|tools)$/i;

const TEST_SEGMENT = /^(tests?|testing|__tests__|specs?|testcases)$/i;
const TEST_FILE = /(^test_.*\.py$)|(_test\.(py|go|rb)$)|(^tests\.py$)|(\.(test|spec)\.[cm]?[jt]sx?$)|(Tests?\.java$)|(_spec\.rb$)|(^conftest\.py$)/;

/** True for files under a directory of vendored code (vendor/, third_party/, node_modules/...). */
export function isVendoredPath(path: string): boolean {
  return path.split("/").slice(0, -1).some((segment) => VENDORED_SEGMENT.test(segment));
}

/** True for files under a test directory or named like a test file. */
export function isTestPath(path: string): boolean {
  const segments = path.split("/");
  const name = segments.pop() ?? "";
  return segments.some((segment) => TEST_SEGMENT.test(segment)) || TEST_FILE.test(name);
}

/**
 * Parses each file with tree-sitter (Python, JavaScript, TypeScript/TSX, Go, Rust, Java, Ruby;
 * other files are skipped) and lists its top-level types and functions and their methods.
 * The text shows the most relevant files first when choosing what fits: files matching
 * `focus` terms, then the project's own code, then tests, docs and vendored code.
 */
export async function buildSymbolIndex(files: SourceFile[], options: SymbolIndexOptions): Promise<SymbolIndex> {
  const indexed: FileSymbols[] = [];
  for (const file of files) {
    const symbols = await symbolsOfFile(file);
    if (symbols !== undefined) indexed.push(symbols);
  }
  return indexSymbols(indexed, options);
}

/** The definitions of one source file; undefined when it has none or is not parsed (no grammar, minified, over a million characters). */
export async function symbolsOfFile(file: SourceFile): Promise<FileSymbols | undefined> {
  const language = treeSitterGrammarFor(file.path);
  if (language === undefined || file.content.length > MAX_FILE_CHARS || /\.min\.js$/.test(file.path)) return undefined;
  const symbols = await extractSymbols(language, file.content);
  return symbols.length > 0 ? { path: file.path, language, symbols } : undefined;
}

/** The index of definitions already extracted (symbolsOfFile), e.g. kept from an earlier scan of the same commit. */
export function indexSymbols(files: FileSymbols[], options: SymbolIndexOptions): SymbolIndex {
  const indexed = [...files].sort((a, b) => compareStrings(a.path, b.path));
  const { text, omittedFiles } = renderIndex(indexed, options);
  return { files: indexed, text, omittedFiles };
}

/** The definitions in one file's content, parsed as `language` (a tree-sitter grammar name). */
export async function extractSymbols(language: string, content: string): Promise<SymbolDefinition[]> {
  const parser = await loadTreeSitterParser(language);
  const tree = parser.parse(content);
  if (tree === null) return [];
  try {
    const symbols: SymbolDefinition[] = [];
    EXTRACTORS[language]?.(tree.rootNode, [], symbols);
    return symbols;
  } finally {
    tree.delete();
  }
}

/**
 * Definitions whose name matches each term: the last part of the qualified name equals the
 * term, or the qualified name ends with a dotted term (`User.full_name`, `fields.FileField`
 * also matches a `FileField` class in a `fields.py`). Exact case first, then the project's own
 * code before tests; at most `maxPerTerm` (10) per term.
 */
export function findSymbols(index: Pick<SymbolIndex, "files">, names: string[], options: { maxPerTerm?: number } = {}): SymbolMatch[] {
  const maxPerTerm = options.maxPerTerm ?? 10;
  const matches: SymbolMatch[] = [];
  for (const term of new Set(names.map(normaliseTerm).filter((name) => name !== ""))) {
    const found: Array<SymbolMatch & { rank: number }> = [];
    for (const file of index.files) {
      for (const symbol of file.symbols) {
        const rank = matchRank(term, file.path, symbol.name);
        if (rank === undefined) continue;
        found.push({ term, path: file.path, name: symbol.name, kind: symbol.kind, line: symbol.line, rank: rank + (isTestPath(file.path) ? 10 : 0) });
      }
    }
    found.sort((a, b) => a.rank - b.rank || compareStrings(a.path, b.path) || a.line - b.line);
    matches.push(...found.slice(0, maxPerTerm).map(({ rank: _rank, ...match }) => match));
  }
  return matches;
}

/** The label a developer of the language would grep for (`def`, `func`, `fn`...). */
function symbolLabel(language: string, kind: SymbolKind): string {
  const isFunction = kind === "function" || kind === "method";
  if (language === "python") return isFunction ? "def" : kind;
  if (language === "ruby") return isFunction ? "def" : kind;
  if (language === "go") return isFunction ? "func" : "type";
  if (language === "rust") return isFunction ? "fn" : kind === "module" ? "mod" : kind;
  if (kind === "module") return "namespace";
  return kind;
}

/** Focus terms as the index matches them: trimmed, without a trailing `()`, `::` and `#` as dots; empty ones dropped. */
export function normaliseFocusTerms(terms: string[]): string[] {
  return terms.map(normaliseTerm).filter((term) => term !== "");
}

function normaliseTerm(term: string): string {
  return term.trim().replace(/\(\)$/, "").replace(/::|#/g, ".");
}

/** 0 exact, 1 case-insensitive, 2 dotted term whose module part matches the path; undefined when no match. */
function matchRank(term: string, path: string, qualifiedName: string): number | undefined {
  const lastPart = qualifiedName.slice(qualifiedName.lastIndexOf(".") + 1);
  if (term === qualifiedName || term === lastPart || qualifiedName.endsWith(`.${term}`)) return 0;
  const lowerTerm = term.toLowerCase();
  if (lowerTerm === qualifiedName.toLowerCase() || lowerTerm === lastPart.toLowerCase()) return 1;
  const dot = term.lastIndexOf(".");
  if (dot > 0 && term.slice(dot + 1) === lastPart) {
    const modulePath = term.slice(0, dot).replaceAll(".", "/");
    if (path.replace(/\.[^./]+$/, "").endsWith(modulePath)) return 2;
  }
  return undefined;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The bonus of a file that defines a focus term: it outweighs being a test or vendored. */
export const DEFINES_FOCUS_BONUS = 50;

/** The higher, the earlier a file gets room in the text. */
function relevance(file: FileSymbols, focus: string[]): number {
  const definesFocus = focus.filter((term) => file.symbols.some((symbol) => matchRank(term, file.path, symbol.name) !== undefined)).length;
  return pathRelevance(file.path, focus) + definesFocus * DEFINES_FOCUS_BONUS;
}

/**
 * What a file's path alone says of its relevance, the higher the better: a focus term in the
 * path counts for it; vendored code or build output, tests, docs and examples, and depth count
 * against it. Cheap, so it also orders the files to read before any is parsed.
 */
export function pathRelevance(path: string, focus: string[]): number {
  const lowerPath = path.toLowerCase();
  const directories = path.split("/").slice(0, -1);
  let score = 0;
  for (const term of focus) {
    const lowerTerm = term.toLowerCase();
    if (lowerTerm.length >= 3 && lowerPath.includes(lowerTerm)) score += 15;
  }
  if (directories.some((segment) => VENDORED_SEGMENT.test(segment) || OUTSIDE_SEGMENT.test(segment))) score -= 40;
  if (isTestPath(path)) score -= 20;
  if (directories.some((segment) => PERIPHERAL_SEGMENT.test(segment))) score -= 10;
  return score - directories.length * 0.5;
}

function renderIndex(files: FileSymbols[], options: SymbolIndexOptions): { text: string; omittedFiles: number } {
  const focus = normaliseFocusTerms(options.focus ?? []);
  const maxSymbols = options.maxSymbolsPerFile ?? 40;
  const ranked = files.map((file) => ({ file, score: relevance(file, focus) })).sort((a, b) => b.score - a.score || compareStrings(a.file.path, b.file.path));
  const rendered = ranked.map(({ file }) => ({ path: file.path, line: renderFile(file, maxSymbols) }));
  const total = rendered.reduce((sum, entry) => sum + entry.line.length + 1, 0);
  /** When something is left out, room is kept for the line that counts it. */
  const budget = total <= options.maxChars + 1 ? options.maxChars + 1 : options.maxChars - 60;
  const chosen: Array<{ path: string; line: string }> = [];
  let used = 0;
  for (const entry of rendered) {
    if (used + entry.line.length + 1 > budget) continue;
    chosen.push(entry);
    used += entry.line.length + 1;
  }
  chosen.sort((a, b) => compareStrings(a.path, b.path));
  const omittedFiles = files.length - chosen.length;
  const lines = chosen.map((entry) => entry.line);
  if (omittedFiles > 0) lines.push(`… definitions of ${omittedFiles} more file${omittedFiles === 1 ? "" : "s"} not shown`);
  return { text: lines.join("\n"), omittedFiles };
}

function renderFile(file: FileSymbols, maxSymbols: number): string {
  const shown = file.symbols.slice(0, maxSymbols).map((symbol) => `${symbolLabel(file.language, symbol.kind)} ${symbol.name} (${symbol.line})`);
  const rest = file.symbols.length - shown.length;
  if (rest > 0) shown.push(`… ${rest} more`);
  return `${file.path}: ${shown.join(", ")}`;
}

type Extractor = (node: TreeSitter.Node, scope: string[], out: SymbolDefinition[]) => void;

function emit(out: SymbolDefinition[], scope: string[], name: string, kind: SymbolKind, node: TreeSitter.Node): string[] {
  out.push({ name: [...scope, name].join("."), kind, line: node.startPosition.row + 1 });
  return [...scope, name];
}

function namedChildren(node: TreeSitter.Node): TreeSitter.Node[] {
  const children: TreeSitter.Node[] = [];
  for (let index = 0; index < node.namedChildCount; index += 1) {
    const child = node.namedChild(index);
    if (child) children.push(child);
  }
  return children;
}

function nameOf(node: TreeSitter.Node): string | undefined {
  return node.childForFieldName("name")?.text;
}

/** Python: classes, functions, and methods of classes, also inside module-level if/try/with blocks. */
const PYTHON_TRANSPARENT = new Set(["block", "if_statement", "elif_clause", "else_clause", "try_statement", "except_clause", "finally_clause", "with_statement"]);

const extractPython: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const definition = child.type === "decorated_definition" ? child.childForFieldName("definition") : child;
    if (definition === null) continue;
    const name = nameOf(definition);
    if (definition.type === "class_definition" && name !== undefined) {
      const inner = emit(out, scope, name, "class", definition);
      const body = definition.childForFieldName("body");
      if (body) extractPython(body, inner, out);
    } else if (definition.type === "function_definition" && name !== undefined) {
      emit(out, scope, name, scope.length > 0 ? "method" : "function", definition);
    } else if (PYTHON_TRANSPARENT.has(definition.type)) {
      extractPython(definition, scope, out);
    }
  }
};

/** JavaScript and TypeScript: declarations, exported ones, functions bound to consts, class methods, namespaces. */
const SCRIPT_TRANSPARENT = new Set(["export_statement", "ambient_declaration", "expression_statement", "statement_block"]);
const SCRIPT_FUNCTION_VALUES = new Set(["arrow_function", "function_expression", "function", "generator_function"]);
const SCRIPT_TYPES: Record<string, SymbolKind> = {
  class_declaration: "class",
  abstract_class_declaration: "class",
  interface_declaration: "interface",
  type_alias_declaration: "type",
  enum_declaration: "enum",
};

const extractScript: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const name = nameOf(child);
    const typeKind = SCRIPT_TYPES[child.type];
    if (typeKind !== undefined && name !== undefined) {
      const inner = emit(out, scope, name, typeKind, child);
      if (typeKind === "class") extractClassMembers(child.childForFieldName("body"), inner, out);
    } else if ((child.type === "function_declaration" || child.type === "generator_function_declaration") && name !== undefined) {
      emit(out, scope, name, "function", child);
    } else if (child.type === "lexical_declaration" || child.type === "variable_declaration") {
      for (const declarator of namedChildren(child)) {
        const value = declarator.childForFieldName("value");
        const declared = nameOf(declarator);
        if (value === null || declared === undefined) continue;
        if (SCRIPT_FUNCTION_VALUES.has(value.type)) emit(out, scope, declared, "function", declarator);
        else if (value.type === "class") extractClassMembers(value.childForFieldName("body"), emit(out, scope, declared, "class", declarator), out);
      }
    } else if ((child.type === "internal_module" || child.type === "module") && name !== undefined) {
      const inner = emit(out, scope, name.replace(/^["']|["']$/g, ""), "module", child);
      const body = child.childForFieldName("body");
      if (body) extractScript(body, inner, out);
    } else if (SCRIPT_TRANSPARENT.has(child.type)) {
      extractScript(child, scope, out);
    }
  }
};

function extractClassMembers(body: TreeSitter.Node | null, scope: string[], out: SymbolDefinition[]): void {
  if (body === null) return;
  for (const member of namedChildren(body)) {
    const name = nameOf(member);
    if (name === undefined) continue;
    const value = member.childForFieldName("value");
    const isMethod =
      member.type === "method_definition" ||
      member.type === "abstract_method_signature" ||
      (member.type === "public_field_definition" && value !== null && SCRIPT_FUNCTION_VALUES.has(value.type));
    if (isMethod) emit(out, scope, name, "method", member);
  }
}

/** Go: functions, methods qualified by their receiver's type, and type declarations. */
const extractGo: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const name = nameOf(child);
    if (child.type === "function_declaration" && name !== undefined) {
      emit(out, scope, name, "function", child);
    } else if (child.type === "method_declaration" && name !== undefined) {
      const receiver = child.childForFieldName("receiver");
      const receiverType = receiver === null ? undefined : firstDescendant(receiver, "type_identifier")?.text;
      emit(out, receiverType === undefined ? scope : [...scope, receiverType], name, "method", child);
    } else if (child.type === "type_declaration") {
      for (const spec of namedChildren(child)) {
        const specName = nameOf(spec);
        if (specName === undefined) continue;
        const type = spec.childForFieldName("type")?.type;
        emit(out, scope, specName, type === "struct_type" ? "struct" : type === "interface_type" ? "interface" : "type", spec);
      }
    }
  }
};

/** Rust: items, methods of impl and trait blocks qualified by their type, and inline modules. */
const RUST_ITEMS: Record<string, SymbolKind> = {
  struct_item: "struct",
  union_item: "struct",
  enum_item: "enum",
  type_item: "type",
};

const extractRust: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const name = nameOf(child);
    const itemKind = RUST_ITEMS[child.type];
    if (itemKind !== undefined && name !== undefined) {
      emit(out, scope, name, itemKind, child);
    } else if (child.type === "function_item" && name !== undefined) {
      emit(out, scope, name, "function", child);
    } else if (child.type === "trait_item" && name !== undefined) {
      extractRustMethods(child.childForFieldName("body"), emit(out, scope, name, "trait", child), out);
    } else if (child.type === "impl_item") {
      const type = child.childForFieldName("type");
      const typeName = type === null ? undefined : type.type === "type_identifier" ? type.text : firstDescendant(type, "type_identifier")?.text;
      extractRustMethods(child.childForFieldName("body"), typeName === undefined ? scope : [...scope, typeName], out);
    } else if (child.type === "mod_item" && name !== undefined) {
      const inner = emit(out, scope, name, "module", child);
      const body = child.childForFieldName("body");
      if (body) extractRust(body, inner, out);
    }
  }
};

function extractRustMethods(body: TreeSitter.Node | null, scope: string[], out: SymbolDefinition[]): void {
  if (body === null) return;
  for (const member of namedChildren(body)) {
    const name = nameOf(member);
    if ((member.type === "function_item" || member.type === "function_signature_item") && name !== undefined) emit(out, scope, name, "method", member);
  }
}

/** Java: types (nested ones too), their methods and constructors. */
const JAVA_TYPES: Record<string, SymbolKind> = {
  class_declaration: "class",
  record_declaration: "class",
  interface_declaration: "interface",
  annotation_type_declaration: "interface",
  enum_declaration: "enum",
};
const JAVA_BODIES = new Set(["class_body", "interface_body", "enum_body", "enum_body_declarations", "annotation_type_body"]);

const extractJava: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const name = nameOf(child);
    const typeKind = JAVA_TYPES[child.type];
    if (typeKind !== undefined && name !== undefined) {
      const body = child.childForFieldName("body");
      const inner = emit(out, scope, name, typeKind, child);
      if (body) extractJava(body, inner, out);
    } else if ((child.type === "method_declaration" || child.type === "constructor_declaration") && name !== undefined) {
      emit(out, scope, name, "method", child);
    } else if (JAVA_BODIES.has(child.type)) {
      extractJava(child, scope, out);
    }
  }
};

/** Ruby: classes, modules and methods (`self.` methods too), nested by their enclosing class or module. */
const RUBY_TRANSPARENT = new Set(["body_statement", "singleton_class"]);

const extractRuby: Extractor = (node, scope, out) => {
  for (const child of namedChildren(node)) {
    const name = nameOf(child);
    if ((child.type === "class" || child.type === "module") && name !== undefined) {
      const inner = emit(out, scope, name, child.type === "class" ? "class" : "module", child);
      const body = child.childForFieldName("body");
      if (body) extractRuby(body, inner, out);
    } else if ((child.type === "method" || child.type === "singleton_method") && name !== undefined) {
      emit(out, scope, name, scope.length > 0 ? "method" : "function", child);
    } else if (RUBY_TRANSPARENT.has(child.type)) {
      extractRuby(child, scope, out);
    }
  }
};

function firstDescendant(node: TreeSitter.Node, type: string): TreeSitter.Node | undefined {
  if (node.type === type) return node;
  for (const child of namedChildren(node)) {
    const found = firstDescendant(child, type);
    if (found) return found;
  }
  return undefined;
}

const EXTRACTORS: Record<string, Extractor> = {
  python: extractPython,
  javascript: extractScript,
  typescript: extractScript,
  tsx: extractScript,
  go: extractGo,
  rust: extractRust,
  java: extractJava,
  ruby: extractRuby,
};
