import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { Command, Option } from "commander";
import {
  applyPatchToCheckout,
  commentOnIssue,
  createEventRenderer,
  ensureCachedClone,
  fetchRepositoryInfo,
  findRepositoryRoot,
  formatIssueReference,
  listRuns,
  openDraftPullRequest,
  parseIssueReference,
  pushPatchBranch,
  readRunManifest,
  resolveGitHubToken,
  resumeRun,
  runTask,
  UsageError,
  type AgentEvent,
  type ApprovalMode,
  type IssueReference,
  type RunEnvironment,
  type RunLimits,
  type RunOutcome,
} from "../../src/index.js";
import { shouldUseLiveView, startLiveView } from "../tui/live-view.js";
import { globalOptions, type CliContext } from "../cli-context.js";
import { CANDIDATES_FLAG_HELP, positiveNumber, repositoryCacheDir, sharedRunOptions, stateDirectory, withCandidatesFlag } from "../run-options.js";
import { ExitCode } from "../exit-codes.js";
import { memoryPath } from "./memory-command.js";
import { readTask } from "../task-input.js";

interface SolveOptions {
  task?: string;
  repo?: string;
  apiUrl?: string;
  apply?: boolean;
  pr?: boolean;
  comment?: boolean;
  runsDir?: string;
  approval?: ApprovalMode;
  maxSteps?: string;
  maxCost?: string;
  maxRounds?: string;
  /** --candidates: programmer attempts in the first round (solve only; a resumed run keeps its own). */
  candidates?: string;
  maxMinutes?: string;
}

/** The run directories: --runs-dir, AGENT_RUNS_DIR, or the XDG state directory (never inside the user's repository). */
export function runsDirectory(context: CliContext, option: string | undefined): string {
  if (option) return resolve(context.cwd, option);
  if (context.env["AGENT_RUNS_DIR"]) return resolve(context.cwd, context.env["AGENT_RUNS_DIR"]);
  return stateDirectory(context, "runs");
}

/** A branch name for a run on an issue: agent/issue-N-<slug of the title>. */
export function issueBranchName(issue: IssueReference, title: string): string {
  const slug = title.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
  return `agent/issue-${issue.number}${slug ? `-${slug}` : ""}`;
}

/**
 * The repository to work on: --repo (a checkout, or a git bundle file, unpacked into the cache),
 * or for a GitHub issue its repository from the clone cache (a bare mirror in the cache
 * directory, fetched when older than ten minutes), or else the checkout you are in.
 */
async function chooseRepository(
  context: CliContext,
  option: string | undefined,
  issue: IssueReference | undefined,
  apiUrl: string | undefined,
  needRemote: boolean,
): Promise<{ repoPath: string; fromBundle?: boolean; remote?: { cloneUrl: string; defaultBranch: string } }> {
  if (option) {
    const path = resolve(context.cwd, option);
    const bundle = await isFile(path);
    const repoPath = bundle ? await unpackBundle(context, path) : await gitRoot(path);
    if (!issue || !needRemote) return { repoPath, ...(bundle ? { fromBundle: true } : {}) };
    const token = await resolveGitHubToken(context.env);
    return { repoPath, ...(bundle ? { fromBundle: true } : {}), remote: await fetchRepositoryInfo(issue, { ...token, ...(apiUrl ? { apiUrl } : {}) }) };
  }
  if (!issue) return { repoPath: await gitRoot(context.cwd) };
  const token = await resolveGitHubToken(context.env);
  const info = await fetchRepositoryInfo(issue, { ...token, ...(apiUrl ? { apiUrl } : {}) });
  const host = apiUrl ? new URL(apiUrl).host : "github.com";
  const clone = await ensureCachedClone({
    cacheDir: repositoryCacheDir(context),
    key: `${host}/${issue.owner}/${issue.repo}`,
    cloneUrl: info.cloneUrl,
    maxAgeMs: 10 * 60_000,
    ...(token.token ? { token: token.token } : {}),
  });
  context.io.stderr.write(`[clone] ${clone.action} ${issue.owner}/${issue.repo} (${clone.path})\n`);
  return { repoPath: clone.path, remote: info };
}

