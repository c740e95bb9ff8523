import { createHash, randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A dataset repository as the fake hub serves it. */
export interface FakeHfDataset {
  /** The repository's files by path ("data/test-00000-of-00001.parquet"); .parquet files are LFS files, downloaded through the CDN. */
  files: Record<string, Uint8Array | string>;
  /** The commit `main` points to (made up unless given). */
  sha?: string;
  /** A private dataset: without this token every endpoint answers as for a dataset that does not exist. */
  privateToken?: string;
  /** A gated dataset: listing is public, downloads need this token (of an account that accepted the conditions). */
  gated?: { token: string; refusalMessage?: string };
  /** The hub's parquet conversion, config → split → files, at /api/datasets/{repo}/parquet. */
  conversion?: Record<string, Record<string, Uint8Array[]>>;
  /** The CDN sends only the first half of each file, as a dropped connection would. */
  truncateDownloads?: boolean;
}

/** One request either server received. */
export interface FakeHfRequest {
  server: "hub" | "cdn";
  path: string;
  authorization: string | undefined;
}

/** A local fake of the Hugging Face hub's dataset endpoints, and of the CDN its downloads redirect to. */
export interface FakeHfHub {
  /** The hub's address, for HF_ENDPOINT. */
  endpoint: string;
  requests: FakeHfRequest[];
  addDataset(repoId: string, dataset: FakeHfDataset): void;
  /** Stops both servers: afterwards the hub is unreachable. */
  close(): Promise<void>;
}

interface StoredDataset extends FakeHfDataset {
  sha: string;
}

/**
 * Starts the fake on 127.0.0.1 with ephemeral ports. It answers as the hub does:
 * `/api/datasets/{repo}/revision/{rev}` (`{ id, sha, private, gated, siblings }`),
 * `/api/datasets/{repo}/tree/{rev}?recursive=true` (entries `{ type, oid, size, path, lfs? }`, pages of
 * `treePageSize` linked by `Link: <...>; rel="next"`), `/datasets/{repo}/resolve/{rev}/{path}` (LFS files:
 * 302 to the CDN with `X-Repo-Commit`), `/api/datasets/{repo}/parquet` (`{ config: { split: [url] } }`);
 * errors carry `X-Error-Code` and a JSON `{ error }`, and an unknown or hidden dataset is 401 without a token, 404 with one.
 */
export async function startFakeHfHub(options: { treePageSize?: number } = {}): Promise<FakeHfHub> {
  const pageSize = options.treePageSize ?? 1000;
  const datasets = new Map<string, StoredDataset>();
  const blobs = new Map<string, { bytes: Uint8Array; truncate: boolean }>();
  const requests: FakeHfRequest[] = [];
  let endpoint = "";
  let cdnUrl = "";

  const cdn = createServer((request, response) => {
    requests.push({ server: "cdn", path: request.url ?? "", authorization: request.headers.authorization });
    const blob = blobs.get(new URL(request.url ?? "/", cdnUrl).pathname.replace(/^\/repos\//, ""));
    if (blob === undefined) return sendJson(response, 404, { error: "NoSuchKey" });
    const bytes = blob.truncate ? blob.bytes.subarray(0, Math.floor(blob.bytes.length / 2)) : blob.bytes;
    response.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(bytes.length) });
    response.end(bytes);
  });

  const hub = createServer((request, response) => {
    requests.push({ server: "hub", path: request.url ?? "", authorization: request.headers.authorization });
    handleHubRequest(request, response);
  });

  function handleHubRequest(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? "/", endpoint);
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const route =
      /^\/api\/datasets\/([^/]+\/[^/]+)\/(revision|tree)\/([^/]+)(?:\/(.*))?$/.exec(url.pathname) ??
      /^\/datasets\/([^/]+\/[^/]+)\/(resolve)\/([^/]+)\/(.+)$/.exec(url.pathname) ??
      /^\/api\/datasets\/([^/]+\/[^/]+)\/(parquet)(?:\/([^/]+)\/([^/]+\/\d+\.parquet))?$/.exec(url.pathname);
    if (route === null) return sendJson(response, 404, { error: "Not Found" });
    const [, repoId = "", kind, revision = "", rest = ""] = route;
    const dataset = datasets.get(repoId);
    if (dataset === undefined || (dataset.privateToken !== undefined && token !== dataset.privateToken)) {
      return sendError(response, token === undefined ? 401 : 404, "RepoNotFound", "Repository not found");
    }
    if (kind === "parquet") return serveConversion(response, repoId, dataset, revision, rest);
    if (decodeURIComponent(revision) !== "main" && revision !== dataset.sha) return sendError(response, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
    if (kind === "revision") {
      return sendJson(response, 200, {
        _id: dataset.sha.slice(0, 24),
        id: repoId,
        author: repoId.split("/")[0],
        sha: dataset.sha,
        private: dataset.privateToken !== undefined,
        gated: dataset.gated ? "manual" : false,
        disabled: false,
        siblings: Object.keys(dataset.files).map((rfilename) => ({ rfilename })),
      });
    }
    if (kind === "tree") return serveTree(response, url, repoId, dataset, revision, rest);
    const path = rest.split("/").map(decodeURIComponent).join("/");
    const content = dataset.files[path];
    if (content === undefined) return sendError(response, 404, "EntryNotFound", `${path} does not exist on "${revision}"`);
    if (dataset.gated !== undefined && token !== dataset.gated.token) {
      const message = dataset.gated.refusalMessage ?? `Access to dataset ${repoId} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      return sendError(response, token === undefined ? 401 : 403, "GatedRepo", message);
    }
    const bytes = toBytes(content);
    if (!path.endsWith(".parquet")) {
      response.writeHead(200, { "content-type": "text/plain", "x-repo-commit": dataset.sha, etag: `"${gitBlobOid(bytes)}"` });
      response.end(bytes);
      return;
    }
    redirectToCdn(response, bytes, dataset, { "x-repo-commit": dataset.sha, "x-linked-etag": `"${sha256(bytes)}"`, "x-linked-size": String(bytes.length) });
  }

  function serveTree(response: ServerResponse, url: URL, repoId: string, dataset: StoredDataset, revision: string, under: string): void {
    const paths = Object.keys(dataset.files).filter((path) => under === "" || path.startsWith(`${under}/`));
    const directories = new Set(paths.flatMap((path) => path.split("/").slice(0, -1).map((_, index, parts) => parts.slice(0, index + 1).join("/"))));
    const entries = [
      ...[...directories].map((path) => ({ type: "directory", oid: gitBlobOid(toBytes(path)), size: 0, path })),
      ...paths.map((path) => {
        const bytes = toBytes(dataset.files[path] ?? "");
        const lfs = path.endsWith(".parquet") ? { lfs: { oid: sha256(bytes), size: bytes.length, pointerSize: 134 } } : {};
        return { type: "file", oid: gitBlobOid(bytes), size: bytes.length, path, ...lfs };
      }),
    ].sort((a, b) => (a.path < b.path ? -1 : 1));
    const start = Number(Buffer.from(url.searchParams.get("cursor") ?? "", "base64").toString() || "0");
    const page = entries.slice(start, start + pageSize);
    const headers: Record<string, string> = {};
    if (start + pageSize < entries.length) {
      const next = `${endpoint}/api/datasets/${repoId}/tree/${revision}${under ? `/${under}` : ""}?recursive=true&cursor=${Buffer.from(String(start + pageSize)).toString("base64")}`;
      headers["link"] = `<${next}>; rel="next"`;
    }
    sendJson(response, 200, page, headers);
  }

  function serveConversion(response: ServerResponse, repoId: string, dataset: StoredDataset, config: string, rest: string): void {
    if (dataset.conversion === undefined) return sendError(response, 404, "ParquetNotFound", "The dataset has no parquet conversion.");
    if (config === "") {
      const listing = Object.fromEntries(
        Object.entries(dataset.conversion).map(([name, splits]) => [
          name,
          Object.fromEntries(Object.entries(splits).map(([split, files]) => [split, files.map((_, index) => `${endpoint}/api/datasets/${repoId}/parquet/${name}/${split}/${index}.parquet`)])),
        ]),
      );
      return sendJson(response, 200, listing);
    }
    const [split = "", file = ""] = rest.split("/");
    const bytes = dataset.conversion[config]?.[split]?.[Number.parseInt(file, 10)];
    if (bytes === undefined) return sendError(response, 404, "EntryNotFound", "No such parquet file.");
    redirectToCdn(response, bytes, dataset, {});
  }

  function redirectToCdn(response: ServerResponse, bytes: Uint8Array, dataset: StoredDataset, headers: Record<string, string>): void {
    const key = sha256(bytes);
    blobs.set(key, { bytes, truncate: dataset.truncateDownloads === true });
    response.writeHead(302, { ...headers, location: `${cdnUrl}/repos/${key}?X-Amz-Expires=3600&X-Amz-Signature=${randomBytes(8).toString("hex")}` });
    response.end();
  }

  endpoint = await listen(hub);
  cdnUrl = await listen(cdn);
  return {
    endpoint,
    requests,
    addDataset(repoId, dataset) {
      datasets.set(repoId, { ...dataset, sha: dataset.sha ?? randomBytes(20).toString("hex") });
    },
    async close() {
      await Promise.all([hub, cdn].map((server) => stop(server)));
    },
  };
}

function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json", ...headers });
  response.end(JSON.stringify(body));
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  sendJson(response, status, { error: message }, { "x-error-code": code });
}

function toBytes(content: Uint8Array | string): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Git's blob id, which the hub gives as `oid`. */
function gitBlobOid(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
