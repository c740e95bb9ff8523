import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { FuncProblem } from "../../funcbench/dataset.js";
import type { GradeOutcome } from "../../funcbench/grader.js";
import { completionFromModule, taskForProblem, workspaceFiles } from "../../funcbench/problem-workspace.js";
import { resultsMarkdown, summarizeResults } from "../../funcbench/results-table.js";
import { runBenchmark, type ProblemResult, type ProblemRunOptions } from "../../funcbench/run-benchmark.js";
import { buildRunReport } from "../../src/events/run-report.js";
import { createScratchRepository, readFileAfterPatch } from "../../src/git/scratch-repository.js";
import type { FunctionTaskResult } from "../../src/graph/run-function-task.js";

const humaneval = (id: number): FuncProblem => ({
  benchmark: "humaneval",
  taskId: `Made/${id}`,
  prompt: `def double_${id}(x):\n    """Twice x.\n    >>> double_${id}(2)\n    4\n    """\n`,
  entryPoint: `double_${id}`,
  canonicalSolution: "    return 2 * x\n",
  hiddenTests: { kind: "humaneval", test: "def check(candidate):\n    assert candidate(21) == 42  # HIDDEN\n" },
});

const mbpp: FuncProblem = {
  benchmark: "mbpp",
  taskId: 7,
  prompt: 'Write a function to find all words which are at least 4 characters long in a string by using regex. Say """hi""".',
  entryPoint: "find_char_long",
  canonicalSolution: "import re\ndef find_char_long(text):\n  return re.findall(r\"\\b\\w{4,}\\b\", text)",
  hiddenTests: { kind: "mbpp", setupCode: "", asserts: ["assert find_char_long('Please move back to stream') == ['Please', 'move', 'back', 'stream']  # HIDDEN"] },
};

describe("a problem's workspace and task", () => {
  it("holds HumanEval's prompt and MBPP's text and function name, never the hidden tests", () => {
    for (const problem of [humaneval(1), mbpp]) {
      const shown = [...Object.values(workspaceFiles(problem)), taskForProblem(problem).title, taskForProblem(problem).body].join("\n");
      expect(shown).not.toContain("HIDDEN");
      expect(shown).not.toContain("check(");
      expect(shown).toContain(problem.entryPoint);
    }
    expect(workspaceFiles(humaneval(1))["solution.py"]).toBe(humaneval(1).prompt);
    expect(workspaceFiles(mbpp)["solution.py"]).toBe(`# ${mbpp.prompt}\n#\n# Define the function \`find_char_long\` in this module.\n`);
    expect(taskForProblem(mbpp)).toMatchObject({ title: "MBPP/7: write find_char_long in solution.py", source: "funcbench:mbpp/7" });
  });

  it("takes HumanEval's completion after the prompt, or the whole module when the prompt was changed; MBPP's is the whole module", () => {
    const problem = humaneval(1);
    expect(completionFromModule(problem, `${problem.prompt}    return 2 * x\n`)).toBe("    return 2 * x\n");
    const rewritten = "def double_1(x: int) -> int:\n    return 2 * x\n";
    expect(completionFromModule(problem, rewritten)).toBe(`\n${rewritten}`);
    expect(completionFromModule(problem, null)).toBe("");
    expect(completionFromModule(mbpp, "def find_char_long(text):\n    return []\n")).toBe("def find_char_long(text):\n    return []\n");
  });
});

describe("createScratchRepository and readFileAfterPatch", () => {
  it("reads a file as a patch leaves it, without touching the working tree, and null for a deleted file", async () => {
    const dir = join(await mkdtemp(join(tmpdir(), "agent-scratch-")), "repo");
    const commit = await createScratchRepository(dir, { "solution.py": "def f():\n    pass\n", "pytest.ini": "[pytest]\n" }, "start");
    await writeFile(join(dir, "solution.py"), "def f():\n    return 1\n");
    const patch = execFileSync("git", ["-C", dir, "diff", commit], { encoding: "utf8" });
    execFileSync("git", ["-C", dir, "checkout", "--", "."]);
    expect(await readFileAfterPatch(dir, commit, patch, "solution.py")).toBe("def f():\n    return 1\n");
    expect(await readFileAfterPatch(dir, commit, "", "solution.py")).toBe("def f():\n    pass\n");
    expect(await readFile(join(dir, "solution.py"), "utf8")).toBe("def f():\n    pass\n");
    expect(execFileSync("git", ["-C", dir, "status", "--porcelain"], { encoding: "utf8" })).toBe("");
    execFileSync("git", ["-C", dir, "rm", "-q", "solution.py"]);
    const deletion = execFileSync("git", ["-C", dir, "diff", "--cached", commit], { encoding: "utf8" });
    expect(await readFileAfterPatch(dir, commit, deletion, "solution.py")).toBeNull();
    await expect(readFileAfterPatch(dir, commit, "--- a/nothing\n+++ b/nothing\n@@ -1 +1 @@\n-x\n+y\n", "solution.py")).rejects.toThrow(/does not apply/);
  });
});

