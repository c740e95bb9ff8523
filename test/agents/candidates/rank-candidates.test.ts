import { describe, expect, it } from "vitest";
import { countChangedLines, explainWinner, normalisePatch, rankCandidates } from "../../../src/agents/candidates/rank-candidates.js";
import type { Candidate, Verdict } from "../../../src/memory/blackboard.js";
import { noUsage } from "../../../src/memory/blackboard.js";

function diff(file: string, at: number, removed: string, added: string[]): string {
  return [`diff --git a/${file} b/${file}`, `--- a/${file}`, `+++ b/${file}`, `@@ -${at},1 +${at},${added.length} @@`, `-${removed}`, ...added.map((line) => `+${line}`), ""].join("\n");
}

function verdict(reproduced: number, regressions: number): Verdict {
  return {
    round: 1,
    reproduced: Array.from({ length: reproduced }, (_, index) => `t${index}`),
    weak: [],
    notFixed: [],
    regressions: Array.from({ length: regressions }, (_, index) => `r${index}`),
    solved: reproduced > 0 && regressions === 0,
    feedback: "",
    score: reproduced - regressions,
  };
}

function candidate(index: number, patch: string, judged: Verdict | null): Candidate {
  return { index, model: "m", patch, summary: "", verdict: judged, testRuns: [], usage: noUsage, limitHit: null };
}

describe("normalisePatch", () => {
  it("makes changes that differ only in hunk position, indentation, spacing, blank and comment lines equal", () => {
    const a = diff("pkg/core.py", 10, "    return x", ["    return x.strip()"]);
    const b = diff("pkg/core.py", 42, "  return x", ["  # strip first", "", "  return  x.strip( )"]);
    expect(normalisePatch(a)).toBe(normalisePatch(b));
  });

  it("tells apart different changes, and the same change in another file", () => {
    const a = diff("pkg/core.py", 10, "return x", ["return x.strip()"]);
    expect(normalisePatch(a)).not.toBe(normalisePatch(diff("pkg/core.py", 10, "return x", ["return x.lstrip()"])));
    expect(normalisePatch(a)).not.toBe(normalisePatch(diff("pkg/other.py", 10, "return x", ["return x.strip()"])));
  });

  it("does not depend on the order of the files", () => {
    const one = diff("a.py", 1, "x", ["y"]);
    const two = diff("b.py", 1, "x", ["z"]);
    expect(normalisePatch(one + two)).toBe(normalisePatch(two + one));
  });
});

describe("rankCandidates", () => {
  it("orders by designed tests fixed, then regressions, then agreement, then size, then index", () => {
    const small = diff("a.py", 1, "x", ["y"]);
    const large = diff("a.py", 1, "x", ["y", "z", "w"]);
    const other = diff("a.py", 1, "x", ["v"]);
    const ranking = rankCandidates([
      candidate(0, large, verdict(1, 0)),
      candidate(1, small, verdict(2, 1)),
      candidate(2, other, verdict(2, 0)),
      candidate(3, small.replace("+y", "+ y"), verdict(2, 0)),
      candidate(4, small, verdict(2, 0)),
      candidate(5, "", verdict(0, 0)),
      candidate(6, large, null),
    ]);
    expect(ranking.map((standing) => standing.index)).toEqual([3, 4, 2, 1, 0, 5, 6]);
    // 1, 3 and 4 made the same change; 1 is the first of them.
    expect(ranking.find((standing) => standing.index === 4)).toMatchObject({ agreement: 3, sameAs: 1 });
    expect(ranking.at(-1)).toMatchObject({ index: 6, usable: false, agreement: 0 });
    expect(countChangedLines(large)).toBe(4);
  });

  it("explains the winner against the best candidate that made another change", () => {
    const same = diff("a.py", 1, "x", ["y"]);
    const other = diff("a.py", 1, "x", ["z", "w"]);
    const byAgreement = rankCandidates([candidate(0, other, verdict(1, 0)), candidate(1, same, verdict(1, 0)), candidate(2, same, verdict(1, 0))]);
    expect(explainWinner(byAgreement)).toMatch(/^candidate 2 won: more candidates made the same change \(2 against 1\)/);
    const bySize = rankCandidates([candidate(0, other, verdict(1, 0)), candidate(1, same, verdict(1, 0))]);
    expect(explainWinner(bySize)).toMatch(/^candidate 2 won: it is the smaller change \(2 lines against 3\)/);
    const alone = rankCandidates([candidate(0, "", verdict(0, 0)), candidate(1, same, verdict(0, 1))]);
    expect(explainWinner(alone)).toMatch(/^candidate 2 won: it is the only one with a verified patch/);
    const none = rankCandidates([candidate(0, "", verdict(0, 0)), candidate(1, "", null)]);
    expect(explainWinner(none)).toBe("candidate 1: no candidate produced a verified patch");
  });
});
