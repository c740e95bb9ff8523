/**
 * How duplicate detection reads an issue: markdown and issue-template boilerplate removed,
 * identifiers kept whole and also split into their parts, stop words dropped, words lightly
 * stemmed. The index, the query and the passages all go through these same functions, so a
 * term means the same everywhere.
 */

/** Headings that issue templates put in every report; they say nothing about the issue. */
const TEMPLATE_HEADINGS = new Set([
  "describe the bug",
  "bug description",
  "bug report",
  "description",
  "summary",
  "steps to reproduce",
  "steps to reproduce the behavior",
  "steps to reproduce the behaviour",
  "to reproduce",
  "reproduction",
  "minimal reproduction",
  "minimal reproducible example",
  "code to reproduce",
  "expected behavior",
  "expected behaviour",
  "expected result",
  "expected",
  "actual behavior",
  "actual behaviour",
  "actual result",
  "actual",
  "current behavior",
  "current behaviour",
  "environment",
  "your environment",
  "versions",
  "system info",
  "system information",
  "additional context",
  "additional information",
  "other information",
  "screenshots",
  "logs",
  "relevant log output",
  "traceback",
  "error message",
  "is your feature request related to a problem",
  "is your feature request related to a problem please describe",
  "describe the solution you'd like",
  "describe the solution you would like",
  "describe alternatives you've considered",
  "describe alternatives you have considered",
  "alternatives considered",
  "alternatives",
  "proposed solution",
  "motivation",
  "use case",
  "question",
  "checklist",
  "what happened",
  "what did you expect to happen",
  "how to reproduce",
]);

/** Headings of sections that describe the reporter's machine: their contents are left out too. */
const ENVIRONMENT_HEADINGS = new Set(["environment", "your environment", "versions", "system info", "system information"]);

/** Lines such as "- Python version: 3.12.1" or "OS: macOS 14.5", wherever they are. */
const ENVIRONMENT_LINE = /^\s*[-*]?\s*(\*\*)?[\w .()/-]{0,30}?\b(version|os|platform|python|node|browser)(\*\*)?\s*:(\*\*)?\s*\S.{0,60}$/i;

/** Checklist items of templates ("- [x] I have searched the existing issues"). */
const TEMPLATE_CHECKLIST =
  /^\s*[-*]\s*\[[ xX]\]\s*.*\b(searched|existing issues|latest (release|version)|code of conduct|read the (docs|documentation)|contributing)\b/i;

/** English stop words, filler words of issue reports, and the noise of tracebacks and code. */
const STOP_WORDS = new Set(
  (
    "a about above after again against all also am an and any are aren't as at be because been before being below between both but by " +
    "can cannot could couldn did didn do does doesn doing don down during each few for from further had hadn has hasn have haven having " +
    "he her here hers herself him himself his how i if in into is isn it its itself just let me more most my myself no nor not now of off " +
    "on once only or other ought our ours ourselves out over own same she should shouldn so some such than that the their theirs them " +
    "themselves then there these they this those through to too under until up very was wasn we were weren what when where which while " +
    "who whom why will with won would wouldn you your yours yourself yourselves " +
    "also anyone anything etc e g eg ie instead however maybe please thanks thank hi hello hey regards sure really " +
    "seem seems seemed like likely want wanted need needs needed way get got getting use used using just still even yet already " +
    "something someone thing things able unable work works worked working way ve ll re " +
    "traceback recent call last file line module site packages lib usr venv py home opt srv bin " +
    "def return import print self none true false lambda pass " +
    "com org net io www example"
  ).split(" "),
);

/** Terms longer than this are hashes, tokens or base64: never useful for matching. */
const MAX_TERM_LENGTH = 40;

/** Text with the issue template's boilerplate, HTML comments and markdown punctuation removed (line breaks kept). */
export function stripIssueBoilerplate(markdown: string): string {
  const withoutComments = markdown.replace(/<!--[\s\S]*?(-->|$)/g, " ");
  const kept: string[] = [];
  let inEnvironmentSection = false;
  for (const line of withoutComments.split(/\r?\n/)) {
    const heading = headingText(line);
    if (isHeadingLine(line) || TEMPLATE_HEADINGS.has(heading)) inEnvironmentSection = ENVIRONMENT_HEADINGS.has(heading);
    if (inEnvironmentSection || TEMPLATE_HEADINGS.has(heading) || TEMPLATE_CHECKLIST.test(line) || ENVIRONMENT_LINE.test(line)) continue;
    kept.push(line);
  }
  return kept.join("\n");
}

