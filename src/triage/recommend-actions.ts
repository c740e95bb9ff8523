import type { TriagePolicy } from "../config/schema.js";
import type { IssueClassification } from "./classify-issue.js";
import type { PresentInformation } from "./detect-present-information.js";
import { isLabelAllowed } from "./triage-policy.js";
import type { IssueKind, MissingInformationItem, TriageAction, TriageDuplicateCandidate, TriageResult } from "./triage-result.js";

/** The hidden marker by which the bot finds its own comment on an issue (and edits it instead of posting again). */
export const TRIAGE_COMMENT_MARKER = "<!-- agent-triage -->";
/** The label a suggested duplicate gets, when the repository has it. */
export const POSSIBLE_DUPLICATE_LABEL = "possible-duplicate";

/** Labels that name each kind, in the spellings repositories use; the first the repository has is taken. */
const KIND_LABELS: Record<IssueKind, readonly string[]> = {
  bug: ["bug", "type: bug", "type/bug", "kind/bug", "bug report", "t-bug"],
  feature: ["enhancement", "feature", "feature request", "type: feature", "type: enhancement", "type/feature", "kind/feature"],
  question: ["question", "type: question", "kind/question", "support"],
  documentation: ["documentation", "docs", "type: docs", "type: documentation", "kind/documentation", "area/docs"],
  other: [],
};
const NEEDS_INFO_LABELS = ["needs-info", "needs info", "needs more info", "needs-more-info", "more-info-needed", "waiting for info", "awaiting response"];
const CONFIRMED_LABELS = ["confirmed", "reproduced", "status: confirmed", "status/confirmed"];

const ITEM_TEXT: Record<MissingInformationItem, string> = {
  versions: "the versions you use (of this project, the language runtime and the operating system)",
  "steps-to-reproduce": "the exact steps or a minimal code snippet that shows the problem",
  "expected-vs-actual": "what you expected to happen and what happened instead",
  logs: "the full error message or log output",
};
/** Characters of the model's request kept in a public comment. */
const REQUEST_CHARS = 600;

/** Everything the recommendations are made from. */
export interface RecommendationInput {
  issue: { url: string; reference: string; labels: readonly string[]; empty: boolean };
  repositoryLabels: ReadonlyArray<{ name: string }>;
  policy: TriagePolicy;
  classification: IssueClassification;
  present: readonly PresentInformation[];
  duplicates: readonly TriageDuplicateCandidate[];
  reproduction: TriageResult["reproduction"];
}

/** The parts of the result the recommendations decide. */
export type Recommendations = Pick<TriageResult, "labels" | "missingInformation" | "actions">;

/**
 * Turns the evidence into the labels, the request for information and the actions. Labels come
 * only from the repository's own set and the policy's allow list; a duplicate is suggested only
 * when it is older and at or above the threshold (the caller marks those candidates
 * `suggested`); at most one comment, and only when it tells the reporter something: what is
 * missing, the possible duplicate, or that the bug was reproduced.
 */
export function recommendActions(input: RecommendationInput): Recommendations {
  const { classification, policy } = input;
  const byName = new Map(input.repositoryLabels.map((label) => [label.name.toLowerCase(), label.name]));
  const suggested: Recommendations["labels"]["suggested"] = [];
  const rejected: Recommendations["labels"]["rejected"] = [];
  const propose = (name: string, reason: string) => {
    const existing = byName.get(name.toLowerCase());
    if (!existing) return rejected.push({ name, reason: "not among the repository's labels" });
    if (!isLabelAllowed(policy, existing)) return rejected.push({ name: existing, reason: "the policy (labels.allow / labels.deny) does not let the bot apply it" });
    if (!suggested.some((label) => label.name === existing)) suggested.push({ name: existing, reason });
  };
  const firstExisting = (names: readonly string[]) => names.find((name) => byName.has(name.toLowerCase()));

  const kindLabel = firstExisting(KIND_LABELS[classification.kind]);
  if (kindLabel) propose(kindLabel, `classified as ${classification.kind}: ${classification.reason}`);
  for (const area of classification.areaLabels) propose(area, "the area the issue concerns");

  const presentItems = new Set(input.present.map((entry) => entry.item));
  const items = input.issue.empty ? [] : classification.missing.filter((item) => !presentItems.has(item));
  const droppedPresent = input.present.filter((entry) => classification.missing.includes(entry.item));
  const request = informationRequest(input, items);
  if (request) {
    const needsInfo = firstExisting(NEEDS_INFO_LABELS);
    if (needsInfo) propose(needsInfo, input.issue.empty ? "the issue has no description" : `missing: ${items.join(", ")}`);
  }

  const duplicate = input.duplicates.find((candidate) => candidate.suggested);
  if (duplicate && byName.has(POSSIBLE_DUPLICATE_LABEL)) propose(POSSIBLE_DUPLICATE_LABEL, `possibly a duplicate of #${duplicate.number} (confidence ${duplicate.confidence.toFixed(2)})`);
  const reproduced = input.reproduction.status === "reproduced";
  if (reproduced) {
    const confirmed = firstExisting(CONFIRMED_LABELS);
    if (confirmed) propose(confirmed, `reproduced by a test run in the sandbox: ${input.reproduction.reason}`);
  }

  const actions: TriageAction[] = [];
  const onIssue = new Set(input.issue.labels.map((label) => label.toLowerCase()));
  const toAdd = suggested.filter((label) => !onIssue.has(label.name.toLowerCase())).map((label) => label.name);
  if (toAdd.length) actions.push({ type: "add-labels", labels: toAdd, reason: suggested.filter((label) => toAdd.includes(label.name)).map((label) => `${label.name}: ${label.reason}`).join("; ") });
  if (duplicate) actions.push({ type: "suggest-duplicate", of: duplicate.number, url: duplicate.url, confidence: duplicate.confidence });
  if (policy.comment && (request || duplicate || reproduced)) {
    actions.push({
      type: "comment",
      body: composeComment({ request, duplicate, reproduction: reproduced ? input.reproduction : undefined }),
      reason: [request ? "asks for missing information" : "", duplicate ? `suggests #${duplicate.number} as the original` : "", reproduced ? "reports the reproduction" : ""].filter(Boolean).join("; "),
    });
  }
  if (classification.kind === "bug" && !duplicate && !input.issue.empty && (reproduced || items.length === 0)) {
    actions.push({
      type: "hand-off",
      command: `agent solve ${input.issue.url} --pr`,
      difficulty: classification.difficulty.level,
      reason: reproduced ? "a bug reproduced by a failing test, ready for an agent to fix" : "a complete bug report; an agent may try a fix",
    });
  }
  return {
    labels: { suggested, rejected },
    missingInformation: { items, present: droppedPresent.map((entry) => ({ item: entry.item, evidence: entry.evidence })), request: request ?? null },
    actions,
  };
}

