import { readFile, stat } from "node:fs/promises";
import { extname, resolve } from "node:path";
import { asyncBufferFromFile, parquetReadObjects } from "hyparquet";
import { ConfigError, UsageError } from "../src/index.js";
import { fetchHubDatasetSplit, parseHubDatasetReference, type HubDatasetReference } from "./hub-dataset.js";
import type { Prediction, SweBenchInstance } from "./instance.js";

/** The dataset names `loadInstances` accepts, and the file each names inside the datasets directory. */
export const DATASET_FILES = {
  lite: "swe-bench-lite.test.jsonl",
  "lite-dev": "swe-bench-lite.dev.jsonl",
  verified: "swe-bench-verified.test.jsonl",
} as const;

/** A dataset name that resolves to a file in the datasets directory. */
export type DatasetName = keyof typeof DATASET_FILES;

/** The environment variable naming the directory that holds the files of DATASET_FILES. */
export const DATASETS_ENV_VAR = "SWEBENCH_DATASETS";

/** Where named datasets are found: an explicit directory wins over the caller's environment. */
export interface DatasetLocation {
  datasetsDir?: string;
  /** The environment passed in by the caller (never read from process.env here); HF_ENDPOINT and HF_TOKEN reach the hub. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Where datasets from the Hugging Face hub (`owner/name[:split]`) are cached; loading one needs it. */
  hubCacheDir?: string;
  /** Progress and warnings of loading a hub dataset, one line each (a download, the cache standing in for the hub). */
  onProgress?: (line: string) => void;
}

/** The 12 standard string fields, in the order of the official files. FAIL_TO_PASS/PASS_TO_PASS are checked apart. */
const STRING_FIELDS = [
  "repo",
  "instance_id",
  "base_commit",
  "patch",
  "test_patch",
  "problem_statement",
  "hints_text",
  "created_at",
  "version",
] as const;
const TEST_LIST_FIELDS = ["FAIL_TO_PASS", "PASS_TO_PASS"] as const;
const LAST_STRING_FIELD = "environment_setup_commit";

const CONVERT_PARQUET_HINT =
  "Convert it to JSON Lines with: python -c \"import pandas; pandas.read_parquet('IN.parquet').to_json('OUT.jsonl', orient='records', lines=True)\" and pass the .jsonl file.";

/** True when `name` is one of the dataset names of DATASET_FILES. */
export function isDatasetName(name: string): name is DatasetName {
  return Object.hasOwn(DATASET_FILES, name);
}

/** The file a dataset name or path stands for: names resolve inside the datasets directory, anything else is a path. */
export function resolveDatasetPath(nameOrPath: string, location: DatasetLocation = {}): string {
  if (!isDatasetName(nameOrPath)) return resolve(nameOrPath);
  const directory = location.datasetsDir ?? location.env?.[DATASETS_ENV_VAR];
  if (directory === undefined || directory === "") {
    throw new ConfigError(
      `The dataset name "${nameOrPath}" needs the directory that holds ${DATASET_FILES[nameOrPath]}: set ${DATASETS_ENV_VAR} to it, pass a datasets directory, or give the file's path instead.`,
    );
  }
  return resolve(directory, DATASET_FILES[nameOrPath]);
}

/**
 * Loads and validates SWE-bench instances from a .json (array), .jsonl or .parquet file, from a
 * dataset name ("lite", "lite-dev", "verified") resolved in the datasets directory, or from a Hugging
 * Face hub dataset `owner/name[:split]` (split "test" by default; see hub-dataset.ts). Rows keep their
 * file order; extra columns are kept. A malformed row throws a UsageError naming the file, line and field.
 */
export async function loadInstances(nameOrPath: string, location: DatasetLocation = {}): Promise<SweBenchInstance[]> {
  const hubReference = parseHubDatasetReference(nameOrPath);
  const { rows, source } = hubReference !== undefined ? await readHubRows(hubReference, location) : await readFileRows(nameOrPath, location);
  if (rows.length === 0) throw new UsageError(`${source} holds no instances; check that it is the dataset you meant.`);
  const firstSeen = new Map<string, string>();
  return rows.map(({ value, where }) => {
    const instance = validateInstance(value, where);
    const earlier = firstSeen.get(instance.instance_id);
    if (earlier !== undefined) {
      throw new UsageError(`${where}: instance_id ${instance.instance_id} appears twice (first at ${earlier}); remove one of the rows.`);
    }
    firstSeen.set(instance.instance_id, where);
    return instance;
  });
}