/** A grader that passes a program whose body returns 2 * x (what the fake runs write), without Docker. */
const fakeGrader = {
  graded: [] as string[],
  async grade(program: string): Promise<GradeOutcome> {
    this.graded.push(program);
    const passed = program.includes("return 2 * x");
    return { status: passed ? "passed" : "failed", exitCode: passed ? 0 : 1, error: passed ? "" : "AssertionError", durationMs: 1 };
  },
};

/** A run that writes `bodies` one round after another into solution.py and returns their patches, as the function graph would. */
function fakeSolve(bodies: string[], extra: { costUsd?: number; error?: Error; calls?: ProblemRunOptions[] } = {}) {
  return async (options: ProblemRunOptions): Promise<FunctionTaskResult> => {
    extra.calls?.push(options);
    const attempts = bodies.map((body, index) => {
      const prompt = execFileSync("git", ["-C", options.repoPath, "show", "HEAD:solution.py"], { encoding: "utf8" });
      execFileSync("bash", ["-c", `printf '%s' "$1" > solution.py`, "-", `${prompt}${body}`], { cwd: options.repoPath });
      return { round: index + 1, patch: execFileSync("git", ["-C", options.repoPath, "diff", "HEAD"], { encoding: "utf8" }) };
    });
    const report = buildRunReport([]);
    return {
      outcome: {
        runId: `run-${options.task.source}`,
        runDir: join(options.runsDir, "run"),
        status: extra.error ? "error" : "solved",
        patch: attempts.at(-1)?.patch ?? "",
        report: { ...report, usage: { ...report.usage, inputTokens: 1_000, outputTokens: 100 }, cost: { usd: extra.costUsd ?? 0.01, unknownCostCalls: [] } },
        ...(extra.error ? { error: extra.error } : {}),
      },
      rounds: attempts.length,
      attempts,
    };
  };
}

