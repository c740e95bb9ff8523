/** Options for extractIssueTerms; every field has a default. */
export interface IssueTermsOptions {
  /** How many terms are returned at most; 24 when unset. */
  maxTerms?: number;
}

/**
 * The terms a developer would grep for to localise an issue, most telling first: identifiers
 * of code spans, code blocks and tracebacks (`Class.method` and `method`, `pkg.module.Class` and
 * `Class`, `Foo::bar`, `Foo#bar`), file paths, exception names, CamelCase and snake_case words,
 * then the title's other meaningful words. Keywords, builtins, stop words and numbers are left out.
 * Ranked by where a term was found (title code and identifiers, then body code and tracebacks,
 * then body identifiers, then title words), then by how often, then by first appearance.
 */
export function extractIssueTerms(task: { title: string; body: string }, options: IssueTermsOptions = {}): string[] {
  const maxTerms = Math.max(0, Math.floor(options.maxTerms ?? 24));
  const collector = createTermCollector();
  const title = normaliseText(task.title).replace(/\n/g, " ");
  const titleLeftover = scanProse(title, 0, { add: collector.add, codeTier: TIER.titleCode, proseTier: TIER.titleCode });
  scanTitleWords(titleLeftover, collector.add);
  scanBody(normaliseText(task.body), title.length + 1, collector.add);
  return collector.ranked().slice(0, maxTerms);
}

/** Where a term was found; the lower, the more telling. */
const TIER = { titleCode: 0, bodyCode: 1, bodyIdentifier: 2, titleWord: 3 } as const;
type Tier = (typeof TIER)[keyof typeof TIER];

/** Records one occurrence of a term; `position` orders first appearances across title and body. */
type AddTerm = (term: string, tier: Tier, position: number) => void;

interface ScanContext {
  add: AddTerm;
  /** Tier of code spans (and of everything in code lines). */
  codeTier: Tier;
  /** Tier of identifiers and paths in prose. */
  proseTier: Tier;
}

/** How freely a single identifier is accepted: prose wants identifier-shaped words, code also calls and class-like names. */
interface Acceptance {
  mode: "prose" | "code" | "span";
  isImportLine: boolean;
}

interface TermRecord {
  tier: Tier;
  count: number;
  first: number;
  order: number;
}

function createTermCollector(): { add: AddTerm; ranked(): string[] } {
  const records = new Map<string, TermRecord>();
  return {
    add(term, tier, position) {
      if (term.length < 3 || /^\d+$/.test(term)) return;
      const record = records.get(term);
      if (record === undefined) {
        records.set(term, { tier, count: 1, first: position, order: records.size });
        return;
      }
      record.count += 1;
      record.tier = Math.min(record.tier, tier) as Tier;
      record.first = Math.min(record.first, position);
    },
    ranked() {
      return [...records]
        .sort(([, a], [, b]) => a.tier - b.tier || b.count - a.count || a.first - b.first || a.order - b.order)
        .map(([term]) => term);
    },
  };
}

/** Reserved words and literals: never a term, nor the last part of a dotted one. */
const KEYWORDS = new Set([
  // Python
  "self", "cls", "def", "class", "return", "import", "from", "None", "True", "False", "and", "not", "elif", "else", "for", "while", "try", "except",
  "finally", "raise", "with", "yield", "lambda", "pass", "break", "continue", "global", "nonlocal", "assert", "del", "async", "await",
  // JavaScript and TypeScript
  "const", "let", "var", "function", "this", "typeof", "instanceof", "void", "null", "undefined", "true", "false", "export", "extends",
  "implements", "interface", "enum", "public", "private", "protected", "static", "readonly", "switch", "case", "throw", "super", "keyof",
  "declare", "namespace",
  // Rust, Go, Ruby, Java
  "mut", "impl", "pub", "crate", "struct", "trait", "Self", "dyn", "unsafe", "extern", "func", "defer", "chan", "elsif", "unless", "nil",
  "abstract", "synchronized", "volatile", "transient", "throws",
]);

