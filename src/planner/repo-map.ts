import { SandboxError } from "../errors.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { readCachedRepoScan, repoMapCacheKey, writeCachedRepoScan } from "./repo-map-cache.js";
import { continueSourceScan, emptySourceScan, findFocusDefinitions, rankSources, scannableSources, type SourceScan } from "./source-scan.js";
import { findSymbols, indexSymbols, normaliseFocusTerms, type SymbolMatch } from "./symbol-index.js";

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
  /** What the map leaves out and why (the time budget ran out, files too big or generated); empty when nothing is. */
  notes: string[];
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
  /**
   * Milliseconds the map may take, about (a file being parsed is finished); 10,000 when unset.
   * When they are spent the symbol index keeps the files read so far and `notes` says so.
   */
  timeBudgetMs?: number;
  /** Where maps of clean trees are cached by commit (see repo-map-cache.ts); no cache when unset. */
  cacheDir?: string;
  signal?: AbortSignal;
}

/** The time a map may take unless told otherwise: on a 2-core machine under load, sympy's full parse took 71 s. */
export const DEFAULT_REPO_MAP_BUDGET_MS = 10_000;

/** Source files bigger than this are not read for the symbol index: generated or data, and slow to parse. */
const MAX_SOURCE_BYTES = 256 * 1024;

/** Share of the time budget the text search for the focus terms' definitions may take. */
const FOCUS_SEARCH_SHARE = 0.2;

/** Share of the time budget kept for what follows the scan: the index, the tree, the README (half a second on sympy). */
const AFTER_SCAN_SHARE = 0.1;

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
 * repository, otherwise from listing directories. Parsing every file of a big repository takes
 * minutes, so the index reads the most relevant files first (see rankSources) and stops when
 * the time budget is spent, saying so in `notes`; with a `cacheDir`, a clean tree's listing and
 * scan are kept by commit, and the next map of that commit starts from them.
 */
export async function buildRepoMap(sandbox: Sandbox, options: RepoMapOptions = {}): Promise<RepoMap> {
  const started = performance.now();
  const budgetMs = options.timeBudgetMs ?? DEFAULT_REPO_MAP_BUDGET_MS;
  const timeLeft = () => budgetMs - (performance.now() - started);
  const focus = normaliseFocusTerms(options.focus ?? []);
  const maxSourceFiles = options.maxSourceFiles ?? 4_000;
  const commit = options.cacheDir ? await cleanCommitOf(sandbox, options.signal) : undefined;
  const cacheKey = commit ? repoMapCacheKey(commit, { maxSourceFiles, maxSourceBytes: MAX_SOURCE_BYTES }) : undefined;
  const cached = options.cacheDir && cacheKey ? await readCachedRepoScan(options.cacheDir, cacheKey) : undefined;
  const listing = cached ? { paths: cached.paths, isGitListing: true } : await listRepoFiles(sandbox, options.signal);
  const scan = cached?.scan ?? emptySourceScan();

  const sources = scannableSources(listing.paths);
  const isScanned = (path: string) => scan.outcomes[path] !== undefined;
  const needsSearch = focus.length > 0 && listing.isGitListing && sources.some((path) => !isScanned(path));
  const definesFocus = needsSearch
    ? await findFocusDefinitions(sandbox, focus, { timeoutMs: Math.floor(timeLeft() * FOCUS_SEARCH_SHARE), ...(options.signal ? { signal: options.signal } : {}) })
    : new Set<string>();
  const chosen = rankSources(sources, focus, definesFocus).slice(0, maxSourceFiles);
  const scanned = await continueSourceScan(
    sandbox,
    chosen.filter((path) => !isScanned(path)),
    scan,
    { maxFileBytes: MAX_SOURCE_BYTES, isOutOfTime: () => timeLeft() <= budgetMs * AFTER_SCAN_SHARE, ...(options.signal ? { signal: options.signal } : {}) },
  );
  if (options.cacheDir && cacheKey && (!cached || scanned > 0)) {
    // The cache only saves time: a run goes on without it (a read-only or full disk).
    await writeCachedRepoScan(options.cacheDir, cacheKey, { paths: listing.paths, scan }).catch(() => {});
  }
  const index = indexSymbols(scan.files, { maxChars: options.maxSymbolChars ?? 12_000, focus });
  return {
    fileCount: listing.paths.length,
    tree: renderTree(listing.paths, {
      maxLines: options.maxTreeLines ?? 300,
      maxDepth: options.maxTreeDepth ?? 4,
      maxEntries: options.maxEntriesPerDirectory ?? 30,
    }),
    readme: await readReadme(sandbox, listing.paths, options.readmeLines ?? 60, options.readmeChars ?? 3_000),
    languages: countLanguages(listing.paths),
    testLayout: describeTestLayout(listing.paths),
    symbols: index.text,
    candidates: focus.length > 0 ? findSymbols(index, focus) : [],
    notes: describeScanGaps(sources, chosen, scan, budgetMs),
  };
}

