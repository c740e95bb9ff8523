import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { ConfigError, UsageError } from "../src/index.js";

/**
 * SWE-bench datasets from the Hugging Face hub (`owner/name[:split]`). The split's parquet files are
 * the repository's own, at the commit `main` points to: files named `<split>-NNNNN-of-NNNNN.parquet`
 * (what `push_to_hub` writes, as in every official SWE-bench dataset: `data/test-00000-of-00001.parquet`),
 * `<split>.parquet`, or in a directory named `<split>`. Only a repository without any parquet file
 * (JSON Lines, say) is read from the hub's own parquet conversion of its default config. Files are
 * listed with `GET /api/datasets/{repo}/tree/{commit}?recursive=true` and downloaded from
 * `/datasets/{repo}/resolve/{commit}/{path}`, whose redirect to a CDN is followed without the token.
 */

/** The hub used when HF_ENDPOINT is not set. */
export const DEFAULT_HF_ENDPOINT = "https://huggingface.co";

/** The split loaded when the reference names none. */
export const DEFAULT_HUB_SPLIT = "test";

/** A dataset on the hub and one of its splits, as `owner/name[:split]` names them. */
export interface HubDatasetReference {
  /** "owner/name", as in https://huggingface.co/datasets/owner/name. */
  repoId: string;
  split: string;
}

/** How `fetchHubDatasetSplit` reaches the hub and where it keeps what it downloads. */
export interface HubDatasetOptions {
  /** The cache's root: a split is kept in `<cacheDir>/<owner>/<name>/<commit>/`. */
  cacheDir: string;
  /** The caller's environment, for HF_ENDPOINT and HF_TOKEN (never read from process.env here). */
  env?: Readonly<Record<string, string | undefined>>;
  /** One line per download, and a warning when the cache stands in for an unreachable hub. */
  onProgress?: (line: string) => void;
}

const HUB_REFERENCE = /^(\w[\w.-]*)\/(\w[\w.-]*)(?::(\w[\w.-]*))?$/;
/** A commit id as the hub gives it; it names a cache directory, so nothing else is accepted. */
const COMMIT_SHA = /^[0-9a-f]{40,64}$/;
/** A config name of the hub's conversion; it names a cache directory too. */
const CONFIG_NAME = /^\w[\w.-]*$/;
const DATASET_FILE_EXTENSION = /\.(json|jsonl|parquet)$/i;
const API_TIMEOUT_MS = 30_000;
const DOWNLOAD_TIMEOUT_MS = 600_000;
const MAX_REDIRECTS = 5;
/** The directory, next to the commit's own paths, of files taken from the hub's parquet conversion. */
const CONVERSION_DIR = "hub-parquet-conversion";

/**
 * Reads `owner/name` or `owner/name:split` (split "test" by default) as a hub dataset; anything else,
 * and anything ending in .json, .jsonl or .parquet, is not one (it is a file path).
 */
export function parseHubDatasetReference(text: string): HubDatasetReference | undefined {
  const match = HUB_REFERENCE.exec(text);
  if (match === null || DATASET_FILE_EXTENSION.test(text)) return undefined;
  return { repoId: `${match[1]}/${match[2]}`, split: match[3] ?? DEFAULT_HUB_SPLIT };
}

/**
 * The local parquet files of a hub dataset's split, in the repository's order: taken from the cache
 * when `main` still points to the cached commit, downloaded otherwise (each file written to a temporary
 * name and renamed, the split's manifest last). When the hub cannot be reached the newest cached copy
 * is used, with a warning; without one the error says what to do. Refusals (401/403) and unknown
 * datasets or splits (404) are errors whatever the cache holds.
 */
