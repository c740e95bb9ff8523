/** The configuration module: layered loading with provenance, and masked display for `agent config show`. */
export { describeConfig, toMaskedJson, type ConfigRow } from "./describe-config.js";
export { formatConfigPath } from "./format-config-path.js";
export {
  defaultUserFilePath,
  findProjectRoot,
  loadConfig,
  projectConfigFileNames,
  type ConfigLayerName,
  type ConfigSource,
  type LoadConfigOptions,
  type LoadedConfig,
} from "./load-config.js";
export { isSecretPath, maskConfigValue, maskSecret, maskUrlCredentials } from "./mask-secrets.js";
export { normalizeOllamaHost } from "./normalize-ollama-host.js";
export { splitProjectFile, type IgnoredProjectSetting, type SplitProjectFile } from "./split-project-file.js";
export {
  agentConfigSchema,
  defaultConfig,
  modelPriceSchema,
  modelRequestSchema,
  projectSettingsSchema,
  projectTestFrameworks,
  providerConfigSchema,
  type AgentConfig,
  type DeepPartial,
  type ModelPrice,
  type ProjectSettings,
  type ProviderConfig,
} from "./schema.js";
