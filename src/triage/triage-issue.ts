import { createHash } from "node:crypto";
import { AbortedError } from "../errors.js";
import type { TaskSpec } from "../memory/blackboard.js";
import type { ModelClient } from "../models/model-client.js";
import { classifyIssue, unclassified, type IssueClassification } from "./classify-issue.js";
import { detectPresentInformation } from "./detect-present-information.js";
import { recommendActions } from "./recommend-actions.js";
import type { ResolvedTriagePolicy } from "./triage-policy.js";
import type { TriageDuplicateCandidate, TriageResult } from "./triage-result.js";

/** The issue being triaged, from GitHub or from a file. */
export interface TriageIssue {
  /** `OWNER/REPO#N`, or the file's name for an issue read from a file. */
  reference: string;
  repository: string;
  number: number;
  url: string;
  title: string;
  body: string;
  labels: string[];
  comments: Array<{ author: string; body: string }>;
  author: string;
  state: string;
  createdAt?: string;
}

/** What duplicate detection found among the repository's other issues. */
export interface DuplicateSearch {
  indexedIssues: number;
  candidates: Array<Omit<TriageDuplicateCandidate, "suggested">>;
  notes: string[];
}

/** What a reproduction attempt gave (the reproduction run's own record is in `runDir`). */
export type ReproductionReport = TriageResult["reproduction"] & { usage?: { modelCalls: number; inputTokens: number; outputTokens: number; costUsd: number | null } };

/** The side effects a triage uses, injected: the model, duplicate search and reproduction. */
export interface TriagePorts {
  model: ModelClient;
  /** Searches the repository's other issues; absent when there is no index (an issue read from a file). */
  findDuplicates?: (query: { number: number; title: string; body: string; createdAt?: string }) => Promise<DuplicateSearch>;
  /** Tries to reproduce a bug in the sandbox on the default branch. */
  reproduce?: (task: TaskSpec, signal?: AbortSignal) => Promise<ReproductionReport>;
  now?: () => number;
  signal?: AbortSignal;
}

/** A digest of what is triaged of an issue (its title and body), to tell an edit that changed it from one that did not. */
export function issueTextDigest(issue: Pick<TriageIssue, "title" | "body">): string {
  return createHash("sha256").update(`${issue.title}\n\0${issue.body}`).digest("hex");
}

/** Candidates shown in the report. */
const SHOWN_CANDIDATES = 5;

