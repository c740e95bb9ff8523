import { resolve } from "node:path";
import { Command, Option } from "commander";
import { runTask, UsageError } from "../../src/index.js";
import { filterInstances, goldPredictions, loadInstances, loadPredictions } from "../../swebench/dataset.js";
import { formatDuration, RunProgressDisplay } from "../run-progress.js";
import { countResults, environmentVerdict, formatResultCounts, type EnvironmentCheck } from "../../swebench/environment-check.js";
import { evaluatePredictions, type EnvironmentKind, type InstanceResult } from "../../swebench/evaluate.js";
import { prepareEnvironments } from "../../swebench/prepare.js";
import type { GradingMode } from "../../swebench/grading.js";
import type { Prediction, SweBenchInstance } from "../../swebench/instance.js";
import { loadExtraSpecs, type SpecLookups } from "../../swebench/extra-specs.js";
import { startQueueWorker, type QueueSettings } from "../../swebench/distributed.js";
import { runInference, solveInstance, type InferenceOptions } from "../../swebench/run-inference.js";
import { globalOptions, printJson, type CliContext } from "../cli-context.js";
import { CANDIDATES_FLAG_HELP, positiveNumber, repositoryCacheDir, sharedRunOptions, withCandidatesFlag, type SharedRunOptions } from "../run-options.js";
import { ExitCode } from "../exit-codes.js";
import { connectDocker } from "./images-command.js";

/** Options that choose instances from a dataset, shared by `eval` and `run`. */
interface DatasetOptions {
  dataset: string;
  datasetsDir?: string;
  instanceIds?: string;
  repo?: string;
  filter?: string;
  slice?: string;
  specs?: string;
}

interface EvalOptions extends DatasetOptions {
  gold?: boolean;
  empty?: boolean;
  runId?: string;
  workers: string;
  timeout: string;
  environment: EnvironmentKind;
  reposDir?: string;
  redo?: boolean;
  grading: GradingMode;
  logDir?: string;
  reportDir?: string;
}

function addDatasetOptions(command: Command): Command {
  return command
    .option(
      "--dataset <name|file|owner/name[:split]>",
      'a dataset: "lite", "lite-dev", "verified" (files in --datasets-dir), a .json/.jsonl/.parquet file, or a Hugging Face dataset such as SWE-bench/SWE-bench_Verified or princeton-nlp/SWE-bench_Lite:dev (split "test" unless given; cached, used offline; env HF_ENDPOINT, HF_TOKEN)',
      "lite",
    )
    .option("--datasets-dir <dir>", "where the named datasets' files are (env SWEBENCH_DATASETS)")
    .option("--instance-ids <ids>", "only these instances (comma- or space-separated)")
    .option("--repo <names>", "only these repositories (owner/name or name, comma-separated)")
    .option("--filter <regex>", "only instance ids matching this regular expression")
    .option("--slice <a:b>", 'a Python-style slice of the selected instances ("0:10", ":5", "-3:")')
    .option("--specs <file>", "a JSON file of environment specs for repositories outside the official table (see swebench/extra-specs.ts)");
}

/** The spec lookups: --specs first, then the project's table. */
async function specLookups(context: CliContext, options: DatasetOptions): Promise<Partial<SpecLookups>> {
  return options.specs ? loadExtraSpecs(resolve(context.cwd, options.specs)) : {};
}

