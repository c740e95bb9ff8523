import type { MissingInformationItem } from "./triage-result.js";

/** An item of a bug report that the text plainly contains, with the excerpt that shows it. */
export interface PresentInformation {
  item: MissingInformationItem;
  evidence: string;
}

const VERSION = /\b(?:v(?:ersion)?\s*)?\d+\.\d+(?:\.\d+)?(?:[-.](?:rc|dev|post|beta|alpha)\d*)?\b/i;
const VERSION_CONTEXT = /\b(?:version|python|node|npm|pip|v\d|release|os|windows|macos|ubuntu|debian|linux)\b/i;
const TRACEBACK = /Traceback \(most recent call last\)|^\s*at .+\(.+:\d+:\d+\)$|^\w*(?:Error|Exception)\b[:(].*$|^panic: |^thread '.+' panicked/m;
const FENCE = /```[\s\S]*?```/;
const NUMBERED_STEPS = /^\s*(?:1[.)]|-\s*\[?\s*step)\s+\S.*\n\s*2[.)]\s+\S/im;
const EXPECTED = /\bexpect(?:ed|ing|s)?\b|\bshould\b/i;
const ACTUAL = /\bactual(?:ly)?\b|\binstead\b|\bbut (?:it|I|we) (?:get|got|see|saw)\b|\bgot\b|\breturns?\b/i;

/**
 * What a report unmistakably contains, found without a model: a version number in context, a
 * traceback or error line, numbered steps or a code block, and both an expectation and an
 * outcome. Used to drop what a model asks for although it is there (asking for it is noise);
 * it never adds an item to the missing list, so a text it cannot read costs nothing.
 */
export function detectPresentInformation(text: string): PresentInformation[] {
  const found: PresentInformation[] = [];
  const lines = text.split("\n");
  const versionLine = lines.find((line) => VERSION.test(line) && VERSION_CONTEXT.test(line));
  if (versionLine) found.push({ item: "versions", evidence: excerpt(versionLine) });
  const traceback = TRACEBACK.exec(text);
  if (traceback) found.push({ item: "logs", evidence: excerpt(traceback[0]) });
  const steps = NUMBERED_STEPS.exec(text) ?? FENCE.exec(text);
  if (steps) found.push({ item: "steps-to-reproduce", evidence: excerpt(steps[0]) });
  const expected = lines.find((line) => EXPECTED.test(line));
  const actual = lines.find((line) => ACTUAL.test(line));
  if (expected && actual) found.push({ item: "expected-vs-actual", evidence: excerpt(expected === actual ? expected : `${expected} / ${actual}`) });
  return found;
}

function excerpt(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > 120 ? `${line.slice(0, 117)}...` : line;
}
