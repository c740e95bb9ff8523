import { SandboxError } from "../errors.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { treeSitterGrammarFor } from "../tools/syntax-check.js";
import { buildSymbolIndex, findSymbols, isTestPath, type SourceFile, type SymbolMatch } from "./symbol-index.js";

/** An overview of a repository for the planner's prompt. Plain JSON, so it can live in graph state. */
export interface RepoMap {
  /** Files listed (after skipping VCS, dependency, cache and build directories). */
  fileCount: number;
  /** Depth-limited tree, two spaces per level; directories that did not fit show their file count. */
  tree: string;
  /** The start of the top-level README (at most `readmeLines` lines and `readmeChars` characters); "" when there is none. */
  readme: string;
  /** Programming languages by number of files, most first. */
  languages: Array<{ language: string; files: number }>;
  /** Where the tests live: top-most test directories and the file-name patterns in use, most used first. */
  testLayout: { dirs: string[]; patterns: string[] };
  /** The symbol index text (see buildSymbolIndex). */
  symbols: string;
  /** Definitions matching the `focus` terms (planner localisation); empty without focus terms. */
  candidates: SymbolMatch[];
}

/** Limits and hints for buildRepoMap; every field has a default. */
export interface RepoMapOptions {
  /** Terms from the issue (identifiers, file names) that rank files and yield `candidates`. */
  focus?: string[];
  /** Lines of the tree, about; 300 when unset. */
  maxTreeLines?: number;
  /** Directory levels the tree descends below the root; 4 when unset. */
  maxTreeDepth?: number;
  /** Entries shown per directory before the rest are counted; 30 when unset. */
  maxEntriesPerDirectory?: number;
  /** Characters of the symbol index text; 12,000 when unset. */
  maxSymbolChars?: number;
  /** Source files read for the symbol index (the project's own code first); 4,000 when unset. */
  maxSourceFiles?: number;
  readmeLines?: number;
  readmeChars?: number;
  signal?: AbortSignal;
}

/** Directories never shown: VCS data, dependencies and caches. */
const SKIPPED_DIRECTORIES = new Set([
  ".git",
  ".hg",
  ".svn",
  "node_modules",
  "__pycache__",
  ".mypy_cache",
  ".pytest_cache",
  ".ruff_cache",
  ".tox",
  ".nox",
  ".venv",
  "venv",
  ".eggs",
  ".gradle",
  ".next",
]);

/** Build output, skipped when the listing does not come from git (git already leaves out what is ignored). */
const BUILD_DIRECTORY = /^(build|dist|target|out|coverage|htmlcov|.*\.egg-info)$/;

/** Source files bigger than this are not read for the symbol index. */
const MAX_SOURCE_BYTES = 512 * 1024;

const LANGUAGES_BY_EXTENSION: Record<string, string> = {
  py: "Python",
  pyi: "Python",
  pyx: "Cython",
  js: "JavaScript",
  mjs: "JavaScript",
  cjs: "JavaScript",
  jsx: "JavaScript",
  ts: "TypeScript",
  mts: "TypeScript",
  cts: "TypeScript",
  tsx: "TypeScript",
  go: "Go",
  rs: "Rust",
  java: "Java",
  kt: "Kotlin",
  scala: "Scala",
  rb: "Ruby",
  php: "PHP",
  c: "C",
  h: "C",
  cc: "C++",
  cpp: "C++",
  cxx: "C++",
  hpp: "C++",
  cs: "C#",
  swift: "Swift",
  m: "Objective-C",
  sh: "Shell",
  bash: "Shell",
  lua: "Lua",
  r: "R",
  jl: "Julia",
  ex: "Elixir",
  exs: "Elixir",
  erl: "Erlang",
  hs: "Haskell",
  ml: "OCaml",
  f90: "Fortran",
  f: "Fortran",
  pl: "Perl",
  dart: "Dart",
  vue: "Vue",
  svelte: "Svelte",
};

const TEST_DIRECTORY = /^(tests?|testing|__tests__|specs?|testcases)$/i;

/** File-name patterns of tests, as (name → pattern shown) rules. */
const TEST_FILE_PATTERNS: Array<[RegExp, (match: RegExpExecArray) => string]> = [
  [/^test_.*\.(py|rb)$/, (match) => `test_*.${match[1]}`],
  [/^.+_test\.(py|go|rb)$/, (match) => `*_test.${match[1]}`],
  [/^tests\.py$/, () => "tests.py"],
  [/^conftest\.py$/, () => "conftest.py"],
  [/^.+\.(test|spec)\.([cm]?[jt]sx?)$/, (match) => `*.${match[1]}.${match[2]}`],
  [/^.+(Tests?)\.(java|kt)$/, (match) => `*${match[1]}.${match[2]}`],
  [/^.+_spec\.rb$/, () => "*_spec.rb"],
];