/** How `filterInstances` narrows a dataset; the filters apply in this order, the slice last. */
export interface InstanceFilter {
  /** Keep only these instance ids; an id that is not in the dataset is an error. */
  ids?: readonly string[];
  /** Keep only these repositories, as "owner/name" or just "name". */
  repos?: readonly string[];
  /** A regular expression searched for in instance_id. */
  pattern?: string;
  /** A Python-style slice of what is left: "10:20", ":5", "5" (= the first 5), "-3:", "::2". */
  slice?: string;
}

/** Narrows instances by ids, repositories, an id pattern and a slice, keeping the dataset's order. */
export function filterInstances<T extends Pick<SweBenchInstance, "instance_id" | "repo">>(instances: readonly T[], filter: InstanceFilter = {}): T[] {
  let kept = [...instances];
  if (filter.ids !== undefined && filter.ids.length > 0) {
    const wanted = new Set(filter.ids);
    const known = new Set(kept.map((instance) => instance.instance_id));
    const missing = [...wanted].filter((id) => !known.has(id));
    if (missing.length > 0) {
      throw new UsageError(`Instance ids not in the dataset: ${missing.join(", ")}. Check the spelling, or pick the dataset that holds them.`);
    }
    kept = kept.filter((instance) => wanted.has(instance.instance_id));
  }
  if (filter.repos !== undefined && filter.repos.length > 0) {
    const repos = filter.repos;
    const matchesRepo = (instance: T, repo: string): boolean => instance.repo === repo || instance.repo.split("/").pop() === repo;
    const unmatched = repos.filter((repo) => !kept.some((instance) => matchesRepo(instance, repo)));
    if (unmatched.length > 0) {
      const available = [...new Set(instances.map((instance) => instance.repo))].sort().join(", ");
      throw new UsageError(`No instance of repository ${unmatched.join(", ")} is left to filter; the dataset has: ${available}.`);
    }
    kept = kept.filter((instance) => repos.some((repo) => matchesRepo(instance, repo)));
  }
  if (filter.pattern !== undefined && filter.pattern !== "") {
    let pattern: RegExp;
    try {
      pattern = new RegExp(filter.pattern);
    } catch (error) {
      throw new UsageError(`The instance pattern ${JSON.stringify(filter.pattern)} is not a valid regular expression: ${(error as Error).message}`, { cause: error });
    }
    kept = kept.filter((instance) => pattern.test(instance.instance_id));
  }
  if (filter.slice !== undefined && filter.slice !== "") kept = applySlice(kept, filter.slice);
  return kept;
}

/** Applies a Python-style slice spec ("a:b", "a:b:c", ":b", "a:", or "n" meaning ":n") to a list. */
export function applySlice<T>(items: readonly T[], spec: string): T[] {
  const parts = spec.split(":");
  if (parts.length > 3 || parts.some((part) => part.trim() !== "" && !/^[+-]?\d+$/.test(part.trim()))) {
    throw new UsageError(`The slice ${JSON.stringify(spec)} is not a Python-style slice; use forms like 10:20, :5, 5 (the first 5), -3: or ::2.`);
  }
  const numbers = parts.map((part) => (part.trim() === "" ? undefined : Number.parseInt(part.trim(), 10)));
  const [first, second, third] = numbers;
  const [start, stop, step] = parts.length === 1 ? [undefined, first, undefined] : [first, second, third];
  const stride = step ?? 1;
  if (stride === 0) throw new UsageError(`The slice ${JSON.stringify(spec)} has a step of 0; use a non-zero step.`);
  const length = items.length;
  const clamp = (value: number, low: number, high: number): number => Math.min(Math.max(value, low), high);
  const normalise = (value: number | undefined, fallback: number, low: number, high: number): number =>
    value === undefined ? fallback : clamp(value < 0 ? value + length : value, low, high);
  const result: T[] = [];
  if (stride > 0) {
    const from = normalise(start, 0, 0, length);
    const to = normalise(stop, length, 0, length);
    for (let index = from; index < to; index += stride) result.push(items[index] as T);
  } else {
    const from = normalise(start, length - 1, -1, length - 1);
    const to = normalise(stop, -1, -1, length - 1);
    for (let index = from; index > to; index += stride) result.push(items[index] as T);
  }
  return result;
}

/**
 * Loads predictions from a .json file (an array, or an object keyed by instance id) or a .jsonl file
 * of {instance_id, model_name_or_path, model_patch}. model_patch may be null. An instance id that
 * appears twice is an error naming it.
 */
