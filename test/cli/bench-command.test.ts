import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { describeWithDocker } from "../support/require-docker.js";
import { sandboxImage } from "../support/sandbox-factories.js";
import { createCliSandbox, runInProcess, writeJson, type CliSandbox } from "./cli-harness.js";

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

/** One MBPP-format problem (task 11 is in the test split). */
const MBPP_DATASET = JSON.stringify({
  task_id: 11,
  text: "Write a python function to remove first and last occurrence of a given character from the string.",
  code: "def remove_Occ(s, ch):\n    return s",
  test_list: ['assert remove_Occ("hello","l") == "heo"', 'assert remove_Occ("abcda","a") == "bcd"', 'assert remove_Occ("PHP","P") == "H"'],
  test_setup_code: "",
  challenge_test_list: [],
});

const BODY = [
  "def remove_Occ(s, ch):",
  "    first = s.find(ch)",
  "    if first == -1:",
  "        return s",
  "    s = s[:first] + s[first + 1:]",
  "    last = s.rfind(ch)",
  "    return s if last == -1 else s[:last] + s[last + 1:]",
].join("\n");

/** The one scripted model every role shares plays the test designer's turns, then the programmer's. */
const SCRIPT = {
  turns: [
    { toolCalls: [{ name: "edit_file", args: { command: "create", path: "test_remove.py", file_text: "from solution import remove_Occ\n\n\ndef test_basic():\n    assert remove_Occ('banana', 'a') == 'bnan'\n\n\ndef test_absent():\n    assert remove_Occ('xyz', 'a') == 'xyz'\n" } }], usage: { input: 1000, output: 50, cost: 0.002 } },
    { toolCalls: [{ name: "submit_tests", args: { framework: "pytest", command_template: "python3 -m pytest -q -rA -p no:cacheprovider {tests}", tests: [{ path: "test_remove.py", kind: "basic", description: "first and last occurrences go" }] } }], usage: { input: 1000, output: 50, cost: 0.002 } },
    { toolCalls: [{ name: "edit_file", args: { command: "insert", path: "solution.py", insert_line: 3, new_str: BODY } }], usage: { input: 1000, output: 50, cost: 0.002 } },
    { toolCalls: [{ name: "submit_patch", args: { summary: "Removed the first and the last occurrence." } }], usage: { input: 1000, output: 50, cost: 0.002 } },
  ],
};

describe("agent bench run: usage", () => {
  it("needs a model, and refuses a selection that matches no problem", async () => {
    const sandbox = await createCliSandbox();
    const dataset = join(sandbox.project, "mbpp.jsonl");
    await writeFile(dataset, `${MBPP_DATASET}\n`);
    const noModel = await runInProcess(["bench", "run", "mbpp", "--dataset", dataset], sandbox);
    expect(noModel.code).toBe(2);
    expect(noModel.stderr).toContain("Name the model: --model provider:model");
    await writeJson(join(sandbox.home, "script.json"), SCRIPT);
    const none = await runInProcess(["--model", `scripted:${join(sandbox.home, "script.json")}`, "bench", "run", "mbpp", "--dataset", dataset, "--split", "train"], sandbox);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("No problem matches --split, --ids and --limit.");
  });
});

describeWithDocker("agent bench run: an MBPP problem through the agents", () => {
  it("solves it, grades it against the hidden asserts, prints and writes the table, and skips it when run again", async () => {
    await sandboxImage();
    const sandbox = await createCliSandbox();
    const dataset = join(sandbox.project, "mbpp.jsonl");
    await writeFile(dataset, `${MBPP_DATASET}\n`);
    await writeJson(join(sandbox.home, "script.json"), SCRIPT);
    const args = ["--model", `scripted:${join(sandbox.home, "script.json")}`, "bench", "run", "mbpp", "--dataset", dataset, "--output", "out"];
    const run = await runInProcess(args, sandbox);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain("[1/1] 11: passed (1 round(s), 4,200 tokens, $0.0080");
    expect(run.stdout).toContain("# MBPP: MBPP test split, 1 problem(s)");
    expect(run.stdout).toMatch(/\| measured here: scripted:\S+ \(a playback of written turns, not a model's result\), test designer, programmer, executor \| 100\.0% \(1\/1\) \| 1\.00 \| 4,200 \| \$0\.0080 \|/);
    expect(run.stdout).toContain("| AgentCoder with GPT-4, **published** (not measured here) | 91.8% |");
    expect(run.stdout).toContain(`grade again: agent bench eval mbpp ${join(sandbox.project, "out", "samples.jsonl")} --split test --dataset ${dataset}`);
    expect(await readFile(join(sandbox.project, "out", "results.md"), "utf8")).toContain("91.8%");
    const [sample] = (await readFile(join(sandbox.project, "out", "samples.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { task_id: number; completion: string });
    expect(sample).toEqual({ task_id: 11, completion: expect.stringContaining(BODY) });
    const [result] = (await readFile(join(sandbox.project, "out", "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(result).toMatchObject({ task_id: 11, passed: true, result: "passed", rounds: 1, run_status: "solved", first_attempt: { passed: true }, roles: "all", tokens: { input: 4000, output: 200 } });
    // The samples grade the same with agent bench eval.
    const graded = await runInProcess(["bench", "eval", "mbpp", "out/samples.jsonl", "--dataset", dataset], sandbox);
    expect(graded.stdout).toContain("mbpp samples: passed 1/1");

    const again = await runInProcess(args, sandbox);
    expect(again.code).toBe(0);
    expect(again.stderr).toContain("1 problem(s) already have a result");
    expect(again.stdout).toContain("100.0% (1/1)");
  }, 300_000);
});
