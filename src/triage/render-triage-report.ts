import type { TriageResult } from "./triage-result.js";

const STATUS_TEXT: Record<TriageResult["reproduction"]["status"], string> = {
  reproduced: "reproduced",
  "not-reproduced": "not reproduced",
  "could-not-run": "could not run",
  skipped: "skipped",
};

/** The markdown report of a triage (report.md): each suggestion with its evidence, then what was applied. */
export function renderTriageReport(result: TriageResult): string {
  const lines: string[] = [];
  const { classification } = result;
  lines.push(`# Triage of ${result.issue.reference}: ${oneLine(result.issue.title)}`, "");
  lines.push(`${result.issue.url} · by ${result.issue.author} · ${result.issue.state} · triaged ${result.triagedAt}${result.model ? ` with ${result.model}` : ""}`, "");
  lines.push("## Classification", "");
  lines.push(
    classification.empty
      ? "**other** — the issue has no description; nothing to classify."
      : `**${classification.kind}** (confidence ${classification.confidence.toFixed(2)}, language ${classification.language}): ${classification.reason}`,
    "",
  );
  lines.push("## Labels", "");
  if (result.labels.suggested.length === 0) lines.push("None suggested.");
  for (const label of result.labels.suggested) lines.push(`- \`${label.name}\` — ${label.reason}`);
  for (const label of result.labels.rejected) lines.push(`- ~~\`${label.name}\`~~ not suggested: ${label.reason}`);
  lines.push("");
  lines.push("## Missing information", "");
  if (result.missingInformation.items.length) lines.push(`Missing: ${result.missingInformation.items.join(", ")}.`);
  else if (!result.missingInformation.request) lines.push("Nothing needed is missing.");
  for (const entry of result.missingInformation.present) lines.push(`- ${entry.item} is there: “${entry.evidence}” (not asked for)`);
  if (result.missingInformation.request) lines.push("", "Request:", "", quote(result.missingInformation.request));
  lines.push("");
  lines.push("## Possible duplicates", "");
  lines.push(`Threshold ${result.duplicates.threshold.toFixed(2)} over ${result.duplicates.indexedIssues} indexed issues.`);
  if (result.duplicates.candidates.length === 0) lines.push("", "No similar issue found.");
  for (const candidate of result.duplicates.candidates) {
    const scores = [`confidence ${candidate.confidence.toFixed(2)}`, `BM25 ${candidate.lexicalScore.toFixed(2)}`, ...(candidate.embeddingSimilarity !== undefined ? [`embedding ${candidate.embeddingSimilarity.toFixed(2)}`] : [])];
    lines.push("", `- #${candidate.number} ${oneLine(candidate.title)} (${candidate.state}, ${candidate.createdAt.slice(0, 10)}) — ${scores.join(", ")}${candidate.suggested ? " — **suggested as the original**" : ""}`);
    if (candidate.matchedTerms.length) lines.push(`  - matching terms: ${candidate.matchedTerms.slice(0, 12).join(", ")}`);
    for (const passage of candidate.passages) lines.push(`  - ${passage.source}: “${oneLine(passage.text)}”`);
  }
  for (const note of result.duplicates.notes) lines.push("", `> ${note}`);
  lines.push("");
  lines.push("## Reproduction", "");
  lines.push(`**${STATUS_TEXT[result.reproduction.status]}** — ${result.reproduction.reason}`);
  if (result.reproduction.reusedFrom) lines.push("", `(The reproduction of the triage of ${result.reproduction.reusedFrom}: the issue's text has not changed since.)`);
  if (result.reproduction.command) lines.push("", `Command: \`${result.reproduction.command}\``);
  for (const test of result.reproduction.tests) lines.push("", `\`${test.path}\`:`, "", "```", test.content.trimEnd(), "```");
  if (result.reproduction.log) lines.push("", "Log (tail):", "", "```", result.reproduction.log.trimEnd(), "```");
  if (result.reproduction.runDir) lines.push("", `Run record: ${result.reproduction.runDir}`);
  lines.push("");
  lines.push("## Recommended actions", "");
  if (result.actions.length === 0) lines.push("None.");
  for (const action of result.actions) {
    if (action.type === "add-labels") lines.push(`- Add labels ${action.labels.map((label) => `\`${label}\``).join(", ")}.`);
    if (action.type === "suggest-duplicate") lines.push(`- Suggest #${action.of} as the original (confidence ${action.confidence.toFixed(2)}); nothing is closed.`);
    if (action.type === "hand-off") lines.push(`- Hand off to an agent: \`${action.command}\` (difficulty ${action.difficulty}: ${result.difficulty.reason}).`);
    if (action.type === "comment") lines.push(`- Comment (${action.reason}):`, "", quote(action.body));
  }
  lines.push("");
  if (result.applied) {
    lines.push("## Applied", "");
    lines.push(result.applied.labelsAdded.length ? `- Labels added: ${result.applied.labelsAdded.join(", ")}` : "- No label added.");
    lines.push(result.applied.comment ? `- Comment ${result.applied.comment.action}: ${result.applied.comment.url}` : "- No comment.");
    lines.push("");
  }
  const cost = result.usage.costUsd === null ? "unknown cost" : `$${result.usage.costUsd.toFixed(4)}`;
  lines.push("## Notes", "");
  lines.push(`- ${result.usage.modelCalls} model call(s), ${result.usage.inputTokens} input and ${result.usage.outputTokens} output tokens, ${cost}.`);
  lines.push(`- Policy from ${result.policy.source}.`);
  for (const problem of result.policy.problems) lines.push(`- ${problem}`);
  for (const note of result.notes) lines.push(`- ${note}`);
  return `${lines.join("\n")}\n`;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

function quote(text: string): string {
  return text
    .split("\n")
    .map((line) => `> ${line}`)
    .join("\n");
}