/** How many test directories are listed before the rest are counted. */
const MAX_TEST_DIRECTORIES = 12;

/**
 * Maps the repository in the sandbox: file tree, README, languages, test layout and the symbol
 * index. Files come from `git ls-files` (so .gitignore is respected) when the workspace is a git
 * repository, otherwise from listing directories.
 */
export async function buildRepoMap(sandbox: Sandbox, options: RepoMapOptions = {}): Promise<RepoMap> {
  const paths = await listRepoFiles(sandbox, options.signal);
  const focus = options.focus ?? [];
  const sources = await readSourceFiles(sandbox, paths, options.maxSourceFiles ?? 4_000, focus);
  const index = await buildSymbolIndex(sources, { maxChars: options.maxSymbolChars ?? 12_000, focus });
  return {
    fileCount: paths.length,
    tree: renderTree(paths, {
      maxLines: options.maxTreeLines ?? 300,
      maxDepth: options.maxTreeDepth ?? 4,
      maxEntries: options.maxEntriesPerDirectory ?? 30,
    }),
    readme: await readReadme(sandbox, paths, options.readmeLines ?? 60, options.readmeChars ?? 3_000),
    languages: countLanguages(paths),
    testLayout: describeTestLayout(paths),
    symbols: index.text,
    candidates: focus.length > 0 ? findSymbols(index, focus) : [],
  };
}

/** Renders a repo map as prompt text of at most about `maxChars`, trimming the tree, README and symbols to fit. */
export function formatRepoMap(map: RepoMap, options: { maxChars: number }): string {
  const languages = map.languages.map((entry) => `${entry.language} (${entry.files})`).join(", ") || "none recognised";
  const testParts = [
    map.testLayout.dirs.length > 0 ? `directories ${map.testLayout.dirs.join(", ")}` : "",
    map.testLayout.patterns.length > 0 ? `files ${map.testLayout.patterns.join(", ")}` : "",
  ].filter((part) => part !== "");
  const header = [
    `Files: ${map.fileCount}`,
    `Languages: ${languages}`,
    `Tests: ${testParts.length > 0 ? testParts.join("; ") : "none found"}`,
  ].join("\n");
  const candidates = map.candidates.map((match) => `${match.term}: ${match.path}:${match.line} ${match.kind} ${match.name}`).join("\n");
  const sections = [
    { title: "Definitions matching the issue's terms", body: candidates, share: 0.1 },
    { title: "File tree", body: map.tree, share: 0.35 },
    { title: "README (start)", body: map.readme, share: 0.15 },
    { title: "Definitions (path: kind name (line))", body: map.symbols, share: 0.4 },
  ].filter((section) => section.body !== "");
  /** Each section adds "\n\n## <title>\n". */
  const overhead = header.length + sections.reduce((sum, section) => sum + section.title.length + 6, 0);
  const budgets = shareBudget(
    sections.map((section) => ({ length: section.body.length, share: section.share })),
    Math.max(0, options.maxChars - overhead),
  );
  const parts = [header, ...sections.map((section, index) => `## ${section.title}\n${truncateLines(section.body, budgets[index] ?? 0)}`)];
  return parts.join("\n\n");
}

/** Repository files relative to the workspace root, sorted, without skipped directories. */
async function listRepoFiles(sandbox: Sandbox, signal: AbortSignal | undefined): Promise<string[]> {
  const fromGit = await sandbox.exec(
    { command: "git ls-files -z --cached --others --exclude-standard", cwd: sandbox.workdir, timeoutMs: 60_000, outputLimitBytes: 32 * 1024 * 1024 },
    signal,
  );
  const isGitListing = fromGit.exitCode === 0 && !fromGit.truncated && fromGit.stdout !== "";
  const paths = isGitListing
    ? [...new Set(fromGit.stdout.split("\0").filter((path) => path !== ""))]
    : (await sandbox.listDirectory(".", 12)).filter((entry) => entry.type !== "directory").map((entry) => entry.path);
  return paths
    .filter((path) => {
      const directories = path.split("/").slice(0, -1);
      return !directories.some((segment) => SKIPPED_DIRECTORIES.has(segment) || (!isGitListing && BUILD_DIRECTORY.test(segment)));
    })
    .sort();
}