export async function loadPredictions(path: string): Promise<Prediction[]> {
  const absolute = resolve(path);
  const extension = extname(absolute).toLowerCase();
  if (extension !== ".json" && extension !== ".jsonl") {
    throw new UsageError(`${absolute}: predictions must be a .json or .jsonl file of {instance_id, model_name_or_path, model_patch}.`);
  }
  await requireFile(absolute, "the predictions file");
  const rows = await readRows(absolute, "predictions");
  const firstSeen = new Map<string, string>();
  return rows.map(({ value, where, key }) => {
    const prediction = validatePrediction(value, where, key);
    const earlier = firstSeen.get(prediction.instance_id);
    if (earlier !== undefined) {
      throw new UsageError(`${where}: a second prediction for ${prediction.instance_id} (the first is at ${earlier}); keep one prediction per instance.`);
    }
    firstSeen.set(prediction.instance_id, where);
    return prediction;
  });
}

/** The reference patches as predictions, as the official harness's "gold" predictions path does. */
export function goldPredictions(instances: readonly Pick<SweBenchInstance, "instance_id" | "patch">[], modelName = "gold"): Prediction[] {
  return instances.map((instance) => ({ instance_id: instance.instance_id, model_name_or_path: modelName, model_patch: instance.patch }));
}

async function readFileRows(nameOrPath: string, location: DatasetLocation): Promise<{ rows: Row[]; source: string }> {
  const path = resolveDatasetPath(nameOrPath, location);
  await requireFile(path, isDatasetName(nameOrPath) ? `the "${nameOrPath}" dataset` : "the dataset");
  return { rows: await readRows(path, "instances"), source: path };
}

async function readHubRows(reference: HubDatasetReference, location: DatasetLocation): Promise<{ rows: Row[]; source: string }> {
  if (location.hubCacheDir === undefined) {
    throw new ConfigError(`Loading ${reference.repoId} from the Hugging Face hub needs a cache directory to download it into; pass hubCacheDir.`);
  }
  const files = await fetchHubDatasetSplit(reference, {
    cacheDir: location.hubCacheDir,
    ...(location.env ? { env: location.env } : {}),
    ...(location.onProgress ? { onProgress: location.onProgress } : {}),
  });
  const rows: Row[] = [];
  for (const file of files) rows.push(...(await readParquetRows(file)));
  return { rows, source: `${reference.repoId} (split ${reference.split})` };
}

interface Row {
  value: unknown;
  /** "file:line N" (JSONL), "file: element N" (JSON array), "file: key K" (JSON object) or "file: row N" (parquet). */
  where: string;
  /** The object key a row came from, for JSON objects keyed by instance id. */
  key?: string;
}

async function requireFile(path: string, what: string): Promise<void> {
  const info = await stat(path).catch(() => undefined);
  if (info === undefined) throw new UsageError(`Cannot find ${what} at ${path}; check the path (or the datasets directory).`);
  if (!info.isFile()) throw new UsageError(`${path} is not a file; ${what} must be a .json, .jsonl${what.includes("predictions") ? "" : " or .parquet"} file.`);
}

async function readRows(path: string, what: "instances" | "predictions"): Promise<Row[]> {
  const extension = extname(path).toLowerCase();
  if (extension === ".parquet") {
    if (what === "predictions") throw new UsageError(`${path}: predictions must be .json or .jsonl.`);
    return readParquetRows(path);
  }
  const text = await readFile(path, "utf8");
  if (extension === ".jsonl") return readJsonLines(path, text);
  if (extension === ".json") return readJsonDocument(path, text, what);
  throw new UsageError(
    `${path}: unknown file type "${extension}"; give a .json (array), .jsonl or .parquet file, a dataset name (lite, lite-dev, verified), or a Hugging Face dataset as owner/name[:split].`,
  );
}

function readJsonLines(path: string, text: string): Row[] {
  const rows: Row[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    const where = `${path}:${index + 1}`;
    try {
      rows.push({ value: JSON.parse(line), where });
    } catch (error) {
      throw new UsageError(`${where}: not valid JSON (${(error as Error).message}); each line must hold one JSON object.`, { cause: error });
    }
  });
  return rows;
}

