import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { Command } from "commander";
import {
  ConfigError,
  createInProcessQueue,
  createInstallationAccess,
  createRedactor,
  createRedisQueue,
  createStructuredLog,
  openDailyBudget,
  findRepositoryInstallation,
  formatIssueReference,
  handleBotJob,
  openDeliveryLog,
  runTriage,
  startWebhookServer,
  UsageError,
  type AgentConfig,
  type GitHubAccess,
  type IssueReference,
  type JobQueue,
  type ServeJob,
  type StructuredLog,
} from "../../src/index.js";
import { globalOptions, type CliContext } from "../cli-context.js";
import { sharedRunOptions, stateDirectory, type SharedRunOptions } from "../run-options.js";
import { triagePorts, triageStateDir } from "../triage-runner.js";

interface ServeOptions {
  port: string;
  host: string;
  webhookSecret?: string;
  queue?: string;
  worker: boolean;
  concurrency: string;
  apiUrl?: string;
  appId?: string;
  privateKey?: string;
  botLogin?: string;
  stateDir?: string;
}

/** How a job reaches GitHub: a GitHub App (App id and private key) or a token for one repository. Read when a job runs, never at start. */
interface BotCredentials {
  app?: { appId: string; privateKey: string };
  token?: string;
  apiUrl?: string;
}

/** Starts a solve of the issue with `agent solve --pr` in a child process (a long run that must not take the server down), with the job's token. */
export type SolveLauncher = (reference: IssueReference, access: GitHubAccess, signal: AbortSignal) => Promise<void>;

/** The GitHub credentials of the bot, from flags or the environment; resolved per job so a missing one fails that job, not the server. */
async function readCredentials(context: CliContext, options: Pick<ServeOptions, "appId" | "privateKey" | "apiUrl">): Promise<BotCredentials> {
  const appId = options.appId ?? context.env["GITHUB_APP_ID"];
  const keyFile = options.privateKey ?? context.env["GITHUB_APP_PRIVATE_KEY_PATH"];
  const keyText = context.env["GITHUB_APP_PRIVATE_KEY"];
  const apiUrl = options.apiUrl ?? context.env["GITHUB_API_URL"];
  const token = context.env["GITHUB_TOKEN"] ?? context.env["GH_TOKEN"];
  let app: BotCredentials["app"];
  if (appId) {
    const privateKey = keyText
      ? keyText.replace(/\\n/g, "\n")
      : keyFile
        ? await readFile(resolve(context.cwd, keyFile), "utf8").catch((error: unknown) => {
            throw new ConfigError(`Cannot read the GitHub App's private key file ${keyFile}: ${(error as Error).message}. Download a key from the App's settings and pass --private-key FILE (or GITHUB_APP_PRIVATE_KEY_PATH).`);
          })
        : undefined;
    if (!privateKey) throw new ConfigError(`GitHub App ${appId} has no private key: pass --private-key FILE, or set GITHUB_APP_PRIVATE_KEY_PATH (a .pem file) or GITHUB_APP_PRIVATE_KEY (its text).`);
    app = { appId, privateKey };
  }
  return { ...(app ? { app } : {}), ...(token ? { token } : {}), ...(apiUrl ? { apiUrl } : {}) };
}

/** GitHub access for a job: its App installation's token, else the single-repository token; a clear ConfigError when there is neither. */
async function accessForJob(credentials: BotCredentials, job: Pick<ServeJob, "repository" | "installationId">): Promise<GitHubAccess> {
  const apiUrl = credentials.apiUrl ? { apiUrl: credentials.apiUrl } : {};
  if (credentials.app) {
    const installationId = job.installationId ?? (await findRepositoryInstallation(job.repository, { ...credentials.app, ...apiUrl }));
    return createInstallationAccess({ ...credentials.app, installationId, ...apiUrl });
  }
  if (credentials.token) return { token: credentials.token, tokenSource: "GITHUB_TOKEN", ...apiUrl };
  throw new ConfigError(
    `No GitHub credentials for the job on ${job.repository.owner}/${job.repository.repo}: set GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY_PATH (a GitHub App), or GITHUB_TOKEN (a token with "Issues: write" on one repository), and restart.`,
  );
}

