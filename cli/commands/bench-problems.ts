/** What `agent bench eval` and `agent bench run` share: where the data comes from and which problems are chosen. */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { Option } from "commander";
import { DEFAULT_RECIPE_NAME, ensureImage, findRecipe, UsageError } from "../../src/index.js";
import { DATASET_FILE_NAMES, FUNC_BENCHMARKS, loadProblems, MBPP_SPLITS, mbppSplit, PUBLISHED_DATA, selectProblems, type FuncBenchmark, type FuncProblem, type MbppSplit } from "../../funcbench/dataset.js";
import { GraderPool } from "../../funcbench/grader.js";
import type { CliContext } from "../cli-context.js";
import { positiveNumber } from "../run-options.js";
import { connectDocker } from "./images-command.js";

/** The environment variable naming a directory with humaneval.jsonl and mbpp.jsonl. */
export const FUNCBENCH_DATASETS_ENV = "FUNCBENCH_DATASETS";

/** The options that choose the problems. */
export interface ProblemOptions {
  dataset?: string;
  split: MbppSplit;
  ids?: string;
  limit?: string;
}

/** Where a benchmark's data comes from: --dataset, else FUNCBENCH_DATASETS, else the published URL. */
export function datasetSource(context: CliContext, benchmark: FuncBenchmark, given: string | undefined): string {
  if (given) return /^https?:\/\//i.test(given) ? given : resolve(context.cwd, given);
  const dir = context.env[FUNCBENCH_DATASETS_ENV];
  if (dir && existsSync(join(dir, DATASET_FILE_NAMES[benchmark]))) return join(dir, DATASET_FILE_NAMES[benchmark]);
  return PUBLISHED_DATA[benchmark];
}

/** The problems a command works on: the split (MBPP), then --ids, then --limit. */
export function chooseProblems(benchmark: FuncBenchmark, problems: readonly FuncProblem[], options: { split: MbppSplit; ids?: string; limit?: string }): FuncProblem[] {
  let chosen = benchmark === "mbpp" ? mbppSplit(problems, options.split) : [...problems];
  if (options.ids) chosen = selectProblems(chosen, options.ids.split(/[\s,]+/));
  const limit = positiveNumber(options.limit, "--limit");
  return limit === undefined ? chosen : chosen.slice(0, Math.floor(limit));
}

export function parseBenchmark(value: string): FuncBenchmark {
  if ((FUNC_BENCHMARKS as readonly string[]).includes(value)) return value as FuncBenchmark;
  throw new UsageError(`Unknown benchmark "${value}": choose ${FUNC_BENCHMARKS.join(" or ")}.`);
}

/** Loads the benchmark's data (downloads are cached) and chooses the problems. */
export async function loadChosenProblems(context: CliContext, benchmark: FuncBenchmark, options: ProblemOptions): Promise<{ source: string; problems: FuncProblem[] }> {
  const source = datasetSource(context, benchmark, options.dataset);
  const cacheDir = join(context.env["XDG_CACHE_HOME"] || join(context.homeDir, ".cache"), "agent", "funcbench");
  const loaded = await loadProblems(benchmark, source, { cacheDir, onWarning: (message) => context.io.stderr.write(`warning: ${message}\n`) });
  return { source, problems: chooseProblems(benchmark, loaded, options) };
}

/** --dataset, --split, --ids and --limit. */
export function problemOptions(): Option[] {
  return [
    new Option("--dataset <file|url>", `the benchmark's data, .jsonl or .jsonl.gz, a file or URL (default: $${FUNCBENCH_DATASETS_ENV}/<benchmark>.jsonl, else the published file; a download is kept in ~/.cache/agent/funcbench and used when the next one fails)`),
    new Option("--split <name>", "MBPP's split (task ids 11-510 are test)").choices([...Object.keys(MBPP_SPLITS), "all"]).default("test"),
    new Option("--ids <ids>", "only these task ids (comma- or space-separated)"),
    new Option("--limit <n>", "only the first n problems of the selection"),
  ];
}

/** A grader pool on the default sandbox image (built when missing). */
export async function startGrader(context: CliContext, workers: number): Promise<GraderPool> {
  const docker = await connectDocker(context);
  const image = (await ensureImage(docker, findRecipe(DEFAULT_RECIPE_NAME), { onProgress: (line) => context.io.stderr.write(`[image] ${line}\n`), signal: context.signal })).tag;
  return GraderPool.start({ docker, image, workers });
}
