/**
 * bench/repo-map: how long the repository map (src/planner/repo-map.ts) takes before the
 * planner's first call, on a big repository: a cold map (empty cache; target <= 10 s, its time
 * budget), a second map that goes on from the cold one's cache, and warm maps of the cached
 * commit (median of 3; target <= 1 s). The baseline, measured in the same run, is the naive way:
 * read and parse every source file with the same extractor (symbolsOfFile via buildSymbolIndex),
 * no budget, no ranking, no cache. It prints the times, the ratios to the baseline, and what the
 * cold map covers against the full parse: source files indexed and the issue terms' definitions
 * found (candidates). The repository is a path (argument or REPO_MAP_BENCH_REPO), e.g. a sympy
 * clone; without one, a synthetic Python repository of sympy's size (1,633 source files, 794,000
 * lines, 40 MB; sympy has 1,603, 801,000 and 28 MB: a package of subpackages with tests, a
 * generated parser, an oversized file, vendored code) is generated from a fixed seed in a
 * temporary directory. Runs in a local sandbox
 * (no Docker). Exits 0 whether targets are met or not; 2 when the path is missing or git is not there.
 * Run: npm run build && node dist/bench/repo-map.js [path] [--focus Name,other_name] [--budget-ms N]
 */
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { buildRepoMap, DEFAULT_REPO_MAP_BUDGET_MS, type RepoMap } from "../src/planner/repo-map.js";
import { buildSymbolIndex, findSymbols, normaliseFocusTerms, type SourceFile } from "../src/planner/symbol-index.js";
import { createLocalSandbox } from "../src/sandbox/local-sandbox.js";
import type { Sandbox } from "../src/sandbox/sandbox.js";
import { loadTreeSitterParser, treeSitterGrammarFor } from "../src/tools/syntax-check.js";
import { seededRandom } from "./support/seeded-random.js";