/** True when an issue has nothing to triage: no title words and no body beyond template headings. */
export function isEmptyIssue(issue: Pick<TriageIssue, "title" | "body">): boolean {
  const body = issue.body
    .replace(/<!--[\s\S]*?-->/g, "")
    .split("\n")
    .filter((line) => !/^\s*(#{1,6}\s.*|\*\*[^*]+\*\*:?|[-*]\s*\[[ x]\].*|)\s*$/i.test(line))
    .join("")
    .trim();
  return body.length === 0 && issue.title.trim().split(/\s+/).filter((word) => /\w/.test(word)).length <= 2;
}

/**
 * Triages one issue: classifies it (one model call; none for an empty issue), finds what a bug
 * report lacks, searches for duplicates, tries to reproduce a bug, and recommends actions. Every
 * failure of a part becomes a note and that part's honest status ("could not run", no
 * candidates), so a triage always ends with its result; only cancellation throws.
 */
export async function triageIssue(
  input: { issue: TriageIssue; repositoryLabels: ReadonlyArray<{ name: string; description: string }>; policy: ResolvedTriagePolicy; duplicateThreshold: number },
  ports: TriagePorts,
): Promise<TriageResult> {
  const now = ports.now ?? Date.now;
  const { issue, policy } = input;
  const notes: string[] = [];
  const usage: TriageResult["usage"] = { modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const empty = isEmptyIssue(issue);

  let classification: IssueClassification;
  if (empty) {
    classification = unclassified("The issue has no description to classify.");
  } else {
    const classified = await classifyIssue({
      model: ports.model,
      issue: { repository: issue.repository, number: issue.number, author: issue.author, title: issue.title, body: issue.body, comments: issue.comments },
      labels: input.repositoryLabels,
      ...(ports.signal ? { signal: ports.signal } : {}),
    });
    classification = classified.classification;
    addUsage(usage, classified.usage);
    notes.push(...classified.notes);
  }

  const duplicates: TriageResult["duplicates"] = { threshold: input.duplicateThreshold, indexedIssues: 0, candidates: [], notes: [] };
  if (!empty && ports.findDuplicates) {
    try {
      const search = await ports.findDuplicates({ number: issue.number, title: issue.title, body: issue.body, ...(issue.createdAt ? { createdAt: issue.createdAt } : {}) });
      duplicates.indexedIssues = search.indexedIssues;
      duplicates.notes.push(...search.notes);
      const older = (candidate: { createdAt: string }) => !issue.createdAt || candidate.createdAt < issue.createdAt;
      let suggestedOne = false;
      // Weak matches are noise in a report: only those within half the threshold are shown.
      const shown = search.candidates.filter((candidate) => candidate.confidence >= input.duplicateThreshold / 2).slice(0, SHOWN_CANDIDATES);
      if (shown.length < search.candidates.length) duplicates.notes.push(`${search.candidates.length - shown.length} weaker match(es) below ${(input.duplicateThreshold / 2).toFixed(2)} not shown.`);
      for (const candidate of shown) {
        const suggested: boolean = !suggestedOne && candidate.confidence >= input.duplicateThreshold && older(candidate);
        suggestedOne ||= suggested;
        duplicates.candidates.push({ ...candidate, suggested });
      }
    } catch (error) {
      if (isCancellation(error, ports.signal)) throw error;
      duplicates.notes.push(`Duplicate search failed: ${(error as Error).message}`);
    }
  } else if (!ports.findDuplicates) {
    duplicates.notes.push("No issue index: duplicates were not searched (an issue read from a file has no repository to search).");
  }

  const isDuplicate = duplicates.candidates.some((candidate) => candidate.suggested);
  let reproduction: TriageResult["reproduction"];
  if (classification.kind !== "bug") reproduction = skipped(`only bugs are reproduced; this is ${empty ? "an empty issue" : `a ${classification.kind}`}`);
  else if (!policy.policy.reproduce) reproduction = skipped("the policy turns reproduction off (triage.reproduce: false)");
  else if (isDuplicate) reproduction = skipped("a likely duplicate is not reproduced again");
  else if (!ports.reproduce) reproduction = skipped("no sandbox was made available for reproduction");
  else {
    try {
      const { usage: spent, ...report } = await ports.reproduce({ title: issue.title, body: issue.body, source: issue.url }, ports.signal);
      reproduction = report;
      if (spent) addUsage(usage, spent);
    } catch (error) {
      if (isCancellation(error, ports.signal)) throw error;
      reproduction = { status: "could-not-run", reason: (error as Error).message, tests: [] };
    }
  }

  const recommendations = recommendActions({
    issue: { url: issue.url, reference: issue.reference, labels: issue.labels, empty },
    repositoryLabels: input.repositoryLabels,
    policy: policy.policy,
    classification,
    present: classification.kind === "bug" ? detectPresentInformation(`${issue.title}\n${issue.body}\n${issue.comments.map((comment) => comment.body).join("\n")}`) : [],
    duplicates: duplicates.candidates,
    reproduction,
  });
  return {
    schemaVersion: 1,
    issue: {
      reference: issue.reference,
      url: issue.url,
      title: issue.title,
      author: issue.author,
      state: issue.state,
      ...(issue.createdAt ? { createdAt: issue.createdAt } : {}),
      textDigest: issueTextDigest(issue),
    },
    triagedAt: new Date(now()).toISOString(),
    model: empty ? null : ports.model.modelKey,
    policy: { source: policy.source, problems: policy.problems },
    classification: { kind: classification.kind, confidence: classification.confidence, reason: classification.reason, language: classification.language, empty },
    ...recommendations,
    duplicates,
    reproduction,
    difficulty: classification.difficulty,
    usage,
    notes,
  };
}

function skipped(reason: string): TriageResult["reproduction"] {
  return { status: "skipped", reason, tests: [] };
}

function addUsage(total: TriageResult["usage"], part: TriageResult["usage"]): void {
  total.modelCalls += part.modelCalls;
  total.inputTokens += part.inputTokens;
  total.outputTokens += part.outputTokens;
  total.costUsd = total.costUsd === null || part.costUsd === null ? null : total.costUsd + part.costUsd;
}

function isCancellation(error: unknown, signal: AbortSignal | undefined): boolean {
  return error instanceof AbortedError || signal?.aborted === true;
}
