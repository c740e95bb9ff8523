/**
 * The table a benchmark run ends with: this run's figures beside AgentCoder's published ones,
 * which are marked as published (they were not measured here).
 */
import type { FuncBenchmark } from "./dataset.js";
import type { ProblemResult } from "./run-benchmark.js";

/** AgentCoder's pass@1 with GPT-4 (Huang et al. 2023, "AgentCoder: Multi-Agent-based Code Generation with Iterative Testing and Optimisation"). */
export const AGENTCODER_PUBLISHED: Readonly<Record<FuncBenchmark, { passAt1: number; model: string }>> = {
  humaneval: { passAt1: 0.963, model: "GPT-4" },
  mbpp: { passAt1: 0.918, model: "GPT-4" },
};

/** What a set of problem results adds up to. */
export interface BenchmarkSummary {
  problems: number;
  passed: number;
  passAt1: number;
  meanRounds: number;
  meanTokens: number;
  /** Null when any run's cost is unknown (an unpriced model). */
  meanCostUsd: number | null;
  meanSeconds: number;
  /** First attempt failed the hidden tests, the final one passed: the executor's feedback fixed it. */
  fixedByFeedback: number;
  /** First attempt passed, the final one failed: later rounds broke it. */
  brokenByFeedback: number;
  /** Runs that ended with an error (counted as failed). */
  errors: number;
}

export function summarizeResults(results: readonly ProblemResult[]): BenchmarkSummary {
  const count = results.length;
  const mean = (values: number[]) => (count === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / count);
  const passed = results.filter((result) => result.passed).length;
  const costs = results.map((result) => result.cost_usd);
  return {
    problems: count,
    passed,
    passAt1: count === 0 ? 0 : passed / count,
    meanRounds: mean(results.map((result) => result.rounds)),
    meanTokens: mean(results.map((result) => result.tokens.input + result.tokens.output)),
    meanCostUsd: costs.some((cost) => cost === null) ? null : mean(costs.map((cost) => cost ?? 0)),
    meanSeconds: mean(results.map((result) => result.duration_ms / 1000)),
    fixedByFeedback: results.filter((result) => result.passed && result.first_attempt?.passed === false).length,
    brokenByFeedback: results.filter((result) => !result.passed && result.first_attempt?.passed === true).length,
    errors: results.filter((result) => result.error !== undefined).length,
  };
}

function percent(part: number, whole: number): string {
  return whole === 0 ? "—" : `${((part / whole) * 100).toFixed(1)}%`;
}

/** Who ran: the benchmark, the model and the roles, for the table's first column. */
export interface RunLabel {
  benchmark: FuncBenchmark;
  model: string;
  roles: "all" | "programmer";
  /** E.g. "MBPP test split" or "HumanEval, 3 of 164 problems". */
  selection: string;
}

/** The results table in markdown. */
export function resultsMarkdown(summary: BenchmarkSummary, label: RunLabel): string {
  const published = AGENTCODER_PUBLISHED[label.benchmark];
  const roles = label.roles === "all" ? "test designer, programmer, executor" : "programmer alone";
  const cost = summary.meanCostUsd === null ? "unknown" : `$${summary.meanCostUsd.toFixed(4)}`;
  // A scripted or replayed model plays back turns someone wrote: its figures are the harness's, never a model's.
  const who = /^(scripted|replay):/.test(label.model) ? `${label.model} (a playback of written turns, not a model's result)` : label.model;
  const feedback = label.roles === "all" ? `${percent(summary.fixedByFeedback, summary.problems)} (${summary.fixedByFeedback})` : "— (no feedback)";
  const lines = [
    `# ${label.benchmark === "humaneval" ? "HumanEval" : "MBPP"}: ${label.selection}`,
    "",
    "| | pass@1 | mean rounds | tokens per problem | cost per problem | time per problem | fixed by the executor's feedback |",
    "|---|---|---|---|---|---|---|",
    `| measured here: ${who}, ${roles} | ${percent(summary.passed, summary.problems)} (${summary.passed}/${summary.problems}) | ${summary.meanRounds.toFixed(2)} | ${Math.round(summary.meanTokens).toLocaleString("en-US")} | ${cost} | ${summary.meanSeconds.toFixed(1)} s | ${feedback} |`,
    `| AgentCoder with ${published.model}, **published** (not measured here) | ${(published.passAt1 * 100).toFixed(1)}% | — | — | — | — | — |`,
    "",
    "pass@1: the final module passes the benchmark's hidden tests, which the agents never saw. " +
      "Fixed by the executor's feedback: the programmer's first attempt failed the hidden tests and a later round passed them" +
      (summary.brokenByFeedback > 0 ? `; the other way round (a passing first attempt broken later): ${summary.brokenByFeedback}.` : "."),
  ];
  if (summary.errors > 0) lines.push(`${summary.errors} run(s) ended with an error and count as failed; run the command again to retry them.`);
  return `${lines.join("\n")}\n`;
}
