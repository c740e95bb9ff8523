/**
 * Evaluates one prediction the way the official harness's run_instance does, in a fresh
 * container without network: the model patch applied with `git apply`, then `git apply
 * --reject`, then `patch --fuzz=5`; the eval script run with a time limit; its log parsed with the
 * repository's parser and graded; per-instance files written to the instance's log directory.
 */
import { appendFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { trackContainer, untrackContainer } from "../src/index.js";
import { putFiles, runScript } from "./container-exec.js";
import { END_TEST_OUTPUT, REPO_DIRECTORY, START_TEST_OUTPUT } from "./eval-script.js";
import { formatInstanceReport, gradeInstance, instanceReport, logsEval, type Grade, type GradingMode } from "./grading.js";
import type { Prediction, SweBenchInstance } from "./instance.js";
import { logParserNamed, parserNameForRepo } from "./log-parsers/index.js";
import { harnessContainerLabels } from "./environments.js";
import { localServiceCapabilities, localServiceEnv, localServiceHosts, startLocalServices, type LocalServiceName } from "./local-services.js";

/** The official apply attempts, in order; the first that exits 0 wins. */
export const APPLY_PATCH_COMMANDS: readonly string[] = [
  "git apply --verbose",
  "git apply --verbose --reject",
  "patch --batch --fuzz=5 -p1 -i",
];

/** Markers the official harness writes to run_instance.log. */
export const APPLY_PATCH_FAIL = ">>>>> Patch Apply Failed";
export const APPLY_PATCH_PASS = ">>>>> Applied Patch";

/** How one instance's evaluation ended. */
export type InstanceOutcome =
  | { kind: "graded"; grade: Grade; diagnosis: TestRunDiagnosis }
  | { kind: "patch-failed"; reason: string }
  | { kind: "timed-out"; reason: string }
  | { kind: "environment-error"; reason: string }
  | { kind: "harness-error"; reason: string };

/**
 * What the test run's output says about the environment, beyond the grade: whether any test
 * result was parsed (none means the tests never ran: a missing command, an import error at
 * start), and the lines that point at a missing dependency or network.
 */
export interface TestRunDiagnosis {
  testsParsed: number;
  /**
   * Whether the output shows the test runner at work (pytest collected tests, unittest ran some,
   * a test was reported), so a run with nothing parsed crashed before reporting (an INTERNALERROR
   * the patch is meant to fix) rather than never ran.
   */
  runnerStarted: boolean;
  /** Up to five distinct lines of the output that name an environment problem. */
  environmentLines: string[];
}

/** Lines of a test run's output that say the environment, not the code, is at fault. */
const ENVIRONMENT_PROBLEM_LINE =
  /command not found|No module named|ModuleNotFoundError|ImportError|DistributionNotFound|ERROR collecting|fixture '[^']+' not found|Could not resolve host|Name or service not known|Temporary failure in name resolution|Network is unreachable|Connection refused|Max retries exceeded/;

/** Output that only a test runner at work prints: pytest's collection, unittest's totals, a verbose test line. */
const RUNNER_STARTED = /^collected \d+ items?|^Ran \d+ tests? in |^\S+ \([\w.]+\) \.\.\. |^INTERNALERROR>/m;

/** The diagnosis of one test run's output (the text between the markers, or the whole log when they are missing). */
export function diagnoseTestRun(statusMap: Readonly<Record<string, unknown>>, output: string): TestRunDiagnosis {
  const lines = new Set<string>();
  for (const line of output.split("\n")) {
    if (lines.size >= 5) break;
    const trimmed = line.trim();
    if (ENVIRONMENT_PROBLEM_LINE.test(trimmed)) lines.add(trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed);
  }
  return { testsParsed: Object.keys(statusMap).length, runnerStarted: RUNNER_STARTED.test(output), environmentLines: [...lines] };
}

/** Where time went, for the overhead benchmark. */
export interface InstanceTiming {
  totalMs: number;
  /** From the start marker to the end marker of the eval script's output: the test command's own time. */
  testCommandMs: number | null;
}

/** What evaluating one instance needs. */
export interface EvaluateInstanceOptions {
  docker: Docker;
  instance: SweBenchInstance;
  prediction: Prediction;
  /** The image with the repository at /testbed (official or built here). */
  image: string;
  evalScript: string;
  logDir: string;
  timeoutSec: number;
  gradingMode?: GradingMode;
  /** The official parser name to use (a v5 dataset row's log_parser); default: the repository's. */
  parserName?: string;
  /** Local stand-ins for hosts the tests reach, started before the eval script (Debian environments). */
  localServices?: readonly LocalServiceName[];
  /** Receives the container's removal instead of waiting for it. */
  deferCleanup?: (removal: Promise<unknown>) => void;
  signal?: AbortSignal;
}

/**
 * Runs the evaluation and writes patch.diff, eval.sh, test_output.txt, run_instance.log and (when
 * the tests ran) report.json into `logDir`. Never throws for a bad patch or a failing suite: the
 * outcome says what happened.
 */