/** A git bundle (`git bundle create`) unpacked once into the cache, keyed by its content. */
async function unpackBundle(context: CliContext, path: string): Promise<string> {
  const digest = createHash("sha256").update(await readFile(path)).digest("hex").slice(0, 16);
  const clone = await ensureCachedClone({
    cacheDir: repositoryCacheDir(context),
    key: `bundles/${basename(path).replace(/\.bundle$/, "")}-${digest}`,
    cloneUrl: path,
    maxAgeMs: Number.POSITIVE_INFINITY,
  }).catch((error: unknown) => {
    throw new UsageError(`${path} is a file but not a git bundle git can clone (${(error as Error).message.split("\n")[0]}); give a checkout directory or a file made by \`git bundle create\`.`);
  });
  if (clone.action === "cloned") context.io.stderr.write(`[clone] unpacked ${basename(path)} (${clone.path})\n`);
  return clone.path;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((info) => info.isFile(), () => false);
}

/** Publishes a run's result as the flags ask: apply to the user's checkout, a draft pull request, a comment on the issue. */
async function publish(
  context: CliContext,
  options: SolveOptions,
  outcome: RunOutcome,
  target: { repoPath: string; issue?: IssueReference; remote?: { cloneUrl: string; defaultBranch: string }; branch?: string; apiUrl?: string; title: string },
): Promise<void> {
  const usable = outcome.patch.trim() !== "" && (outcome.status === "solved" || outcome.status === "patched");
  const note = (text: string) => context.io.stderr.write(`[publish] ${text}\n`);
  if (!usable && (options.apply || options.pr)) {
    note(`nothing to publish: the run ended ${outcome.status} without a patch`);
  }
  if (options.apply && usable) {
    const patchFile = join(outcome.runDir, "patch.diff");
    try {
      await applyPatchToCheckout(target.repoPath, patchFile);
      note(`applied ${patchFile} to ${target.repoPath}`);
    } catch (error) {
      throw new UsageError(`The patch does not apply to ${target.repoPath} (${(error as Error).message}); it is kept in ${patchFile}.`, { cause: error });
    }
  }
  if (!target.issue) return;
  const token = await resolveGitHubToken(context.env);
  const access = { ...token, ...(target.apiUrl ? { apiUrl: target.apiUrl } : {}) };
  const summary = await readFile(join(outcome.runDir, "summary.md"), "utf8");
  if (options.pr && usable && target.remote && target.branch) {
    await pushPatchBranch({
      sourceRepo: target.repoPath,
      scratchDir: join(outcome.runDir, "publish"),
      baseCommit: outcome.report.baseCommit ?? "HEAD",
      branch: target.branch,
      patch: outcome.patch,
      message: `${target.title}\n\nFixes #${target.issue.number}. Made by agent (run ${outcome.runId}).`,
      remoteUrl: target.remote.cloneUrl,
      ...(token.token ? { token: token.token } : {}),
    });
    const url = await openDraftPullRequest(target.issue, access, {
      head: target.branch,
      base: target.remote.defaultBranch,
      title: target.title,
      body: `${summary}\n\nFixes #${target.issue.number}`,
    });
    note(`opened a draft pull request: ${url}`);
  }
  if (options.comment) note(`commented on the issue: ${await commentOnIssue(target.issue, access, summary)}`);
}

/** The run `agent resume` continues: the one named, or with --last the newest in the runs directory. */
async function chooseRunToResume(runsDir: string, given: string | undefined, last: boolean): Promise<string> {
  if (given && last) throw new UsageError("Give a run id or --last, not both.");
  if (given) return given;
  if (!last) throw new UsageError("Say which run to continue: `agent resume <run-id>` (see `agent runs`) or `agent resume --last`.");
  const newest = (await listRuns(runsDir))[0];
  if (!newest) throw new UsageError(`There is no run in ${runsDir} to resume; pass --runs-dir if your runs are elsewhere.`);
  return newest.runId;
}

/** The checkout `--apply` changes on resume: the run's repository when it is a working tree (not a cache mirror or a bundle). */
async function checkoutOf(repoPath: string, runId: string): Promise<string> {
  const root = await findRepositoryRoot(repoPath);
  if (root !== repoPath) throw new UsageError(`Run ${runId} worked on ${repoPath}, which is not a checkout; pass --repo PATH with the checkout to apply the patch to.`);
  return root;
}

async function gitRoot(cwd: string): Promise<string> {
  const root = await findRepositoryRoot(cwd);
  if (!root) throw new UsageError(`${cwd} is not inside a git repository; pass --repo PATH.`);
  return root;
}

