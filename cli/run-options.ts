import { join } from "node:path";
import { createDockerClient, UsageError, type RunTaskOptions } from "../src/index.js";
import { describeSource, loadCliConfig, type CliContext, type GlobalOptions } from "./cli-context.js";
import { confirmLocalSandbox } from "./commands/sandbox-command.js";

/** What every run the CLI starts shares: the loaded configuration, the sandbox's Docker and consent, the secrets to redact, the signal. */
export type SharedRunOptions = Pick<
  RunTaskOptions,
  "config" | "modelOrigin" | "userConfigPath" | "cwd" | "env" | "docker" | "confirmSandbox" | "secrets" | "signal"
>;

/** Loads the configuration (flags, env, files) and gathers the options every run of the CLI shares. */
export async function sharedRunOptions(context: CliContext, global: GlobalOptions): Promise<SharedRunOptions> {
  const loaded = await loadCliConfig(context, global);
  const githubToken = context.env["GITHUB_TOKEN"] ?? context.env["GH_TOKEN"];
  return {
    config: loaded.config,
    modelOrigin: describeSource(loaded.sources.get("model")),
    userConfigPath: loaded.files.user,
    cwd: context.cwd,
    env: context.env,
    docker: createDockerClient(context.env),
    confirmSandbox: (choice) => confirmLocalSandbox(context, choice),
    ...(githubToken ? { secrets: [githubToken] } : {}),
    signal: context.signal,
  };
}

/** A directory of agent's state: `$XDG_STATE_HOME/agent/<name>`, else `~/.local/state/agent/<name>`. */
export function stateDirectory(context: CliContext, name: string): string {
  return join(context.env["XDG_STATE_HOME"] || join(context.homeDir, ".local", "state"), "agent", name);
}

/** The cache of cloned repositories and unpacked bundles: $XDG_CACHE_HOME/agent/repos, else ~/.cache/agent/repos. */
export function repositoryCacheDir(context: CliContext): string {
  return join(context.env["XDG_CACHE_HOME"] || join(context.homeDir, ".cache"), "agent", "repos");
}

/** A flag's value as a positive number, undefined when the flag is absent; anything else is a usage error that names the flag. */
export function positiveNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new UsageError(`${flag} takes a positive number, not ${JSON.stringify(value)}.`);
  return number;
}

/** The shared options with search.candidates from --candidates, when the flag is given. */
export function withCandidatesFlag(shared: SharedRunOptions, value: string | undefined): SharedRunOptions {
  if (value === undefined) return shared;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1 || count > 8) {
    throw new UsageError(`--candidates takes an integer from 1 to 8 (programmer attempts in the first round; 1 for one), not ${JSON.stringify(value)}.`);
  }
  return { ...shared, config: { ...shared.config, search: { ...shared.config.search, candidates: count } } };
}

/** The help of --candidates, the same for solve, swebench run and worker. */
export const CANDIDATES_FLAG_HELP =
  "programmer attempts in the first round, each in its own tree and sandbox and verified by the executor; the run goes on with the best (config search.candidates; default 1)";
