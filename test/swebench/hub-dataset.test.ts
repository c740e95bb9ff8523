import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parquetWriteBuffer } from "hyparquet-writer";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, UsageError, type AgentError } from "../../src/errors.js";
import { loadInstances, type DatasetLocation } from "../../swebench/dataset.js";
import { parseHubDatasetReference } from "../../swebench/hub-dataset.js";
import type { SweBenchInstance } from "../../swebench/instance.js";
import { createCliSandbox, runInProcess } from "../cli/cli-harness.js";
import { startFakeHfHub, type FakeHfDataset, type FakeHfHub } from "../support/fake-hf-hub.js";

const STANDARD_FIELDS = [
  "repo",
  "instance_id",
  "base_commit",
  "patch",
  "test_patch",
  "problem_statement",
  "hints_text",
  "created_at",
  "version",
  "FAIL_TO_PASS",
  "PASS_TO_PASS",
  "environment_setup_commit",
] as const;

function instance(id: string): SweBenchInstance {
  return {
    repo: "astropy/astropy",
    instance_id: id,
    base_commit: "0123456789abcdef0123456789abcdef01234567",
    patch: "diff --git a/x.py b/x.py\n",
    test_patch: "diff --git a/tests/test_x.py b/tests/test_x.py\n",
    problem_statement: "Something is broken.",
    hints_text: "",
    created_at: "2023-01-01T00:00:00Z",
    version: "5.0",
    FAIL_TO_PASS: '["test_a"]',
    PASS_TO_PASS: "[]",
    environment_setup_commit: "76543210fedcba9876543210fedcba9876543210",
  };
}

/** A parquet file of the instances' standard fields as string columns (as the official files have them), plus any extra columns. */
function parquetOf(ids: readonly string[], extraColumns: Parameters<typeof parquetWriteBuffer>[0]["columnData"] = []): Uint8Array {
  const rows = ids.map(instance);
  const columnData = [...STANDARD_FIELDS.map((name) => ({ name, data: rows.map((row) => row[name] as string), type: "STRING" as const })), ...extraColumns];
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

/** A repository laid out as `push_to_hub` leaves the official SWE-bench datasets. */
function officialLayout(): FakeHfDataset {
  return {
    files: {
      ".gitattributes": "*.parquet filter=lfs diff=lfs merge=lfs -text\n",
      "README.md": "---\nconfigs:\n- config_name: default\n  data_files:\n  - split: dev\n    path: data/dev-*\n  - split: test\n    path: data/test-*\n---\n",
      "data/dev-00000-of-00001.parquet": parquetOf(["astropy__astropy-1", "astropy__astropy-2"]),
      "data/test-00000-of-00001.parquet": parquetOf(["astropy__astropy-10", "astropy__astropy-11", "astropy__astropy-12"]),
    },
  };
}

const ids = (instances: readonly SweBenchInstance[]): string[] => instances.map((row) => row.instance_id);

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof Error)) throw new Error("expected the promise to reject with an Error");
  return error;
}

let scratch: string;
let hub: FakeHfHub | undefined;
let progress: string[];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "hub-dataset-"));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});
afterEach(async () => {
  await hub?.close();
  hub = undefined;
});

async function startHub(datasets: Record<string, FakeHfDataset>, options: { treePageSize?: number } = {}): Promise<FakeHfHub> {
  const started = await startFakeHfHub(options);
  for (const [repoId, dataset] of Object.entries(datasets)) started.addDataset(repoId, dataset);
  hub = started;
  return started;
}

/** A fresh cache directory and the location that loads through the fake hub. */
async function location(fake: FakeHfHub, env: Record<string, string> = {}): Promise<DatasetLocation> {
  progress = [];
  return {
    hubCacheDir: await mkdtemp(join(scratch, "cache-")),
    env: { HF_ENDPOINT: fake.endpoint, ...env },
    onProgress: (line) => progress.push(line),
  };
}

