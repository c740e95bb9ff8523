import { createServer } from "node:http";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { loadProblems, mbppEntryPoint, mbppSplit, selectProblems } from "../../funcbench/dataset.js";
import { gradingProgram } from "../../funcbench/grading-program.js";
import { meanPassAtK, passAtK } from "../../funcbench/pass-at-k.js";
import { benchmarkDataDir, describeWithBenchmarkData } from "../support/reference-datasets.js";

const HUMANEVAL_LINE = JSON.stringify({
  task_id: "HumanEval/0",
  prompt: "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n",
  entry_point: "add",
  canonical_solution: "    return a + b\n",
  test: "def check(candidate):\n    assert candidate(1, 2) == 3\n",
});

describe("function-level benchmark data", () => {
  it("reads HumanEval from a plain or gzip file and from a URL, and builds the official grading program", async () => {
    const dir = await mkdtemp(join(tmpdir(), "funcbench-data-"));
    await writeFile(join(dir, "he.jsonl"), `${HUMANEVAL_LINE}\n`);
    await writeFile(join(dir, "he.jsonl.gz"), gzipSync(`${HUMANEVAL_LINE}\n`));
    const server = createServer((_, response) => response.end(gzipSync(`${HUMANEVAL_LINE}\n`)));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/HumanEval.jsonl.gz`;
    try {
      for (const source of [join(dir, "he.jsonl"), join(dir, "he.jsonl.gz"), url]) {
        const [problem] = await loadProblems("humaneval", source);
        expect(problem).toMatchObject({ taskId: "HumanEval/0", entryPoint: "add" });
        expect(gradingProgram(problem!, "    return a + b\n")).toBe(
          "def add(a, b):\n    \"\"\"Add two numbers.\"\"\"\n    return a + b\n\ndef check(candidate):\n    assert candidate(1, 2) == 3\n\ncheck(add)\n",
        );
      }
    } finally {
      server.close();
    }
  });

  it("keeps a downloaded dataset and uses it, with a warning, when the next download fails", async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), "funcbench-cache-"));
    let up = true;
    const server = createServer((_, response) => {
      response.statusCode = up ? 200 : 503;
      response.end(up ? `${HUMANEVAL_LINE}\n` : "down");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/HumanEval.jsonl`;
    const warnings: string[] = [];
    try {
      expect(await loadProblems("humaneval", url, { cacheDir, onWarning: (line) => warnings.push(line) })).toHaveLength(1);
      expect(warnings).toEqual([]);
      up = false;
      expect(await loadProblems("humaneval", url, { cacheDir, onWarning: (line) => warnings.push(line) })).toHaveLength(1);
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/answered HTTP 503; using the copy downloaded earlier/);
      // Without a kept copy the failure is the error, with what to do.
      await expect(loadProblems("humaneval", url, { cacheDir: join(cacheDir, "empty") })).rejects.toThrow(/HTTP 503\. Pass a local copy with --dataset FILE/);
    } finally {
      server.close();
    }
  });

  it("rejects a missing file, an unreachable URL and the wrong benchmark's file with what to do", async () => {
    const dir = await mkdtemp(join(tmpdir(), "funcbench-data-"));
    await writeFile(join(dir, "he.jsonl"), `${HUMANEVAL_LINE}\n`);
    await expect(loadProblems("humaneval", join(dir, "missing.jsonl"))).rejects.toThrow(/Cannot read the dataset .*--dataset/);
    await expect(loadProblems("humaneval", "http://127.0.0.1:9/HumanEval.jsonl.gz")).rejects.toThrow(/Could not download .*--dataset FILE/);
    await expect(loadProblems("mbpp", join(dir, "he.jsonl"))).rejects.toThrow(/test_list/);
  });

  it("computes the unbiased pass@k estimator", () => {
    const choose = (n: number, k: number): number => (k < 0 || k > n ? 0 : Array.from({ length: k }, (_, i) => (n - i) / (i + 1)).reduce((a, b) => a * b, 1));
    for (const [n, c, k] of [[10, 3, 1], [10, 3, 5], [20, 0, 10], [200, 150, 100], [5, 5, 1]] as const) {
      expect(passAtK(n, c, k)).toBeCloseTo(1 - choose(n - c, k) / choose(n, k), 10);
    }
    expect(passAtK(1, 1, 1)).toBe(1);
    expect(passAtK(3, 0, 1)).toBe(0);
    expect(passAtK(3, 1, 10)).toBeNaN();
    expect(meanPassAtK([[1, 1], [1, 0]], 1)).toBe(0.5);
  });
});

describeWithBenchmarkData("the real HumanEval and MBPP files", () => {
  it("loads 164 HumanEval and 974 MBPP problems, with MBPP's splits and the function every reference defines", async () => {
    const humaneval = await loadProblems("humaneval", join(benchmarkDataDir, "humaneval.jsonl"));
    const mbpp = await loadProblems("mbpp", join(benchmarkDataDir, "mbpp.jsonl"));
    expect(humaneval).toHaveLength(164);
    expect(mbpp).toHaveLength(974);
    expect(mbppSplit(mbpp, "test").map((problem) => problem.taskId)).toEqual(Array.from({ length: 500 }, (_, i) => i + 11));
    expect(mbppSplit(mbpp, "validation")).toHaveLength(90);
    expect(mbppSplit(mbpp, "train")).toHaveLength(374);
    expect(mbppSplit(mbpp, "prompt")).toHaveLength(10);
    // The entry point read from the asserts is a function the reference solution defines.
    const undefinedEntryPoints = mbpp.filter((problem) => !new RegExp(`def\\s+${problem.entryPoint}\\s*\\(`).test(problem.canonicalSolution));
    expect(undefinedEntryPoints.map((problem) => `${problem.taskId}:${problem.entryPoint}`)).toEqual([]);
    expect(selectProblems(humaneval, ["HumanEval/3", "HumanEval/7"]).map((problem) => problem.entryPoint)).toEqual(["below_zero", "filter_by_substring"]);
    expect(() => selectProblems(humaneval, ["HumanEval/999"])).toThrow(/Not in the dataset: HumanEval\/999/);
    expect(mbppEntryPoint(["assert not is_odd(2)"])).toBe("is_odd");
    expect((await readFile(join(benchmarkDataDir, "humaneval.jsonl"), "utf8")).split("\n").filter(Boolean)).toHaveLength(164);
  });
});