/** The instances the options select, in dataset order; a hub dataset is cached in hf-datasets/ beside the clone cache. */
export async function selectInstances(context: CliContext, options: DatasetOptions): Promise<SweBenchInstance[]> {
  const instances = await loadInstances(options.dataset, {
    ...(options.datasetsDir ? { datasetsDir: resolve(context.cwd, options.datasetsDir) } : {}),
    env: context.env,
    hubCacheDir: resolve(repositoryCacheDir(context), "..", "hf-datasets"),
    onProgress: (line) => context.io.stderr.write(`[dataset] ${line}\n`),
  });
  const list = (value: string | undefined) => value?.split(/[\s,]+/).filter(Boolean);
  const ids = list(options.instanceIds);
  const repos = list(options.repo);
  return filterInstances(instances, {
    ...(ids ? { ids } : {}),
    ...(repos ? { repos } : {}),
    ...(options.filter ? { pattern: options.filter } : {}),
    ...(options.slice ? { slice: options.slice } : {}),
  });
}

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} takes a positive whole number, not ${JSON.stringify(value)}.`);
  return number;
}

function indentFollowingLines(text: string): string {
  return text.trimEnd().split("\n").join("\n    ");
}

/** One line per finished instance (a failure's reason may follow on indented lines). */
function describeResult(result: InstanceResult): string {
  const outcome = result.outcome;
  const time = result.timing ? ` (${(result.timing.totalMs / 1000).toFixed(1)} s${result.timing.testCommandMs !== null ? `, tests ${(result.timing.testCommandMs / 1000).toFixed(1)} s` : ""})` : "";
  switch (outcome.kind) {
    case "graded":
      if (outcome.diagnosis.testsParsed === 0 && !outcome.diagnosis.runnerStarted) {
        return `${result.instanceId}: tests never ran (an environment problem): no test result was parsed${outcome.diagnosis.environmentLines.length ? `; the output says: ${outcome.diagnosis.environmentLines.join(" | ")}` : ""}${time}`;
      }
      return `${result.instanceId}: ${outcome.grade.resolved ? "resolved" : "unresolved"} ${outcome.grade.status}` +
        ` — F2P ${outcome.grade.testsStatus.FAIL_TO_PASS.success.length}/${outcome.grade.testsStatus.FAIL_TO_PASS.success.length + outcome.grade.testsStatus.FAIL_TO_PASS.failure.length}` +
        `, P2P ${outcome.grade.testsStatus.PASS_TO_PASS.success.length}/${outcome.grade.testsStatus.PASS_TO_PASS.success.length + outcome.grade.testsStatus.PASS_TO_PASS.failure.length}` +
        `${outcome.grade.invalidReason ? ` (invalid: ${outcome.grade.invalidReason})` : ""}${time}`;
    case "empty-patch":
      return `${result.instanceId}: empty patch`;
    case "skipped":
      return `${result.instanceId}: skipped, ${outcome.reason}`;
    default:
      // The reason in full (a set-up's last lines say why it failed), indented under the line.
      return `${result.instanceId}: ${outcome.kind}${time}: ${indentFollowingLines(outcome.reason)}`;
  }
}

/** `agent swebench eval`: the evaluation harness. */
function createEvalCommand(context: CliContext): Command {
  return addDatasetOptions(
    new Command("eval")
      .description("Evaluate predictions the way the official SWE-bench harness does: apply each patch in a fresh container, run the instance's tests, grade FAIL_TO_PASS and PASS_TO_PASS, and write the official reports.")
      .argument("[predictions]", "predictions file (.json or .jsonl of {instance_id, model_name_or_path, model_patch})")
      .option("--gold", "evaluate the dataset's gold patches (validates the environments: every instance should resolve)")
      .option("--empty", "run every instance's tests with no patch (validates the environments: FAIL_TO_PASS should fail)")
      .option("--run-id <id>", "the run's id, part of the log and report paths (default: a timestamp)")
      .option("--workers <n>", "instances evaluated at once", "2")
      .option("--timeout <seconds>", "time limit of one instance's eval script", "1800")
      .addOption(new Option("--environment <kind>", "official images (a registry), images built here from Debian, or official when pullable").choices(["auto", "official", "debian"]).default("auto"))
      .option("--repos-dir <dir>", "local mirrors of the repositories, one git repository per OWNER/NAME (no network needed)")
      .option("--redo", "evaluate instances again even when their report.json exists")
      .addOption(new Option("--grading <rules>", "grading rules: the 5.0 hardening (v5) or the 4.1 rules (v4)").choices(["v5", "v4"]).default("v5"))
      .option("--log-dir <dir>", "where logs/run_evaluation/... goes (default: the current directory)")
      .option("--report-dir <dir>", "where the run summary <model>.<run_id>.json goes (default: the current directory)"),
  ).action(async (predictionsPath: string | undefined, options: EvalOptions, command: Command) => {
    const chosen = [predictionsPath !== undefined, options.gold === true, options.empty === true].filter(Boolean).length;
    if (chosen !== 1) throw new UsageError("Give exactly one of: a predictions file, --gold or --empty.");
    const instances = await selectInstances(context, options);
    if (instances.length === 0) throw new UsageError("No instance matches the dataset and filters; check --instance-ids, --repo, --filter and --slice.");
    let predictions: Prediction[];
    if (options.gold) predictions = goldPredictions(instances);
    else if (options.empty) predictions = instances.map((instance) => ({ instance_id: instance.instance_id, model_name_or_path: "empty", model_patch: "" }));
    else {
      const wanted = new Set(instances.map((instance) => instance.instance_id));
      predictions = (await loadPredictions(resolve(context.cwd, predictionsPath!))).filter((prediction) => wanted.has(prediction.instance_id));
      if (predictions.length === 0) throw new UsageError(`None of the predictions in ${predictionsPath} is for a selected instance; check the dataset and filters.`);
    }
    const json = globalOptions(command).json === true;
    const docker = await connectDocker(context);
    const runId = options.runId ?? new Date().toISOString().replace(/[-:]/g, "").replace(/\..*/, "").replace("T", "-");
    const lookups = await specLookups(context, options);
    const parserNames = new Map(
      instances.flatMap((instance) => {
        const name = (instance as SweBenchInstance & { log_parser?: unknown }).log_parser ?? lookups.parserNameForRepo?.(instance.repo);
        return typeof name === "string" ? [[instance.instance_id, name] as const] : [];
      }),
    );
    const run = await evaluatePredictions({
      docker,
      instances,
      predictions,
      runId,
      logRoot: resolve(context.cwd, options.logDir ?? "."),
      reportDir: resolve(context.cwd, options.reportDir ?? "."),
      environment: options.environment,
      ...(options.reposDir ? { reposDir: resolve(context.cwd, options.reposDir) } : {}),
      cacheDir: repositoryCacheDir(context),
      workers: positiveInteger(options.workers, "--workers"),
      timeoutSec: positiveInteger(options.timeout, "--timeout"),
      ...(options.redo ? { redo: true } : {}),
      ...(options.empty ? { evaluateEmptyPatches: true } : {}),
      gradingMode: options.grading,
      ...(parserNames.size > 0 ? { parserNames } : {}),
      ...(lookups.specLookup ? { specLookup: lookups.specLookup } : {}),
      ...(lookups.debianPackages ? { debianPackages: lookups.debianPackages } : {}),
      onResult: (result, done, total) => {
        if (!json) context.io.stderr.write(`[eval ${done}/${total}] ${describeResult(result)}\n`);
      },
      onProgress: (line) => {
        if (!json) context.io.stderr.write(`[env] ${line}\n`);
      },
      signal: context.signal,
    });
    const check: EnvironmentCheck | undefined = options.gold ? "gold" : options.empty ? "empty" : undefined;
    const verdicts = check ? run.results.map((result) => environmentVerdict(result, check)) : undefined;
    const counts = countResults(run.results);
    if (json) printJson(context.io, { summaryFile: run.summaryFile, summary: run.summary, counts, environmentErrors: run.environmentErrors, ...(verdicts ? { verdicts } : {}) });
    else {
      const s = run.summary;
      // The official summary counts an empty patch as "empty" and an instance without an
      // environment as an error; the line of this run's own counts says what happened to each.
      context.io.stdout.write(
        `instances: ${s.total_instances} (submitted ${s.submitted_instances}, completed ${s.completed_instances})\n` +
          `resolved:  ${s.resolved_instances}\nunresolved: ${s.unresolved_instances}\nempty:     ${s.empty_patch_instances}\nerrors:    ${s.error_instances}\n` +
          `this run:  ${formatResultCounts(counts)}\n` +
          (run.environmentErrors.length ? `no environment: see ${run.summaryFile.replace(/\.json$/, ".environment-errors.json")}\n` : "") +
          `report:    ${run.summaryFile}\n`,
      );
    }
    if (check && verdicts) {
      const judged = verdicts.filter((verdict) => verdict.valid !== null);
      const invalid = judged.filter((verdict) => verdict.valid === false);
      if (!json) {
        context.io.stdout.write(
          `environments: ${judged.length - invalid.length}/${judged.length} valid (${check === "gold" ? "the gold patch resolves" : "FAIL_TO_PASS fails and PASS_TO_PASS passes without a patch"})` +
            `${judged.length < verdicts.length ? `; ${verdicts.length - judged.length} not evaluated (report.json exists; --redo)` : ""}\n` +
            invalid.map((verdict) => `  ${verdict.instanceId}: ${verdict.problem}: ${verdict.reason}\n`).join(""),
        );
      }
      context.setExitCode(invalid.length ? ExitCode.notSolved : ExitCode.ok);
    } else context.setExitCode(ExitCode.ok);
  });
}

interface RunOptions extends DatasetOptions {
  output: string;
  workers: string;
  maxCost?: string;
  maxCostPerInstance?: string;
  maxSteps?: string;
  candidates?: string;
  redo?: boolean;
  reposDir?: string;
  modelName?: string;
  queue?: string;
  queueName?: string;
  environment: EnvironmentKind;
}

/** The agent graph for one instance, in a Docker sandbox of the instance's environment image. */
function solveWithGraph(shared: SharedRunOptions, limits: { perInstanceCost?: number | undefined; maxSteps?: number | undefined }): InferenceOptions["solve"] {
  return ({ image, limits: given, ...run }) =>
    runTask({
      ...shared,
      ...run,
      config: { ...shared.config, sandbox: { ...shared.config.sandbox, kind: "docker", image } },
      approvalMode: "full-auto",
      limits: {
        ...given,
        ...(limits.perInstanceCost !== undefined ? { maxCostUsd: Math.min(limits.perInstanceCost, given?.maxCostUsd ?? Infinity) } : {}),
        ...(limits.maxSteps !== undefined ? { maxSteps: Math.floor(limits.maxSteps) } : {}),
      },
    });
}

/** The queue of --queue; AGENT_QUEUE_LOCK_MS shortens how long a dead worker's job waits before another takes it. */
function queueSettings(context: CliContext, url: string, name: string | undefined): QueueSettings {
  const lock = context.env["AGENT_QUEUE_LOCK_MS"];
  return { url, ...(name ? { name } : {}), ...(lock ? { lockDurationMs: positiveInteger(lock, "AGENT_QUEUE_LOCK_MS") } : {}) };
}

/** `agent swebench run`: the agent graph on SWE-bench instances, writing predictions.jsonl. */
function createRunCommand(context: CliContext): Command {
  return addDatasetOptions(
    new Command("run")
      .description("Solve SWE-bench instances with the agent graph, from the problem statement alone, and write predictions.jsonl in the official format (resumable).")
      .option("--output <dir>", "where predictions.jsonl, results.jsonl and the runs go", "swebench-runs")
      .option("--workers <n>", "instances solved at once", "1")
      .option("--max-cost <usd>", "stop starting instances once the runs have cost this much in total")
      .option("--max-cost-per-instance <usd>", "limit of one instance's run")
      .option("--max-steps <n>", "limit: tool calls of one instance's run")
      .option("--candidates <n>", CANDIDATES_FLAG_HELP)
      .option("--model-name <name>", "model_name_or_path in the predictions (default: the model string)")
      .option("--repos-dir <dir>", "local mirrors of the repositories, one git repository per OWNER/NAME")
      .option("--redo", "solve instances again even when predictions.jsonl has them")
      .option("--queue <redis-url>", "distribute the instances to `agent worker` processes through this Redis (BullMQ) instead of solving them here")
      .option("--queue-name <name>", "the queue's name (workers must use the same)", "agent-swebench")
      .addOption(
        new Option("--environment <kind>", "the image the agents work in: the official one (pulled when absent), one built here from Debian, or official when present or pullable")
          .choices(["auto", "official", "debian"])
          .default("auto"),
      ),
  ).action(async (options: RunOptions, command: Command) => {
    const instances = await selectInstances(context, options);
    if (instances.length === 0) throw new UsageError("No instance matches the dataset and filters; check --instance-ids, --repo, --filter and --slice.");
    const global = globalOptions(command);
    const shared = withCandidatesFlag(await sharedRunOptions(context, global), options.candidates);
    if (!shared.config.model) throw new UsageError("Name the model: --model provider:model (or AGENT_MODEL, or `model` in the config file).");
    const docker = await connectDocker(context);
    const perInstanceCost = positiveNumber(options.maxCostPerInstance, "--max-cost-per-instance");
    const maxSteps = positiveNumber(options.maxSteps, "--max-steps");
    const maxTotal = positiveNumber(options.maxCost, "--max-cost");
    const outputDir = resolve(context.cwd, options.output);
    const lookups = await specLookups(context, options);
    // A redrawn status bar on a terminal; plain lines on anything else. With --json, stdout has the
    // results and the lines go to stderr all the same.
    const display = new RunProgressDisplay(context.terminal ?? context.io.stderr, instances.length);
    const outcome = await runInference({
      docker,
      instances,
      outputDir,
      environment: options.environment,
      modelName: options.modelName ?? shared.config.model,
      workers: positiveInteger(options.workers, "--workers"),
      ...(maxTotal !== undefined ? { maxTotalCostUsd: maxTotal } : {}),
      ...(options.redo ? { redo: true } : {}),
      ...(options.reposDir ? { reposDir: resolve(context.cwd, options.reposDir) } : {}),
      cacheDir: repositoryCacheDir(context),
      ...(lookups.specLookup ? { specLookup: lookups.specLookup } : {}),
      ...(lookups.debianPackages ? { debianPackages: lookups.debianPackages } : {}),
      solve: solveWithGraph(shared, { perInstanceCost, maxSteps }),
      ...(options.queue ? { queue: queueSettings(context, options.queue, options.queueName) } : {}),
      onProgress: (line) => display.print(`[env] ${line}`),
      onStart: () => display.started(),
      onResult: (result, progress) => {
        const cost = result.costUsd === null ? "cost unknown" : `$${result.costUsd.toFixed(2)}`;
        const eta = progress.etaMs === null ? "" : `, ETA ${formatDuration(progress.etaMs)}`;
        const line = `[run ${progress.done}/${progress.total} ${Math.round((100 * progress.done) / Math.max(1, progress.total))}%${eta}, $${progress.costUsd.toFixed(2)} so far] ` +
          `${result.instance_id}: ${result.status} (${cost}, ${formatDuration(result.durationMs)}${result.patchBytes ? `, patch ${result.patchBytes} bytes` : ", no patch"})${result.error ? ` — ${result.error.split("\n")[0]}` : ""}`;
        if (global.json) context.io.stdout.write(`${JSON.stringify({ ...result, progress })}\n`);
        display.finished(line, progress, result.status === "error" || result.status === "environment-error", !options.queue);
      },
      signal: context.signal,
    }).finally(() => display.finish());
    if (!global.json) {
      context.io.stdout.write(
        `predictions: ${outcome.predictionsFile}\nfinished:    ${outcome.results.length} instance(s)${outcome.stoppedForCost ? " (stopped: --max-cost reached)" : ""}\n` +
          `evaluate:    agent swebench eval ${outcome.predictionsFile} --dataset ${options.dataset}${options.datasetsDir ? ` --datasets-dir ${options.datasetsDir}` : ""}\n`,
      );
    }
  });
}

interface WorkerOptions {
  queue: string;
  queueName: string;
  concurrency: string;
  output: string;
  reposDir?: string;
  specs?: string;
  maxCostPerInstance?: string;
  maxSteps?: string;
  candidates?: string;
  bot?: boolean;
  apiUrl?: string;
  appId?: string;
  privateKey?: string;
  botLogin?: string;
}

/** `agent worker`: takes SWE-bench instances from a queue and solves them with this machine's Docker. */
export function createWorkerCommand(context: CliContext): Command {
  return new Command("worker")
    .description(
      "Take SWE-bench instances from a Redis (BullMQ) queue filled by `agent swebench run --queue` and solve them here, or with --bot the triage bot's jobs queued by `agent serve --queue`, until stopped (Ctrl-C).",
    )
    .requiredOption("--queue <redis-url>", "the Redis the coordinator uses, e.g. redis://host:6379")
    .option("--bot", "take the triage bot's jobs (queued by `agent serve --queue`) instead of SWE-bench instances")
    .option("--api-url <url>", "with --bot: GitHub API URL (env GITHUB_API_URL)")
    .option("--app-id <id>", "with --bot: the GitHub App's id (env GITHUB_APP_ID)")
    .option("--private-key <file>", "with --bot: the GitHub App's private key file (env GITHUB_APP_PRIVATE_KEY_PATH)")
    .option("--bot-login <login>", "with --bot: the login the bot comments as (env AGENT_BOT_LOGIN)")
    .option("--queue-name <name>", "the queue's name", "agent-swebench")
    .option("--concurrency <n>", "instances solved at once", "1")
    .option("--output <dir>", "where this worker's runs go", "swebench-worker")
    .option("--repos-dir <dir>", "local mirrors of the repositories, one git repository per OWNER/NAME")
    .option("--specs <file>", "environment specs for repositories outside the official table")
    .option("--max-cost-per-instance <usd>", "limit of one instance's run")
    .option("--max-steps <n>", "limit: tool calls of one instance's run")
    .option("--candidates <n>", CANDIDATES_FLAG_HELP)
    .action(async (options: WorkerOptions, command: Command) => {
      if (options.bot) return (await import("./serve-command.js")).runBotWorker(context, options, command);
      const global = globalOptions(command);
      const shared = withCandidatesFlag(await sharedRunOptions(context, global), options.candidates);
      if (!shared.config.model) throw new UsageError("Name the model this worker uses: --model provider:model (or AGENT_MODEL, or `model` in the config file).");
      const docker = await connectDocker(context);
      const lookups = options.specs ? await loadExtraSpecs(resolve(context.cwd, options.specs)) : undefined;
      const solve = solveWithGraph(shared, {
        perInstanceCost: positiveNumber(options.maxCostPerInstance, "--max-cost-per-instance"),
        maxSteps: positiveNumber(options.maxSteps, "--max-steps"),
      });
      const worker = await startQueueWorker({
        queue: queueSettings(context, options.queue, options.queueName),
        concurrency: positiveInteger(options.concurrency, "--concurrency"),
        solve: async (data) =>
          solveInstance(
            {
              docker,
              outputDir: resolve(context.cwd, options.output),
              environment: data.environment ?? "auto",
              modelName: data.modelName,
              ...(options.reposDir ? { reposDir: resolve(context.cwd, options.reposDir) } : {}),
              cacheDir: repositoryCacheDir(context),
              ...(lookups ? { specLookup: lookups.specLookup, debianPackages: lookups.debianPackages } : {}),
              solve,
              onProgress: (line) => context.io.stderr.write(`[env] ${line}\n`),
              signal: context.signal,
            },
            data.instance,
            data.maxTotalCostUsd,
          ),
        onEvent: (line) => context.io.stderr.write(`[worker] ${line}\n`),
      });
      context.io.stderr.write(`[worker] waiting for instances on ${options.queueName} (Ctrl-C to stop after the current ones)\n`);
      context.signal.addEventListener("abort", () => void worker.close(), { once: true });
      await worker.closed;
    });
}

interface PrepareOptions extends DatasetOptions {
  reposDir?: string;
}

/** `agent swebench prepare`: builds the Debian environments (and, with --repos-dir, the instance images) ahead of a run. */
function createPrepareCommand(context: CliContext): Command {
  return addDatasetOptions(
    new Command("prepare")
      .description("Build the Debian-based environment images of the selected instances ahead of time (and with --repos-dir each instance's image), and say which cannot be built and why.")
      .option("--repos-dir <dir>", "local mirrors of the repositories; with it the instance images (repository at /testbed, installed) are built too"),
  ).action(async (options: PrepareOptions, command: Command) => {
    const instances = await selectInstances(context, options);
    if (instances.length === 0) throw new UsageError("No instance matches the dataset and filters; check --instance-ids, --repo, --filter and --slice.");
    const json = globalOptions(command).json === true;
    const docker = await connectDocker(context);
    const lookups = await specLookups(context, options);
    const outcomes = await prepareEnvironments({
      docker,
      instances,
      ...(options.reposDir ? { reposDir: resolve(context.cwd, options.reposDir) } : {}),
      cacheDir: repositoryCacheDir(context),
      ...(lookups.specLookup ? { specLookup: lookups.specLookup } : {}),
      ...(lookups.debianPackages ? { debianPackages: lookups.debianPackages } : {}),
      onProgress: (line) => {
        if (!json) context.io.stderr.write(`[env] ${line}\n`);
      },
      onOutcome: (outcome) => {
        if (!json) context.io.stdout.write(`${outcome.subject}: ${outcome.ok ? `ready ${outcome.image}${outcome.built ? " (built)" : ""}` : `cannot be built: ${outcome.reason}`}\n`);
      },
      signal: context.signal,
    });
    if (json) printJson(context.io, outcomes);
    context.setExitCode(outcomes.every((outcome) => outcome.ok) ? ExitCode.ok : ExitCode.notSolved);
  });
}

/** `agent swebench`: SWE-bench inference and evaluation. */
export function createSwebenchCommand(context: CliContext): Command {
  return new Command("swebench")
    .description("SWE-bench: build environments (prepare), solve instances with the agents (run) and evaluate predictions with a faithful harness (eval).")
    .addCommand(createPrepareCommand(context))
    .addCommand(createRunCommand(context))
    .addCommand(createEvalCommand(context));
}
