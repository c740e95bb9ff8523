import { formatConfigPath } from "./format-config-path.js";
import { isPlainObject, listConfigLeaves } from "./list-config-leaves.js";
import type { ConfigSource, LoadedConfig } from "./load-config.js";
import { maskConfigValue } from "./mask-secrets.js";
import type { AgentConfig } from "./schema.js";

/** One line of `agent config show`: a leaf setting, its display value and where it came from. */
export interface ConfigRow {
  path: string;
  /** JSON text of the value; secrets are masked. */
  value: string;
  source: ConfigSource;
}

/** Every leaf of the loaded configuration with its source, sorted by path, secrets masked. */
export function describeConfig(loaded: LoadedConfig): ConfigRow[] {
  const rows = listConfigLeaves(loaded.config).map(({ segments, value }): ConfigRow => {
    const path = formatConfigPath(segments);
    return {
      path,
      value: JSON.stringify(maskConfigValue(segments, value)),
      source: loaded.sources.get(path) ?? { layer: "default", detail: "built-in" },
    };
  });
  return rows.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** The loaded configuration as a fresh object with every secret leaf masked, for `config show --json`. */
export function toMaskedJson(loaded: LoadedConfig): AgentConfig {
  return maskTree(loaded.config, []) as AgentConfig;
}

function maskTree(value: unknown, segments: string[]): unknown {
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, maskTree(child, [...segments, key])]));
  }
  return maskConfigValue(segments, value);
}
