import { stat } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "../errors.js";
import { formatConfigIssue, type IssueOrigin } from "./format-config-issue.js";
import { formatConfigPath } from "./format-config-path.js";
import { isPlainObject, listConfigLeaves } from "./list-config-leaves.js";
import { normalizeOllamaHost } from "./normalize-ollama-host.js";
import { readConfigFile } from "./read-config-file.js";
import { splitProjectFile, type IgnoredProjectSetting } from "./split-project-file.js";
import { agentConfigSchema, defaultConfig, type AgentConfig, type DeepPartial } from "./schema.js";

/** The layers, lowest precedence first. */
export type ConfigLayerName = "default" | "user-file" | "project-file" | "env" | "flag";

/** Where one setting came from: the layer, and the file path, variable name, flag or "built-in". */
export interface ConfigSource {
  layer: ConfigLayerName;
  detail: string;
}

/** The validated configuration plus where each leaf came from and which files were looked at. */
export interface LoadedConfig {
  config: AgentConfig;
  /** Keyed by `formatConfigPath` of every leaf of `config`. */
  sources: Map<string, ConfigSource>;
  files: { user: string; userExists: boolean; project?: string; projectRoot: string };
  /** What the project file tried to set outside `project.*`: left out, one entry per leaf, in file order. */
  ignoredProjectSettings: IgnoredProjectSetting[];
}

/** Everything loadConfig reads from the outside world, injected so tests never see the real machine. */
export interface LoadConfigOptions {
  cwd: string;
  env: Record<string, string | undefined>;
  homeDir: string;
  /** The `--config FILE` flag: replaces the user file and must exist. */
  configFile?: string;
  flags?: DeepPartial<AgentConfig>;
  /** Leaf path -> flag spelling for provenance, e.g. `{ model: "--model" }`; otherwise "flag". */
  flagNames?: Record<string, string>;
}

/** The file names a project may use for its configuration; at most one may exist. */
export const projectConfigFileNames = ["agent.config.json", path.join(".agent", "config.json")] as const;

interface ConfigLayer {
  layer: ConfigLayerName;
  data: Record<string, unknown>;
  detailFor(segments: string[]): string;
  originFor(segments: string[]): IssueOrigin;
}

/**
 * Loads the configuration: defaults < user file < project file < environment < flags, deep-merged
 * and validated; of the project file only `project.*` counts, the rest is listed in
 * `ignoredProjectSettings`. Throws ConfigError with one line per problem, each naming its origin and key.
 */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const cwd = path.resolve(options.cwd);
  const env = options.env;
  const displayPath = (file: string): string => toDisplayPath(file, cwd);

  const explicitUserFile = pickExplicitUserFile(options, cwd);
  const userFile = explicitUserFile?.path ?? defaultUserFilePath(env, options.homeDir);
  const userData = await readConfigFile(userFile, displayPath(userFile));
  if (userData === undefined && explicitUserFile !== undefined) {
    throw new ConfigError(
      `${displayPath(userFile)}: config file not found (given by ${explicitUserFile.givenBy}). Check the path${
        explicitUserFile.givenBy === "--config" ? "" : " or unset AGENT_CONFIG"
      }.`,
    );
  }

  const projectRoot = await findProjectRoot(cwd);
  const projectFile = await findProjectFile(projectRoot, displayPath);
  const projectData = projectFile === undefined ? undefined : await readConfigFile(projectFile, displayPath(projectFile));
  const insteadFor = (segments: string[]): string => describeTrustedPlaces(segments, userFile, options.flagNames ?? {});
  const project =
    projectFile === undefined || projectData === undefined ? undefined : splitProjectFile(projectData, projectFile, insteadFor);

  const layers: ConfigLayer[] = [
    fixedLayer("default", structuredClone(defaultConfig), "built-in", "built-in defaults"),
  ];
  if (userData !== undefined) layers.push(fixedLayer("user-file", userData, userFile, displayPath(userFile)));
  if (projectFile !== undefined && project !== undefined) {
    layers.push(fixedLayer("project-file", project.trusted, projectFile, displayPath(projectFile)));
  }
  layers.push(readEnvironmentLayer(env));
  if (options.flags !== undefined) layers.push(flagLayer(options.flags, options.flagNames ?? {}));

  for (const layer of layers) validateLayer(layer);

  let merged: Record<string, unknown> = {};
  for (const layer of layers) merged = mergeConfigObjects(merged, layer.data);
  const indirectSources = applyApiKeyEnv(merged, layers, env);

  const result = agentConfigSchema.safeParse(merged, { reportInput: true });
  if (!result.success) {
    const problems = result.error.issues.flatMap((issue) =>
      formatConfigIssue(issue, (segments) => owningLayer(layers, segments).originFor(segments)),
    );
    throw new ConfigError(problems.join("\n"), { cause: result.error });
  }

  const sources = new Map<string, ConfigSource>();
  for (const { segments } of listConfigLeaves(result.data)) {
    const key = formatConfigPath(segments);
    const layer = highestLayerWith(layers, segments);
    sources.set(
      key,
      indirectSources.get(key) ??
        (layer === undefined ? { layer: "default", detail: "built-in" } : { layer: layer.layer, detail: layer.detailFor(segments) }),
    );
  }

  return {
    config: result.data,
    sources,
    files: {
      user: userFile,
      userExists: userData !== undefined,
      ...(projectFile === undefined ? {} : { project: projectFile }),
      projectRoot,
    },
    ignoredProjectSettings: project?.ignored ?? [],
  };
}

