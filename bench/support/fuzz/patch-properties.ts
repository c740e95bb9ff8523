/**
 * Properties of `listPatchFiles` (src/events/run-report.ts), which reads the files of a patch
 * the agent wrote (so whatever names the repository or the model gave its files).
 */
import * as fc from "fast-check";
import { listPatchFiles } from "../../../src/events/run-report.js";
import { adversarialLines } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

/** git's C quoting (`core.quotePath=true`): `"`, `\`, control characters and every byte above 0x7f. */
export function quoteGitPath(path: string): string {
  const escapes: Record<number, string> = { 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 34: '"', 92: "\\" };
  let quoted = "";
  let needsQuotes = false;
  for (const byte of Buffer.from(path, "utf8")) {
    const escape = escapes[byte];
    if (escape !== undefined) quoted += `\\${escape}`;
    else if (byte < 0x20 || byte >= 0x7f) quoted += `\\${byte.toString(8).padStart(3, "0")}`;
    else quoted += String.fromCharCode(byte);
    if (escape !== undefined || byte < 0x20 || byte >= 0x7f) needsQuotes = true;
  }
  return needsQuotes ? `"${quoted}"` : path;
}

/**
 * One path segment: plain names, and the characters that make headers hard to read — spaces,
 * ` b/`-like endings (`Plan b`), quotes, backslashes, tabs, newlines and non-ASCII letters.
 */
const segment = fc
  .array(fc.oneof(fc.stringMatching(/^[a-z0-9_.-]{1,6}$/), fc.constantFrom(" ", " b", "b", "a", "\t", "\n", '"', "\\", "é", "日本", "😀", "x y", " → ")), {
    minLength: 1,
    maxLength: 4,
  })
  .map((parts) => parts.join(""))
  .filter((name) => name !== "." && name !== "..");

const path = fc.array(segment, { minLength: 1, maxLength: 3 }).map((segments) => segments.join("/"));

/** What a patch does to one file. */
type FileChange =
  | { kind: "modify" | "add" | "delete" | "binary" | "mode"; path: string }
  | { kind: "rename"; path: string; from: string; similarity: number };

const fileChange: fc.Arbitrary<FileChange> = fc.oneof(
  fc.record({ kind: fc.constantFrom("modify", "add", "delete", "binary", "mode"), path }) as fc.Arbitrary<FileChange>,
  fc.record({ kind: fc.constant("rename" as const), path, from: path, similarity: fc.integer({ min: 50, max: 100 }) }).filter((change) => change.from !== change.path),
);

/** Hunk lines: text that itself looks like patch syntax, always behind its ` `, `+` or `-`. */
const hunkLines = fc.array(
  fc.tuple(fc.constantFrom(" ", "+", "-"), fc.oneof(fc.constantFrom("diff --git a/x b/x", "rename from y", "--- a/z", "+++ b/z", "@@ -1 +1 @@", ""), fc.stringMatching(/^[ -~]{0,30}$/))),
  { minLength: 1, maxLength: 4 },
);

/** `--- a/x` or `+++ b/x`, with the tab git adds after a name that holds a space. */
function fileLine(marker: "---" | "+++", name: string | null): string {
  if (name === null) return `${marker} /dev/null`;
  return `${marker} ${quoteGitPath(name)}${name.includes(" ") ? "\t" : ""}`;
}

/** The section git writes for one change (`git diff -M --binary`). */
function writeSection(change: FileChange, lines: Array<[string, string]>): string {
  const from = change.kind === "rename" ? change.from : change.path;
  const out = [`diff --git ${quoteGitPath(`a/${from}`)} ${quoteGitPath(`b/${change.path}`)}`];
  const hunk = ["@@ -1,3 +1,3 @@", ...lines.map(([prefix, text]) => `${prefix}${text}`)];
  switch (change.kind) {
    case "modify":
      out.push("index 1234567..89abcde 100644", fileLine("---", `a/${from}`), fileLine("+++", `b/${change.path}`), ...hunk);
      break;
    case "add":
      out.push("new file mode 100644", "index 0000000..89abcde", fileLine("---", null), fileLine("+++", `b/${change.path}`), ...hunk);
      break;
    case "delete":
      out.push("deleted file mode 100644", "index 1234567..0000000", fileLine("---", `a/${from}`), fileLine("+++", null), ...hunk);
      break;
    case "binary":
      out.push("index 1234567..89abcde 100644", "GIT binary patch", "literal 4", "LcmZQzWMT#Y01f~L", "", "literal 0", "HcmV?d00001", "");
      break;
    case "mode":
      out.push("old mode 100644", "new mode 100755");
      break;
    case "rename":
      out.push(`similarity index ${change.similarity}%`, `rename from ${quoteGitPath(change.from)}`, `rename to ${quoteGitPath(change.path)}`);
      if (change.similarity < 100) out.push("index 1234567..89abcde 100644", fileLine("---", `a/${from}`), fileLine("+++", `b/${change.path}`), ...hunk);
      break;
  }
  return out.join("\n");
}

const patchArbitrary = fc
  .array(fc.tuple(fileChange, hunkLines), { maxLength: 6 })
  .map((sections) => ({
    changes: sections.map(([change]) => change),
    patch: sections.length === 0 ? "" : `${sections.map(([change, lines]) => writeSection(change, lines)).join("\n")}\n`,
  }));

export const patchProperties: FuzzPropertyGroup = {
  subject: "listPatchFiles",
  properties: [
    {
      name: "lists exactly the files of a generated git patch, renames as old → new, whatever their names hold",
      prepare: () => ({
        property: fc.asyncProperty(patchArbitrary, async ({ changes, patch }) => {
          const expected = changes.map((change) => (change.kind === "rename" ? `${change.from} → ${change.path}` : change.path));
          return JSON.stringify(listPatchFiles(patch)) === JSON.stringify(expected);
        }),
      }),
    },
    {
      name: "never throws and lists at most one file per diff --git line, on any text",
      prepare: () => ({
        property: fc.asyncProperty(adversarialLines(["diff --git ", "a/", " b/", '"a/', '" "b/', "\\303\\251", "\\", "rename from ", "rename to ", "--- ", "+++ "]), async (text) => {
          const headers = text.split("\n").filter((line) => line.startsWith("diff --git ")).length;
          return listPatchFiles(text).length <= headers;
        }),
      }),
    },
  ],
};