/**
 * The commit of a workspace whose tree is exactly that commit (nothing changed, nothing
 * untracked), so a map of it can be cached by commit; undefined otherwise or outside git.
 */
async function cleanCommitOf(sandbox: Sandbox, signal: AbortSignal | undefined): Promise<string | undefined> {
  const result = await sandbox.exec({ command: "git rev-parse --verify HEAD && git status --porcelain --untracked-files=normal", cwd: sandbox.workdir, timeoutMs: 30_000 }, signal);
  const [commit, ...changes] = result.stdout.trim().split("\n");
  if (result.exitCode !== 0 || result.truncated || commit === undefined || !/^[0-9a-f]{40,64}$/.test(commit)) return undefined;
  return changes.length === 0 ? commit : undefined;
}

/** What the symbol index leaves out and why, in words for the planner; empty when it has every source file. */
function describeScanGaps(sources: string[], chosen: string[], scan: SourceScan, budgetMs: number): string[] {
  const notes: string[] = [];
  const unscanned = chosen.filter((path) => scan.outcomes[path] === undefined).length;
  if (unscanned > 0) {
    notes.push(
      `The map's time budget (${Math.round(budgetMs / 1000)} s) ran out: the definitions of ${unscanned} of ${chosen.length} source files are not indexed ` +
        "(the files that define the issue's terms and the project's own code were read first, tests last). Search the code for anything not listed.",
    );
  }
  if (sources.length > chosen.length) notes.push(`${sources.length - chosen.length} more source files are beyond the map's limit of ${chosen.length} files read and not indexed.`);
  const counts = { "too-big": 0, generated: 0, binary: 0 };
  for (const path of chosen) {
    const outcome = scan.outcomes[path];
    if (outcome === "too-big" || outcome === "generated" || outcome === "binary") counts[outcome] += 1;
  }
  const skipped = [
    counts["too-big"] > 0 ? `${counts["too-big"]} over ${MAX_SOURCE_BYTES / 1024} KB` : "",
    counts.generated > 0 ? `${counts.generated} generated` : "",
    counts.binary > 0 ? `${counts.binary} binary` : "",
  ].filter((part) => part !== "");
  if (skipped.length > 0) notes.push(`Source files not indexed: ${skipped.join(", ")}.`);
  return notes;
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
    ...map.notes.map((note) => `Note: ${note}`),
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

/** Repository files relative to the workspace root, sorted, without skipped directories; and whether git listed them. */
async function listRepoFiles(sandbox: Sandbox, signal: AbortSignal | undefined): Promise<{ paths: string[]; isGitListing: boolean }> {
  const fromGit = await sandbox.exec(
    { command: "git ls-files -z --cached --others --exclude-standard", cwd: sandbox.workdir, timeoutMs: 60_000, outputLimitBytes: 32 * 1024 * 1024 },
    signal,
  );
  const isGitListing = fromGit.exitCode === 0 && !fromGit.truncated && fromGit.stdout !== "";
  const paths = isGitListing
    ? [...new Set(fromGit.stdout.split("\0").filter((path) => path !== ""))]
    : (await sandbox.listDirectory(".", 12)).filter((entry) => entry.type !== "directory").map((entry) => entry.path);
  const kept = paths.filter((path) => {
    const directories = path.split("/").slice(0, -1);
    return !directories.some((segment) => SKIPPED_DIRECTORIES.has(segment) || (!isGitListing && BUILD_DIRECTORY.test(segment)));
  });
  return { paths: kept.sort(), isGitListing };
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
