/**
 * The function-level benchmarks AgentCoder reports: HumanEval (164 problems, openai/human-eval)
 * and MBPP (974 problems, google-research/mbpp), read from a file or URL the user gives, plain
 * JSON lines or gzip-compressed (human-eval ships HumanEval.jsonl.gz).
 */
import { createHash } from "node:crypto";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { UsageError } from "../src/index.js";

/** The benchmarks `agent bench` knows. */
export const FUNC_BENCHMARKS = ["humaneval", "mbpp"] as const;
export type FuncBenchmark = (typeof FUNC_BENCHMARKS)[number];

/** Where each benchmark's data is published (what `--dataset` defaults to when no file is given). */
export const PUBLISHED_DATA: Readonly<Record<FuncBenchmark, string>> = {
  humaneval: "https://github.com/openai/human-eval/raw/master/data/HumanEval.jsonl.gz",
  mbpp: "https://raw.githubusercontent.com/google-research/google-research/master/mbpp/mbpp.jsonl",
};

/** The file a benchmark's data has in a directory of datasets (FUNCBENCH_DATASETS). */
export const DATASET_FILE_NAMES: Readonly<Record<FuncBenchmark, string>> = { humaneval: "humaneval.jsonl", mbpp: "mbpp.jsonl" };

/** One problem, whichever benchmark it comes from. */
export interface FuncProblem {
  benchmark: FuncBenchmark;
  /** The id as the dataset gives it ("HumanEval/0"; MBPP's are numbers), written back unchanged in samples. */
  taskId: string | number;
  /** What the agents are shown: HumanEval's prompt (signature and docstring), MBPP's task text. */
  prompt: string;
  /** The function the hidden tests call. */
  entryPoint: string;
  /** The reference solution, in the form a sample's completion takes (HumanEval: the body after the prompt). */
  canonicalSolution: string;
  /** The hidden tests: HumanEval's `check(candidate)` module text, MBPP's asserts. Never shown to the agents. */
  hiddenTests: { kind: "humaneval"; test: string } | { kind: "mbpp"; setupCode: string; asserts: readonly string[] };
}

/** MBPP's conventional splits by task id (the README of google-research/mbpp). */
export const MBPP_SPLITS = {
  prompt: [1, 10],
  test: [11, 510],
  validation: [511, 600],
  train: [601, 974],
} as const;
export type MbppSplit = keyof typeof MBPP_SPLITS | "all";

/** The key a task id is looked up by (samples may give MBPP ids as numbers or strings). */
export function taskKey(taskId: string | number): string {
  return String(taskId);
}

/** Downloads a URL's bytes; throws a usage error that says what to do instead. */
async function download(source: string, fetchImpl: typeof fetch): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetchImpl(source, { redirect: "follow" });
  } catch (error) {
    throw new UsageError(`Could not download ${source}: ${(error as Error).message}. Download it yourself and pass the file with --dataset FILE.`, { cause: error });
  }
  if (!response.ok) throw new UsageError(`Downloading ${source} answered HTTP ${response.status}. Pass a local copy with --dataset FILE.`);
  return Buffer.from(await response.arrayBuffer());
}

/**
 * A URL's bytes: downloaded and kept in `cacheDir` (one file per URL), or, when the download
 * fails, the copy kept from an earlier one, with a warning.
 */
async function readUrl(source: string, options: LoadProblemsOptions): Promise<Buffer> {
  const fetchImpl = options.fetchImpl ?? fetch;
  if (!options.cacheDir) return download(source, fetchImpl);
  const cached = join(options.cacheDir, createHash("sha256").update(source).digest("hex").slice(0, 32));
  try {
    const bytes = await download(source, fetchImpl);
    await mkdir(options.cacheDir, { recursive: true });
    await writeFile(`${cached}.partial`, bytes);
    await rename(`${cached}.partial`, cached);
    return bytes;
  } catch (error) {
    const kept = await readFile(cached).catch(() => undefined);
    if (!kept) throw error;
    options.onWarning?.(`${(error as Error).message.split(". ")[0]}; using the copy downloaded earlier (${cached}).`);
    return kept;
  }
}

/** Reads a dataset's bytes from a path or an http(s) URL. */
async function readSource(source: string, options: LoadProblemsOptions): Promise<Buffer> {
  if (/^https?:\/\//i.test(source)) return readUrl(source, options);
  try {
    return await readFile(source);
  } catch (error) {
    throw new UsageError(`Cannot read the dataset ${source}: ${(error as Error).message}. Give a HumanEval or MBPP .jsonl (or .jsonl.gz) file or URL with --dataset.`, { cause: error });
  }
}

function asText(bytes: Buffer): string {
  // gzip's magic bytes, whatever the name says.
  return bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes).toString("utf8") : bytes.toString("utf8");
}

