/**
 * bench/localisation: how well the code is found before any model looks. For each instance,
 * the share whose gold-patched files are all in the top 1 / 5 / 10 of the ranked files, and
 * the share of gold-patched functions in the top 10 functions, for the product's ranking
 * (src/localisation: issue evidence, definitions, BM25 over files and chunks, fused) against the
 * baseline measured in the same run: the repository map's symbol lookup of the issue's terms
 * (buildRepoMap's candidates, what the planner got before). No model is involved.
 *
 * Data: the synthetic SWE-bench repository (acme/calc) by default; with --dataset FILE (SWE-bench
 * JSONL) and --repos-dir DIR (one git repository per OWNER/NAME, e.g. full-history mirrors),
 * every instance of the dataset whose repository is there (--repos a,b narrows; --limit N).
 * Each instance is checked out at its base commit in a temporary clone (--shared: the mirror
 * is not written to). It prints which data it ran on, the figures, and the index build time.
 * Run: npm run build && node dist/bench/localisation.js [--dataset F --repos-dir D] [--repos owner/name,...] [--limit N]
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { buildCodeIndex, type CodeChunk, type CodeIndex } from "../src/localisation/code-retrieval.js";
import { rankLocations } from "../src/localisation/rank-locations.js";
import { readSourceDocuments } from "../src/localisation/read-sources.js";
import { extractIssueTerms } from "../src/planner/issue-terms.js";
import { buildRepoMap } from "../src/planner/repo-map.js";
import { isTestPath } from "../src/planner/symbol-index.js";
import { createLocalSandbox } from "../src/sandbox/local-sandbox.js";
import { loadInstances } from "../swebench/dataset.js";
import type { SweBenchInstance } from "../swebench/instance.js";
import { createSyntheticDataset } from "./support/synthetic-swebench.js";

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

/** The files a patch changes (its `diff --git` headers), tests left out. */
function patchedFiles(patch: string): string[] {
  return [...new Set([...patch.matchAll(/^diff --git a\/(\S+) b\//gm)].map((match) => match[1]!))].filter((path) => !isTestPath(path));
}

/** The base-side lines a patch changes, per file: removed lines, and the line before an insertion. */
function changedLines(patch: string): Map<string, number[]> {
  const lines = new Map<string, number[]>();
  let file = "";
  let old = 0;
  for (const text of patch.split("\n")) {
    const header = /^diff --git a\/(\S+) b\//.exec(text);
    if (header) {
      file = header[1]!;
      continue;
    }
    const hunk = /^@@ -(\d+)(?:,\d+)? \+/.exec(text);
    if (hunk) {
      old = Number(hunk[1]);
      continue;
    }
    if (old === 0 || text.startsWith("---") || text.startsWith("+++")) continue;
    const list = lines.get(file) ?? [];
    if (text.startsWith("-")) {
      list.push(old);
      old += 1;
    } else if (text.startsWith("+")) list.push(Math.max(1, old - 1));
    else old += 1;
    lines.set(file, list);
  }
  return lines;
}

/** The definitions (chunks other than module preambles) that hold a changed line. */
function patchedFunctions(patch: string, index: CodeIndex): CodeChunk[] {
  const found = new Map<string, CodeChunk>();
  for (const [file, lines] of changedLines(patch)) {
    if (isTestPath(file)) continue;
    for (const chunk of index.chunks) {
      if (chunk.path !== file || chunk.name === "(module)" || chunk.name.includes(":")) continue;
      if (lines.some((line) => chunk.startLine <= line && line <= chunk.endLine)) found.set(`${chunk.path}:${chunk.startLine}`, chunk);
    }
  }
  return [...found.values()];
}

interface Tally {
  instances: number;
  top1: number;
  top5: number;
  top10: number;
  nowhere: number;
  functions: number;
  functionsInTop10: number;
}

const emptyTally = (): Tally => ({ instances: 0, top1: 0, top5: 0, top10: 0, nowhere: 0, functions: 0, functionsInTop10: 0 });

function count(tally: Tally, ranked: readonly string[], gold: readonly string[], functionsFound: number, functionsTotal: number): void {
  const within = (k: number) => gold.every((file) => ranked.slice(0, k).includes(file));
  tally.instances += 1;
  if (within(1)) tally.top1 += 1;
  if (within(5)) tally.top5 += 1;
  if (within(10)) tally.top10 += 1;
  if (!gold.some((file) => ranked.includes(file))) tally.nowhere += 1;
  tally.functions += functionsTotal;
  tally.functionsInTop10 += functionsFound;
}

const percent = (part: number, whole: number) => (whole === 0 ? "—" : `${((100 * part) / whole).toFixed(0)}%`);

function row(name: string, tally: Tally): string {
  const n = tally.instances;
  return `| ${name} | ${percent(tally.top1, n)} | ${percent(tally.top5, n)} | ${percent(tally.top10, n)} | ${percent(tally.nowhere, n)} | ${percent(tally.functionsInTop10, tally.functions)} (${tally.functionsInTop10}/${tally.functions}) |`;
}

function checkout(reposDir: string, instance: SweBenchInstance, into: string): void {
  const source = join(reposDir, instance.repo);
  execFileSync("git", ["clone", "-q", "--shared", "--no-checkout", source, into], { stdio: "pipe" });
  execFileSync("git", ["-c", "advice.detachedHead=false", "checkout", "-q", instance.base_commit], { cwd: into, stdio: "pipe" });
}

async function main(): Promise<void> {
  const datasetPath = flag("--dataset");
  const limit = Number(flag("--limit") ?? Infinity);
  let instances: SweBenchInstance[];
  let reposDir: string;
  let data: string;
  if (datasetPath) {
    const given = flag("--repos-dir");
    if (!given || !existsSync(given)) {
      process.stderr.write(`--dataset needs --repos-dir with one git repository per OWNER/NAME (got ${given ?? "none"}); full-history mirrors of the repositories serve.\n`);
      process.exit(2);
    }
    reposDir = resolve(given);
    const repos = flag("--repos")?.split(",");
    instances = (await loadInstances(resolve(datasetPath))).filter((instance) => existsSync(join(reposDir, instance.repo)) && (!repos || repos.includes(instance.repo))).slice(0, limit);
    data = `${datasetPath}: ${instances.length} instance(s) of ${[...new Set(instances.map((instance) => instance.repo))].join(", ")} whose repository is in ${reposDir}`;
  } else {
    const synthetic = await createSyntheticDataset(1);
    instances = synthetic.instances;
    reposDir = synthetic.reposDir;
    data = "the synthetic SWE-bench repository acme/calc (1 instance); pass --dataset and --repos-dir for real ones";
  }
  process.stdout.write(`data: ${data}\n`);
  const baseline = emptyTally();
  const ranked = emptyTally();
  const buildTimes: Array<{ id: string; ms: number; files: number }> = [];
  for (const instance of instances) {
    const dir = await mkdtemp(join(tmpdir(), "bench-localisation-"));
    try {
      checkout(reposDir, instance, join(dir, "repo"));
      const sandbox = await createLocalSandbox({ hostWorkdir: join(dir, "repo"), path: process.env["PATH"] ?? "/usr/bin:/bin" });
      try {
        const task = { title: instance.problem_statement.split("\n")[0]!.slice(0, 120), body: instance.problem_statement };
        const gold = patchedFiles(instance.patch);
        const started = performance.now();
        const documents = (await readSourceDocuments(sandbox)) ?? [];
        const index = buildCodeIndex(documents);
        buildTimes.push({ id: instance.instance_id, ms: performance.now() - started, files: documents.length });
        const goldFunctions = patchedFunctions(instance.patch, index);
        const localisation = rankLocations(task, index, { maxFiles: 10, maxFunctions: 10 });
        const foundFunctions = goldFunctions.filter((chunk) => localisation.functions.some((fn) => fn.path === chunk.path && fn.line === chunk.startLine)).length;
        count(ranked, localisation.files.map((file) => file.path), gold, foundFunctions, goldFunctions.length);

        const map = await buildRepoMap(sandbox, { focus: extractIssueTerms(task) });
        const baselineFiles = [...new Set(map.candidates.map((candidate) => candidate.path))];
        const baselineFunctions = map.candidates.slice(0, 10);
        const lastPart = (name: string) => name.slice(name.lastIndexOf(".") + 1);
        const baselineFound = goldFunctions.filter((chunk) => baselineFunctions.some((candidate) => candidate.path === chunk.path && lastPart(candidate.name) === lastPart(chunk.name))).length;
        count(baseline, baselineFiles, gold, baselineFound, goldFunctions.length);
        const rank = localisation.files.findIndex((file) => gold.includes(file.path));
        const baseRank = baselineFiles.findIndex((file) => gold.includes(file));
        process.stderr.write(`${instance.instance_id}: gold ${gold.join(", ")}: ranked ${rank < 0 ? "not in top 10" : `#${rank + 1}`}, baseline ${baseRank < 0 ? "not found" : `#${baseRank + 1}`}\n`);
      } finally {
        await sandbox.dispose();
      }
    } catch (error) {
      process.stderr.write(`${instance.instance_id}: skipped: ${(error as Error).message.split("\n")[0]}\n`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const times = buildTimes.map((entry) => entry.ms).sort((a, b) => a - b);
  const slowest = [...buildTimes].sort((a, b) => b.ms - a.ms)[0];
  process.stdout.write(
    [
      "",
      "| ranking | gold files in top 1 | top 5 | top 10 | gold file nowhere in the list | gold functions in top 10 |",
      "|---|---|---|---|---|---|",
      row("baseline: the repository map's symbol lookup", baseline),
      row("localisation (evidence + definitions + BM25, fused)", ranked),
      "",
      `top 5 ratio to the baseline: ${baseline.top5 === 0 ? "—" : (ranked.top5 / baseline.top5).toFixed(2)} (target: top 5 ≥ 80% and top 10 ≥ 90% of real instances)`,
      `index build (read the sources, BM25 over files and chunks): median ${Math.round(times[Math.floor(times.length / 2)] ?? 0)} ms, slowest ${Math.round(slowest?.ms ?? 0)} ms (${slowest?.id ?? "—"}, ${slowest?.files ?? 0} files; target < 2,000 ms on sympy)`,
      "",
    ].join("\n"),
  );
}

await main();