const readResults = async (file: string) => (await readFile(file, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as ProblemResult);

describe("runBenchmark", () => {
  const problems = [humaneval(1), humaneval(2), humaneval(3)];

  it("grades the final module and the first attempt, and writes samples.jsonl and results.jsonl in the dataset's order", async () => {
    const outputDir = await mkdtemp(join(tmpdir(), "agent-bench-"));
    const run = await runBenchmark({ benchmark: "humaneval", problems, outputDir, roles: "all", workers: 2, grader: fakeGrader, solve: fakeSolve(["    return x\n", "    return 2 * x\n"]) });
    expect(run.results.map((result) => [result.task_id, result.passed, result.rounds, result.first_attempt])).toEqual(
      problems.map((problem) => [problem.taskId, true, 2, { passed: false, result: "failed: AssertionError" }]),
    );
    expect((await readResults(run.resultsFile)).map((result) => result.task_id)).toEqual(["Made/1", "Made/2", "Made/3"]);
    const samples = (await readFile(run.samplesFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { task_id: string; completion: string });
    expect(samples).toEqual(problems.map((problem) => ({ task_id: problem.taskId, completion: "    return 2 * x\n" })));
    const summary = summarizeResults(run.results);
    expect(summary).toMatchObject({ problems: 3, passed: 3, passAt1: 1, meanRounds: 2, meanTokens: 1_100, fixedByFeedback: 3, brokenByFeedback: 0, errors: 0 });
    expect(summary.meanCostUsd).toBeCloseTo(0.01);
    const table = resultsMarkdown(summary, { benchmark: "humaneval", model: "scripted", roles: "all", selection: "3 made-up problems" });
    expect(table).toContain("| measured here: scripted, test designer, programmer, executor | 100.0% (3/3) | 2.00 | 1,100 | $0.0100 |");
    expect(table).toContain("| AgentCoder with GPT-4, **published** (not measured here) | 96.3% |");
    expect(table).toContain("| 100.0% (3) |");
  });

  it("runs again, on resume, only the problems without a result or whose run ended in an error; --redo runs the chosen ones again", async () => {
    const outputDir = await mkdtemp(join(tmpdir(), "agent-bench-"));
    await runBenchmark({ benchmark: "humaneval", problems: problems.slice(0, 2), outputDir, roles: "all", workers: 1, grader: fakeGrader, solve: fakeSolve(["    return 2 * x\n"]) });
    // A broken run leaves a line cut short; a model error leaves a result with its error.
    await writeFile(join(outputDir, "results.jsonl"), `${await readFile(join(outputDir, "results.jsonl"), "utf8")}{"task_id": "Made/3", "pas`);
    const erred = await runBenchmark({ benchmark: "humaneval", problems: [problems[2]!], outputDir, roles: "all", workers: 1, grader: fakeGrader, solve: fakeSolve(["    return 2 * x\n"], { error: new Error("the model's quota is used up") }) });
    expect(erred.results[0]).toMatchObject({ task_id: "Made/3", error: "the model's quota is used up" });
    const calls: ProblemRunOptions[] = [];
    const resumed = await runBenchmark({ benchmark: "humaneval", problems, outputDir, roles: "all", workers: 1, grader: fakeGrader, solve: fakeSolve(["    return 2 * x\n"], { calls }) });
    expect(calls.map((call) => call.task.source)).toEqual(["funcbench:Made/3"]);
    expect(resumed.results.map((result) => [result.task_id, result.passed, result.error])).toEqual([["Made/1", true, undefined], ["Made/2", true, undefined], ["Made/3", true, undefined]]);
    expect(await readResults(resumed.resultsFile)).toHaveLength(3);
    expect((await readFile(resumed.samplesFile, "utf8")).trim().split("\n")).toHaveLength(3);
    const redoCalls: ProblemRunOptions[] = [];
    await runBenchmark({ benchmark: "humaneval", problems: [problems[0]!], outputDir, roles: "all", workers: 1, redo: true, grader: fakeGrader, solve: fakeSolve(["    return 2 * x\n"], { calls: redoCalls }) });
    expect(redoCalls).toHaveLength(1);
    expect((await readResults(resumed.resultsFile)).map((result) => result.task_id)).toEqual(["Made/2", "Made/3", "Made/1"]);
  });

  it("stops starting problems at --max-cost, giving each run what remains as its limit", async () => {
    const outputDir = await mkdtemp(join(tmpdir(), "agent-bench-"));
    const calls: ProblemRunOptions[] = [];
    const run = await runBenchmark({ benchmark: "humaneval", problems, outputDir, roles: "all", workers: 1, maxTotalCostUsd: 1, grader: fakeGrader, solve: fakeSolve(["    return 2 * x\n"], { costUsd: 0.6, calls }) });
    expect(calls.map((call) => call.limits)).toEqual([{ maxCostUsd: 1 }, { maxCostUsd: 0.4 }]);
    expect(run.results).toHaveLength(2);
    expect(run.stoppedBecause).toBe("the cost limit ($1) was reached");
  });

  it("stops after three runs in a row end with an error (a wrong key, an outage), and a run that cannot start is a result with its error", async () => {
    const outputDir = await mkdtemp(join(tmpdir(), "agent-bench-"));
    const many = Array.from({ length: 6 }, (_, index) => humaneval(index + 1));
    let started = 0;
    const run = await runBenchmark({
      benchmark: "humaneval",
      problems: many,
      outputDir,
      roles: "programmer",
      workers: 1,
      grader: fakeGrader,
      solve: async () => {
        started += 1;
        throw new Error("401 Unauthorized: check the API key");
      },
    });
    expect(started).toBe(3);
    expect(run.results).toHaveLength(3);
    expect(run.results[0]).toMatchObject({ passed: false, result: "failed: the run did not start", rounds: 0, first_attempt: null, error: "401 Unauthorized: check the API key" });
    expect(run.stoppedBecause).toBe("3 runs in a row ended with an error, the last: 401 Unauthorized: check the API key");
  });
});