function requireString(record: Record<string, unknown>, field: string, where: string): string {
  const value = record[field];
  if (typeof value !== "string") throw new UsageError(`${where}: field "${field}" is missing or not text; is this the right benchmark's file?`);
  return value;
}

function humanEvalProblem(record: Record<string, unknown>, where: string): FuncProblem {
  return {
    benchmark: "humaneval",
    taskId: requireString(record, "task_id", where),
    prompt: requireString(record, "prompt", where),
    entryPoint: requireString(record, "entry_point", where),
    canonicalSolution: requireString(record, "canonical_solution", where),
    hiddenTests: { kind: "humaneval", test: requireString(record, "test", where) },
  };
}

/** Python built-ins MBPP's asserts wrap the call in (`assert int(lobb_num(5, 3)) == 35`). */
const WRAPPERS = new Set(["abs", "all", "any", "bool", "dict", "float", "frozenset", "int", "isinstance", "len", "list", "max", "min", "not", "round", "set", "sorted", "str", "sum", "tuple", "type"]);

/**
 * The name of the function MBPP's asserts call: the first call in an assert that is not a
 * built-in or a method, else the first call (a task may name its function `sum`).
 */
export function mbppEntryPoint(asserts: readonly string[]): string | undefined {
  let firstCall: string | undefined;
  for (const line of asserts) {
    for (const match of line.matchAll(/(?<![.\w])([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
      const name = match[1]!;
      if (name === "assert") continue;
      firstCall ??= name;
      if (!WRAPPERS.has(name)) return name;
    }
  }
  return firstCall;
}

function mbppProblem(record: Record<string, unknown>, where: string): FuncProblem {
  const taskId = record["task_id"];
  if (typeof taskId !== "number" && typeof taskId !== "string") throw new UsageError(`${where}: field "task_id" is missing; is this the right benchmark's file?`);
  const asserts = record["test_list"];
  if (!Array.isArray(asserts) || !asserts.every((line) => typeof line === "string")) throw new UsageError(`${where}: field "test_list" is not a list of asserts.`);
  const entryPoint = mbppEntryPoint(asserts);
  if (!entryPoint) throw new UsageError(`${where}: no function call found in its asserts.`);
  return {
    benchmark: "mbpp",
    taskId,
    prompt: requireString(record, "text", where),
    entryPoint,
    canonicalSolution: requireString(record, "code", where),
    hiddenTests: { kind: "mbpp", setupCode: typeof record["test_setup_code"] === "string" ? record["test_setup_code"] : "", asserts },
  };
}

/** Options of `loadProblems`. */
export interface LoadProblemsOptions {
  /** For URLs; the global fetch by default. */
  fetchImpl?: typeof fetch;
  /** Where downloaded datasets are kept, to be used when the next download fails; none by default. */
  cacheDir?: string;
  /** Told when a kept copy stands in for a failed download. */
  onWarning?: (message: string) => void;
}

/** Loads every problem of a benchmark's file or URL, in file order. */
export async function loadProblems(benchmark: FuncBenchmark, source: string, options: LoadProblemsOptions = {}): Promise<FuncProblem[]> {
  const text = asText(await readSource(source, options));
  const problems: FuncProblem[] = [];
  for (const [index, line] of text.split("\n").entries()) {
    if (!line.trim()) continue;
    const where = `${source} line ${index + 1}`;
    let record: unknown;
    try {
      record = JSON.parse(line);
    } catch (error) {
      throw new UsageError(`${where} is not JSON: ${(error as Error).message}`, { cause: error });
    }
    if (typeof record !== "object" || record === null) throw new UsageError(`${where} is not a JSON object.`);
    problems.push(benchmark === "humaneval" ? humanEvalProblem(record as Record<string, unknown>, where) : mbppProblem(record as Record<string, unknown>, where));
  }
  if (problems.length === 0) throw new UsageError(`${source} holds no problems.`);
  return problems;
}

/** MBPP's problems of one split (by task id); every problem for "all". */
export function mbppSplit(problems: readonly FuncProblem[], split: MbppSplit): FuncProblem[] {
  if (split === "all") return [...problems];
  const [first, last] = MBPP_SPLITS[split];
  return problems.filter((problem) => Number(problem.taskId) >= first && Number(problem.taskId) <= last);
}

/** The problems with these ids (in the dataset's order); an id that is not there is an error. */
export function selectProblems(problems: readonly FuncProblem[], ids: readonly string[]): FuncProblem[] {
  const wanted = new Set(ids.map((id) => id.trim()).filter(Boolean));
  const chosen = problems.filter((problem) => wanted.has(taskKey(problem.taskId)));
  const missing = [...wanted].filter((id) => !chosen.some((problem) => taskKey(problem.taskId) === id));
  if (missing.length > 0) throw new UsageError(`Not in the dataset: ${missing.join(", ")}. Task ids look like ${taskKey(problems[0]!.taskId)}.`);
  return chosen;
}