/**
 * Where a setting a project file may not make can be set instead: the user file, and the
 * variable or flag that sets exactly this key when there is one.
 */
function describeTrustedPlaces(segments: string[], userFile: string, flagNames: Record<string, string>): string {
  const key = formatConfigPath(segments);
  const alternatives: string[] = [];
  for (const [name, variableSegments] of [...stringVariables, ...integerVariables, ollamaHostVariable]) {
    if (formatConfigPath(variableSegments) === key) alternatives.push(name);
  }
  const flag = flagNames[key];
  if (flag !== undefined) alternatives.push(flag);
  return `set it in ${userFile}${alternatives.length === 0 ? "" : `, or use ${alternatives.join(" or ")}`}`;
}

/** `$XDG_CONFIG_HOME/agent/config.json`, or `~/.config/agent/config.json` for the injected home. */
export function defaultUserFilePath(env: Record<string, string | undefined>, homeDir: string): string {
  const xdg = env["XDG_CONFIG_HOME"];
  const configHome = xdg !== undefined && path.isAbsolute(xdg) ? xdg : path.join(homeDir, ".config");
  return path.join(configHome, "agent", "config.json");
}

/** The nearest ancestor of `cwd` (inclusive) holding `.git` (a directory or a worktree file), else `cwd`. */
export async function findProjectRoot(cwd: string): Promise<string> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

function pickExplicitUserFile(
  options: LoadConfigOptions,
  cwd: string,
): { path: string; givenBy: "--config" | "AGENT_CONFIG" } | undefined {
  if (options.configFile !== undefined && options.configFile !== "") {
    return { path: path.resolve(cwd, options.configFile), givenBy: "--config" };
  }
  const fromEnv = options.env["AGENT_CONFIG"];
  if (fromEnv !== undefined && fromEnv !== "") return { path: path.resolve(cwd, fromEnv), givenBy: "AGENT_CONFIG" };
  return undefined;
}

async function findProjectFile(root: string, displayPath: (file: string) => string): Promise<string | undefined> {
  const candidates = projectConfigFileNames.map((name) => path.join(root, name));
  const found: string[] = [];
  for (const candidate of candidates) if (await exists(candidate)) found.push(candidate);
  if (found.length > 1) {
    throw new ConfigError(
      `Found both ${found.map(displayPath).join(" and ")}: keep one of them and delete the other.`,
    );
  }
  return found[0];
}

/** False only when nothing is there; a path that exists but cannot be checked counts as present, so reading it reports why. */
async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code !== "ENOENT" && code !== "ENOTDIR";
  }
}

function toDisplayPath(file: string, cwd: string): string {
  const relative = path.relative(cwd, file);
  return relative !== "" && !relative.startsWith("..") && !path.isAbsolute(relative) ? relative : file;
}

function fixedLayer(layer: ConfigLayerName, data: Record<string, unknown>, detail: string, label: string): ConfigLayer {
  return { layer, data, detailFor: () => detail, originFor: () => ({ label, hint: "" }) };
}

function flagLayer(flags: DeepPartial<AgentConfig>, flagNames: Record<string, string>): ConfigLayer {
  const detailFor = (segments: string[]): string => flagNames[formatConfigPath(segments)] ?? "flag";
  return {
    layer: "flag",
    data: flags as Record<string, unknown>,
    detailFor,
    originFor: (segments) => {
      const flag = flagNames[formatConfigPath(segments)];
      return flag === undefined ? { label: "flags", hint: "" } : { label: flag, hint: ` Fix the ${flag} value.` };
    },
  };
}

/** Variables that map one-to-one onto a setting; OLLAMA_HOST and the integers need converting. */
const stringVariables: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["AGENT_MODEL", ["model"]],
  ["AGENT_SANDBOX", ["sandbox", "kind"]],
  ["OPENAI_API_KEY", ["providers", "openai", "apiKey"]],
  ["OPENAI_BASE_URL", ["providers", "openai", "baseUrl"]],
  ["ANTHROPIC_API_KEY", ["providers", "anthropic", "apiKey"]],
  ["ANTHROPIC_BASE_URL", ["providers", "anthropic", "baseUrl"]],
];

const integerVariables: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["AGENT_MODEL_TIMEOUT_MS", ["modelRequest", "timeoutMs"]],
  ["AGENT_MODEL_MAX_RETRIES", ["modelRequest", "maxRetries"]],
];

const ollamaHostVariable = ["OLLAMA_HOST", ["providers", "ollama", "baseUrl"]] as const;