export async function fetchHubDatasetSplit(reference: HubDatasetReference, options: HubDatasetOptions): Promise<string[]> {
  const hub = hubConnection(options.env ?? {});
  const datasetDir = join(options.cacheDir, ...reference.repoId.split("/"));
  try {
    const commit = await resolveMainCommit(hub, reference.repoId);
    const cached = await readCachedSplit(join(datasetDir, commit), reference.split);
    if (cached !== undefined) return cached.files;
    return await downloadSplit(hub, reference, commit, join(datasetDir, commit), options.onProgress);
  } catch (error) {
    if (!(error instanceof HubUnreachableError)) throw error;
    const newest = await newestCachedSplit(datasetDir, reference.split);
    const what = `${reference.repoId} (split ${reference.split})`;
    if (newest === undefined) {
      throw new ConfigError(
        `Cannot reach the Hugging Face hub at ${hub.endpoint} (${error.message}), and ${what} is not in the cache (${datasetDir}). ` +
          `Check the network, or set HF_ENDPOINT to a hub or mirror you can reach; or download the split's parquet file from ${hub.endpoint}/datasets/${reference.repoId} and give its path as the dataset.`,
        { cause: error, code: "hub-unreachable" },
      );
    }
    options.onProgress?.(
      `cannot reach the Hugging Face hub at ${hub.endpoint} (${error.message}); using the cached ${what} of commit ${newest.commit.slice(0, 12)}, downloaded ${newest.downloadedAt}`,
    );
    return newest.files;
  }
}

interface HubConnection {
  /** HF_ENDPOINT without a trailing slash. */
  endpoint: string;
  origin: string;
  token: string | undefined;
}

/** The hub gave no usable answer (network, timeout, 5xx, 429, a download that broke off): the cache may stand in for it. */
class HubUnreachableError extends Error {}

function hubConnection(env: Readonly<Record<string, string | undefined>>): HubConnection {
  const endpoint = (env["HF_ENDPOINT"] || DEFAULT_HF_ENDPOINT).replace(/\/+$/, "");
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch (error) {
    throw new ConfigError(`HF_ENDPOINT is not a URL: ${JSON.stringify(endpoint)}; set it to the hub's address, like ${DEFAULT_HF_ENDPOINT}, or unset it.`, { cause: error });
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new ConfigError(`HF_ENDPOINT must be an http(s) URL, not ${JSON.stringify(endpoint)}; set it to the hub's address, like ${DEFAULT_HF_ENDPOINT}, or unset it.`);
  }
  return { endpoint, origin: url.origin, token: env["HF_TOKEN"] || undefined };
}

/** The commit `main` points to: `GET /api/datasets/{repo}/revision/main` → `{ sha, ... }`. */
async function resolveMainCommit(hub: HubConnection, repoId: string): Promise<string> {
  const response = await hubGet(hub, `${hub.endpoint}/api/datasets/${repoId}/revision/main`, API_TIMEOUT_MS);
  if (response.status === 404) {
    throw new UsageError(
      `The dataset ${repoId} is not on the Hugging Face hub at ${hub.endpoint} (HTTP 404${await hubMessage(response, hub)}); check its owner/name, as in ${hub.endpoint}/datasets/${repoId}.`,
    );
  }
  await requireSuccess(response, hub, repoId);
  const info = (await readJson(response, "the dataset's information")) as { sha?: unknown };
  if (typeof info.sha !== "string" || !COMMIT_SHA.test(info.sha)) throw new HubUnreachableError("the dataset's information has no commit sha");
  return info.sha;
}

/** A file as `GET /api/datasets/{repo}/tree/{revision}` lists it. */
interface TreeEntry {
  type: "file" | "directory";
  path: string;
  size?: number;
  oid?: string;
  lfs?: { oid: string; size: number; pointerSize?: number };
}

/** A file of the split: where it comes from and where it goes, relative to the commit's cache directory. */
interface SplitSource {
  url: string;
  localPath: string;
  size: number | undefined;
}

/** What a cached split's manifest (`<commit>/<split>.json`, written after its files) records. */
interface SplitManifest {
  repoId: string;
  split: string;
  commit: string;
  downloadedAt: string;
  files: string[];
}

