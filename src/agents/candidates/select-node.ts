import { z } from "zod";
import { AbortedError, AgentError } from "../../errors.js";
import { noUsage, type AgentStateUpdate, type AgentStateValue, type BudgetUsage, type Candidate, type CandidateSelection, type RankedCandidate } from "../../memory/blackboard.js";
import { runAgentLoop } from "../agent-loop.js";
import { summarizeVerdict } from "../executor/judge-test-runs.js";
import { budgetCheck, loopSettings, type GraphRuntime } from "../graph-runtime.js";
import { explainWinner, rankCandidates, tiedOnEvidence } from "./rank-candidates.js";

/** Characters of each candidate's patch the critic reads. */
const CRITIC_PATCH_CHARS = 8_000;

const chooseCandidateSchema = z.object({
  candidate: z.number().int().min(1).describe("The number of the candidate you choose, as numbered above."),
  reason: z.string().min(1).describe("Why, in one or two sentences."),
});

const CRITIC_SYSTEM =
  "You review candidate patches for one issue. The tests cannot tell them apart: each fixes the same number of reproduction tests and breaks the same number of existing ones. " +
  "Choose the one most likely to be correct and complete for the issue as a maintainer would judge it: right place, right behaviour in the cases the issue implies, no needless change. " +
  "Call choose_candidate once.";

/** The critic's question: the issue, and each tied candidate's summary, verdict and patch. */
function criticPrompt(state: AgentStateValue, tied: Candidate[]): string {
  const blocks = tied.map((candidate, position) => {
    const patch = candidate.patch.length > CRITIC_PATCH_CHARS ? `${candidate.patch.slice(0, CRITIC_PATCH_CHARS)}\n[… patch cut at ${CRITIC_PATCH_CHARS} characters]` : candidate.patch;
    return `## Candidate ${position + 1}\nThe programmer's summary: ${candidate.summary}\nThe tests: ${candidate.verdict ? summarizeVerdict(candidate.verdict) : "not verified"}\n\`\`\`diff\n${patch}\n\`\`\``;
  });
  return `# The issue\n${state.task.title}\n\n${state.task.body}\n\n${blocks.join("\n\n")}`;
}

/** Asks the critic model to choose among candidates the tests could not separate; null when it did not answer usably. */
async function askCritic(state: AgentStateValue, runtime: GraphRuntime, tied: Candidate[]): Promise<{ choice: Candidate | null; reason: string; usage: BudgetUsage }> {
  const critic = runtime.models.critic!;
  const result = await runAgentLoop({
    node: "select",
    model: critic,
    tools: [],
    finalTool: { name: "choose_candidate", description: "Choose the candidate to keep.", schema: chooseCandidateSchema },
    system: CRITIC_SYSTEM,
    prompt: criticPrompt(state, tied),
    maxSteps: 2,
    shouldStop: budgetCheck(state, runtime),
    ...loopSettings(runtime),
  });
  const picked = result.final ? tied[result.final.candidate - 1] : undefined;
  if (!result.final || !picked) return { choice: null, reason: `the critic (${critic.modelKey}) gave no usable choice (${result.stoppedBy}); the smaller change wins`, usage: result.usage };
  return { choice: picked, reason: `the critic (${critic.modelKey}) chose candidate ${picked.index + 1}: ${result.final.reason}`, usage: result.usage };
}

/** The selection's record for report.json: every candidate with its standing. */
function selectionEvent(candidates: Candidate[], selection: CandidateSelection) {
  return {
    type: "candidates-selected" as const,
    winner: selection.winner,
    reason: selection.reason,
    ...(selection.critic ? { critic: selection.critic } : {}),
    candidates: selection.ranking.map((standing: RankedCandidate) => {
      const candidate = candidates.find((entry) => entry.index === standing.index)!;
      return {
        ...standing,
        model: candidate.model,
        summary: candidate.summary,
        patch: candidate.patch,
        verdict: candidate.verdict ? summarizeVerdict(candidate.verdict) : null,
        ...(candidate.error ? { error: candidate.error } : {}),
      };
    }),
  };
}

/**
 * Creates the node that ends a first round of several candidates (search.candidates): it ranks
 * them (rankCandidates: designed tests fixed, then regressions, then agreement, then the smaller
 * change), lets the critic model (models.critic) choose among the top ones when the tests tie
 * them, puts the winner's patch in the run's own working tree, and hands the winner's verdict
 * on, so the run goes on from it exactly as after a programmer round: solved, another round
 * with the executor's feedback, a replan, or the end with the best patch.
 */
export function createSelectNode(runtime: GraphRuntime) {
  return async (state: AgentStateValue): Promise<AgentStateUpdate> => {
    const round = state.round + 1;
    runtime.emit({ type: "node-start", node: "select", round });
    const candidates = [...state.candidates].sort((a, b) => a.index - b.index);
    if (candidates.every((candidate) => candidate.error)) {
      throw new AgentError(
        "candidates-failed",
        `Every candidate failed: ${candidates.map((candidate) => `${candidate.index + 1}: ${candidate.error}`).join("; ")}. Fix the cause (the model, the sandbox) and resume the run.`,
      );
    }
    let ranking = rankCandidates(candidates);
    let critic: string | undefined;
    let criticUsage = noUsage;
    const tied = ranking.filter((standing) => tiedOnEvidence(ranking[0]!, standing));
    if (runtime.models.critic && tied.length > 1) {
      try {
        const asked = await askCritic(state, runtime, tied.map((standing) => candidates.find((candidate) => candidate.index === standing.index)!));
        criticUsage = asked.usage;
        critic = asked.reason;
        if (asked.choice) ranking = [ranking.find((standing) => standing.index === asked.choice!.index)!, ...ranking.filter((standing) => standing.index !== asked.choice!.index)];
      } catch (error) {
        if (error instanceof AbortedError || runtime.signal?.aborted) throw error;
        critic = `the critic failed (${error instanceof Error ? error.message : String(error)}); the smaller change wins`;
      }
    }
    const winner = candidates.find((candidate) => candidate.index === ranking[0]!.index)!;
    const reason = critic && tied.length > 1 ? `candidate ${winner.index + 1} won: ${critic}` : explainWinner(ranking);
    const selection: CandidateSelection = { winner: winner.index, ranking, reason, ...(critic ? { critic } : {}) };
    await runtime.programmer.git.resetTo(winner.patch);
    runtime.emit(selectionEvent(candidates, selection));
    runtime.emit({ type: "node-end", node: "select", round, summary: reason });
    return {
      round,
      patch: winner.patch,
      verdict: winner.verdict,
      // The winner's runs: the executor already left out those the blackboard had; the shared base runs enter once, with it.
      testRuns: winner.testRuns,
      // The selection, not the executor's score, says which attempt is best: the winner is the patch a failed run keeps.
      bestPatch: ranking[0]!.usable ? { patch: winner.patch, score: winner.verdict!.score, round } : state.bestPatch,
      selection,
      usage: criticUsage,
      notes: [{ role: "programmer", text: winner.summary }, { role: "select", text: reason }],
    };
  };
}