/** Reads the source files the symbol index can parse, the most relevant first, up to `limit`. */
async function readSourceFiles(sandbox: Sandbox, paths: string[], limit: number, focus: string[]): Promise<SourceFile[]> {
  const lowerFocus = focus.map((term) => term.toLowerCase()).filter((term) => term.length >= 3);
  const score = (path: string): number => {
    const lowerPath = path.toLowerCase();
    return (lowerFocus.some((term) => lowerPath.includes(term)) ? 10 : 0) - (isTestPath(path) ? 5 : 0) - (/(^|\/)(vendor|third_party|external)\//.test(path) ? 20 : 0);
  };
  const candidates = paths.filter((path) => treeSitterGrammarFor(path) !== undefined);
  const chosen = candidates
    .map((path, order) => ({ path, order, score: score(path) }))
    .sort((a, b) => b.score - a.score || a.order - b.order)
    .slice(0, limit);
  const files: SourceFile[] = [];
  for (const { path } of chosen) {
    const content = await readIfPresent(sandbox, path);
    if (content === undefined || content.length > MAX_SOURCE_BYTES || content.includes(0)) continue;
    files.push({ path, content: content.toString("utf8") });
  }
  return files;
}

/** A listed file may be gone (deleted but still tracked), a dangling symlink, or point outside the workspace: skipped. */
async function readIfPresent(sandbox: Sandbox, path: string): Promise<Buffer | undefined> {
  try {
    return await sandbox.readFile(path);
  } catch (error) {
    if (error instanceof SandboxError) return undefined;
    throw error;
  }
}

async function readReadme(sandbox: Sandbox, paths: string[], maxLines: number, maxChars: number): Promise<string> {
  const readmes = paths.filter((path) => /^readme(\.[a-z]+)?$/i.test(path));
  const preferred = readmes.find((path) => /\.md$/i.test(path)) ?? readmes.find((path) => /\.rst$/i.test(path)) ?? readmes[0];
  if (preferred === undefined) return "";
  const content = await readIfPresent(sandbox, preferred);
  if (content === undefined) return "";
  const lines = content.toString("utf8").trimEnd().split("\n");
  let text = lines.slice(0, maxLines).join("\n");
  const isCut = lines.length > maxLines || text.length > maxChars;
  if (text.length > maxChars) {
    const lastLineEnd = text.lastIndexOf("\n", maxChars);
    text = text.slice(0, lastLineEnd > 0 ? lastLineEnd : maxChars);
  }
  return isCut ? `${text}\n…` : text;
}

function countLanguages(paths: string[]): Array<{ language: string; files: number }> {
  const counts = new Map<string, number>();
  for (const path of paths) {
    const name = path.slice(path.lastIndexOf("/") + 1);
    const dot = name.lastIndexOf(".");
    const language = dot > 0 ? LANGUAGES_BY_EXTENSION[name.slice(dot + 1).toLowerCase()] : undefined;
    if (language !== undefined) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  return [...counts].map(([language, files]) => ({ language, files })).sort((a, b) => b.files - a.files || (a.language < b.language ? -1 : 1));
}

/** Test directories (not nested in another one; the list ends with a count when long) and test file patterns. */
function describeTestLayout(paths: string[]): { dirs: string[]; patterns: string[] } {
  const dirs = new Set<string>();
  const patterns = new Map<string, number>();
  for (const path of paths) {
    const segments = path.split("/");
    const name = segments.pop() ?? "";
    const testDirectory = segments.findIndex((segment) => TEST_DIRECTORY.test(segment));
    if (testDirectory >= 0) dirs.add(`${segments.slice(0, testDirectory + 1).join("/")}/`);
    for (const [rule, describe] of TEST_FILE_PATTERNS) {
      const match = rule.exec(name);
      if (match === null) continue;
      const pattern = describe(match);
      patterns.set(pattern, (patterns.get(pattern) ?? 0) + 1);
      break;
    }
    if (testDirectory >= 0 && /\.rs$/.test(name) && segments.length === testDirectory + 1) patterns.set("tests/*.rs", (patterns.get("tests/*.rs") ?? 0) + 1);
  }
  const sortedDirs = [...dirs].sort((a, b) => a.split("/").length - b.split("/").length || (a < b ? -1 : 1));
  const shownDirs = sortedDirs.slice(0, MAX_TEST_DIRECTORIES);
  if (sortedDirs.length > shownDirs.length) shownDirs.push(`… ${sortedDirs.length - shownDirs.length} more`);
  return {
    dirs: shownDirs,
    patterns: [...patterns].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([pattern]) => pattern),
  };
}

interface DirectoryNode {
  /** The name shown: one directory, or a chain of single-child directories (`src/main/java`). */
  name: string;
  directories: DirectoryNode[];
  files: string[];
  /** Files under this directory, at any depth. */
  fileCount: number;
}

/**
 * The tree, expanded breadth-first while the line budget lasts: the top levels are always
 * shown, deeper directories only when they fit, and anything not shown is counted.
 */
function renderTree(paths: string[], limits: { maxLines: number; maxDepth: number; maxEntries: number }): string {
  const root = buildDirectoryTree(paths);
  const expanded = new Set<DirectoryNode>();
  const queue: Array<{ node: DirectoryNode; depth: number }> = [{ node: root, depth: 0 }];
  let lines = 0;
  for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
    const { node, depth } = item;
    const entries = node.directories.length + node.files.length;
    const cost = Math.min(entries, limits.maxEntries) + (entries > limits.maxEntries ? 1 : 0);
    if (node !== root && (depth > limits.maxDepth || lines + cost > limits.maxLines)) continue;
    expanded.add(node);
    lines += cost;
    for (const child of node.directories.slice(0, limits.maxEntries)) queue.push({ node: child, depth: depth + 1 });
  }
  const out: string[] = [];
  const render = (node: DirectoryNode, indent: string): void => {
    const shownDirectories = node.directories.slice(0, limits.maxEntries);
    const shownFiles = node.files.slice(0, Math.max(0, limits.maxEntries - shownDirectories.length));
    for (const child of shownDirectories) {
      if (expanded.has(child)) {
        out.push(`${indent}${child.name}/`);
        render(child, `${indent}  `);
      } else {
        out.push(`${indent}${child.name}/ (${plural(child.fileCount, "file")})`);
      }
    }
    for (const file of shownFiles) out.push(`${indent}${file}`);
    const hiddenDirectories = node.directories.slice(shownDirectories.length);
    const hidden: string[] = [];
    if (hiddenDirectories.length > 0) {
      const filesInside = hiddenDirectories.reduce((sum, child) => sum + child.fileCount, 0);
      hidden.push(`${plural(hiddenDirectories.length, "more directory", "more directories")} (${plural(filesInside, "file")})`);
    }
    if (node.files.length > shownFiles.length) hidden.push(plural(node.files.length - shownFiles.length, "more file"));
    if (hidden.length > 0) out.push(`${indent}… ${hidden.join(", ")}`);
  };
  render(root, "");
  return out.join("\n");
}