export async function evaluateInstance(options: EvaluateInstanceOptions): Promise<{ outcome: InstanceOutcome; timing: InstanceTiming }> {
  const started = Date.now();
  const { docker, instance, prediction, logDir } = options;
  await mkdir(logDir, { recursive: true });
  const logFile = join(logDir, "run_instance.log");
  await writeFile(logFile, "");
  const log = (line: string) => appendFile(logFile, `${new Date().toISOString()} - ${line}\n`);
  const patch = prediction.model_patch ?? "";
  await writeFile(join(logDir, "patch.diff"), patch);
  await writeFile(join(logDir, "eval.sh"), options.evalScript);
  const timing = (testCommandMs: number | null): InstanceTiming => ({ totalMs: Date.now() - started, testCommandMs });

  const container = await docker.createContainer({
    Image: options.image,
    Cmd: ["sleep", "infinity"],
    User: "root",
    WorkingDir: REPO_DIRECTORY,
    Env: localServiceEnv(options.localServices),
    Labels: { ...harnessContainerLabels("eval", `eval-${instance.instance_id}`), "agent.swebench.instance": instance.instance_id, "agent.swebench.log-dir": logDir },
    // No network (test suites may try private addresses); limits against a patch that forks or allocates without end.
    HostConfig: { NetworkMode: "none", Init: true, PidsLimit: 4096, Memory: 8 * 1024 ** 3, ExtraHosts: localServiceHosts(options.localServices), CapAdd: localServiceCapabilities(options.localServices) },
  });
  trackContainer(container.id);
  try {
    await container.start();
    await log(`Container for ${instance.instance_id} started: ${container.id}`);
    await putFiles(container, [
      { path: "/tmp/patch.diff", content: patch },
      { path: "/eval.sh", content: options.evalScript, mode: 0o755 },
    ]);
    const signal = options.signal ? { signal: options.signal } : {};
    // An empty patch (environment validation with --empty) has nothing to apply.
    let applied = patch.trim() === "";
    if (applied) await log("The patch is empty: the tests run on the base commit.");
    for (const command of applied ? [] : APPLY_PATCH_COMMANDS) {
      const result = await runScript(container, `${command} /tmp/patch.diff`, { timeoutMs: 120_000, workdir: REPO_DIRECTORY, ...signal });
      if (result.exitCode === 0) {
        await log(`${APPLY_PATCH_PASS} (${command}):\n${result.output}`);
        applied = true;
        break;
      }
      await log(`Failed to apply patch to container: ${command}\n${result.output}`);
    }
    if (!applied) {
      await log(`${APPLY_PATCH_FAIL}:\nnone of ${APPLY_PATCH_COMMANDS.join(" / ")} applied the patch`);
      return { outcome: { kind: "patch-failed", reason: "the patch does not apply (git apply, git apply --reject, patch --fuzz=5)" }, timing: timing(null) };
    }
    const serviceFailure = await startLocalServices(container, options.localServices, options.signal);
    if (serviceFailure !== undefined) {
      await log(`Environment error: ${serviceFailure}`);
      return { outcome: { kind: "environment-error", reason: serviceFailure }, timing: timing(null) };
    }
    const before = await runScript(container, "git -c core.fileMode=false diff", { timeoutMs: 60_000, workdir: REPO_DIRECTORY, ...signal });
    await log(`Git diff before:\n${before.output}`);

    const run = await runScript(container, "/bin/bash /eval.sh", {
      timeoutMs: options.timeoutSec * 1000,
      workdir: REPO_DIRECTORY,
      watchMarkers: [START_TEST_OUTPUT, END_TEST_OUTPUT],
      ...signal,
    });
    const start = run.markerTimes[START_TEST_OUTPUT];
    const end = run.markerTimes[END_TEST_OUTPUT];
    const testCommandMs = start !== undefined && end !== undefined ? end - start : null;
    let output = run.output;
    if (run.timedOut) output += `\n\nTimeout error: ${options.timeoutSec} seconds exceeded.`;
    await writeFile(join(logDir, "test_output.txt"), output);
    await log(`Test runtime: ${(run.durationMs / 1000).toFixed(2)} seconds`);
    if (run.timedOut) {
      await log(`Test timed out after ${options.timeoutSec} seconds.`);
      return { outcome: { kind: "timed-out", reason: `the eval script ran longer than ${options.timeoutSec} s` }, timing: timing(testCommandMs) };
    }
    const after = await runScript(container, "git -c core.fileMode=false diff", { timeoutMs: 60_000, workdir: REPO_DIRECTORY, ...signal });
    await log(`Git diff after:\n${after.output}`);
    if (after.output.trim() !== before.output.trim()) await log("Git diff changed after running eval script");

    const parse = logParserNamed(options.parserName ?? parserNameForRepo(instance.repo));
    const evaluated = logsEval(output, parse, { mode: options.gradingMode ?? "v5" });
    const grade = gradeInstance({
      instance,
      statusMap: evaluated.statusMap,
      applied: evaluated.applied,
      exitCode: evaluated.exitCode,
      testOutput: evaluated.testOutput,
      mode: options.gradingMode ?? "v5",
    });
    const report = instanceReport(prediction, grade);
    await writeFile(join(logDir, "report.json"), formatInstanceReport(report));
    await log(`report: resolved ${grade.resolved} (${grade.status}${grade.invalidReason ? `; invalid: ${grade.invalidReason}` : ""})`);
    const diagnosis = diagnoseTestRun(evaluated.statusMap, evaluated.testOutput || output);
    if (diagnosis.testsParsed === 0 && !diagnosis.runnerStarted) await log(`No test result was parsed: the tests never ran.${diagnosis.environmentLines.length ? ` The output says:\n${diagnosis.environmentLines.join("\n")}` : ""}`);
    return { outcome: { kind: "graded", grade, diagnosis }, timing: timing(testCommandMs) };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    const reason = (error as Error).message;
    await log(`Error in evaluating ${instance.instance_id}: ${reason}`);
    return { outcome: { kind: "harness-error", reason }, timing: timing(null) };
  } finally {
    // Removing a container takes a few hundred milliseconds that nothing waits for: the caller
    // collects the promise (and awaits it before the run ends) instead of the instance waiting.
    const removal = container
      .remove({ force: true })
      .catch(() => undefined)
      .finally(() => untrackContainer(container.id));
    if (options.deferCleanup) options.deferCleanup(removal);
    else await removal;
  }
}
