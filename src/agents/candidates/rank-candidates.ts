import type { Candidate, RankedCandidate } from "../../memory/blackboard.js";

/**
 * A patch reduced to what it changes, so two candidates that made the same change compare equal
 * (Agentless clusters its samples the same way): per file, the added and removed lines with
 * their whitespace removed, without blank lines, comment-only lines (`#`, `//`) or hunk
 * positions. Two patches that differ only in where a hunk sits, in indentation or in a comment
 * are one change.
 */
export function normalisePatch(patch: string): string {
  const files: string[][] = [];
  for (const line of patch.split("\n")) {
    if (line.startsWith("diff --git ")) files.push([line.slice("diff --git ".length)]);
    else if (files.length === 0 || line.startsWith("+++ ") || line.startsWith("--- ")) continue;
    else if (line.startsWith("+") || line.startsWith("-")) {
      const body = line.slice(1).replace(/\s+/g, "");
      if (body !== "" && !body.startsWith("#") && !body.startsWith("//")) files[files.length - 1]!.push(`${line[0]}${body}`);
    }
  }
  return files.map((lines) => lines.join("\n")).sort().join("\n\n");
}

/** Added plus removed lines of a patch. */
export function countChangedLines(patch: string): number {
  return patch.split("\n").filter((line) => (line.startsWith("+") || line.startsWith("-")) && !line.startsWith("+++ ") && !line.startsWith("--- ")).length;
}

/** A candidate's standing: what the selection compares. */
function standing(candidate: Candidate, clusters: Map<string, number[]>): RankedCandidate {
  const usable = candidate.verdict !== null && candidate.patch.trim() !== "";
  const cluster = usable ? (clusters.get(normalisePatch(candidate.patch)) ?? [candidate.index]) : [candidate.index];
  return {
    index: candidate.index,
    fixed: candidate.verdict?.reproduced.length ?? 0,
    regressions: candidate.verdict?.regressions.length ?? 0,
    agreement: usable ? cluster.length : 0,
    sameAs: Math.min(...cluster),
    changedLines: countChangedLines(candidate.patch),
    usable,
  };
}

/**
 * Orders candidates best first: usable ones (a patch and a verdict) before the rest; then more
 * designed tests fixed; then fewer regressions; then more candidates that made the same change;
 * then the smaller change; then the earlier candidate. The comparison is the selection rule of
 * search.candidates, kept pure so it is tested on its own.
 */
export function rankCandidates(candidates: readonly Candidate[]): RankedCandidate[] {
  const clusters = new Map<string, number[]>();
  for (const candidate of candidates) {
    if (candidate.verdict === null || candidate.patch.trim() === "") continue;
    const key = normalisePatch(candidate.patch);
    clusters.set(key, [...(clusters.get(key) ?? []), candidate.index]);
  }
  return candidates.map((candidate) => standing(candidate, clusters)).sort(compareStandings);
}

/** Negative when `a` ranks before `b`. */
export function compareStandings(a: RankedCandidate, b: RankedCandidate): number {
  return (
    Number(b.usable) - Number(a.usable) ||
    b.fixed - a.fixed ||
    a.regressions - b.regressions ||
    b.agreement - a.agreement ||
    a.changedLines - b.changedLines ||
    a.index - b.index
  );
}

/** True when two standings tie on everything a test can tell (tests fixed, regressions, agreement): where a critic may choose. */
export function tiedOnEvidence(a: RankedCandidate, b: RankedCandidate): boolean {
  return a.usable && b.usable && a.fixed === b.fixed && a.regressions === b.regressions && a.agreement === b.agreement;
}

/** Why the first of a ranking won, in words: the first fact that set it apart from the best candidate that made another change. */
export function explainWinner(ranking: readonly RankedCandidate[]): string {
  const winner = ranking[0];
  const next = ranking.find((standing) => standing.sameAs !== winner?.sameAs || !standing.usable);
  if (!winner) return "no candidate";
  const name = `candidate ${winner.index + 1}`;
  const facts = `fixes ${winner.fixed} designed test(s), ${winner.regressions} regression(s), ${winner.agreement} candidate(s) made the same change, ${winner.changedLines} changed line(s)`;
  if (!winner.usable) return `${name}: no candidate produced a verified patch`;
  if (!next) return `${name} won: ${ranking.length === 1 ? "the only candidate" : "every candidate made the same change"} (it ${facts})`;
  const because =
    !next.usable ? `it is the only one with a verified patch`
    : winner.fixed !== next.fixed ? `it fixes more designed tests (${winner.fixed} against ${next.fixed})`
    : winner.regressions !== next.regressions ? `it breaks fewer tests that passed before (${winner.regressions} against ${next.regressions})`
    : winner.agreement !== next.agreement ? `more candidates made the same change (${winner.agreement} against ${next.agreement})`
    : winner.changedLines !== next.changedLines ? `it is the smaller change (${winner.changedLines} lines against ${next.changedLines})`
    : `it ties with candidate ${next.index + 1} on every count and came first`;
  return `${name} won: ${because}; it ${facts}`;
}