/** The limits the flags of addLimitOptions give (absent flags: the run's defaults). */
export function limitsFrom(options: Pick<SolveOptions, "maxSteps" | "maxCost" | "maxRounds" | "maxMinutes">): Partial<RunLimits> {
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
  // The record is written; the error that stopped the run still decides the exit code and is printed as errors are.
  if (outcome.error) throw outcome.error;
}

/** The flags that limit a run, and where its directory goes; shared by solve, resume and chat. */
export function addLimitOptions(command: Command): Command {
  return command
    .option("--runs-dir <dir>", "where run directories go (env AGENT_RUNS_DIR; default ~/.local/state/agent/runs)")
    .option("--max-steps <n>", "limit: tool calls across all roles")
    .option("--max-cost <usd>", "limit: model cost in USD")
    .option("--max-rounds <n>", "limit: programmer ↔ executor rounds")
    .option("--max-minutes <n>", "limit: wall time");
}

function addRunOptions(command: Command): Command {
  return addLimitOptions(command).addOption(
    new Option("--approval <mode>", "what the agents may do without asking").choices(["suggest", "auto-edit", "full-auto"]).default("full-auto"),
  );
}

/** Whether an approval mode asks a person (every mode but full-auto does, for some steps). */
function approvalAsks(mode: ApprovalMode | undefined): boolean {
  return mode === "suggest" || mode === "auto-edit";
}

/** A mode that asks needs a person at a terminal: said at the start, not as a denial of every step later. */
function assertSomeoneCanApprove(context: CliContext, mode: ApprovalMode | undefined): void {
  if (!approvalAsks(mode) || (context.stdin !== undefined && context.terminal !== undefined && context.env["TERM"] !== "dumb")) return;
  throw new UsageError(
    `--approval ${mode} asks a person before ${mode === "suggest" ? "every edit and command" : "every command"}, and there is no terminal to ask at (stdin and stderr must be terminals). ` +
      "Use --approval full-auto (the sandbox has no network and cannot publish), or run agent on a terminal; `agent` alone opens an interactive session.",
  );
}