async function downloadSplit(
  hub: HubConnection,
  reference: HubDatasetReference,
  commit: string,
  commitDir: string,
  onProgress: ((line: string) => void) | undefined,
): Promise<string[]> {
  const entries = await listRepositoryFiles(hub, reference.repoId, commit);
  const parquetFiles = entries.filter((entry) => entry.type === "file" && entry.path.endsWith(".parquet"));
  const sources = parquetFiles.length > 0 ? splitFilesOfRepository(hub, reference, commit, parquetFiles) : await splitFilesOfConversion(hub, reference);
  const sizes = sources.map((source) => source.size);
  const total = sizes.every((size) => size !== undefined) ? `, ${formatBytes(sizes.reduce<number>((sum, size) => sum + (size ?? 0), 0))}` : "";
  onProgress?.(`downloading ${reference.repoId} (split ${reference.split}, commit ${commit.slice(0, 12)}): ${sources.length} parquet file(s)${total} from ${hub.endpoint}`);
  for (const source of sources) await downloadFile(hub, reference.repoId, source, join(commitDir, source.localPath));
  const manifest: SplitManifest = { ...reference, commit, downloadedAt: new Date().toISOString(), files: sources.map((source) => source.localPath) };
  await writeFileAtomically(join(commitDir, `${reference.split}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest.files.map((file) => join(commitDir, file));
}

/** Every entry of the repository at `commit`, following the `Link: <...>; rel="next"` pages. */
async function listRepositoryFiles(hub: HubConnection, repoId: string, commit: string): Promise<TreeEntry[]> {
  const entries: TreeEntry[] = [];
  let url: string | undefined = `${hub.endpoint}/api/datasets/${repoId}/tree/${commit}?recursive=true`;
  while (url !== undefined) {
    const response = await hubGet(hub, url, API_TIMEOUT_MS);
    await requireSuccess(response, hub, repoId);
    const page = await readJson(response, "the dataset's file list");
    if (!Array.isArray(page)) throw new HubUnreachableError("the dataset's file list is not a JSON array");
    entries.push(...(page as TreeEntry[]));
    const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1];
    url = next === undefined ? undefined : new URL(next, url).href;
  }
  return entries;
}

function splitFilesOfRepository(hub: HubConnection, reference: HubDatasetReference, commit: string, parquetFiles: readonly TreeEntry[]): SplitSource[] {
  const chosen = parquetFiles.filter((entry) => splitOfFile(entry.path) === reference.split).sort((a, b) => (a.path < b.path ? -1 : 1));
  if (chosen.length === 0) {
    const splits = [...new Set(parquetFiles.map((entry) => splitOfFile(entry.path)).filter((split) => split !== undefined))].sort();
    throw splitNotFound(reference, splits);
  }
  return chosen.map((entry) => {
    const segments = entry.path.split("/");
    if (segments.some((segment) => segment === "" || segment === "." || segment === "..")) {
      throw new HubUnreachableError(`the file list names an unsafe path ${JSON.stringify(entry.path)}`);
    }
    return {
      url: `${hub.endpoint}/datasets/${reference.repoId}/resolve/${commit}/${segments.map(encodeURIComponent).join("/")}`,
      localPath: entry.path,
      size: entry.lfs?.size ?? entry.size,
    };
  });
}

/** The split a parquet file holds, by the names `push_to_hub` and the hub's conversion give files. */
function splitOfFile(path: string): string | undefined {
  const segments = path.split("/");
  const name = segments.at(-1) ?? "";
  const shard = /^(\w+)-\d+-of-\d+(?:-[0-9a-f]+)?\.parquet$/.exec(name);
  if (shard !== null) return shard[1];
  const single = /^(\w+)\.parquet$/.exec(name);
  if (single !== null && !/^\d+$/.test(single[1] ?? "")) return single[1];
  return segments.length > 1 ? segments.at(-2) : undefined;
}

/** The split's files in the hub's parquet conversion: `GET /api/datasets/{repo}/parquet` → `{ config: { split: [url, ...] } }`. */
async function splitFilesOfConversion(hub: HubConnection, reference: HubDatasetReference): Promise<SplitSource[]> {
  const response = await hubGet(hub, `${hub.endpoint}/api/datasets/${reference.repoId}/parquet`, API_TIMEOUT_MS);
  if (response.status === 404) {
    throw new UsageError(
      `The dataset ${reference.repoId} has no parquet files and the hub has not converted it to parquet (HTTP 404${await hubMessage(response, hub)}); ` +
        `download its ${reference.split} split as a .jsonl or .parquet file and give that file's path as the dataset.`,
    );
  }
  await requireSuccess(response, hub, reference.repoId);
  const conversion = (await readJson(response, "the hub's parquet conversion")) as Record<string, Record<string, unknown>>;
  const configs = Object.keys(conversion);
  const config = configs.includes("default") ? "default" : configs.length === 1 ? configs[0] : undefined;
  if (config !== undefined && !CONFIG_NAME.test(config)) throw new HubUnreachableError(`the parquet conversion names an unsafe config ${JSON.stringify(config)}`);
  if (config === undefined) {
    throw new UsageError(
      `The dataset ${reference.repoId} has no default config but ${configs.join(", ") || "none"}; only a default config is read from the hub. Download the split you want as a .jsonl or .parquet file and give its path as the dataset.`,
    );
  }
  const splits = conversion[config] ?? {};
  const urls = splits[reference.split];
  if (!Array.isArray(urls) || urls.length === 0) throw splitNotFound(reference, Object.keys(splits).sort());
  return urls.map((url, index) => ({ url: String(url), localPath: join(CONVERSION_DIR, config, reference.split, `${index}.parquet`), size: undefined }));
}