describe("parseHubDatasetReference", () => {
  it.each([
    ["princeton-nlp/SWE-bench_Lite", { repoId: "princeton-nlp/SWE-bench_Lite", split: "test" }],
    ["SWE-bench/SWE-bench_Verified", { repoId: "SWE-bench/SWE-bench_Verified", split: "test" }],
    ["princeton-nlp/SWE-bench_Multimodal:dev", { repoId: "princeton-nlp/SWE-bench_Multimodal", split: "dev" }],
  ])("reads %j as a hub dataset", (text, expected) => {
    expect(parseHubDatasetReference(text)).toEqual(expected);
  });

  it.each(["lite", "data/lite.jsonl", "runs/test.parquet", "./owner/name", "/abs/owner/name", "a/b/c", "owner/name:"])("leaves %j to be a name or a path", (text) => {
    expect(parseHubDatasetReference(text)).toBeUndefined();
  });
});

describe("loading a dataset from the Hugging Face hub", () => {
  it("downloads the test split's parquet file through the CDN redirect and loads its instances", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const loaded = await loadInstances("princeton-nlp/SWE-bench_Lite", await location(fake));
    expect(ids(loaded)).toEqual(["astropy__astropy-10", "astropy__astropy-11", "astropy__astropy-12"]);
    expect(fake.requests.filter((request) => request.server === "cdn")).toHaveLength(1);
    expect(progress.join("\n")).toMatch(/downloading princeton-nlp\/SWE-bench_Lite \(split test, commit [0-9a-f]{12}\): 1 parquet file\(s\), [\d.]+ kB from http:\/\/127\.0\.0\.1/);
  });

  it("loads the split named after the colon", async () => {
    const fake = await startHub({ "SWE-bench/SWE-bench_Lite": officialLayout() });
    expect(ids(await loadInstances("SWE-bench/SWE-bench_Lite:dev", await location(fake)))).toEqual(["astropy__astropy-1", "astropy__astropy-2"]);
  });

  it("reads a split sharded over several files in order, following the file list's pages", async () => {
    const files = {
      "data/test-00001-of-00002.parquet": parquetOf(["django__django-3"]),
      "data/test-00000-of-00002.parquet": parquetOf(["django__django-1", "django__django-2"]),
      "data/train-00000-of-00001.parquet": parquetOf(["django__django-9"]),
    };
    const fake = await startHub({ "SWE-bench/SWE-bench": { files } }, { treePageSize: 2 });
    expect(ids(await loadInstances("SWE-bench/SWE-bench", await location(fake)))).toEqual(["django__django-1", "django__django-2", "django__django-3"]);
    expect(fake.requests.filter((request) => request.path.includes("cursor="))).toHaveLength(1);
  });

  it("uses the cached split while main points to the same commit, without downloading it again", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const where = await location(fake);
    await loadInstances("princeton-nlp/SWE-bench_Lite", where);
    const again = await loadInstances("princeton-nlp/SWE-bench_Lite", where);
    expect(ids(again)).toHaveLength(3);
    expect(fake.requests.filter((request) => request.server === "cdn")).toHaveLength(1);
    expect(fake.requests.filter((request) => request.path.includes("/tree/"))).toHaveLength(1);
  });

  it("loads from the cache when the hub is unreachable, and says so", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const where = await location(fake);
    const first = await loadInstances("princeton-nlp/SWE-bench_Lite", where);
    await fake.close();
    progress.length = 0;
    expect(await loadInstances("princeton-nlp/SWE-bench_Lite", where)).toEqual(first);
    expect(progress).toHaveLength(1);
    expect(progress[0]).toMatch(/^cannot reach the Hugging Face hub at http:\/\/127\.0\.0\.1:\d+ \(fetch failed: .+\); using the cached princeton-nlp\/SWE-bench_Lite \(split test\) of commit [0-9a-f]{12}/);
  });

  it("without a cached copy, an unreachable hub is an error that says what to do", async () => {
    const fake = await startHub({});
    const where = await location(fake);
    await fake.close();
    const error = await rejection(loadInstances("princeton-nlp/SWE-bench_Lite:dev", where));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as AgentError).code).toBe("hub-unreachable");
    expect(error.message).toContain("Cannot reach the Hugging Face hub at http://127.0.0.1:");
    expect(error.message).toContain("princeton-nlp/SWE-bench_Lite (split dev) is not in the cache");
    expect(error.message).toContain("set HF_ENDPOINT");
    expect(error.message).toContain("download the split's parquet file");
  });

  it("keeps nothing of a download that broke off, so the next load starts clean", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": { ...officialLayout(), truncateDownloads: true } });
    const where = await location(fake);
    const error = await rejection(loadInstances("princeton-nlp/SWE-bench_Lite", where));
    expect(error.message).toMatch(/stopped at \d+ of \d+ bytes/);
    const left = await readdir(where.hubCacheDir!, { recursive: true });
    expect(left.filter((path) => path.endsWith(".parquet") || path.endsWith(".json") || path.includes(".partial-"))).toEqual([]);
  });

  it("respects HF_ENDPOINT given with a trailing slash", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const where = await location(fake, { HF_ENDPOINT: `${fake.endpoint}/` });
    expect(ids(await loadInstances("princeton-nlp/SWE-bench_Lite", where))).toHaveLength(3);
    expect(fake.requests[0]?.path).toBe("/api/datasets/princeton-nlp/SWE-bench_Lite/revision/main");
  });

  it("refuses an HF_ENDPOINT that is not an http(s) URL", async () => {
    const fake = await startHub({});
    const error = await rejection(loadInstances("princeton-nlp/SWE-bench_Lite", await location(fake, { HF_ENDPOINT: "huggingface.co" })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("HF_ENDPOINT");
  });

  it("falls back to the hub's parquet conversion for a repository without parquet files", async () => {
    const fake = await startHub({
      "nebius/SWE-rebench-like": { files: { "test.jsonl": "{}\n", "README.md": "" }, conversion: { default: { test: [parquetOf(["psf__requests-1"]), parquetOf(["psf__requests-2"])] } } },
    });
    expect(ids(await loadInstances("nebius/SWE-rebench-like", await location(fake)))).toEqual(["psf__requests-1", "psf__requests-2"]);
  });

  it("keeps extra columns of other shapes as plain JSON: 64-bit integers as numbers, lists as arrays", async () => {
    const files = {
      "data/test-00000-of-00001.parquet": parquetOf(["chartjs__Chart.js-1"], [
        { name: "image_assets", data: [{ problem_statement: ["https://example.com/a.png"] }], type: "JSON" },
        { name: "issue_number", data: [BigInt(11_234)], type: "INT64" },
      ]),
    };
    const fake = await startHub({ "princeton-nlp/SWE-bench_Multimodal": { files } });
    const [loaded] = await loadInstances("princeton-nlp/SWE-bench_Multimodal", await location(fake));
    expect(loaded).toMatchObject({ image_assets: { problem_statement: ["https://example.com/a.png"] }, issue_number: 11_234 });
    expect(JSON.parse(JSON.stringify(loaded))).toEqual(loaded);
  });

  it("names a standard field a hub dataset lacks, as for any file", async () => {
    const rows = [instance("pallets__flask-1")];
    const columnData = STANDARD_FIELDS.filter((name) => name !== "environment_setup_commit").map((name) => ({ name, data: rows.map((row) => row[name] as string), type: "STRING" as const }));
    const fake = await startHub({ "someone/flask-tasks": { files: { "data/test-00000-of-00001.parquet": new Uint8Array(parquetWriteBuffer({ columnData })) } } });
    const error = await rejection(loadInstances("someone/flask-tasks", await location(fake)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(/row 0 \(pallets__flask-1\): field "environment_setup_commit" is missing/);
  });
});

describe("hub errors", () => {
  it("lists the splits that exist when the split asked for is not one", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const error = await rejection(loadInstances("princeton-nlp/SWE-bench_Lite:validation", await location(fake)));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toBe('The dataset princeton-nlp/SWE-bench_Lite has no split "validation" on the Hugging Face hub: its splits are dev, test; pick one with princeton-nlp/SWE-bench_Lite:SPLIT.');
  });

  it("says an unknown dataset is not on the hub (404) and to check its name", async () => {
    const fake = await startHub({});
    const error = await rejection(loadInstances("princeton-nlp/SWE-bench_Lyte", await location(fake, { HF_TOKEN: "hf_valid" })));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("The dataset princeton-nlp/SWE-bench_Lyte is not on the Hugging Face hub");
    expect(error.message).toContain("HTTP 404: Repository not found");
  });

  it("answers a 401 without a token by saying the dataset is gated or private and to set HF_TOKEN", async () => {
    const fake = await startHub({ "acme/private-bench": { ...officialLayout(), privateToken: "hf_owner" } });
    const error = await rejection(loadInstances("acme/private-bench", await location(fake)));
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as AgentError).code).toBe("hub-access");
    expect(error.message).toContain("refused the dataset acme/private-bench (HTTP 401: Repository not found): it is gated or private");
    expect(error.message).toContain("set HF_TOKEN");
  });

  it("sends HF_TOKEN to the hub and never to the CDN a download redirects to", async () => {
    const fake = await startHub({ "acme/gated-bench": { ...officialLayout(), gated: { token: "hf_accepted" } } });
    expect(ids(await loadInstances("acme/gated-bench", await location(fake, { HF_TOKEN: "hf_accepted" })))).toHaveLength(3);
    const byServer = (server: string) => fake.requests.filter((request) => request.server === server).map((request) => request.authorization);
    expect(byServer("hub").length).toBeGreaterThan(0);
    expect(byServer("hub").every((authorization) => authorization === "Bearer hf_accepted")).toBe(true);
    expect(byServer("cdn")).toEqual([undefined]);
  });

  it("says a token without access was refused, and keeps the token out of the message", async () => {
    const token = "hf_notAcceptedYet0123456789";
    const fake = await startHub({ "acme/gated-bench": { ...officialLayout(), gated: { token: "hf_accepted", refusalMessage: `Token ${token} is not in the authorized list.` } } });
    const error = await rejection(loadInstances("acme/gated-bench", await location(fake, { HF_TOKEN: token })));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain("(HTTP 403: Token [HF_TOKEN] is not in the authorized list.)");
    expect(error.message).toContain("the HF_TOKEN given has no access to this gated or private dataset");
    expect(error.message).not.toContain(token);
    expect(fake.requests.some((request) => request.authorization === `Bearer ${token}`)).toBe(true);
  });
});

describe("agent swebench --dataset owner/name[:split]", () => {
  it("downloads the split into hf-datasets/ of the cache, saying so on stderr, before choosing instances", async () => {
    const fake = await startHub({ "princeton-nlp/SWE-bench_Lite": officialLayout() });
    const sandbox = await createCliSandbox();
    const args = ["swebench", "eval", "--gold", "--dataset", "princeton-nlp/SWE-bench_Lite:dev", "--instance-ids", "astropy__astropy-404"];
    const run = await runInProcess(args, sandbox, { HF_ENDPOINT: fake.endpoint });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^\[dataset\] downloading princeton-nlp\/SWE-bench_Lite \(split dev, commit [0-9a-f]{12}\)/m);
    expect(run.stderr).toContain("Instance ids not in the dataset: astropy__astropy-404");
    const datasetDir = join(sandbox.home, ".cache", "agent", "hf-datasets", "princeton-nlp", "SWE-bench_Lite");
    const [commit] = await readdir(datasetDir);
    const manifest = JSON.parse(await readFile(join(datasetDir, commit!, "dev.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toEqual(["data/dev-00000-of-00001.parquet"]);
  });
});