/** Builtins, keywords that are also method names, and framework noise: dropped alone, kept inside a dotted name (`QuerySet.filter`). */
const BUILTINS = new Set([
  "print", "len", "str", "int", "bool", "bytes", "list", "dict", "set", "tuple", "frozenset", "object", "type", "range", "enumerate", "zip",
  "map", "filter", "sorted", "reversed", "min", "max", "sum", "abs", "any", "all", "iter", "next", "open", "input", "isinstance", "issubclass",
  "getattr", "setattr", "hasattr", "delattr", "repr", "hash", "vars", "dir", "format", "round", "callable", "property", "staticmethod",
  "classmethod", "length", "string", "number", "unknown", "never", "symbol", "bigint", "console", "module", "exports", "args", "kwargs", "argv",
  "new", "default", "delete", "catch", "match", "where", "loop", "select", "package", "end", "begin", "rescue", "ensure", "until", "then",
  "puts", "require", "use", "ref", "move", "mod", "final", "boolean", "char", "byte", "short", "long", "double", "float",
  "Exception", "BaseException", "Error", "Warning", "NoneType", "Object", "Array", "String", "Number", "Boolean", "Promise", "JSON", "Math",
  "Optional", "Union", "Any", "List", "Dict", "Tuple", "Callable", "Iterable", "Type", "System", "println", "main", "wrapper", "inner",
  "wrapped", "decorator", "assertEqual", "assertEquals", "assertTrue", "assertFalse", "assertRaises", "assertIn", "assertIsNone",
]);

/** Names of made-up examples (`Foo.bar()`): never a term. */
const PLACEHOLDERS = new Set(["foo", "bar", "baz", "qux", "quux", "spam", "eggs", "Foo", "Bar", "Baz", "Qux"]);

/** Methods of builtin types: too common to be the last part worth listing on its own. */
const COMMON_METHODS = new Set(["append", "extend", "push", "pop", "join", "split", "strip", "keys", "values", "items", "length", "log", "toString", "forEach", "then", "catch"]);

/** Receivers that say nothing about where the code lives: `self.parse` is `parse`. */
const RECEIVERS = new Set(["self", "this", "cls", "super"]);

/** Global objects whose members are never the repository's own (`console.log`, `JSON.parse`). */
const GLOBAL_NAMESPACES = new Set(["console", "JSON", "Math", "Object", "Array", "Promise", "Reflect", "Number", "String", "window", "document", "process", "System", "std"]);

/** Last parts that make a dotted word a host name, not code. */
const DOMAIN_ENDINGS = new Set(["com", "org", "net", "io", "edu", "gov"]);

/** Product names spelt in CamelCase that are not identifiers of the repository. */
const PROPER_NOUNS = new Set([
  "JavaScript", "TypeScript", "CoffeeScript", "GitHub", "GitLab", "BitBucket", "PyPI", "PyPy", "CPython", "IPython", "PyCharm", "IntelliJ",
  "VSCode", "JetBrains", "macOS", "iOS", "iPadOS", "iPhone", "iPad", "PostgreSQL", "MySQL", "SQLite", "MariaDB", "MongoDB", "LaTeX", "OAuth",
  "YouTube", "PowerShell", "NumPy", "SciPy", "PyTorch", "TensorFlow", "WordPress", "StackOverflow", "FreeBSD", "OpenBSD", "NetBSD", "CentOS",
  "WebKit", "DevTools", "Node.js", "Vue.js", "Next.js",
]);

/** English stop words (compared in lower case). */
const STOP_WORDS = new Set([
  "the", "and", "for", "are", "but", "not", "you", "all", "any", "can", "had", "her", "was", "one", "our", "out", "has", "have", "him", "his",
  "how", "its", "may", "now", "own", "see", "than", "that", "their", "them", "then", "there", "these", "they", "this", "those", "though",
  "through", "too", "under", "until", "upon", "very", "were", "what", "when", "where", "which", "while", "who", "whom", "whose", "why",
  "will", "with", "within", "without", "would", "could", "should", "shall", "might", "must", "about", "above", "again", "against", "also",
  "always", "among", "another", "because", "been", "being", "below", "between", "both", "does", "doing", "done", "down", "during", "each",
  "either", "else", "even", "ever", "every", "from", "further", "here", "into", "just", "like", "more", "most", "much", "never", "only",
  "other", "over", "same", "some", "such", "your", "yours", "whatever", "whether", "onto", "off", "once", "still",
  "instead", "anymore", "sometimes", "something", "anything", "nothing", "everything", "someone", "many", "less", "least", "well", "back",
  "thus", "therefore", "however", "although", "since", "unless", "via", "etc", "please", "thanks", "thank", "hello", "note",
  "doesn't", "don't", "didn't", "isn't", "aren't", "wasn't", "weren't", "won't", "can't", "cannot", "couldn't", "shouldn't", "wouldn't",
  "hasn't", "haven't", "it's", "i'm", "i've", "let's", "there's", "that's", "longer", "anyone",
]);