/** `agent solve <issue> --pr` as a child process of this one, with the job's token in its environment (never on its command line). */
function launchSolve(context: CliContext, log: StructuredLog): SolveLauncher {
  return (reference, access, signal) =>
    new Promise((resolvePromise, reject) => {
      const entry = process.argv[1];
      if (!entry) return reject(new ConfigError("Cannot find the agent executable to start the solve with."));
      const args = [entry, "solve", formatIssueReference(reference), "--pr", ...(access.apiUrl ? ["--api-url", access.apiUrl] : [])];
      const child = spawn(process.execPath, args, {
        cwd: context.cwd,
        env: { ...context.env, ...(access.token ? { GITHUB_TOKEN: access.token } : {}), CI: "true" },
        stdio: ["ignore", "ignore", "pipe"],
        signal,
      });
      let tail = "";
      child.stderr?.on("data", (chunk: Buffer) => (tail = `${tail}${chunk.toString()}`.slice(-2_000)));
      child.on("error", reject);
      child.on("exit", (code) => {
        log.info("solve finished", { issue: formatIssueReference(reference), exitCode: code });
        // Exit 1 is "not solved": an outcome, recorded in its run, not a job to retry.
        if (code === 0 || code === 1) resolvePromise();
        else reject(new Error(`agent solve ${formatIssueReference(reference)} exited ${code}: ${tail.trim().split("\n").slice(-3).join(" / ")}`));
      });
    });
}

/** Opens the queue: BullMQ on Redis with --queue, else the embedded SQLite queue in the state directory. */
async function openQueue(url: string | undefined, stateDir: string, log: StructuredLog): Promise<JobQueue> {
  if (url) return createRedisQueue({ url, log });
  return createInProcessQueue({ file: join(stateDir, "queue.sqlite"), log });
}

/** Starts a worker that takes the bot's jobs from `queue`, with per-repository limits from the policies its jobs read. */
export async function startBotWorker(
  context: CliContext,
  shared: SharedRunOptions,
  queue: JobQueue,
  options: { concurrency: number; credentials: () => Promise<BotCredentials>; botLogin?: string; log: StructuredLog; budgetFile: string; solve?: SolveLauncher },
): Promise<{ close(): Promise<void> }> {
  const limits = new Map<string, number>();
  const config: AgentConfig = shared.config;
  const solve = options.solve ?? launchSolve(context, options.log);
  const budget = openDailyBudget(options.budgetFile, config.triage.maxDailyCostUsd);
  return queue.process(
    (job, jobContext) =>
      handleBotJob(
        job,
        {
          config,
          log: options.log,
          accessFor: async (target) => accessForJob(await options.credentials(), target),
          onPolicy: (repository, policy) => limits.set(repository, policy.concurrency),
          ...(options.botLogin ? { botLogin: options.botLogin } : {}),
          budget,
          triage: async (reference, access, signal) => {
            const progress = (line: string) => options.log.info(line, { jobId: job.id });
            const ports = await triagePorts(context, { ...shared, signal, secrets: [...(shared.secrets ?? []), ...(access.token ? [access.token] : [])] }, { access, reproduce: config.triage.reproduce, onProgress: progress });
            const record = await runTriage({ ...ports, reference, access, config, stateDir: triageStateDir(context), apply: true, ...(options.botLogin ? { botLogin: options.botLogin } : {}), onProgress: progress, signal });
            return { costUsd: record.result.usage.costUsd };
          },
          solve,
        },
        jobContext,
      ).catch((error: unknown) => {
        options.log.error("job failed", { jobId: job.id, repository: `${job.repository.owner}/${job.repository.repo}`, issue: job.issueNumber, attempt: jobContext.attempt, error: (error as Error).message });
        throw error;
      }),
    { concurrency: options.concurrency, concurrencyPerRepository: (repository) => limits.get(repository) ?? config.triage.concurrency },
  );
}

function positiveInteger(value: string, flag: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`${flag} takes a positive whole number, not ${JSON.stringify(value)}.`);
  return number;
}