function readEnvironmentLayer(env: Record<string, string | undefined>): ConfigLayer {
  const data: Record<string, unknown> = {};
  const variables = new Map<string, string>();
  const set = (name: string, segments: readonly string[], value: unknown): void => {
    setAt(data, segments, value);
    variables.set(formatConfigPath(segments), name);
  };

  for (const [name, segments] of stringVariables) {
    const value = env[name];
    if (value !== undefined && value !== "") set(name, segments, value);
  }
  for (const [name, segments] of integerVariables) {
    const value = env[name];
    if (value === undefined || value === "") continue;
    if (!/^\s*[+-]?\d+\s*$/.test(value)) {
      throw new ConfigError(
        `${name}: key "${formatConfigPath(segments)}": expected a whole number, got ${JSON.stringify(value)}. Fix or unset ${name}.`,
      );
    }
    set(name, segments, Number(value));
  }
  const ollamaHost = env["OLLAMA_HOST"];
  if (ollamaHost !== undefined && ollamaHost !== "") {
    set(ollamaHostVariable[0], ollamaHostVariable[1], normalizeOllamaHost(ollamaHost));
  }

  const detailFor = (segments: string[]): string => variables.get(formatConfigPath(segments)) ?? "environment";
  return {
    layer: "env",
    data,
    detailFor,
    originFor: (segments) => {
      const name = detailFor(segments);
      return { label: name, hint: ` Fix or unset ${name}.` };
    },
  };
}

function validateLayer(layer: ConfigLayer): void {
  const result = agentConfigSchema.safeParse(layer.data, { reportInput: true });
  if (result.success) return;
  // A layer may leave out required fields (another layer can supply them); the merged check catches the rest.
  const problems = result.error.issues
    .filter((issue) => !(issue.code === "invalid_type" && issue.input === undefined))
    .flatMap((issue) => formatConfigIssue(issue, (segments) => layer.originFor(segments)));
  if (problems.length > 0) throw new ConfigError(problems.join("\n"), { cause: result.error });
}

/**
 * For each provider with `apiKeyEnv` and no `apiKey` from the same or a higher layer, reads the
 * key from that variable (mutating `merged`); returns the sources of the keys it set.
 */
function applyApiKeyEnv(
  merged: Record<string, unknown>,
  layers: ConfigLayer[],
  env: Record<string, string | undefined>,
): Map<string, ConfigSource> {
  const sources = new Map<string, ConfigSource>();
  const providers = merged["providers"];
  if (!isPlainObject(providers)) return sources;
  for (const [name, provider] of Object.entries(providers)) {
    if (!isPlainObject(provider) || typeof provider["apiKeyEnv"] !== "string") continue;
    const variable = provider["apiKeyEnv"];
    const value = env[variable];
    if (value === undefined || value === "") continue;
    const keyEnvRank = layerRank(layers, ["providers", name, "apiKeyEnv"]);
    const keyRank = layerRank(layers, ["providers", name, "apiKey"]);
    if (keyRank >= keyEnvRank) continue;
    provider["apiKey"] = value;
    sources.set(formatConfigPath(["providers", name, "apiKey"]), { layer: "env", detail: variable });
  }
  return sources;
}

function layerRank(layers: ConfigLayer[], segments: string[]): number {
  return layers.findLastIndex((layer) => hasValueAt(layer.data, segments));
}

function highestLayerWith(layers: ConfigLayer[], segments: string[]): ConfigLayer | undefined {
  return layers.findLast((layer) => hasValueAt(layer.data, segments));
}

/** The layer to blame for a problem at `segments`: the highest one that set it or its nearest parent. */
function owningLayer(layers: ConfigLayer[], segments: string[]): ConfigLayer {
  for (let length = segments.length; length >= 0; length -= 1) {
    const layer = highestLayerWith(layers, segments.slice(0, length));
    if (layer !== undefined) return layer;
  }
  return layers[0] as ConfigLayer;
}

function hasValueAt(data: unknown, segments: readonly string[]): boolean {
  let node = data;
  for (const segment of segments) {
    if (!isPlainObject(node) || !Object.hasOwn(node, segment)) return false;
    node = node[segment];
  }
  return node !== undefined;
}

function setAt(data: Record<string, unknown>, segments: readonly string[], value: unknown): void {
  let node = data;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      node[segment] = value;
      return;
    }
    const child = node[segment];
    const next = isPlainObject(child) ? child : {};
    node[segment] = next;
    node = next;
  });
}

/** Deep merge: objects merge key by key, anything else in `overlay` replaces; inputs are not mutated. */
function mergeConfigObjects(base: Record<string, unknown>, overlay: Record<string, unknown>): Record<string, unknown> {
  const result: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(overlay)) {
    if (value === undefined) continue;
    const current = Object.hasOwn(result, key) ? result[key] : undefined;
    const merged = isPlainObject(value) ? mergeConfigObjects(isPlainObject(current) ? current : {}, value) : value;
    // defineProperty, not assignment, so a "__proto__" key stays an ordinary key.
    Object.defineProperty(result, key, { value: merged, enumerable: true, writable: true, configurable: true });
  }
  return result;
}
