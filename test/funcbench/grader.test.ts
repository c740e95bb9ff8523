import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { loadProblems, selectProblems, type FuncProblem } from "../../funcbench/dataset.js";
import { emptySamples, evaluateSamples, oracleSamples, resultText } from "../../funcbench/evaluate.js";
import { GraderPool } from "../../funcbench/grader.js";
import { describeWithDocker } from "../support/require-docker.js";
import { benchmarkDataDir, describeWithBenchmarkData } from "../support/reference-datasets.js";
import { sandboxImage, testDocker } from "../support/sandbox-factories.js";

/** A made-up problem whose hidden test checks one call, for samples that misbehave. */
const PROBLEM: FuncProblem = {
  benchmark: "humaneval",
  taskId: "Made/0",
  prompt: "def double(x):\n",
  entryPoint: "double",
  canonicalSolution: "    return 2 * x\n",
  hiddenTests: { kind: "humaneval", test: "def check(candidate):\n    assert candidate(21) == 42\n" },
};

describeWithDocker("grading function-level samples in containers", () => {
  let grader: GraderPool;

  beforeAll(async () => {
    grader = await GraderPool.start({ docker: testDocker, image: await sandboxImage(), workers: 2 });
  }, 20 * 60_000);

  afterAll(async () => {
    await grader?.dispose();
  });

  const grade = (completion: string, timeoutSec = 3) => evaluateSamples({ problems: [PROBLEM], samples: [{ taskId: "Made/0", completion }], grader, timeoutSec }).then((evaluation) => evaluation.graded[0]!.outcome);

  it("passes a right sample and fails a wrong one with its assertion", async () => {
    expect((await grade("    return 2 * x\n")).status).toBe("passed");
    const wrong = await grade("    return x + 1\n");
    expect(wrong.status).toBe("failed");
    expect(resultText(wrong)).toBe("failed: AssertionError");
  }, 60_000);

  it("stops an infinite loop at the time limit, and what it left running", async () => {
    const started = Date.now();
    const looping = await grade("    import subprocess\n    subprocess.Popen(['sleep', '300'])\n    while True:\n        pass\n", 1);
    expect(looping.status).toBe("timeout");
    expect(resultText(looping)).toBe("timed out");
    expect(Date.now() - started).toBeLessThan(15_000);
    // Nothing of the sample's user is left: a program that counts the user's other processes sees none.
    const census = await grade("    import os\n    mine = [p for p in os.listdir('/proc') if p.isdigit() and os.stat('/proc/' + p).st_uid == os.getuid()]\n    assert len(mine) == 1, mine\n    return 2 * x\n");
    expect(census.status, census.error).toBe("passed");
  }, 60_000);

  it("fails a sample that opens a socket or writes outside its directory, without effect", async () => {
    const network = await grade("    import urllib.request\n    urllib.request.urlopen('http://10.0.0.1/', timeout=1)\n    return 2 * x\n");
    expect(network.status).toBe("failed");
    expect(network.error).toMatch(/URLError|OSError|unreachable/i);
    for (const target of ["/work/escaped", "/tmp/escaped", "/etc/escaped", "../escaped"]) {
      const write = await grade(`    open(${JSON.stringify(target)}, 'w').write('x')\n    return 2 * x\n`);
      expect(write.status, target).toBe("failed");
      expect(write.error, target).toMatch(/PermissionError|Read-only file system|No such file/);
    }
    const leftBehind = await grade("    import os\n    assert not any(os.path.exists(p) for p in ['/work/escaped', '/tmp/escaped', '/etc/escaped', '../escaped'])\n    return 2 * x\n");
    expect(leftBehind.status, leftBehind.error).toBe("passed");
    // What a sample writes in its own directory is gone before the next one.
    await grade("    open('mine.txt', 'w').write('x')\n    return 2 * x\n");
    expect((await grade("    import os\n    assert not os.path.exists('mine.txt')\n    return 2 * x\n")).status).toBe("passed");
  }, 60_000);

  it("grades nothing more once interrupted, and says so", async () => {
    const controller = new AbortController();
    let graded = 0;
    const samples = Array.from({ length: 12 }, () => ({ taskId: "Made/0", completion: "    return 2 * x\n" }));
    const evaluation = evaluateSamples({ problems: [PROBLEM], samples, grader, signal: controller.signal, onGraded: () => ((graded += 1), controller.abort()) });
    await expect(evaluation).rejects.toThrow("Grading was interrupted.");
    // The two containers may each finish the program they had begun.
    expect(graded).toBeLessThanOrEqual(2);
  }, 60_000);

  it("survives a fork bomb and grades the next sample", async () => {
    const bomb = await grade("    import os\n    while True:\n        os.fork()\n", 2);
    expect(["timeout", "failed"]).toContain(bomb.status);
    expect((await grade("    return 2 * x\n")).status).toBe("passed");
  }, 60_000);
});

describeWithBenchmarkData("the HumanEval and MBPP references", () => {
  describeWithDocker("graded in containers", () => {
    let grader: GraderPool;
    let humaneval: FuncProblem[];
    let mbpp: FuncProblem[];

    beforeAll(async () => {
      [humaneval, mbpp] = await Promise.all([loadProblems("humaneval", join(benchmarkDataDir, "humaneval.jsonl")), loadProblems("mbpp", join(benchmarkDataDir, "mbpp.jsonl"))]);
      grader = await GraderPool.start({ docker: testDocker, image: await sandboxImage(), workers: 2 });
    }, 20 * 60_000);

    afterAll(async () => {
      await grader?.dispose();
    });

    it("passes HumanEval's canonical solutions and no empty completion (every fourth problem: the whole oracle is `agent bench eval humaneval --oracle`)", async () => {
      const everyFourth = humaneval.filter((_, index) => index % 4 === 0);
      const oracle = await evaluateSamples({ problems: everyFourth, samples: oracleSamples(everyFourth), grader });
      const failed = oracle.graded.filter(({ outcome }) => outcome.status !== "passed").map(({ sample, outcome }) => `${sample.taskId}: ${resultText(outcome)}`);
      expect(failed).toEqual([]);
      expect(oracle.passAtK["pass@1"]).toBe(1);
      const empty = await evaluateSamples({ problems: everyFourth, samples: emptySamples(everyFourth), grader });
      expect(empty.passed).toBe(0);
    }, 300_000);

    it("passes MBPP references, the ones with set-up code included, and fails their empty completions", async () => {
      // The two tasks with test_setup_code, and a spread of the test split (the full 974 take about a minute: `agent bench eval mbpp --oracle --split all`).
      const chosen = selectProblems(mbpp, ["367", "927", "11", "12", "100", "250", "510"]);
      const oracle = await evaluateSamples({ problems: chosen, samples: oracleSamples(chosen), grader });
      expect(oracle.graded.filter(({ outcome }) => outcome.status !== "passed").map(({ sample, outcome }) => `${sample.taskId}: ${resultText(outcome)}`)).toEqual([]);
      expect((await evaluateSamples({ problems: chosen, samples: emptySamples(chosen), grader })).passed).toBe(0);
    }, 120_000);
  });
});
