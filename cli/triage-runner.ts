import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  createEmbeddings,
  createModel,
  ensureCachedClone,
  reproduceIssue,
  type AgentConfig,
  type GitHubAccess,
  type ReproductionReport,
  type RepositoryCheckout,
  type RunTriageOptions,
  type TaskSpec,
} from "../src/index.js";
import type { CliContext } from "./cli-context.js";
import { repositoryCacheDir, stateDirectory, type SharedRunOptions } from "./run-options.js";
import { runsDirectory } from "./commands/solve-command.js";
import { memoryPath } from "./commands/memory-command.js";

/** The limits of a reproduction: one visit of the test designer, small and cheap. */
const REPRODUCTION_STEPS = 30;
const REPRODUCTION_MINUTES = 10;

/** Where triage records and issue indexes go: $XDG_STATE_HOME/agent/triage (AGENT_TRIAGE_DIR overrides). */
export function triageStateDir(context: CliContext): string {
  return context.env["AGENT_TRIAGE_DIR"] || stateDirectory(context, "triage");
}

/**
 * The model, embeddings and reproduction a triage of the CLI or the bot uses: the configured
 * model; the embedding model when `triage.embeddingModel` is set; and a reproduction that runs
 * the test designer in the sandbox, as an ordinary recorded run, on the default branch of the
 * repository's cached clone, or on the HEAD of `localCheckout` (an issue file's checkout, read
 * as it is now: the run clones it and never changes it).
 */
export async function triagePorts(
  context: CliContext,
  shared: SharedRunOptions,
  options: { access: GitHubAccess; reproduce: boolean; onProgress: (line: string) => void; localCheckout?: string },
): Promise<Pick<RunTriageOptions, "model" | "embeddings" | "reproduce">> {
  const { config } = shared;
  const model = await createModel({ config, ...(shared.modelOrigin ? { modelOrigin: shared.modelOrigin } : {}), userConfigPath: shared.userConfigPath, cwd: shared.cwd });
  const embeddings = config.triage.embeddingModel ? await createEmbeddings({ model: config.triage.embeddingModel, config, userConfigPath: shared.userConfigPath }) : undefined;
  const reproduce = options.reproduce
    ? async (task: TaskSpec, checkout: RepositoryCheckout, signal?: AbortSignal): Promise<ReproductionReport> => {
        const repoPath = options.localCheckout ?? (await cachedClone(context, options, checkout));
        return await reproductionReport(
          await reproduceIssue({
            ...shared,
            ...(signal ? { signal } : {}),
            secrets: [...(shared.secrets ?? []), ...(options.access.token ? [options.access.token] : [])],
            runsDir: runsDirectory(context, undefined),
            memoryPath: memoryPath(context),
            onProgress: (line) => options.onProgress(`[image] ${line}`),
            task,
            repoPath,
            baseCommit: checkout.defaultBranch,
            approvalMode: "full-auto",
            limits: reproductionLimits(config),
          }),
        );
      }
    : undefined;
  return { model, ...(embeddings ? { embeddings } : {}), ...(reproduce ? { reproduce } : {}) };
}

/**
 * The repository's clone in the cache (a bare mirror fetched when older than ten minutes; the
 * token as a header, never in the URL), for a reproduction on its default branch.
 */
async function cachedClone(context: CliContext, options: { access: GitHubAccess; onProgress: (line: string) => void }, checkout: RepositoryCheckout): Promise<string> {
  const host = options.access.apiUrl ? new URL(options.access.apiUrl).host : "github.com";
  const repository = new URL(checkout.cloneUrl, "file:///").pathname.replace(/^\/+|\.git$/g, "");
  const clone = await ensureCachedClone({
    cacheDir: repositoryCacheDir(context),
    key: `${host}/${repository}`,
    cloneUrl: checkout.cloneUrl,
    maxAgeMs: 10 * 60_000,
    ...(options.access.token ? { token: options.access.token } : {}),
  });
  options.onProgress(`[clone] ${clone.action} ${repository} (${clone.path})`);
  return clone.path;
}

function reproductionLimits(config: AgentConfig) {
  return { maxSteps: REPRODUCTION_STEPS, maxRounds: 1, maxWallTimeSec: REPRODUCTION_MINUTES * 60, maxCostUsd: config.triage.maxCostUsd };
}

/**
 * A reproduction run's record as the triage result shows it: the log without the host's path to
 * the working tree (a local sandbox prints it; a public comment must not), and the run's model
 * calls from its report.
 */
export async function reproductionReport(result: Awaited<ReturnType<typeof reproduceIssue>>): Promise<ReproductionReport> {
  const tree = `${join(result.runDir, "workspaces", "test-designer")}/`;
  const report = await readFile(join(result.runDir, "report.json"), "utf8").then((text) => JSON.parse(text) as { modelCalls?: { total?: number } }, () => undefined);
  return {
    status: result.verdict,
    reason: result.reason.split(tree).join(""),
    tests: result.tests.map((test) => ({ path: test.path, content: test.content })),
    ...(result.command ? { command: result.command } : {}),
    ...(result.log ? { log: result.log.split(tree).join("") } : {}),
    runId: result.runId,
    runDir: result.runDir,
    usage: { modelCalls: report?.modelCalls?.total ?? 0, inputTokens: result.usage.inputTokens, outputTokens: result.usage.outputTokens, costUsd: result.costUsd },
  };
}
