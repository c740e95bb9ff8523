/**
 * bench/funcbench-grade: how fast `agent bench eval` grades, against the plain way of running
 * untrusted programs in containers, measured in the same run on the same image and the same
 * programs (the 164 HumanEval canonical solutions):
 *   ours: GraderPool with --workers 2 (containers started once, a fresh Python process per
 *     problem), start-up included;
 *   baseline: one `docker run --rm --network none IMAGE python3 -` per problem, two at a time.
 * Targets: ours / baseline throughput >= 5, and the whole HumanEval oracle in under 60 s.
 * Run: npm run build && node dist/bench/funcbench-grade.js [--dataset FILE] [--baseline N]
 *   --dataset  HumanEval's file (default: $FUNCBENCH_DATASETS/humaneval.jsonl, else ../shared/benchmarks)
 *   --baseline how many problems the baseline runs (default all; its rate is per problem either way)
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadProblems, type FuncProblem } from "../funcbench/dataset.js";
import { gradingProgram, oracleCompletion } from "../funcbench/grading-program.js";
import { GraderPool } from "../funcbench/grader.js";
import { createDockerClient, isDockerReachable } from "../src/sandbox/docker-client.js";
import { DEFAULT_RECIPE_NAME, ensureImage, findRecipe } from "../src/sandbox/images.js";

const WORKERS = 2;
const TIMEOUT_SEC = 3;

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

const dataset =
  flag("--dataset") ??
  [process.env["FUNCBENCH_DATASETS"], "../shared/benchmarks", "/work/shared/benchmarks"].filter((dir): dir is string => Boolean(dir)).map((dir) => join(dir, "humaneval.jsonl")).find((path) => existsSync(path));
if (!dataset) {
  process.stderr.write("bench/funcbench-grade: no HumanEval file; give --dataset FILE or set FUNCBENCH_DATASETS.\n");
  process.exit(2);
}
const docker = createDockerClient(process.env);
if (!(await isDockerReachable(docker))) {
  process.stderr.write("bench/funcbench-grade: no Docker engine answers; start it first (bash scripts/start-docker.sh).\n");
  process.exit(2);
}
const { tag: image } = await ensureImage(docker, findRecipe(DEFAULT_RECIPE_NAME));
const problems = await loadProblems("humaneval", dataset);
const programs = problems.map((problem: FuncProblem) => gradingProgram(problem, oracleCompletion(problem)));

/** Runs `work` over the items, `workers` at a time. */
async function pooled<T>(items: readonly T[], workers: number, work: (item: T) => Promise<boolean>): Promise<number> {
  let next = 0;
  let passed = 0;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < items.length) {
        const item = items[next++]!;
        if (await work(item)) passed += 1;
      }
    }),
  );
  return passed;
}

/** One program in a container of its own, as a careful script would run it. */
function dockerRun(program: string): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn("docker", ["run", "--rm", "-i", "--network", "none", "--memory", "1g", "--pids-limit", "256", image, "timeout", String(TIMEOUT_SEC), "python3", "-"], { stdio: ["pipe", "ignore", "ignore"] });
    child.on("error", () => resolve(false));
    child.on("close", (code) => resolve(code === 0));
    child.stdin.end(program);
  });
}

const oursStarted = performance.now();
const grader = await GraderPool.start({ docker, image, workers: WORKERS });
const oursPassed = await pooled(programs, WORKERS, async (program) => (await grader.grade(program, TIMEOUT_SEC)).status === "passed");
const oursSeconds = (performance.now() - oursStarted) / 1000;
await grader.dispose();

const baselinePrograms = programs.slice(0, Number(flag("--baseline")) || programs.length);
const baselineStarted = performance.now();
const baselinePassed = await pooled(baselinePrograms, WORKERS, dockerRun);
const baselineSeconds = (performance.now() - baselineStarted) / 1000;

const oursRate = programs.length / oursSeconds;
const baselineRate = baselinePrograms.length / baselineSeconds;
const ratio = oursRate / baselineRate;
process.stdout.write(`bench/funcbench-grade on ${image}, HumanEval canonical solutions, ${WORKERS} workers, ${TIMEOUT_SEC} s limit\n`);
process.stdout.write(`ours      ${programs.length} problems in ${oursSeconds.toFixed(1)} s = ${oursRate.toFixed(2)} problems/s (passed ${oursPassed})\n`);
process.stdout.write(`baseline  ${baselinePrograms.length} problems in ${baselineSeconds.toFixed(1)} s = ${baselineRate.toFixed(2)} problems/s (one docker run each; passed ${baselinePassed})\n`);
process.stdout.write(`ratio ${ratio.toFixed(1)}x (target >= 5) ${ratio >= 5 ? "met" : "NOT met"}; full oracle ${oursSeconds.toFixed(1)} s (target < 60 s) ${oursSeconds < 60 ? "met" : "NOT met"}\n`);
