/**
 * Properties of `extractIssueTerms` (src/planner/issue-terms.ts), which reads an issue's text:
 * anyone can write it.
 */
import * as fc from "fast-check";
import { extractIssueTerms } from "../../../src/planner/issue-terms.js";
import { adversarialLines, buildHugeText, hugeText, timed, timeLimitMs } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

const ISSUE_VOCABULARY: readonly string[] = [
  "`", "``", "```\n", "\n```", "~~~\n", "{{{", "}}}", "<!--", "-->", "Traceback (most recent call last):\n", '  File "/usr/lib/python3.11/site-packages/pkg/mod.py", line 12, in func\n',
  "    at Object.<anonymous> (/app/src/index.js:10:5)\n", "ValueError: bad value 'x'\n", "E   AssertionError\n", "> ", ">>> ", "    ", "- ", "1. ",
  "django.db.models.QuerySet.filter", "Foo::bar", "Foo#bar", "self.parse()", "CamelCaseName", "snake_case_name", "src/pkg/mod.py", "C:\\Users\\x\\a.py",
  "file:///tmp/a.py", "https://example.com/a.py", "node_modules/x/index.js", "__init__.py", "\u2019", "\r\n", "...", "(", ")", ".", "::", "#",
];

const issueText = fc.oneof(adversarialLines(ISSUE_VOCABULARY), fc.string({ unit: "binary", maxLength: 300 }));

/**
 * Whether each piece of a term (between `/`, `.`, `:` and `#`) is text of the issue as the
 * extractor reads it: `’` as `'`, HTML comments (issue templates) removed, `\` also as `/`.
 */
function termComesFromIssue(term: string, title: string, body: string): boolean {
  const withoutComments = (text: string): string => text.replace(/<!--[\s\S]*?(?:-->|$)/g, "");
  const text = `${withoutComments(title)}\n${withoutComments(body)}`.replace(/[\u2018\u2019]/g, "'");
  const withSlashes = text.replace(/\\/g, "/");
  return term.split(/[/.:#]/).every((piece) => piece === "" || text.includes(piece) || withSlashes.includes(piece));
}

export const issueTermsProperties: FuzzPropertyGroup = {
  subject: "extractIssueTerms",
  properties: [
    {
      name: "never throws and returns at most maxTerms distinct terms of 3+ characters, each made of the issue's text",
      prepare: () => ({
        property: fc.asyncProperty(issueText, issueText, fc.option(fc.integer({ min: -3, max: 40 }), { nil: undefined }), async (title, body, maxTerms) => {
          const terms = extractIssueTerms({ title, body }, maxTerms === undefined ? {} : { maxTerms });
          return (
            terms.length <= Math.max(0, maxTerms ?? 24) &&
            new Set(terms).size === terms.length &&
            terms.every((term) => term.length >= 3 && !/^\d+$/.test(term) && termComesFromIssue(term, title, body))
          );
        }),
      }),
    },
    {
      name: "ranks the same way whatever maxTerms is: fewer terms are the first of more",
      prepare: () => ({
        property: fc.asyncProperty(issueText, issueText, fc.nat({ max: 30 }), async (title, body, fewer) => {
          const all = extractIssueTerms({ title, body }, { maxTerms: 1_000 });
          return JSON.stringify(extractIssueTerms({ title, body }, { maxTerms: fewer })) === JSON.stringify(all.slice(0, fewer));
        }),
      }),
    },
    {
      name: "reads a 64 KB to 1 MB hostile issue body within a time linear in its size",
      weight: 0.05,
      prepare: () => ({
        property: fc.asyncProperty(hugeText(ISSUE_VOCABULARY), async (recipe) => {
          const body = buildHugeText(recipe);
          const { ms } = timed(() => extractIssueTerms({ title: "Crash in parse", body }));
          if (ms > timeLimitMs(body.length)) throw new Error(`took ${ms.toFixed(0)} ms on ${body.length} characters`);
          return true;
        }),
      }),
    },
  ],
};