/** `agent serve`: the GitHub App's webhook server, with its queue and (unless --no-worker) a worker. */
export function createServeCommand(context: CliContext): Command {
  return new Command("serve")
    .description(
      "Run the issue-triage bot: a webhook server for a GitHub App (or one repository's token) that triages new and edited issues and obeys /agent triage and /agent solve from people with write access. It never closes, locks or deletes.",
    )
    .option("--port <n>", "port to listen on (env PORT)", context.env["PORT"] ?? "3000")
    .option("--host <address>", "address to listen on; put a proxy or tunnel in front to expose it", "127.0.0.1")
    .option("--webhook-secret <secret>", "the App's webhook secret (env GITHUB_WEBHOOK_SECRET; prefer the variable: flags show in ps)")
    .option("--queue <redis-url>", "queue jobs on Redis with BullMQ (redis://host:6379) so `agent worker --bot` processes share them; default: an embedded queue in the state directory")
    .option("--no-worker", "only receive and queue deliveries; `agent worker --bot --queue ...` processes do the jobs")
    .option("--concurrency <n>", "jobs this process runs at once", "2")
    .option("--api-url <url>", "GitHub API URL, for GitHub Enterprise (env GITHUB_API_URL)")
    .option("--app-id <id>", "the GitHub App's id (env GITHUB_APP_ID)")
    .option("--private-key <file>", "the GitHub App's private key file (env GITHUB_APP_PRIVATE_KEY_PATH, or its text in GITHUB_APP_PRIVATE_KEY)")
    .option("--bot-login <login>", "the login the bot comments as (e.g. my-app[bot]); only its own marked comments are edited (env AGENT_BOT_LOGIN)")
    .option("--state-dir <dir>", "where the delivery log, the embedded queue, issue indexes and triage records go (default ~/.local/state/agent/serve)")
    .action(async (options: ServeOptions, command: Command) => {
      const secret = options.webhookSecret ?? context.env["GITHUB_WEBHOOK_SECRET"];
      if (!secret) throw new UsageError("agent serve needs the webhook secret set in the GitHub App's settings: set GITHUB_WEBHOOK_SECRET (or pass --webhook-secret).");
      if (!options.worker && !options.queue) throw new UsageError("--no-worker leaves the jobs to `agent worker --bot` processes, which need a shared queue: add --queue redis://HOST:6379.");
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port takes a port number from 0 to 65535, not ${JSON.stringify(options.port)}.`);
      const stateDir = options.stateDir ? resolve(context.cwd, options.stateDir) : stateDirectory(context, "serve");
      const shared = await sharedRunOptions(context, globalOptions(command));
      const log = createStructuredLog((line) => context.io.stdout.write(`${line}\n`), { redact: createRedactor([secret, ...(shared.secrets ?? [])]) });
      const queue = await openQueue(options.queue, stateDir, log);
      const deliveries = openDeliveryLog(join(stateDir, "deliveries.sqlite"));
      const botLogin = options.botLogin ?? context.env["AGENT_BOT_LOGIN"];
      const worker = options.worker
        ? await startBotWorker(context, shared, queue, {
            concurrency: positiveInteger(options.concurrency, "--concurrency"),
            credentials: () => readCredentials(context, options),
            ...(botLogin ? { botLogin } : {}),
            log,
            budgetFile: join(stateDir, "spend.json"),
          })
        : undefined;
      const server = await startWebhookServer({ secret, host: options.host, port, queue, deliveries, log });
      log.info("listening", { url: server.url, queue: options.queue ? "redis" : "embedded", worker: options.worker });
      await new Promise<void>((done) => context.signal.addEventListener("abort", () => done(), { once: true }));
      log.info("stopping");
      await server.close();
      await worker?.close();
      await queue.close();
      deliveries.close();
    });
}

/** `agent worker --bot`: takes the bot's jobs from the Redis queue `agent serve --queue` fills. */
export async function runBotWorker(context: CliContext, options: { queue: string; concurrency?: string; apiUrl?: string; appId?: string; privateKey?: string; botLogin?: string }, command: Command): Promise<void> {
  const shared = await sharedRunOptions(context, globalOptions(command));
  const log = createStructuredLog((line) => context.io.stdout.write(`${line}\n`), { redact: createRedactor(shared.secrets ?? []) });
  const queue = await createRedisQueue({ url: options.queue, log });
  const botLogin = options.botLogin ?? context.env["AGENT_BOT_LOGIN"];
  const worker = await startBotWorker(context, shared, queue, {
    concurrency: positiveInteger(options.concurrency ?? "1", "--concurrency"),
    credentials: () => readCredentials(context, options),
    ...(botLogin ? { botLogin } : {}),
    log,
    budgetFile: join(stateDirectory(context, "serve"), "spend.json"),
  });
  log.info("worker started", { queue: "redis" });
  await new Promise<void>((done) => context.signal.addEventListener("abort", () => done(), { once: true }));
  await worker.close();
  await queue.close();
}