/** A markdown heading, or a line that is all bold text ("**Environment**"). */
function isHeadingLine(line: string): boolean {
  return /^\s*#{1,6}\s/.test(line) || /^\s*(\*\*|__)[^*_]+(\*\*|__)\s*:?\s*$/.test(line);
}

/** A line as a heading would read: markup and punctuation removed, lower case ("" for a line too long to be a heading). */
function headingText(line: string): string {
  const trimmed = line.trim();
  if (trimmed.length > 100) return "";
  return trimmed
    .replace(/^(#{1,6}\s*|\*\*|__)/, "")
    .replace(/(\*\*|__)?:?(\*\*|__)?$/, "")
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/** Splits text into word and identifier tokens, original case kept (identifiers keep their `_`). */
export function tokenizeIssueText(text: string): string[] {
  return text.match(/[A-Za-z0-9_]+/g) ?? [];
}

/**
 * The index terms of one token: none for a stop word or noise, the stemmed word for a plain word,
 * and for an identifier (`connect_timeout`, `RemoteProtocolError`) the whole identifier in lower
 * case followed by its stemmed parts, so that `PoolTimeout` also matches "pool timeout".
 */
export function processIssueToken(token: string): string[] {
  const trimmed = token.replace(/^_+|_+$/g, "");
  if (trimmed.length < 2 || trimmed.length > MAX_TERM_LENGTH) return [];
  const parts = splitIdentifier(trimmed);
  if (parts.length <= 1) {
    const term = normalizeWord(trimmed.toLowerCase());
    return term === undefined ? [] : [term];
  }
  const terms = [trimmed.toLowerCase()];
  for (const part of parts) {
    const term = normalizeWord(part.toLowerCase());
    if (term !== undefined && !terms.includes(term)) terms.push(term);
  }
  return terms;
}

/** The distinct terms of a text, in order of first appearance. */
export function duplicateTerms(text: string): string[] {
  const seen = new Set<string>();
  for (const token of tokenizeIssueText(text)) {
    for (const term of processIssueToken(token)) seen.add(term);
  }
  return [...seen];
}

/** Parts of snake_case and camelCase identifiers (`HTTPStatusError` → HTTP, Status, Error); a plain word is one part. */
function splitIdentifier(token: string): string[] {
  if (!token.includes("_") && !/[a-z][A-Z]|[A-Z]{2}[a-z]/.test(token)) return [token];
  return token
    .split("_")
    .flatMap((piece) => piece.match(/[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+/g) ?? [])
    .filter((part) => part.length > 0);
}

function normalizeWord(word: string): string | undefined {
  if (STOP_WORDS.has(word)) return undefined;
  if (/^[0-9]+$/.test(word)) return word.length >= 3 ? word : undefined;
  if (word.length < 2) return undefined;
  return stemWord(word);
}

/**
 * A light English stemmer in the manner of Porter's first step: plural -s/-es/-ies, -ing, -ed,
 * a final -e, and a final -y or -ie read as -i, with a minimum stem so that short technical
 * words ("ssl", "string") are not mangled. Enough for "timeouts"/"timeout",
 * "retries"/"retried"/"retry", "closing"/"closed"/"close", "cookies"/"cookie".
 */
export function stemWord(word: string): string {
  if (word.length <= 3 || /[0-9]/.test(word)) return word;
  let stem = word;
  if (/ie[sd]$/.test(stem) && stem.length > 4) stem = stem.slice(0, -2);
  else if (/(ss|us|is)$/.test(stem)) stem = word;
  else if (/(sh|ch|x|ss)es$/.test(stem)) stem = stem.slice(0, -2);
  else if (stem.endsWith("s")) stem = stem.slice(0, -1);
  else if (stem.endsWith("ing") && isStem(stem.slice(0, -3))) stem = undoubleConsonant(stem.slice(0, -3));
  else if (stem.endsWith("ed") && isStem(stem.slice(0, -2))) stem = undoubleConsonant(stem.slice(0, -2));
  if (stem.length > 4 && stem.endsWith("e")) stem = stem.slice(0, -1);
  if (stem.length > 3 && stem.endsWith("y")) stem = `${stem.slice(0, -1)}i`;
  return stem;
}

/** Whether what is left after removing a suffix can stand as a stem: 3+ letters with a vowel. */
function isStem(stem: string): boolean {
  return stem.length >= 3 && /[aeiouy]/.test(stem);
}

function undoubleConsonant(stem: string): string {
  return stem.length >= 4 && /([b-df-hj-np-tv-z])\1$/.test(stem) && !/(ll|ss|zz|ff)$/.test(stem) ? stem.slice(0, -1) : stem;
}