/** Words every bug report uses (compared in lower case): not terms as plain words, though a code span or call may name them. */
const ISSUE_WORDS = new Set([
  "bug", "bugs", "error", "errors", "issue", "issues", "problem", "problems", "crash", "crashes", "crashed", "crashing", "fail", "fails",
  "failed", "failing", "failure", "panic", "panics", "panicked", "wrong", "wrongly", "incorrect", "incorrectly", "correct", "correctly",
  "proper", "properly", "returns",
  "return", "returned", "returning", "work", "works", "worked", "working", "use", "uses", "used", "using", "after", "before", "expected",
  "expect", "expects", "actual", "actually", "behaviour", "behavior", "behaviours", "behaviors", "unexpected", "unexpectedly", "broken",
  "break", "breaks", "fix", "fixes", "fixed", "support", "supports", "supported", "allow", "allows", "allowed", "add", "adds", "added",
  "adding", "make", "makes", "made", "making", "cause", "causes", "caused", "raise", "raises", "raised", "raising", "throw", "throws",
  "thrown", "exception", "exceptions", "get", "gets", "getting", "got", "give", "gives", "given", "giving", "result", "results", "value",
  "values", "case", "cases", "example", "examples", "new", "old", "possible", "able", "unable", "need", "needs", "needed", "want", "wants",
  "seem", "seems", "missing", "version", "versions", "update", "updated", "check", "checks", "help", "question", "feature", "request",
  "improve", "improvement", "handle", "handles", "handled", "handling", "thing", "things", "method", "methods", "argument", "arguments",
  "parameter", "parameters", "function", "functions", "object", "objects", "call", "calls", "called", "calling", "type", "types", "file",
  "files", "code", "line", "lines", "output", "input", "message", "messages", "warning", "warnings", "test", "tests", "documentation",
  "docs", "happen", "happens", "happened", "occur", "occurs", "occurred", "reproduce", "steps", "step", "trying", "tried", "try", "ignored",
  "ignore", "ignores", "different", "invalid", "valid",
]);

/** Source, build and data files a path term may end in; one-letter ones only with a directory. */
const PATH_EXTENSIONS = [
  "py", "pyi", "pyx", "ipynb", "js", "mjs", "cjs", "jsx", "ts", "mts", "cts", "tsx", "go", "rs", "java", "kt", "kts", "scala", "rb", "php",
  "cc", "cpp", "cxx", "hpp", "hh", "cs", "swift", "sh", "bash", "lua", "jl", "ex", "exs", "erl", "hs", "ml", "dart", "vue", "svelte", "json",
  "yaml", "yml", "toml", "cfg", "ini", "txt", "md", "rst", "html", "css", "scss", "xml", "sql", "proto", "gradle", "c", "h",
];

const PATH = new RegExp(
  `(?<![\\w$@/.-])(?:[A-Za-z]:)?(?:~|\\.{1,2})?/?(?:\\.?[\\w@+-][\\w.@+-]*/)*\\.?[\\w+-][\\w.+-]*\\.(?:${PATH_EXTENSIONS.join("|")})(?![\\w/(-])`,
  "g",
);

/** File names without a directory that half the files of a repository contain (`__init__.py`, `index.js`). */
const GENERIC_FILE_NAME = /^(?:__init__|__main__|index|mod|main|lib)\.\w+$/;

