import { parse as parseYaml } from "yaml";
import { triagePolicySchema, type TriagePolicy } from "../config/schema.js";

/** Where a repository keeps its policy for the bot (read from its default branch). */
export const REPOSITORY_POLICY_FILE = ".github/agent.yml";

/** The policy a triage follows, and what of the repository's file was not used (and why). */
export interface ResolvedTriagePolicy {
  policy: TriagePolicy;
  /** Where each part came from, e.g. "the configuration" or ".github/agent.yml". */
  source: string;
  problems: string[];
}

/** Keys a repository may not set: which embedding model is called, and the bot's daily spend, are the operator's (they cost money). */
const OPERATOR_ONLY_KEYS = ["embeddingModel", "maxDailyCostUsd"] as const;

/**
 * The policy for one repository: the configuration's `triage` section, overridden key by key by
 * the `triage:` section of the repository's `.github/agent.yml` when there is one. A file that
 * does not parse or does not validate is reported and ignored (the configuration's policy holds),
 * never fatal; a repository may lower the cost cap but not raise it.
 */
export function resolveTriagePolicy(configured: TriagePolicy, repositoryFile?: string): ResolvedTriagePolicy {
  if (repositoryFile === undefined) return { policy: configured, source: "the configuration", problems: [] };
  let document: unknown;
  try {
    document = parseYaml(repositoryFile, { maxAliasCount: 50 });
  } catch (error) {
    return { policy: configured, source: "the configuration", problems: [`${REPOSITORY_POLICY_FILE} is not valid YAML (${firstLine(error)}); the configuration's policy was used.`] };
  }
  const section = isRecord(document) ? document["triage"] : undefined;
  if (section === undefined || section === null) return { policy: configured, source: "the configuration", problems: [] };
  if (!isRecord(section)) return { policy: configured, source: "the configuration", problems: [`triage: in ${REPOSITORY_POLICY_FILE} must be a mapping; the configuration's policy was used.`] };
  const problems: string[] = [];
  const own: Record<string, unknown> = { ...section };
  for (const key of OPERATOR_ONLY_KEYS) {
    if (key in own) {
      problems.push(`${REPOSITORY_POLICY_FILE} sets triage.${key}, which only the bot's operator may set; it was ignored.`);
      delete own[key];
    }
  }
  const parsed = triagePolicySchema.partial().safeParse(own);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `triage.${issue.path.join(".")}: ${issue.message}`).join("; ");
    return { policy: configured, source: "the configuration", problems: [...problems, `${REPOSITORY_POLICY_FILE} was ignored: ${issues}.`] };
  }
  const fromFile = Object.fromEntries(Object.entries(parsed.data).filter(([key]) => key in own)) as Partial<TriagePolicy>;
  const policy: TriagePolicy = { ...configured, ...fromFile, maxCostUsd: Math.min(configured.maxCostUsd, fromFile.maxCostUsd ?? configured.maxCostUsd) };
  if (configured.embeddingModel !== undefined) policy.embeddingModel = configured.embeddingModel;
  if (configured.maxDailyCostUsd !== undefined) policy.maxDailyCostUsd = configured.maxDailyCostUsd;
  return { policy, source: `the configuration and ${REPOSITORY_POLICY_FILE}`, problems };
}

/** True when the policy lets the bot apply this label: it matches `labels.allow` and no `labels.deny` (case-insensitive, `*` matches any text). */
export function isLabelAllowed(policy: TriagePolicy, label: string): boolean {
  const matches = (pattern: string) => globToRegExp(pattern).test(label);
  return policy.labels.allow.some(matches) && !policy.labels.deny.some(matches);
}

function globToRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`, "i");
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
}