function splitNotFound(reference: HubDatasetReference, splits: readonly string[]): UsageError {
  const known = splits.length > 0 ? `its splits are ${splits.join(", ")}; pick one with ${reference.repoId}:SPLIT` : "no split of it could be told from its files";
  return new UsageError(`The dataset ${reference.repoId} has no split "${reference.split}" on the Hugging Face hub: ${known}.`);
}

/** Streams one file to a temporary name beside its place, checks its size when the listing gave one, then renames it into place. */
async function downloadFile(hub: HubConnection, repoId: string, source: SplitSource, path: string): Promise<void> {
  const response = await hubGet(hub, source.url, DOWNLOAD_TIMEOUT_MS);
  if (response.status === 404) throw new HubUnreachableError(`the hub listed a file it does not serve (HTTP 404 for ${source.localPath})`);
  await requireSuccess(response, hub, repoId);
  if (response.body === null) throw new HubUnreachableError(`the hub sent no content for ${source.localPath}`);
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryName(path);
  try {
    await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(temporary));
    const written = (await stat(temporary)).size;
    if (source.size !== undefined && written !== source.size) {
      throw new HubUnreachableError(`the download of ${source.localPath} stopped at ${written} of ${source.size} bytes`);
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    if (error instanceof HubUnreachableError) throw error;
    throw new HubUnreachableError(`the download of ${source.localPath} failed: ${describeFailure(error)}`, { cause: error });
  }
}

/**
 * A GET that follows redirects itself, so that the token goes to HF_ENDPOINT's origin only (never to
 * the CDN a file redirects to); 401 and 403 are left to the caller, network failures become HubUnreachableError.
 */
async function hubGet(hub: HubConnection, url: string, timeoutMs: number): Promise<Response> {
  let current = new URL(url);
  for (let redirects = 0; ; redirects += 1) {
    const headers: Record<string, string> = { accept: "application/json, application/octet-stream;q=0.9, */*;q=0.8" };
    if (hub.token !== undefined && current.origin === hub.origin) headers["authorization"] = `Bearer ${hub.token}`;
    let response: Response;
    try {
      response = await fetch(current, { headers, redirect: "manual", signal: AbortSignal.timeout(timeoutMs) });
    } catch (error) {
      throw new HubUnreachableError(describeFailure(error), { cause: error });
    }
    const location = response.headers.get("location");
    if (response.status < 300 || response.status >= 400 || location === null) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) throw new HubUnreachableError(`more than ${MAX_REDIRECTS} redirects from ${url}`);
    current = new URL(location, current);
  }
}

