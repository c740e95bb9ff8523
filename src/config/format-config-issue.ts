import type { core } from "zod";
import { formatConfigPath } from "./format-config-path.js";
import { isSecretPath, maskSecret } from "./mask-secrets.js";
import { knownKeysAt } from "./schema.js";

/** Where a value came from, as an error message names it: a file, a variable or a flag. */
export interface IssueOrigin {
  /** Starts the line, e.g. "agent.config.json" or "AGENT_MODEL_TIMEOUT_MS". */
  label: string;
  /** Appended after the problem when the origin has a specific fix, e.g. " Fix or unset X."; may be "". */
  hint: string;
}

/**
 * Turns one schema issue into one-line messages (one per unknown key) that name the origin,
 * the key path and the problem, and never echo a secret.
 */
export function formatConfigIssue(
  issue: core.$ZodIssue,
  originOf: (segments: string[]) => IssueOrigin,
): string[] {
  const segments = issue.path.map(String);
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => {
      const keySegments = [...segments, key];
      const { label } = originOf(keySegments);
      const suggestion = suggestKey(key, knownKeysAt(segments));
      const didYouMean = suggestion === undefined ? "" : ` (did you mean "${formatConfigPath([...segments, suggestion])}"?)`;
      return `${label}: key "${formatConfigPath(keySegments)}" is not a known setting${didYouMean}. See README "Configuration".`;
    });
  }

  const { label, hint } = originOf(segments);
  const key = formatConfigPath(segments);
  if (issue.code === "invalid_key") {
    const reason = issue.issues[0]?.message ?? issue.message;
    return [`${label}: key "${key}": ${reason}.${hint}`];
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [`${label}: key "${key}" is missing: ${issue.message}.${hint}`];
  }
  return [`${label}: key "${key}": ${issue.message}, got ${describeValue(issue.input, segments)}.${hint}`];
}

function describeValue(value: unknown, segments: string[]): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "string") {
    if (isSecretPath(segments)) return JSON.stringify(maskSecret(value));
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}

/** The closest known key when it is a likely typo (case, a swap or a few edits), else undefined. */
function suggestKey(key: string, candidates: readonly string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(key.toLowerCase(), candidate.toLowerCase());
    const allowed = Math.max(1, Math.floor(candidate.length / 3));
    if (distance <= allowed && (best === undefined || distance < best.distance)) best = { candidate, distance };
  }
  return best?.candidate;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  const at = (i: number, j: number): number => rows[i]?.[j] ?? Number.POSITIVE_INFINITY;
  for (let i = 1; i <= a.length; i += 1) {
    const row = rows[i] ?? [];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let distance = Math.min(at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        distance = Math.min(distance, at(i - 2, j - 2) + 1);
      }
      row[j] = distance;
    }
  }
  return at(a.length, b.length);
}
