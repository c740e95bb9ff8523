import { processIssueToken, tokenizeIssueText } from "./duplicate-terms.js";

/** A sentence or line of a candidate issue that shares terms with the query, shown as evidence. */
export interface DuplicatePassage {
  source: "title" | "body";
  text: string;
}

/** At most this many passages per candidate. */
const MAX_PASSAGES = 3;
/** At most this many characters per passage. */
const MAX_PASSAGE_CHARS = 240;

/**
 * The title and the sentences or lines of a candidate's body (already stripped of template
 * boilerplate) that share the most terms with the query, best first (ties: the title, then
 * the earlier), each cut to 240 characters around its first shared term. Passages that share
 * no term are left out.
 */
export function findMatchingPassages(
  candidate: { title: string; body: string },
  queryTerms: ReadonlySet<string>,
): DuplicatePassage[] {
  const units: { source: "title" | "body"; text: string; order: number }[] = [{ source: "title", text: candidate.title, order: 0 }];
  for (const text of splitIntoSentences(candidate.body)) units.push({ source: "body", text, order: units.length });
  const scored = units
    .map((unit) => ({ ...unit, shared: sharedTerms(unit.text, queryTerms) }))
    .filter((unit) => unit.shared.size > 0)
    .sort((a, b) => b.shared.size - a.shared.size || a.order - b.order);
  const passages: DuplicatePassage[] = [];
  const seen = new Set<string>();
  for (const unit of scored) {
    const text = cutAroundFirstMatch(unit.text, queryTerms);
    if (seen.has(text)) continue;
    seen.add(text);
    passages.push({ source: unit.source, text });
    if (passages.length === MAX_PASSAGES) break;
  }
  return passages;
}

/** Lines of code blocks and lists stay whole; prose is split after `.`, `!` or `?` followed by a space. */
function splitIntoSentences(body: string): string[] {
  return body
    .split(/\n+/)
    .flatMap((line) => line.split(/(?<=[.!?])\s+(?=[A-Z`"'([])/))
    .map((sentence) => sentence.replace(/^\s*(?:[-*>]|#{1,6}|\d+\.)\s+/, "").replace(/\s+/g, " ").trim())
    .filter((sentence) => sentence.length > 0 && !/^(`{3,}|~{3,})\w*$/.test(sentence));
}

function sharedTerms(text: string, queryTerms: ReadonlySet<string>): Set<string> {
  const shared = new Set<string>();
  for (const token of tokenizeIssueText(text)) {
    for (const term of processIssueToken(token)) if (queryTerms.has(term)) shared.add(term);
  }
  return shared;
}

function cutAroundFirstMatch(text: string, queryTerms: ReadonlySet<string>): string {
  if (text.length <= MAX_PASSAGE_CHARS) return text;
  let firstMatch = 0;
  for (const match of text.matchAll(/[A-Za-z0-9_]+/g)) {
    if (processIssueToken(match[0]).some((term) => queryTerms.has(term))) {
      firstMatch = match.index;
      break;
    }
  }
  const start = Math.max(0, Math.min(firstMatch - 40, text.length - (MAX_PASSAGE_CHARS - 1)));
  const end = Math.min(text.length, start + MAX_PASSAGE_CHARS - (start > 0 ? 1 : 0) - 1);
  return `${start > 0 ? "…" : ""}${text.slice(start, end)}${end < text.length ? "…" : ""}`;
}