function readJsonDocument(path: string, text: string, what: "instances" | "predictions"): Row[] {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${(error as Error).message}). A file of one object per line must be named .jsonl.`, { cause: error });
  }
  if (Array.isArray(document)) return document.map((value: unknown, index) => ({ value, where: `${path}: element ${index}` }));
  if (what === "predictions" && isPlainObject(document)) {
    return Object.entries(document).map(([key, value]) => ({ value, where: `${path}: key ${JSON.stringify(key)}`, key }));
  }
  const expected = what === "predictions" ? "an array of predictions or an object keyed by instance id" : "an array of instances";
  throw new UsageError(`${path}: expected ${expected}, found ${describeType(document)}.`);
}

async function readParquetRows(path: string): Promise<Row[]> {
  let records: Record<string, unknown>[];
  try {
    records = await parquetReadObjects({ file: await asyncBufferFromFile(path) });
  } catch (error) {
    throw new UsageError(`${path}: cannot read this parquet file (${(error as Error).message}). ${CONVERT_PARQUET_HINT}`, { cause: error });
  }
  return records.map((record, index) => ({ value: normaliseParquetRecord(record), where: `${path}: row ${index}` }));
}

/**
 * Parquet readers give timestamps as Dates and 64-bit integers as BigInts, in any column and nested in
 * lists and structs (extra columns of other datasets); instances must stay plain JSON, so Dates become
 * ISO strings and BigInts numbers (strings when too large to be exact).
 */
function normaliseParquetRecord(record: Record<string, unknown>): Record<string, unknown> {
  return normaliseParquetValue(record) as Record<string, unknown>;
}

function normaliseParquetValue(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "bigint") return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (Array.isArray(value)) return value.map(normaliseParquetValue);
  const isStruct = typeof value === "object" && value !== null && [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null);
  if (isStruct) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normaliseParquetValue(item)]));
  return value;
}

function validateInstance(value: unknown, where: string): SweBenchInstance {
  if (!isPlainObject(value)) throw new UsageError(`${where}: expected a JSON object for an instance, found ${describeType(value)}.`);
  const id = typeof value["instance_id"] === "string" ? ` (${value["instance_id"]})` : "";
  const fail = (field: string, problem: string): never => {
    throw new UsageError(`${where}${id}: field "${field}" ${problem}; every instance needs the 12 standard SWE-bench fields.`);
  };
  for (const field of [...STRING_FIELDS, LAST_STRING_FIELD]) {
    if (!(field in value)) fail(field, "is missing");
    if (typeof value[field] !== "string") fail(field, `must be a string, found ${describeType(value[field])}`);
  }
  if (value["instance_id"] === "") fail("instance_id", "is empty");
  for (const field of TEST_LIST_FIELDS) {
    if (!(field in value)) fail(field, "is missing");
    const problem = testListProblem(value[field]);
    if (problem !== undefined) fail(field, problem);
  }
  if ("difficulty" in value && value["difficulty"] !== undefined && value["difficulty"] !== null && typeof value["difficulty"] !== "string") {
    fail("difficulty", `must be a string when present, found ${describeType(value["difficulty"])}`);
  }
  return value as unknown as SweBenchInstance;
}

/** Why a FAIL_TO_PASS/PASS_TO_PASS value is not a list of test names (JSON-encoded string or array), or undefined. */
function testListProblem(value: unknown): string | undefined {
  let list: unknown = value;
  if (typeof value === "string") {
    try {
      list = JSON.parse(value);
    } catch {
      return `must be a JSON-encoded array of test names, found the string ${JSON.stringify(value.slice(0, 60))}`;
    }
  }
  if (!Array.isArray(list)) return `must be an array of test names or a JSON string of one, found ${describeType(list)}`;
  const bad = list.findIndex((name) => typeof name !== "string");
  if (bad >= 0) return `must list test names as strings, but entry ${bad} is ${describeType(list[bad])}`;
  return undefined;
}

function validatePrediction(value: unknown, where: string, key: string | undefined): Prediction {
  if (!isPlainObject(value)) throw new UsageError(`${where}: expected a prediction object {instance_id, model_name_or_path, model_patch}, found ${describeType(value)}.`);
  const fail = (field: string, problem: string): never => {
    throw new UsageError(`${where}: field "${field}" ${problem}; a prediction is {instance_id, model_name_or_path, model_patch}.`);
  };
  const instanceId = value["instance_id"] ?? key;
  if (instanceId === undefined) fail("instance_id", "is missing");
  if (typeof instanceId !== "string" || instanceId === "") fail("instance_id", `must be a non-empty string, found ${describeType(instanceId)}`);
  if (key !== undefined && instanceId !== key) fail("instance_id", `is ${JSON.stringify(instanceId)} but the prediction is filed under the key ${JSON.stringify(key)}`);
  if (!("model_name_or_path" in value)) fail("model_name_or_path", "is missing");
  if (typeof value["model_name_or_path"] !== "string") fail("model_name_or_path", `must be a string, found ${describeType(value["model_name_or_path"])}`);
  if (!("model_patch" in value)) fail("model_patch", "is missing (use null for no patch)");
  const patch = value["model_patch"];
  if (patch !== null && typeof patch !== "string") fail("model_patch", `must be a string or null, found ${describeType(patch)}`);
  return { ...value, instance_id: instanceId as string, model_name_or_path: value["model_name_or_path"] as string, model_patch: patch as string | null };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value} (${JSON.stringify(value)?.slice(0, 40)})`;
}