/** Turns a refusal into an error saying what to do with HF_TOKEN, and any other failure into HubUnreachableError. */
async function requireSuccess(response: Response, hub: HubConnection, repoId: string): Promise<void> {
  if (response.ok) return;
  const said = await hubMessage(response, hub);
  if (response.status === 401 || response.status === 403) {
    const page = `${hub.endpoint}/datasets/${repoId}`;
    const advice =
      hub.token === undefined
        ? `it is gated or private (or does not exist). If it exists, set HF_TOKEN to an access token of an account that may read it (for a gated dataset, accept its conditions at ${page} first); otherwise check the name.`
        : `the HF_TOKEN given has no access to this gated or private dataset (or it does not exist). Accept the dataset's conditions at ${page} with the token's account, or set HF_TOKEN to a token that has access.`;
    throw new ConfigError(`The Hugging Face hub refused the dataset ${repoId} (HTTP ${response.status}${said}): ${advice}`, { code: "hub-access" });
  }
  throw new HubUnreachableError(`HTTP ${response.status}${said}`);
}

/** What the hub said about a failure (`X-Error-Message`, or the JSON body's `error`), as ": ..." with the token taken out; "" when nothing. */
async function hubMessage(response: Response, hub: HubConnection): Promise<string> {
  let message = response.headers.get("x-error-message") ?? "";
  if (message === "") {
    const text = await response.text().catch(() => "");
    try {
      const body = JSON.parse(text) as { error?: unknown };
      message = typeof body.error === "string" ? body.error : "";
    } catch {
      message = text;
    }
  } else await response.body?.cancel();
  message = redactToken(message.replace(/\s+/g, " ").trim(), hub.token).slice(0, 300);
  return message === "" ? "" : `: ${message}`;
}

function redactToken(text: string, token: string | undefined): string {
  return token === undefined ? text : text.replaceAll(token, "[HF_TOKEN]");
}

async function readJson(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json();
  } catch (error) {
    throw new HubUnreachableError(`${what} is not JSON: ${describeFailure(error)}`, { cause: error });
  }
}

/** The cached split of one commit, when its manifest and every file it lists are there. */
async function readCachedSplit(commitDir: string, split: string): Promise<SplitManifest | undefined> {
  let manifest: SplitManifest;
  try {
    manifest = JSON.parse(await readFile(join(commitDir, `${split}.json`), "utf8")) as SplitManifest;
  } catch {
    return undefined;
  }
  if (!Array.isArray(manifest.files) || manifest.files.length === 0) return undefined;
  const files = manifest.files.map((file) => join(commitDir, file));
  const present = await Promise.all(files.map((file) => stat(file).then((info) => info.isFile(), () => false)));
  return present.every(Boolean) ? { ...manifest, files } : undefined;
}

/** The most recently downloaded cached copy of the split, whichever commit it is of. */
async function newestCachedSplit(datasetDir: string, split: string): Promise<SplitManifest | undefined> {
  const commits = await readdir(datasetDir).catch(() => [] as string[]);
  const cached = await Promise.all(commits.map((commit) => readCachedSplit(join(datasetDir, commit), split)));
  return cached
    .filter((manifest) => manifest !== undefined)
    .sort((a, b) => String(b.downloadedAt).localeCompare(String(a.downloadedAt)))[0];
}

async function writeFileAtomically(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = temporaryName(path);
  try {
    await writeFile(temporary, text);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function temporaryName(path: string): string {
  return `${path}.partial-${process.pid}-${randomBytes(4).toString("hex")}`;
}

/** A fetch failure in words: undici hides the reason (ECONNREFUSED, ENOTFOUND) in `cause`. */
function describeFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "no answer in time";
  const cause = error.cause instanceof Error ? error.cause.message : undefined;
  return cause === undefined ? error.message : `${error.message}: ${cause}`;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return bytes >= 1024 ? `${(bytes / 1024).toFixed(1)} kB` : `${bytes} bytes`;
}
