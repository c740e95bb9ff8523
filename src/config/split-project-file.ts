import { formatConfigPath } from "./format-config-path.js";
import { isPlainObject, listConfigLeaves } from "./list-config-leaves.js";
import { agentConfigSchema } from "./schema.js";

/** One leaf a project file tried to set outside `project.*`, left out of the configuration. */
export interface IgnoredProjectSetting {
  /** The leaf's path as `formatConfigPath` writes it, e.g. `sandbox.pidsLimit`. */
  key: string;
  /** Why a repository may not set it, and where to set it instead. */
  why: string;
  /** The project file that tried to set it. */
  file: string;
}

/** A project file cut along the trust boundary: what may be applied, and what is ignored. */
export interface SplitProjectFile {
  /** `project` and any unknown keys, which validation still reports as errors (typos). */
  trusted: Record<string, unknown>;
  ignored: IgnoredProjectSetting[];
}

/** The only top-level sections a project file may set: none can weaken isolation or spend money. */
const PROJECT_FILE_SECTIONS: ReadonlySet<string> = new Set(["project"]);

const SANDBOX_LIMITS: ReadonlySet<string> = new Set(["memoryMb", "cpus", "pidsLimit", "commandTimeoutSec"]);

/** Why a known section other than `project` is ignored, by its top-level key and (for the sandbox) its second. */
function reasonFor(segments: readonly string[]): string {
  const [section, key] = segments;
  if (section === "sandbox") {
    return key !== undefined && SANDBOX_LIMITS.has(key)
      ? "a repository may not change the sandbox's limits"
      : "a repository may not change the sandbox's isolation (its kind, image, network, or running on your machine)";
  }
  if (section === "providers") return "a repository may not choose where your API keys and model traffic go";
  return "a repository may not choose the models, requests or prices that decide what you spend";
}

/**
 * Splits a project file (untrusted: it comes with the repository) by allow-list. Every known
 * section but `project` is dropped unvalidated, so a hostile file can neither lift the sandbox,
 * spend money nor stop the run; each leaf it tried to set is reported with why and, from
 * `insteadFor`, where to set it.
 */
export function splitProjectFile(
  data: Record<string, unknown>,
  file: string,
  insteadFor: (segments: string[]) => string,
): SplitProjectFile {
  const knownSections = new Set(Object.keys(agentConfigSchema.shape));
  const trusted: Record<string, unknown> = {};
  const ignored: IgnoredProjectSetting[] = [];
  for (const [section, value] of Object.entries(data)) {
    if (PROJECT_FILE_SECTIONS.has(section) || !knownSections.has(section)) {
      // defineProperty, not assignment, so a "__proto__" key stays an ordinary key (and is reported as unknown).
      Object.defineProperty(trusted, section, { value, enumerable: true, writable: true, configurable: true });
      continue;
    }
    for (const { segments, value: leaf } of listConfigLeaves(value, [section])) {
      if (isPlainObject(leaf) && Object.keys(leaf).length === 0) continue;
      ignored.push({ key: formatConfigPath(segments), why: `${reasonFor(segments)}; ${insteadFor(segments)}`, file });
    }
  }
  return { trusted, ignored };
}