/** The request for what is missing: the model's own words when usable (in the reporter's language), else a plain English one. */
function informationRequest(input: RecommendationInput, items: readonly MissingInformationItem[]): string | undefined {
  if (input.issue.empty) return "Thanks for opening this issue! It has no description yet: could you tell us what you were doing, what you expected, and what happened instead? Versions and any error output help too.";
  if (items.length === 0) return undefined;
  // The model's words follow a stranger's issue: a link in them could be that stranger's, posted in the bot's name.
  const own = publicText(input.classification.informationRequest.replace(/\b(?:https?|ftp):\/\/\S+|\bwww\.\S+/gi, "[link removed]"), REQUEST_CHARS);
  if (own) return own;
  const wanted = items.map((item) => ITEM_TEXT[item]);
  const list = wanted.length === 1 ? wanted[0] : `${wanted.slice(0, -1).join(", ")} and ${wanted.at(-1)}`;
  return `Thanks for the report! To look into it, could you add ${list}?`;
}

/**
 * Text fit for a public comment: no mention that pings people (`@name` is broken with a zero-width
 * space), no HTML comment (nothing can pose as the bot's marker), one paragraph, capped.
 */
export function publicText(text: string, limit: number): string {
  const clean = text
    .replace(/<!--[\s\S]*?(-->|$)/g, "")
    .replace(/@(?=[A-Za-z0-9-])/g, "@\u200b")
    .replace(/\s+/g, " ")
    .trim();
  return clean.length > limit ? `${clean.slice(0, limit - 1)}…` : clean;
}

function composeComment(parts: { request: string | undefined; duplicate: TriageDuplicateCandidate | undefined; reproduction: TriageResult["reproduction"] | undefined }): string {
  const blocks: string[] = [TRIAGE_COMMENT_MARKER];
  if (parts.request) blocks.push(parts.request);
  if (parts.duplicate) {
    const passage = parts.duplicate.passages[0];
    blocks.push(
      [
        `**Possibly a duplicate of #${parts.duplicate.number}** (${publicText(parts.duplicate.title, 120)}; similarity ${Math.round(parts.duplicate.confidence * 100)}%).`,
        passage ? `> ${publicText(passage.text, 240)}` : "",
        `If it is the same problem, please follow #${parts.duplicate.number}; if not, say what differs. Nothing is closed: a maintainer decides.`,
      ]
        .filter(Boolean)
        .join("\n\n"),
    );
  }
  if (parts.reproduction) {
    const test = parts.reproduction.tests[0];
    const details = [
      test ? `\`${test.path}\`:\n\n\`\`\`\n${fence(test.content, 4_000)}\n\`\`\`` : "",
      parts.reproduction.log ? `Output:\n\n\`\`\`\n${fence(parts.reproduction.log, 3_000)}\n\`\`\`` : "",
    ].filter(Boolean);
    blocks.push(
      `**Reproduced:** a test written from this report fails on the default branch (${publicText(parts.reproduction.reason, 300)}).` +
        (details.length ? `\n\n<details><summary>The test and its output</summary>\n\n${details.join("\n\n")}\n\n</details>` : ""),
    );
  }
  blocks.push("<sub>Automated triage: suggestions only; it never closes, locks or deletes anything.</sub>");
  return blocks.join("\n\n");
}

/** Text inside a code fence: no fence of its own can end ours early; capped. */
function fence(text: string, limit: number): string {
  const clipped = text.length > limit ? `${text.slice(0, limit)}\n[...]` : text;
  return clipped.replace(/```/g, "``\u200b`").replace(/<!--/g, "<\u200b!--");
}
