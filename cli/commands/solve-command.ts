import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command, Option } from "commander";
import { UsageError } from "../../src/errors.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { createEventRenderer } from "../../src/events/render-event.js";
import type { RunLimits } from "../../src/graph/routes.js";
import { resumeRun, runTask, type RunOutcome } from "../../src/graph/run-task.js";
import type { TaskSpec } from "../../src/graph/state.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import type { ApprovalMode } from "../../src/tools/approval.js";
import { describeSource, globalOptions, loadCliConfig, type CliContext } from "../cli-context.js";
import { ExitCode } from "../exit-codes.js";
import { memoryPath } from "./memory-command.js";
import { confirmLocalSandbox } from "./sandbox-command.js";

interface SolveOptions {
  task?: string;
  repo?: string;
  runsDir?: string;
  approval?: ApprovalMode;
  maxSteps?: string;
  maxCost?: string;
  maxRounds?: string;
  maxMinutes?: string;
}

/** The run directories: --runs-dir, AGENT_RUNS_DIR, or the XDG state directory (never inside the user's repository). */
export function runsDirectory(context: CliContext, option: string | undefined): string {
  if (option) return resolve(context.cwd, option);
  if (context.env["AGENT_RUNS_DIR"]) return resolve(context.cwd, context.env["AGENT_RUNS_DIR"]);
  return join(context.env["XDG_STATE_HOME"] || join(context.homeDir, ".local", "state"), "agent", "runs");
}

/** A task from --task text or a local markdown/text file: the first line (or heading) is the title. */
async function readTask(context: CliContext, file: string | undefined, text: string | undefined): Promise<TaskSpec> {
  if (file && text) throw new UsageError("Give either an issue file or --task, not both.");
  if (!file && !text) throw new UsageError('Say what to do: `agent solve --task "..."` or `agent solve ISSUE.md`.');
  if (file && (/^https?:\/\//.test(file) || /^[\w.-]+\/[\w.-]+#\d+$/.test(file))) {
    throw new UsageError(`GitHub issues (${file}) are not supported by this version yet; save the issue as a file, or pass its text with --task.`);
  }
  const body = text ?? (await readFile(resolve(context.cwd, file!), "utf8").catch((error: unknown) => {
    throw new UsageError(`Cannot read the issue file ${file}: ${(error as Error).message}.`);
  }));
  if (body.trim() === "") throw new UsageError(`The task is empty${file ? ` (${file})` : ""}; describe the problem to solve.`);
  const firstLine = body.trim().split("\n")[0]!.replace(/^#+\s*/, "").trim();
  return { title: firstLine.slice(0, 120), body: body.trim(), source: file ? resolve(context.cwd, file) : "typed" };
}

function gitRoot(cwd: string): string {
  try {
    return execFileSync("git", ["-c", "safe.directory=*", "-C", cwd, "rev-parse", "--show-toplevel"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    throw new UsageError(`${cwd} is not inside a git repository; pass --repo PATH.`);
  }
}

function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${flag} takes a positive number, not ${JSON.stringify(value)}.`);
  return number;
}

function limitsFrom(options: SolveOptions): Partial<RunLimits> {
  const limits: Partial<RunLimits> = {};
  const steps = positiveNumber(options.maxSteps, "--max-steps");
  const cost = positiveNumber(options.maxCost, "--max-cost");
  const rounds = positiveNumber(options.maxRounds, "--max-rounds");
  const minutes = positiveNumber(options.maxMinutes, "--max-minutes");
  if (steps) limits.maxSteps = Math.floor(steps);
  if (cost) limits.maxCostUsd = cost;
  if (rounds) limits.maxRounds = Math.floor(rounds);
  if (minutes) limits.maxWallTimeSec = minutes * 60;
  return limits;
}

/** Prints events as they come: JSON lines on stdout with --json, readable lines on stderr otherwise. */
function eventPrinter(context: CliContext, json: boolean, verbose: boolean): (event: AgentEvent) => void {
  const render = createEventRenderer({ verbose });
  return (event) => {
    if (json) context.io.stdout.write(`${JSON.stringify(event)}\n`);
    else {
      const line = render(event);
      if (line !== undefined) context.io.stderr.write(`${line}\n`);
    }
  };
}

function reportOutcome(context: CliContext, outcome: RunOutcome, json: boolean): void {
  if (!json) {
    const files = outcome.report.changedFiles?.length ? outcome.report.changedFiles.join(", ") : "none";
    context.io.stdout.write(
      `status:  ${outcome.status}\nrun:     ${outcome.runDir}\nchanged: ${files}\npatch:   ${outcome.patch ? join(outcome.runDir, "patch.diff") : "(none)"}\n`,
    );
  }
  context.setExitCode(outcome.status === "solved" ? ExitCode.ok : ExitCode.notSolved);
}

function addRunOptions(command: Command): Command {
  return command
    .option("--runs-dir <dir>", "where run directories go (env AGENT_RUNS_DIR; default ~/.local/state/agent/runs)")
    .addOption(new Option("--approval <mode>", "what the agents may do without asking").choices(["suggest", "auto-edit", "full-auto"]).default("full-auto"))
    .option("--max-steps <n>", "limit: tool calls across all roles")
    .option("--max-cost <usd>", "limit: model cost in USD")
    .option("--max-rounds <n>", "limit: programmer ↔ executor rounds")
    .option("--max-minutes <n>", "limit: wall time");
}

/** `agent solve` and `agent resume`: run the agent graph on a task in a sandbox and report the verified patch. */
export function createSolveCommands(context: CliContext): Command[] {
  const run = async (options: SolveOptions, command: Command, start: (common: Parameters<typeof runTask>[0]) => Promise<RunOutcome>) => {
    const global = globalOptions(command);
    const loaded = await loadCliConfig(context, global);
    const outcome = await start({
      task: { title: "", body: "", source: "" },
      repoPath: "",
      runsDir: runsDirectory(context, options.runsDir),
      config: loaded.config,
      modelOrigin: describeSource(loaded.sources.get("model")),
      userConfigPath: loaded.files.user,
      cwd: context.cwd,
      env: context.env,
      docker: createDockerClient(context.env),
      confirmSandbox: (choice) => confirmLocalSandbox(context, choice),
      sink: eventPrinter(context, global.json === true, global.verbose === true),
      approvalMode: options.approval ?? "full-auto",
      limits: limitsFrom(options),
      memoryPath: memoryPath(context),
      signal: context.signal,
    });
    reportOutcome(context, outcome, global.json === true);
  };

  const solve = addRunOptions(
    new Command("solve")
      .description("Solve a task in the repository: plan, write reproduction tests, patch, and verify, in a sandbox. Your checkout is never changed.")
      .argument("[issue-file]", "a markdown or text file holding the issue")
      .option("--task <text>", "the task as text, instead of a file")
      .option("--repo <path>", "the repository (default: the one containing the current directory)"),
  ).action(async (file: string | undefined, options: SolveOptions, command: Command) => {
    const task = await readTask(context, file, options.task);
    const repoPath = options.repo ? gitRoot(resolve(context.cwd, options.repo)) : gitRoot(context.cwd);
    await run(options, command, (common) => runTask({ ...common, task, repoPath }));
  });

  const resume = addRunOptions(
    new Command("resume").description("Continue a run that was interrupted or killed, from its last checkpoint.").argument("<run-id>", "the run to continue"),
  ).action(async (runId: string, options: SolveOptions, command: Command) => {
    await run(options, command, (common) => resumeRun({ ...common, runId }));
  });
  return [solve, resume];
}