function buildDirectoryTree(paths: string[]): DirectoryNode {
  const root: DirectoryNode = { name: "", directories: [], files: [], fileCount: 0 };
  const byPath = new Map<string, DirectoryNode>([["", root]]);
  for (const path of paths) {
    const segments = path.split("/");
    const fileName = segments.pop() ?? path;
    let parent = root;
    parent.fileCount += 1;
    let prefix = "";
    for (const segment of segments) {
      prefix = prefix === "" ? segment : `${prefix}/${segment}`;
      let node = byPath.get(prefix);
      if (node === undefined) {
        node = { name: segment, directories: [], files: [], fileCount: 0 };
        byPath.set(prefix, node);
        parent.directories.push(node);
      }
      node.fileCount += 1;
      parent = node;
    }
    parent.files.push(fileName);
  }
  const compact = (node: DirectoryNode): void => {
    for (const [index, child] of node.directories.entries()) {
      let merged = child;
      while (merged.files.length === 0 && merged.directories.length === 1) {
        const only = merged.directories[0] as DirectoryNode;
        merged = { ...only, name: `${merged.name}/${only.name}` };
      }
      node.directories[index] = merged;
      compact(merged);
    }
    node.directories.sort((a, b) => (a.name < b.name ? -1 : 1));
    node.files.sort();
  };
  compact(root);
  return root;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/**
 * Splits `total` characters among sections by share; what a section does not need goes to the
 * others, so short sections never waste room that long ones could use.
 */
function shareBudget(sections: Array<{ length: number; share: number }>, total: number): number[] {
  const budgets = sections.map(() => 0);
  let remaining = total;
  let open = sections.map((_, index) => index);
  while (open.length > 0 && remaining > 0) {
    const shares = open.reduce((sum, index) => sum + (sections[index]?.share ?? 0), 0);
    let satisfied = false;
    for (const index of open) {
      const need = (sections[index]?.length ?? 0) - (budgets[index] ?? 0);
      const offer = Math.floor((remaining * (sections[index]?.share ?? 0)) / shares);
      if (need <= offer) {
        budgets[index] = (budgets[index] ?? 0) + need;
        remaining -= need;
        satisfied = true;
      }
    }
    open = open.filter((index) => (budgets[index] ?? 0) < (sections[index]?.length ?? 0));
    if (!satisfied) {
      for (const index of open) budgets[index] = (budgets[index] ?? 0) + Math.floor((remaining * (sections[index]?.share ?? 0)) / shares);
      break;
    }
  }
  return budgets;
}

/** Keeps whole lines up to `maxChars` and says how many were cut. */
function truncateLines(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const lines = text.split("\n");
  const kept: string[] = [];
  let used = 0;
  const markerRoom = 30;
  for (const line of lines) {
    if (used + line.length + 1 > maxChars - markerRoom) break;
    kept.push(line);
    used += line.length + 1;
  }
  kept.push(`… (${lines.length - kept.length} more lines)`);
  return kept.join("\n");
}