/** `agent solve` and `agent resume`: run the agent graph on a task in a sandbox and report the verified patch. */
export function createSolveCommands(context: CliContext): Command[] {
  const run = async (options: SolveOptions, command: Command, start: (environment: RunEnvironment) => Promise<RunOutcome>, approvalMode: ApprovalMode | undefined) => {
    const global = globalOptions(command);
    const asks = approvalAsks(approvalMode);
    const shared = withCandidatesFlag(await sharedRunOptions(context, global), options.candidates);
    const liveViewWanted = context.terminal && shouldUseLiveView({ isTTY: context.terminal.isTTY, json: global.json === true, env: context.env });
    const live =
      liveViewWanted || asks
        ? startLiveView({ stdout: context.terminal!, verbose: global.verbose === true, ...(asks && context.stdin ? { keyboard: context.stdin } : {}) })
        : undefined;
    const outcome = await start({
      ...shared,
      ...(live?.approver ? { approver: live.approver } : {}),
      runsDir: runsDirectory(context, options.runsDir),
      sink: liveViewWanted && live ? live.sink : eventPrinter(context, global.json === true, global.verbose === true),
      onProgress: (line) => context.io.stderr.write(`[image] ${line}\n`),
      memoryPath: memoryPath(context),
    }).finally(() => live?.close());
    reportOutcome(context, outcome, global.json === true);
    return outcome;
  };

  const solve = addRunOptions(
    new Command("solve")
      .description("Solve a task in the repository: plan, write reproduction tests, patch, and verify, in a sandbox. Your checkout is changed only with --apply.")
      .argument("[issue]", "a GitHub issue (https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N), or a markdown/text file holding one")
      .option("--task <text>", "the task as text, instead of an issue")
      .option("--repo <path>", "a local checkout, or a git bundle file, to work on (default: for a GitHub issue, its repository cloned into the cache; otherwise the one you are in)")
      .option("--api-url <url>", "GitHub API URL, for GitHub Enterprise (default https://api.github.com)")
      .option("--apply", "apply the patch to your checkout (--repo, or the one you are in) when the run produced one")
      .option("--pr", "push the run's branch and open a draft pull request with the summary and the verification (GitHub issues)")
      .option("--comment", "post the run's summary as a comment on the issue (GitHub issues)")
      .option("--candidates <n>", CANDIDATES_FLAG_HELP),
  ).action(async (input: string | undefined, options: SolveOptions, command: Command) => {
    const approvalMode = options.approval ?? "full-auto";
    if (approvalAsks(approvalMode) && options.candidates !== undefined && options.candidates !== "1") {
      throw new UsageError(`--candidates ${options.candidates} runs the attempts at once, and --approval ${approvalMode} would ask you about all of them at the same time: use --approval full-auto with --candidates (the sandbox has no network and cannot publish).`);
    }
    assertSomeoneCanApprove(context, approvalMode);
    const { task, issue } = await readTask(context, input, options.task, options.apiUrl);
    if ((options.pr || options.comment) && !issue) throw new UsageError("--pr and --comment need a GitHub issue to work on.");
    if (options.apply && issue && !options.repo) throw new UsageError("--apply needs --repo PATH: the checkout to apply the patch to.");
    const limits = limitsFrom(options);
    const { repoPath, remote, fromBundle } = await chooseRepository(context, options.repo, issue, options.apiUrl, options.pr === true);
    if (options.apply && fromBundle) throw new UsageError("--apply needs a checkout to apply the patch to, not a bundle; clone the bundle and pass --repo with the clone.");
    const branch = issue ? issueBranchName(issue, task.title) : undefined;
    const outcome = await run(options, command, (environment) =>
      runTask({
        ...environment,
        task,
        repoPath,
        approvalMode,
        limits,
        ...(branch ? { branch } : {}),
        ...(issue ? { issue: { reference: formatIssueReference(issue), ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) } } : {}),
      }),
      approvalMode,
    );
    await publish(context, options, outcome, {
      repoPath,
      title: task.title,
      ...(issue ? { issue } : {}),
      ...(remote ? { remote } : {}),
      ...(branch ? { branch } : {}),
      ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}),
    });
  });

  const resume = addRunOptions(
    new Command("resume")
      .description("Continue a run that was interrupted or killed, from its last checkpoint, with the run's own model unless --model is given. Limits and --approval given here replace the run's own.")
      .argument("[run-id]", "the run to continue (see `agent runs`)")
      .option("--last", "continue the newest run in the runs directory")
      .option("--repo <path>", "with --apply: the checkout to apply the patch to (default: the run's repository when it is a checkout)")
      .option("--apply", "apply the patch to your checkout when the run produced one")
      .option("--pr", "push the run's branch and open a draft pull request (runs of GitHub issues)")
      .option("--comment", "post the run's summary as a comment on the issue (runs of GitHub issues)"),
  ).action(async (given: string | undefined, options: SolveOptions & { last?: boolean }, command: Command) => {
    const runsDir = runsDirectory(context, options.runsDir);
    const runId = await chooseRunToResume(runsDir, given, options.last === true);
    const manifest = await readRunManifest(runsDir, runId);
    const issue = manifest.issue ? parseIssueReference(manifest.issue.reference) : undefined;
    if ((options.pr || options.comment) && !issue) throw new UsageError(`Run ${runId} was not started from a GitHub issue, so --pr and --comment have nowhere to go.`);
    const checkout = options.apply ? (options.repo ? await gitRoot(resolve(context.cwd, options.repo)) : await checkoutOf(manifest.repoPath, runId)) : undefined;
    const limits = limitsFrom(options);
    // --approval has a default: only a mode typed on this command line changes the run's.
    const approvalGiven = command.getOptionValueSource("approval") === "cli";
    const approvalMode = approvalGiven && options.approval ? options.approval : manifest.approvalMode;
    assertSomeoneCanApprove(context, approvalMode);
    const outcome = await run(options, command, (environment) =>
      resumeRun({
        ...environment,
        runId,
        limits,
        modelGiven: globalOptions(command).model !== undefined,
        ...(approvalGiven && options.approval ? { approvalMode: options.approval } : {}),
        onResumeChange: (change) => context.io.stderr.write(`[resume] ${change}\n`),
      }),
      approvalMode,
    );
    const apiUrl = manifest.issue?.apiUrl;
    const remote = options.pr && issue ? await fetchRepositoryInfo(issue, { ...(await resolveGitHubToken(context.env)), ...(apiUrl ? { apiUrl } : {}) }) : undefined;
    await publish(context, options, outcome, {
      repoPath: checkout ?? manifest.repoPath,
      title: manifest.task.title,
      ...(issue ? { issue } : {}),
      ...(remote ? { remote } : {}),
      ...(manifest.branch ? { branch: manifest.branch } : {}),
      ...(apiUrl ? { apiUrl } : {}),
    });
  });
  return [solve, resume];
}