const COLD_TARGET_MS = 10_000;
const WARM_TARGET_MS = 1_000;
const WARM_RUNS = 3;
const SEED = 20_261_202;

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The first argument that is not a flag or a flag's value. */
function positionalArgument(): string | undefined {
  const args = process.argv.slice(2);
  for (let index = 0; index < args.length; index += 1) {
    if (args[index]!.startsWith("--")) index += 1;
    else return args[index];
  }
  return undefined;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const milliseconds = (ms: number) => `${Math.round(ms).toLocaleString("en-US")} ms`;

/** A deterministic Python repository of sympy's size; returns its path and issue terms defined deep in it. */
async function generateRepository(root: string): Promise<string[]> {
  const random = seededRandom(SEED);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const words = ["expr", "poly", "matrix", "series", "limit", "solve", "simplify", "factor", "ring", "field", "domain", "basis", "term", "root", "sum", "product", "integral", "tensor", "vector", "set"];
  const identifier = () => `${pick(words)}_${pick(words)}_${Math.floor(random() * 1000)}`;
  const className = () => `${pick(words)[0]!.toUpperCase()}${pick(words).slice(1)}${pick(words)[0]!.toUpperCase()}${Math.floor(random() * 1000)}`;
  const statement = (indent: string): string =>
    pick([
      `${indent}${identifier()} = ${identifier()}(${identifier()}, ${Math.floor(random() * 100)})`,
      `${indent}if ${identifier()} is None:\n${indent}    return ${identifier()}`,
      `${indent}for ${identifier()} in range(${Math.floor(random() * 50)}):\n${indent}    ${identifier()}.append(${identifier()} * 2)`,
      `${indent}result = [${identifier()} for ${identifier()} in ${identifier()} if ${identifier()}]`,
      `${indent}"""${pick(words)} of the ${pick(words)}: see ${identifier()}."""`,
    ]);
  const functionText = (name: string, indent: string) =>
    [`${indent}def ${name}(self, ${identifier()}, ${identifier()}=None):`, ...Array.from({ length: 4 + Math.floor(random() * 16) }, () => statement(`${indent}    `)), `${indent}    return result`].join("\n");
  const moduleText = (size: number, definitions: string[]) => {
    const parts = ["from __future__ import annotations", "", `import ${pick(words)}`, ""];
    for (const name of definitions) parts.push(functionText(name, "").replace("(self, ", "("), "");
    while (parts.join("\n").length < size) {
      parts.push(`class ${className()}(object):`, `    """The ${pick(words)} of a ${pick(words)}."""`, "");
      const methods = 2 + Math.floor(random() * 8);
      for (let method = 0; method < methods; method += 1) parts.push(functionText(identifier(), "    "), "");
    }
    return `${parts.join("\n")}\n`;
  };
  const files = new Map<string, string>([
    ["README.md", "# symbolic\n\nA computer algebra system, generated for bench/repo-map.\n"],
    ["setup.py", "from setuptools import setup\n\nsetup(name='symbolic')\n"],
  ]);
  const packages = words.flatMap((outer) => [`${outer}s`, `${outer}_tools`, `${outer}_core`]).slice(0, 56);
  const focus = ["solve_deep_linear_system", "simplify_nested_radicals", "tensor_contract_indices"];
  for (const [packageIndex, name] of packages.entries()) {
    files.set(`symbolic/${name}/__init__.py`, `from .${name}_0 import *\n`);
    for (let module = 0; module < 15; module += 1) {
      // Most modules are 5-24 KB; one in twelve is a big one (80-200 KB), as sympy's core modules are.
      const size = random() < 1 / 12 ? 80_000 + random() * 120_000 : 5_000 + random() * 19_000;
      // The issue's definitions live in modules the path alone does not rank first (deep in the alphabet, not named after the terms).
      const defined = packageIndex === 50 && module === 13 ? focus : [];
      files.set(`symbolic/${name}/${name}_${module}.py`, moduleText(size, defined));
    }
    for (let test = 0; test < 13; test += 1) files.set(`symbolic/${name}/tests/test_${name}_${test}.py`, moduleText(6_000 + random() * 22_000, []).replaceAll("def ", "def test_"));
  }
  for (let index = 0; index < 6; index += 1) {
    files.set(`symbolic/parsing/_antlr/parser_${index}.py`, `# *** GENERATED BY \`setup.py antlr\`, DO NOT EDIT BY HAND ***\n${moduleText(60_000, [])}`);
  }
  files.set("symbolic/benchmarks/bench_solvers.py", moduleText(450_000, []));
  files.set("symbolic/vendor/mpmath_copy.py", moduleText(40_000, []));
  for (let index = 0; index < 30; index += 1) files.set(`doc/src/guide_${index}.md`, `# Guide ${index}\n\n${"Words about the guide. ".repeat(200)}\n`);
  for (const [path, content] of files) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=bench", "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false", ...args], { cwd: root, stdio: "ignore" });
  git("init", "--quiet", "--initial-branch=main");
  git("add", "--all");
  git("commit", "--quiet", "--message", "synthetic repository for bench/repo-map");
  return focus;
}

/** The naive map's symbol part: every parseable listed file read and parsed, no budget, no ranking, no cache. */
async function fullParse(sandbox: Sandbox, repository: string, focus: string[]): Promise<{ files: number; withDefinitions: number; candidates: number }> {
  const listed = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repository, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const paths = listed.split("\0").filter((path) => path !== "" && treeSitterGrammarFor(path) !== undefined);
  const sources: SourceFile[] = [];
  for (const path of paths) {
    const content = await sandbox.readFile(path).catch(() => undefined);
    if (content !== undefined) sources.push({ path, content: content.toString("utf8") });
  }
  const index = await buildSymbolIndex(sources, { maxChars: 12_000, focus });
  return { files: paths.length, withDefinitions: index.files.length, candidates: findSymbols(index, focus).length };
}

async function timed<T>(action: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await action();
  return { ms: performance.now() - started, value };
}

const given = positionalArgument() ?? process.env["REPO_MAP_BENCH_REPO"];
if (spawnSync("git", ["--version"]).status !== 0) {
  process.stderr.write("bench/repo-map: git is not installed; it needs git to list and cache the repository.\n");
  process.exit(2);
}
if (given !== undefined && !existsSync(given)) {
  process.stderr.write(`bench/repo-map: the repository path ${resolve(given)} does not exist (given as ${process.argv.includes(given) ? "an argument" : "REPO_MAP_BENCH_REPO"}); give a checkout, or no path for the synthetic repository.\n`);
  process.exit(2);
}
const scratch = await mkdtemp(join(tmpdir(), "bench-repo-map-"));
try {
  const repository = given !== undefined ? resolve(given) : join(scratch, "synthetic");
  let focus = normaliseFocusTerms((flag("--focus") ?? "").split(","));
  if (given === undefined) {
    await mkdir(repository);
    const generated = await generateRepository(repository);
    if (focus.length === 0) focus = generated;
  }
  const budgetMs = Number(flag("--budget-ms")) || DEFAULT_REPO_MAP_BUDGET_MS;
  const cacheDir = join(scratch, "cache");
  const sandbox = await createLocalSandbox({ hostWorkdir: repository, path: process.env["PATH"] ?? "/usr/bin:/bin" });
  try {
    // The grammars load once per process: loaded before any timing, so neither side pays for them.
    for (const grammar of ["python", "javascript", "typescript", "tsx", "go", "rust", "java", "ruby"]) await loadTreeSitterParser(grammar);
    const map = (): Promise<RepoMap> => buildRepoMap(sandbox, { focus, cacheDir, timeBudgetMs: budgetMs });
    const baseline = await timed(() => fullParse(sandbox, repository, focus));
    const cold = await timed(map);
    const budgetNote = (result: RepoMap) => result.notes.find((note) => note.includes("time budget"));
    // Each map goes on from the last one's cache until it holds every source file.
    const filling: number[] = [];
    let filled = cold.value;
    while (budgetNote(filled) !== undefined && filling.length < 20) {
      const next = await timed(map);
      filling.push(next.ms);
      filled = next.value;
    }
    const warm: number[] = [];
    let lastWarm: RepoMap | undefined;
    for (let run = 0; run < WARM_RUNS; run += 1) {
      const next = await timed(map);
      warm.push(next.ms);
      lastWarm = next.value;
    }
    const warmMs = median(warm);

    const out = (line: string) => process.stdout.write(`${line}\n`);
    const count = (value: number) => value.toLocaleString("en-US");
    out(`bench/repo-map: ${given !== undefined ? repository : `synthetic repository (seed ${SEED})`}: ${count(cold.value.fileCount)} files, ${count(baseline.value.files)} source files`);
    out(`  focus: ${focus.join(", ") || "(none)"}; time budget ${milliseconds(budgetMs)}; node ${process.version}; load average ${loadavg().map((load) => load.toFixed(1)).join(" ")}`);
    out(`${"baseline: full read and parse, no budget".padEnd(42)} ${milliseconds(baseline.ms).padStart(10)}   ${count(baseline.value.withDefinitions)} files with definitions, ${baseline.value.candidates} candidates`);
    const row = (label: string, ms: number, target?: number) =>
      `${label.padEnd(42)} ${milliseconds(ms).padStart(10)}   ratio ${(ms / baseline.ms).toFixed(3)} to the baseline${target === undefined ? "" : `   (target <= ${milliseconds(target)}) ${ms <= target ? "met" : "NOT met"}`}`;
    out(row("cold map (empty cache)", cold.ms, COLD_TARGET_MS));
    out(`  ${cold.value.candidates.length} of the baseline's ${baseline.value.candidates} candidates; ${budgetNote(cold.value) ?? "every source file scanned"}`);
    out(`maps that went on from the cache until it held every source file: ${filling.length} (${filling.map(milliseconds).join(", ") || "none needed"})${budgetNote(filled) ? "; still not complete after 20" : ""}`);
    out(row(`warm map (cached commit, median of ${WARM_RUNS})`, warmMs, WARM_TARGET_MS));
    out(`  ${filled.candidates.length} candidates; the map is the same as the last filling map: ${JSON.stringify(lastWarm) === JSON.stringify(filled) ? "yes" : "NO"}`);
    for (const note of filled.notes) out(`  note: ${note}`);
  } finally {
    await sandbox.dispose();
  }
} finally {
  await rm(scratch, { recursive: true, force: true });
}