/** A name, or a chain of names joined by `.`, `::` or `#`. */
const CHAIN = /(?<![\p{L}\p{N}_$])[A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*(?![\p{L}\p{N}_$])/gu;
const CHAIN_PART = /[A-Za-z_$][\w$]*/g;
const WHOLE_CHAIN_SPAN = /^([A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*)(?:\((.*)\))?;?$/;

const URL = /\b(?:https?|ftp|file):\/\/[^\s)>\]]+|\bwww\.[^\s)>\]]+/g;
/** A code span: backticks, or Trac's `{{{…}}}`, whose text never holds another `{{{` (so a run of `{` is not read again from each of them). */
const INLINE_CODE = /(`+)([^`\n]+?)\1|\{\{\{((?:(?!\{\{\{).)+?)\}\}\}/g;
const STRING_OR_COMMENT = /'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*"|(?:^|\s)(?:#|\/\/)\s.*$/g;
const QUOTED_NAME = /(['"`])([A-Za-z_$][\w$]*(?:(?:\.|::|#)[A-Za-z_$][\w$]*)*)\1/g;
const ELLIPSIS = /\.{2,}/g;

const TRACEBACK_HEADER = /^\s*Traceback \(most recent call last\):?\s*$/;
const PYTHON_FRAME = /^\s*File "([^"]+)", line \d+(?:, in (\S+))?/;
const PYTEST_FRAME = /^\s*([^\s:]+\.py):\d+:\s+in\s+(\S+)\s*$/;
const SCRIPT_FRAME = /^\s*at\s+(?:async\s+)?(?:new\s+)?(?:([^\s()]+)(?:\s+\[as [^\]]+\])?\s*\(([^()]+)\)|([^\s()]+:\d+(?::\d+)?))\s*$/;
const SCRIPT_LOCATION = /:\d+(?::\d+)?$/;
const CARET_MARKERS = /^\s*[~^]+\s*$/;
const EXCEPTION_LINE = /^(\s*(?:E\s+|Uncaught\s+)?)((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*)(?::(.*))?$/;
const EXCEPTION_SUFFIX = /(Error|Exception|Warning|Exit|Interrupt|Failure|Fault)$/;
const QUOTE_PREFIX = /^(?:\s*>(?!>>)\s?)+/;
const REPL_PROMPT = /^\s*(?:>>>|\.\.\.|In \[\d+\]:|Out\[\d+\]:|\$)\s/;
const INDENTED = /^(?: {4}|\t)/;
const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;
const IMPORT_LINE = /^\s*(?:import\s|from\s+[\w.]+\s+import\s)/;

/** Line endings, typographic apostrophes and HTML comments (issue templates) normalised away. */
function normaliseText(text: string): string {
  return text.replace(/\r\n?/g, "\n").replace(/[\u2018\u2019]/g, "'").replace(/<!--[\s\S]*?(?:-->|$)/g, "");
}

/** Blanks (replaces by spaces, so offsets stay put and later scans skip it) each match of `pattern` that `visit` takes. */
function blankEach(text: string, pattern: RegExp, visit: (match: RegExpMatchArray, index: number) => boolean): string {
  const pieces: string[] = [];
  let copiedUpTo = 0;
  for (const match of text.matchAll(pattern)) {
    const index = match.index ?? 0;
    if (!visit(match, index)) continue;
    pieces.push(text.slice(copiedUpTo, index), " ".repeat(match[0].length));
    copiedUpTo = index + match[0].length;
  }
  pieces.push(text.slice(copiedUpTo));
  return pieces.join("");
}

function indentOf(line: string): number {
  return (/^\s*/.exec(line)?.[0] ?? "").replace(/\t/g, "    ").length;
}

/** True for words that are never a term on their own. */
function isNeverTerm(word: string): boolean {
  return (
    word.length < 3 ||
    /^[\d_$]+$/.test(word) ||
    /^__\w+__$/.test(word) ||
    KEYWORDS.has(word) ||
    BUILTINS.has(word) ||
    PLACEHOLDERS.has(word) ||
    PROPER_NOUNS.has(word) ||
    (word.length < 5 && /^[a-z][a-z]?\d+$/.test(word))
  );
}

function isStopWord(word: string): boolean {
  return STOP_WORDS.has(word.toLowerCase());
}

/** A stop word or a word of every bug report: not a term when it stands as a plain word. */
function isPlainIssueWord(word: string): boolean {
  return isStopWord(word) || ISSUE_WORDS.has(word.toLowerCase());
}

/** CamelCase, camelCase, snake_case or SCREAMING_SNAKE_CASE: an identifier even in prose. */
function isIdentifierShaped(word: string, mode: Acceptance["mode"]): boolean {
  const core = word.replace(/^\$+/, "");
  if (/[A-Za-z0-9]_[A-Za-z0-9]/.test(core)) return true;
  if (/[a-z]/.test(core) && /[A-Z]/.test(core.slice(1))) return true;
  return mode !== "prose" && /^_+[A-Za-z]/.test(core);
}

/**
 * Adds a name or a chain of names found at `position`: a chain yields itself and its last part
 * (`pkg.module.Class` and `Class`), without a leading `self.` or `this.`. Returns whether anything was taken.
 */
function addChain(chain: string, position: number, isCall: boolean, acceptance: Acceptance, tier: Tier, add: AddTerm): boolean {
  const parts = [...chain.matchAll(CHAIN_PART)].map((match) => ({ text: match[0], index: match.index ?? 0 }));
  while (parts.length > 1 && RECEIVERS.has(parts[0]?.text ?? "")) parts.shift();
  const head = parts[0];
  const last = parts.at(-1);
  if (head === undefined || last === undefined) return false;
  if (parts.length === 1) {
    const isMember = head.index > 0;
    if (!acceptsSingleName(head.text, isCall || isMember, acceptance)) return false;
    add(head.text, tier, position + head.index);
    return true;
  }
  const isMadeUp = parts.every((part) => part.text.length <= 1 || PLACEHOLDERS.has(part.text));
  if (GLOBAL_NAMESPACES.has(head.text) || DOMAIN_ENDINGS.has(last.text) || isMadeUp) return false;
  const whole = chain.slice(head.index);
  if (PROPER_NOUNS.has(whole)) return false;
  add(whole, tier, position + head.index);
  if (isLastPartTerm(last.text)) add(last.text, tier, position + last.index);
  return true;
}

/** The last part of a dotted name stands on its own unless it is a keyword, a made-up name or a method of every list and string. */
function isLastPartTerm(name: string): boolean {
  return name.length >= 3 && !/^__\w+__$/.test(name) && !KEYWORDS.has(name) && !PLACEHOLDERS.has(name) && !COMMON_METHODS.has(name);
}

function acceptsSingleName(name: string, isCallOrMember: boolean, acceptance: Acceptance): boolean {
  if (isNeverTerm(name)) return false;
  if (isIdentifierShaped(name, acceptance.mode)) return true;
  if (isStopWord(name)) return false;
  if (acceptance.mode === "span" || isCallOrMember || (acceptance.mode === "code" && acceptance.isImportLine)) return true;
  return acceptance.mode === "code" && /^[A-Z][a-z]/.test(name) && !isPlainIssueWord(name);
}

/** Adds every acceptable name and chain in `text`; returns the text with what was taken blanked. */
function scanNames(text: string, position: number, acceptance: Acceptance, tier: Tier, add: AddTerm): string {
  const withoutEllipses = text.replace(ELLIPSIS, (dots) => " ".repeat(dots.length));
  return blankEach(withoutEllipses, CHAIN, (match, index) => {
    const isCall = withoutEllipses[index + match[0].length] === "(";
    return addChain(match[0], position + index, isCall, acceptance, tier, add);
  });
}

/** Adds the file paths in `text`, normalised to repository-relative form where possible; blanks them. */
function scanPaths(text: string, position: number, tier: Tier, add: AddTerm): string {
  return blankEach(text, PATH, (match, index) => {
    const raw = match[0];
    if (/\.[ch]$/.test(raw) && !raw.includes("/")) return false;
    if (PROPER_NOUNS.has(raw)) return true;
    const path = normalisePath(raw);
    if (path !== undefined && !GENERIC_FILE_NAME.test(path)) add(path, tier, position + index);
    return true;
  });
}

/**
 * A path as the repository would spell it: installed packages lose their `site-packages/`
 * prefix, other absolute paths keep their last two segments (`models/base.py` is part of
 * `django/db/models/base.py`); the standard library and runtime internals give undefined.
 */
function normalisePath(raw: string): string | undefined {
  let path = raw.replace(/\\/g, "/").replace(/^file:\/\//, "");
  if (path.startsWith("<") || /^(node:|internal\/)/.test(path)) return undefined;
  const installed = /^.*\/(?:site-packages|dist-packages)\//.exec(path);
  const dependency = /^.*\/node_modules\/(?:@[^/]+\/)?[^/]+\//.exec(path);
  if (installed !== null) return path.slice(installed[0].length);
  if (dependency !== null) return path.slice(dependency[0].length);
  if (/^(?:\/|~\/|[A-Za-z]:\/)/.test(path)) {
    if (/\/(?:lib\/python[\d.]*|python[\d.]*\/lib)\//i.test(path)) return undefined;
    return path.split("/").filter((segment) => segment !== "").slice(-2).join("/");
  }
  path = path.replace(/^(?:\.\.?\/)+/, "");
  return path === "" ? undefined : path;
}

/** Scans a line of prose: code spans as code, then paths, then identifier-shaped names. Returns what is left. */
function scanProse(text: string, position: number, context: ScanContext): string {
  let rest = text.replace(URL, (url) => " ".repeat(url.length));
  rest = blankEach(rest, INLINE_CODE, (match, index) => {
    const content = match[2] ?? match[3] ?? "";
    const contentOffset = match[0].indexOf(content);
    scanCodeSpan(content, position + index + contentOffset, context);
    return true;
  });
  rest = scanPaths(rest, position, context.proseTier, context.add);
  return scanNames(rest, position, { mode: "prose", isImportLine: false }, context.proseTier, context.add);
}

/** An inline code span: a lone name or call is taken whatever its shape (`subs`, `Matrix.det()`), anything longer is scanned as code. */
function scanCodeSpan(content: string, position: number, context: ScanContext): void {
  const leading = content.length - content.trimStart().length;
  const trimmed = content.trim();
  const whole = WHOLE_CHAIN_SPAN.exec(trimmed);
  if (whole === null || whole[1] === undefined) {
    scanCode(content, position, context);
    return;
  }
  addChain(whole[1], position + leading, whole[2] !== undefined, { mode: "span", isImportLine: false }, context.codeTier, context.add);
  if (whole[2] !== undefined) scanCode(whole[2], position + leading + whole[1].length + 1, context);
}

/** Scans a line of code: paths, then names in strings and comments as prose, then the code's names. */
function scanCode(text: string, position: number, context: ScanContext): void {
  const tier = context.codeTier;
  let rest = text.replace(URL, (url) => " ".repeat(url.length));
  rest = scanPaths(rest, position, tier, context.add);
  rest = blankEach(rest, STRING_OR_COMMENT, (match, index) => {
    scanNames(match[0], position + index, { mode: "prose", isImportLine: false }, tier, context.add);
    return true;
  });
  scanNames(rest, position, { mode: "code", isImportLine: IMPORT_LINE.test(text) }, tier, context.add);
}

/** A traceback frame (Python, pytest, JavaScript/TypeScript or Java): its path and function. Returns whether the line was one. */
function scanFrame(line: string, position: number, add: AddTerm): boolean {
  const python = PYTHON_FRAME.exec(line) ?? PYTEST_FRAME.exec(line);
  if (python !== null) {
    addFrame(line, position, python[1], python[2], add);
    return true;
  }
  const script = SCRIPT_FRAME.exec(line);
  if (script === null) return false;
  const location = script[2] ?? script[3] ?? "";
  const hasLocation = SCRIPT_LOCATION.test(location);
  if (!hasLocation && !/^(native|Native Method|Unknown Source|<anonymous>|index \d+)$/.test(location)) return false;
  addFrame(line, position, hasLocation ? location.replace(SCRIPT_LOCATION, "") : undefined, script[1], add);
  return true;
}

function addFrame(line: string, position: number, rawPath: string | undefined, rawFunction: string | undefined, add: AddTerm): void {
  const path = rawPath === undefined ? undefined : normalisePath(rawPath);
  const isRuntimeInternal = rawPath !== undefined && path === undefined && (!rawPath.startsWith("<") || rawPath.startsWith("<frozen"));
  if (isRuntimeInternal) return;
  const functionName = (rawFunction ?? "").replace(/\.?<[^>]*>/g, "");
  if (functionName !== "" && WHOLE_CHAIN_SPAN.test(functionName)) {
    addChain(functionName, position + Math.max(0, line.indexOf(functionName)), true, { mode: "span", isImportLine: false }, TIER.bodyCode, add);
  }
  if (path !== undefined && rawPath !== undefined && !GENERIC_FILE_NAME.test(path)) add(path, TIER.bodyCode, position + Math.max(0, line.indexOf(rawPath)));
}

/**
 * An exception line (`ValueError: ...`, `django.core.exceptions.ImproperlyConfigured: ...`): the
 * exception's name, then the quoted names and identifiers of its message. Names ending like an
 * exception (Error, Exception, Warning...) count anywhere; at the end of a traceback also other
 * CamelCase or dotted names (`ImproperlyConfigured`). Returns whether the line was one.
 */
function scanException(line: string, position: number, isInTraceback: boolean, add: AddTerm): boolean {
  const match = EXCEPTION_LINE.exec(line);
  const prefix = match?.[1];
  const name = match?.[2];
  if (prefix === undefined || name === undefined) return false;
  const lastPart = name.slice(name.lastIndexOf(".") + 1);
  const looksLikeException = EXCEPTION_SUFFIX.test(lastPart) || (isInTraceback && (name.includes(".") || isIdentifierShaped(lastPart, "code")));
  if (!looksLikeException) return false;
  const span: Acceptance = { mode: "span", isImportLine: false };
  addChain(name, position + prefix.length, false, span, TIER.bodyCode, add);
  const message = match?.[3];
  if (message !== undefined) {
    const messagePosition = position + prefix.length + name.length + 1;
    const rest = blankEach(message, QUOTED_NAME, (quoted, index) => addChain(quoted[2] ?? "", messagePosition + index + 1, false, span, TIER.bodyCode, add));
    scanProse(rest, messagePosition, { add, codeTier: TIER.bodyCode, proseTier: TIER.bodyCode });
  }
  return true;
}

/** The body line by line: fenced, Trac, indented and REPL code and tracebacks as code, the rest as prose. */
function scanBody(body: string, offset: number, add: AddTerm): void {
  const proseContext: ScanContext = { add, codeTier: TIER.bodyCode, proseTier: TIER.bodyIdentifier };
  const codeContext: ScanContext = { add, codeTier: TIER.bodyCode, proseTier: TIER.bodyCode };
  let fence: { marker: string; length: number } | undefined;
  let traceback: { indent: number; isAfterFrame: boolean } | undefined;
  let previous = "blank" as "blank" | "indented-code" | "other";
  let lineStart = offset;
  for (const rawLine of body.split("\n")) {
    const quote = QUOTE_PREFIX.exec(rawLine)?.[0] ?? "";
    const line = rawLine.slice(quote.length);
    const position = lineStart + quote.length;
    lineStart += rawLine.length + 1;
    const trimmed = line.trim();
    if (fence !== undefined) {
      const isClosing = fence.marker === "{" ? trimmed.startsWith("}}}") : trimmed.length >= fence.length && [...trimmed].every((character) => character === fence?.marker);
      if (isClosing) {
        fence = undefined;
        traceback = undefined;
        previous = "blank";
        continue;
      }
    } else {
      const opening = /^(`{3,}|~{3,})/.exec(trimmed);
      if (opening?.[1] !== undefined) {
        fence = { marker: opening[1].charAt(0), length: opening[1].length };
        continue;
      }
      if (trimmed.startsWith("{{{") && !trimmed.includes("}}}")) {
        fence = { marker: "{", length: 3 };
        continue;
      }
    }
    if (trimmed === "") {
      previous = "blank";
      continue;
    }
    if (TRACEBACK_HEADER.test(line)) {
      traceback = { indent: indentOf(line), isAfterFrame: false };
      continue;
    }
    if (scanFrame(line, position, add)) {
      if (traceback !== undefined) traceback.isAfterFrame = true;
      continue;
    }
    if (traceback !== undefined) {
      if (CARET_MARKERS.test(line)) continue;
      if (traceback.isAfterFrame || indentOf(line) > traceback.indent) {
        traceback.isAfterFrame = false;
        scanCode(line, position, codeContext);
        continue;
      }
      traceback = undefined;
      if (scanException(line, position, true, add)) continue;
    }
    if (scanException(line, position, false, add)) continue;
    const isIndentedCode = INDENTED.test(line) && previous !== "other" && !LIST_ITEM.test(line);
    const isCode = fence !== undefined || isIndentedCode || REPL_PROMPT.test(line);
    previous = isIndentedCode ? "indented-code" : "other";
    if (isCode) scanCode(line.replace(REPL_PROMPT, (prompt) => " ".repeat(prompt.length)), position, codeContext);
    else scanProse(line, position, proseContext);
  }
}

/** The title's remaining words longer than three characters that are neither stop words nor keywords. */
function scanTitleWords(title: string, add: AddTerm): void {
  for (const match of title.matchAll(/(?<![\p{L}\p{N}_$'])[A-Za-z][A-Za-z0-9]*(?:'[A-Za-z]+)?(?![\p{L}\p{N}_$])/gu)) {
    const word = match[0].replace(/'s$/i, "");
    if (word.length <= 3 || word.includes("'") || isPlainIssueWord(match[0]) || isPlainIssueWord(word) || isNeverTerm(word)) continue;
    add(word, TIER.titleWord, match.index ?? 0);
  }
}
