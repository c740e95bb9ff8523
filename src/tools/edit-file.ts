import { createTwoFilesPatch, FILE_HEADERS_ONLY } from "diff";
import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox.js";
import { defineTool, toolFailure, toolOk } from "./agent-tool.js";
import type { AgentTool, ToolResult } from "./agent-tool.js";
import type { EditHistory } from "./edit-history.js";
import type { SyntaxChecker, SyntaxIssue } from "./syntax-check.js";
import {
  countLines,
  detectLineEnding,
  findInvalidUtf8Offset,
  hasBinaryExtension,
  isBinaryContent,
  lineNumberAt,
  numberLines,
  splitLines,
} from "./text-encoding.js";
import type { LineEnding } from "./text-encoding.js";

/** Lines of context shown around an edit and around a syntax error. */
const SNIPPET_CONTEXT_LINES = 4;
/** A near miss must score at least this (0..1) to be shown as "the most similar part". */
const NEAR_MISS_THRESHOLD = 0.6;
/** Above this many (file line × old_str line) comparisons, near misses are scored by exact trimmed lines only. */
const FUZZY_COMPARISON_BUDGET = 200_000;
/** Longest diff shown for a near miss. */
const MAX_DIFF_LINES = 80;

const editFileSchema = z.object({
  command: z
    .enum(["str_replace", "insert", "create", "undo"])
    .describe("str_replace: replace old_str with new_str. insert: insert new_str after line insert_line. create: make a new file with file_text. undo: revert your last edit of path."),
  path: z
    .string()
    .min(1)
    .describe("The file to edit, relative to the workspace root or absolute under it (e.g. src/app.py or /workspace/src/app.py)."),
  old_str: z
    .string()
    .optional()
    .describe("str_replace only: the exact text to replace. It must occur exactly once in the file, with the same whitespace and indentation; include enough surrounding lines to make it unique. Never include view_file's line-number prefixes."),
  new_str: z
    .string()
    .optional()
    .describe('str_replace and insert: the text to put in. For str_replace it replaces old_str (use "" to delete old_str); for insert it is inserted as whole lines.'),
  insert_line: z
    .number()
    .int()
    .min(0)
    .optional()
    .describe("insert only: the line number after which new_str is inserted; 0 inserts at the start of the file."),
  file_text: z.string().optional().describe("create only: the full content of the new file."),
});

type EditFileInput = z.output<typeof editFileSchema>;

const DESCRIPTION = [
  "Edit a text file in the workspace. Commands:",
  '- "str_replace": replace old_str with new_str. old_str must match the file EXACTLY and occur exactly once: the same characters, whitespace, indentation and line breaks. Include enough surrounding lines (usually 2-5) to make it unique. Copy it from view_file output without the line-number prefixes.',
  '- "insert": insert new_str as new lines after line insert_line (0 = at the start of the file).',
  '- "create": create a new file with file_text (parent directories are created). Refused if the file exists.',
  '- "undo": revert your last edit of path (repeatable; undoing a create removes the file).',
  "The file's line endings (LF or CRLF) are kept. Edits that would introduce a syntax error into a Python, JavaScript, TypeScript, Go, Rust, Java, Ruby or JSON file that parsed before are rejected and the file is left unchanged.",
  "On success you get a numbered snippet of the edited region: check it.",
].join("\n");

/** What the edit commands share. */
interface EditContext {
  sandbox: Sandbox;
  history: EditHistory;
  syntaxChecker: SyntaxChecker;
  /** The path as the model gave it, for the sandbox methods. */
  path: string;
  /** The resolved sandbox path, for messages and as the history key. */
  displayPath: string;
}

/** A text file as read before an edit. */
interface TextFile {
  bytes: Buffer;
  text: string;
  lineEnding: LineEnding;
}

/** The `edit_file` tool: exact string replacement, line insertion, file creation and undo, guarded by a syntax check. */
export function createEditFileTool(options: { sandbox: Sandbox; history: EditHistory; syntaxChecker: SyntaxChecker }): AgentTool<typeof editFileSchema> {
  return defineTool({
    name: "edit_file",
    kind: "edit",
    description: DESCRIPTION,
    schema: editFileSchema,
    async run(input) {
      const context: EditContext = { ...options, path: input.path, displayPath: await options.sandbox.resolvePath(input.path) };
      switch (input.command) {
        case "str_replace":
          return replaceString(context, input);
        case "insert":
          return insertLines(context, input);
        case "create":
          return createFile(context, input);
        case "undo":
          return undoEdit(context);
      }
    },
  });
}

function missingField(command: string, field: string, meaning: string): ToolResult {
  return toolFailure(`edit_file with command "${command}" needs ${field} (${meaning}).`);
}

async function replaceString(context: EditContext, input: EditFileInput): Promise<ToolResult> {
  if (input.old_str === undefined) return missingField("str_replace", "old_str", "the exact text to replace");
  if (input.new_str === undefined) return missingField("str_replace", "new_str", 'the replacement text; use "" to delete old_str');
  if (input.old_str === "") return toolFailure('old_str is empty. Give the exact text to replace; to add text use command "insert", to make a new file use "create".');
  const file = await readTextFile(context);
  if (!("text" in file)) return file;
  const oldStr = adaptLineEndings(input.old_str, file.lineEnding);
  const newStr = adaptLineEndings(input.new_str, file.lineEnding);
  if (oldStr === newStr) return toolFailure("old_str and new_str are identical, so nothing would change.");

  const occurrences = findOccurrences(file.text, oldStr);
  const [index] = occurrences;
  if (index === undefined) return toolFailure(explainMissingOldStr(file.text, oldStr, context.displayPath));
  if (occurrences.length > 1) {
    const lines = occurrences.map((offset) => lineNumberAt(file.text, offset));
    return toolFailure(`old_str occurs ${occurrences.length} times: lines ${lines.join(", ")}. Include more surrounding lines to make it unique.`);
  }
  const newText = file.text.slice(0, index) + newStr + file.text.slice(index + oldStr.length);
  const firstLine = lineNumberAt(file.text, index);
  const lastLine = lineNumberAt(newText, index + Math.max(newStr.length - 1, 0));
  return applyEdit(context, file, newText, { firstLine, lastLine });
}

async function insertLines(context: EditContext, input: EditFileInput): Promise<ToolResult> {
  if (input.insert_line === undefined) return missingField("insert", "insert_line", "the line after which to insert; 0 for the start of the file");
  if (input.new_str === undefined) return missingField("insert", "new_str", "the lines to insert");
  if (input.new_str === "") return toolFailure("new_str is empty, so there is nothing to insert.");
  const file = await readTextFile(context);
  if (!("text" in file)) return file;
  const totalLines = countLines(file.text);
  if (input.insert_line > totalLines) {
    return toolFailure(
      `insert_line ${input.insert_line} is past the end of ${context.displayPath}, which has ${totalLines} ${totalLines === 1 ? "line" : "lines"}. ` +
        `Use 0 (the start of the file) up to ${totalLines} (after the last line).`,
    );
  }
  const eol = file.lineEnding === "crlf" ? "\r\n" : "\n";
  const newStr = adaptLineEndings(input.new_str, file.lineEnding);
  const lines = newStr.endsWith("\n") ? newStr : newStr + eol;
  const offset = offsetAfterLine(file.text, input.insert_line);
  const appendsToUnterminatedLine = offset === file.text.length && file.text.length > 0 && !file.text.endsWith("\n");
  // A file without a final newline keeps it that way: the break goes before the new lines instead of after.
  const insertion = appendsToUnterminatedLine ? eol + lines.replace(/\r?\n$/, "") : lines;
  const newText = file.text.slice(0, offset) + insertion + file.text.slice(offset);
  return applyEdit(context, file, newText, { firstLine: input.insert_line + 1, lastLine: input.insert_line + countLines(lines) });
}

async function createFile(context: EditContext, input: EditFileInput): Promise<ToolResult> {
  if (input.file_text === undefined) return missingField("create", "file_text", "the full content of the new file");
  const existing = await context.sandbox.stat(context.path);
  if (existing !== undefined) {
    const what = existing.type === "directory" ? " as a directory" : "";
    return toolFailure(`${context.displayPath} already exists${what}; use str_replace to change it, or undo if you created it by mistake.`);
  }
  const result = await context.syntaxChecker.check(context.displayPath, input.file_text);
  if (result.checked && !result.ok) {
    return toolFailure(
      [
        `The file was NOT created because file_text has a syntax error (${result.language}):`,
        ...formatIssues(result.errors),
        ...errorContext(input.file_text, result.errors),
        "Fix file_text and try again.",
      ].join("\n"),
    );
  }
  context.history.record(context.displayPath, null);
  await context.sandbox.writeFile(context.path, input.file_text);
  const lines = countLines(input.file_text);
  return toolOk(`Created ${context.displayPath} (${lines} ${lines === 1 ? "line" : "lines"}).`, `Created ${context.displayPath}`);
}

async function undoEdit(context: EditContext): Promise<ToolResult> {
  const previous = context.history.pop(context.displayPath);
  if (previous === undefined) return toolFailure(`There is no edit of ${context.displayPath} to undo; undo only reverts edits made with edit_file.`);
  const remaining = context.history.depth(context.displayPath);
  const more = remaining === 0 ? "No earlier edits of it remain to undo." : `${remaining} earlier ${remaining === 1 ? "edit" : "edits"} of it can still be undone.`;
  if (previous === null) {
    if ((await context.sandbox.stat(context.path))?.type === "file") await context.sandbox.removeFile(context.path);
    return toolOk(`Undid the creation of ${context.displayPath}: the file was removed. ${more}`, `Undid ${context.displayPath}`);
  }
  await context.sandbox.writeFile(context.path, previous);
  return toolOk(`Undid the last edit of ${context.displayPath}: its previous content (${previous.length} bytes) is restored. ${more}`, `Undid ${context.displayPath}`);
}

/** Reads a file for editing, or a failure saying why it cannot be edited safely. */
async function readTextFile(context: EditContext): Promise<TextFile | ToolResult> {
  const { displayPath } = context;
  const info = await context.sandbox.stat(context.path);
  if (info === undefined) {
    return toolFailure(`No such file or directory: ${displayPath}. Use command "create" to make a new file, or find_files to locate an existing one.`);
  }
  if (info.type === "directory") return toolFailure(`${displayPath} is a directory; edit_file edits files. Use view_file to list it.`);
  if (info.type !== "file") return toolFailure(`${displayPath} is not a regular file; edit_file cannot edit it.`);
  if (hasBinaryExtension(displayPath)) return binaryFailure(displayPath, info.size);
  const bytes = await context.sandbox.readFile(context.path);
  if (isBinaryContent(displayPath, bytes)) return binaryFailure(displayPath, bytes.length);
  const invalidOffset = findInvalidUtf8Offset(bytes);
  if (invalidOffset !== undefined) {
    return toolFailure(
      `${displayPath} is not valid UTF-8 (first invalid byte at offset ${invalidOffset}); edit_file refuses so as not to corrupt it. ` +
        "Use run_shell with a script that handles the encoding.",
    );
  }
  const text = bytes.toString("utf8");
  return { bytes, text, lineEnding: detectLineEnding(text) };
}

function binaryFailure(displayPath: string, size: number): ToolResult {
  return toolFailure(`${displayPath} is a binary file (${size} bytes); edit_file edits text only. Use run_shell to change it.`);
}

/** Makes the model's line breaks match a file that uses one convention throughout. */
function adaptLineEndings(value: string, lineEnding: LineEnding): string {
  if (lineEnding === "crlf") return value.replace(/\r?\n/g, "\r\n");
  if (lineEnding === "lf") return value.replace(/\r\n/g, "\n");
  return value;
}

/** Start offsets of every occurrence, overlapping ones included (they make old_str just as ambiguous). */
function findOccurrences(text: string, search: string): number[] {
  const offsets: number[] = [];
  for (let index = text.indexOf(search); index !== -1; index = text.indexOf(search, index + 1)) offsets.push(index);
  return offsets;
}

/** The offset just after line `line` (0 = the start of the text). */
function offsetAfterLine(text: string, line: number): number {
  let offset = 0;
  for (let current = 0; current < line; current += 1) {
    const newline = text.indexOf("\n", offset);
    if (newline === -1) return text.length;
    offset = newline + 1;
  }
  return offset;
}

/** Runs the syntax gate, records the previous state and writes; the result shows the edited region. */
async function applyEdit(context: EditContext, file: TextFile, newText: string, region: { firstLine: number; lastLine: number }): Promise<ToolResult> {
  const after = await context.syntaxChecker.check(context.displayPath, newText);
  let warning: string[] = [];
  if (after.checked && !after.ok) {
    const before = await context.syntaxChecker.check(context.displayPath, file.text);
    if (before.checked && before.ok) {
      return toolFailure(
        [
          `The edit was NOT applied because it would introduce a syntax error into ${context.displayPath} (${after.language}); the file is unchanged.`,
          "Errors in the proposed content:",
          ...formatIssues(after.errors),
          ...errorContext(newText, after.errors),
          "Fix the edit (check brackets, quotes, colons and indentation) and try again. " +
            "If you are sure the code is valid (the checker may not know very new syntax), write the file with run_shell instead.",
        ].join("\n"),
      );
    }
    warning = [
      `Warning: ${context.displayPath} already had syntax errors before this edit, so the edit was applied. It still has these errors:`,
      ...formatIssues(after.errors),
    ];
  }
  context.history.record(context.displayPath, file.bytes);
  await context.sandbox.writeFile(context.path, newText);

  const lines = splitLines(newText);
  const first = Math.max(1, region.firstLine - SNIPPET_CONTEXT_LINES);
  const last = Math.min(lines.length, region.lastLine + SNIPPET_CONTEXT_LINES);
  const snippet = numberLines(lines.slice(first - 1, last), first);
  return toolOk(
    [
      `Edited ${context.displayPath}. The edited region with ${SNIPPET_CONTEXT_LINES} lines of context (lines ${first}-${last}):`,
      snippet,
      'The file was edited; review the snippet. If it is wrong, edit it again or call edit_file with command "undo".',
      ...warning,
    ].join("\n"),
    `Edited ${context.displayPath} (lines ${region.firstLine}-${region.lastLine})`,
  );
}

function formatIssues(issues: readonly SyntaxIssue[]): string[] {
  return issues.map((issue) => `  line ${issue.line}, column ${issue.column}: ${issue.message}`);
}

/** The numbered lines around the first error, with the error's line marked by ">". */
function errorContext(text: string, issues: readonly SyntaxIssue[]): string[] {
  const [first] = issues;
  if (first === undefined) return [];
  const lines = splitLines(text);
  const start = Math.max(1, first.line - SNIPPET_CONTEXT_LINES);
  const end = Math.min(lines.length, first.line + SNIPPET_CONTEXT_LINES);
  if (end < start) return [];
  return [`The proposed content around line ${first.line}:`, numberLines(lines.slice(start - 1, end), start, first.line)];
}

/** Why old_str matched nothing: line-number prefixes, a whitespace-only difference, the closest window, or nothing similar. */
function explainMissingOldStr(text: string, oldStr: string, displayPath: string): string {
  const notFound = `old_str was not found in ${displayPath}.`;
  const copyAdvice = "Copy the exact text from view_file output (without the line-number prefixes) and try again.";
  const oldLines = splitLines(oldStr);
  if (oldLines.length > 0 && oldLines.every((line) => /^\s*\d+\t/.test(line))) {
    return `${notFound} It seems to include view_file's line-number prefixes (a number and a tab at the start of each line); remove them and try again.`;
  }
  const fileLines = splitLines(text);
  const whitespaceMatch = findIgnoringWhitespace(text, oldStr);
  if (whitespaceMatch !== undefined) {
    const { firstLine, lastLine, differences } = whitespaceMatch;
    return [
      `${notFound} ${describeRange(firstLine, lastLine)} ${firstLine === lastLine ? "matches" : "match"} it except for whitespace (${differences}).`,
      nearMissDiff(oldStr, fileLines, firstLine, lastLine, displayPath),
      copyAdvice,
    ].join("\n");
  }
  const nearMiss = findMostSimilarWindow(fileLines, oldLines);
  if (nearMiss === undefined || nearMiss.score < NEAR_MISS_THRESHOLD) {
    return `${notFound} No part of the file is similar to it. Use view_file to read the file (or search the workspace for a distinctive identifier) and copy the exact text.`;
  }
  const { firstLine, lastLine, score } = nearMiss;
  return [
    `${notFound} The most similar part of the file is ${describeRange(firstLine, lastLine).toLowerCase()} (${Math.round(score * 100)}% similar). The diff from your old_str to those lines:`,
    nearMissDiff(oldStr, fileLines, firstLine, lastLine, displayPath),
    copyAdvice,
  ].join("\n");
}

function describeRange(firstLine: number, lastLine: number): string {
  return firstLine === lastLine ? `Line ${firstLine}` : `Lines ${firstLine}-${lastLine}`;
}

function nearMissDiff(oldStr: string, fileLines: readonly string[], firstLine: number, lastLine: number, displayPath: string): string {
  const withFinalNewline = (value: string): string => (value.endsWith("\n") ? value : `${value}\n`);
  const windowText = withFinalNewline(fileLines.slice(firstLine - 1, lastLine).join("\n"));
  const patch = createTwoFilesPatch(
    "old_str",
    `${displayPath} ${describeRange(firstLine, lastLine).toLowerCase()}`,
    withFinalNewline(oldStr.replace(/\r\n/g, "\n")),
    windowText,
    undefined,
    undefined,
    { context: 3, headerOptions: FILE_HEADERS_ONLY },
  );
  const lines = patch.trimEnd().split("\n");
  if (lines.length <= MAX_DIFF_LINES) return lines.join("\n");
  return [...lines.slice(0, MAX_DIFF_LINES), `… (${lines.length - MAX_DIFF_LINES} more diff lines not shown)`].join("\n");
}

/** Finds old_str in the text with all whitespace ignored; returns its lines and what kind of whitespace differs. */
function findIgnoringWhitespace(text: string, oldStr: string): { firstLine: number; lastLine: number; differences: string } | undefined {
  const target = oldStr.replace(/\s+/g, "");
  if (target === "") return undefined;
  const offsets = new Uint32Array(text.length);
  const parts: string[] = [];
  let length = 0;
  for (const match of text.matchAll(/\S+/g)) {
    for (let index = 0; index < match[0].length; index += 1) offsets[length + index] = match.index + index;
    parts.push(match[0]);
    length += match[0].length;
  }
  const stripped = parts.join("");
  const found = stripped.indexOf(target);
  if (found === -1) return undefined;
  const start = offsets[found] ?? 0;
  const end = offsets[found + target.length - 1] ?? start;
  // Widen to the spaces and tabs around the match on its first and last lines, to compare like with like.
  let regionStart = start;
  while (regionStart > 0 && (text[regionStart - 1] === " " || text[regionStart - 1] === "\t")) regionStart -= 1;
  let regionEnd = end + 1;
  while (regionEnd < text.length && (text[regionEnd] === " " || text[regionEnd] === "\t" || text[regionEnd] === "\r")) regionEnd += 1;
  return {
    firstLine: lineNumberAt(text, start),
    lastLine: lineNumberAt(text, end),
    differences: describeWhitespaceDifferences(oldStr, text.slice(regionStart, regionEnd)),
  };
}

function describeWhitespaceDifferences(oldStr: string, region: string): string {
  const oldLines = oldStr.replace(/\n$/, "").split("\n");
  const regionLines = region.split("\n");
  const kinds = new Set<string>();
  if (oldLines.length !== regionLines.length) kinds.add("line breaks differ");
  else {
    oldLines.forEach((line, index) => {
      const other = regionLines[index] ?? "";
      if (line === other) return;
      if (line.endsWith("\r") !== other.endsWith("\r")) kinds.add("line endings differ (CRLF versus LF)");
      const [a, b] = [line.replace(/\r$/, ""), other.replace(/\r$/, "")];
      const [indentA, indentB] = [/^[ \t]*/.exec(a)?.[0] ?? "", /^[ \t]*/.exec(b)?.[0] ?? ""];
      // old_str may start or end mid-line: only whitespace it gives at its own edges can mismatch there.
      const isFirst = index === 0;
      const isLast = index === oldLines.length - 1;
      if (indentA !== indentB && (!isFirst || indentA !== "")) {
        kinds.add(indentA.includes("\t") !== indentB.includes("\t") ? "indentation differs: tabs versus spaces" : "indentation differs");
      }
      const [trailingA, trailingB] = [/[ \t]*$/.exec(a)?.[0] ?? "", /[ \t]*$/.exec(b)?.[0] ?? ""];
      if (trailingA !== trailingB && (!isLast || trailingA !== "")) kinds.add("trailing whitespace differs");
      if (a.trim() !== b.trim()) kinds.add("spacing within lines differs");
    });
  }
  return kinds.size === 0 ? "whitespace around it differs" : [...kinds].join("; ");
}

/** The window of the file, as many lines as old_str, whose lines are most like old_str's (score 0..1). */
function findMostSimilarWindow(
  fileLines: readonly string[],
  oldLines: readonly string[],
): { firstLine: number; lastLine: number; score: number } | undefined {
  if (fileLines.length === 0 || oldLines.length === 0) return undefined;
  const size = Math.min(oldLines.length, fileLines.length);
  const isFuzzy = fileLines.length * oldLines.length <= FUZZY_COMPARISON_BUDGET;
  const oldTrimmed = oldLines.map((line) => line.trim());
  const oldBigrams = oldTrimmed.map(bigramCounts);
  const fileTrimmed = fileLines.map((line) => line.trim());
  const fileBigrams = new Map<number, Map<string, number>>();
  const weights = oldTrimmed.map((line) => Math.max(1, line.length));
  const totalWeight = weights.slice(0, size).reduce((sum, weight) => sum + weight, 0);

  const similarity = (oldIndex: number, fileIndex: number): number => {
    const a = oldTrimmed[oldIndex] ?? "";
    const b = fileTrimmed[fileIndex] ?? "";
    if (a === b) return 1;
    if (!isFuzzy || a.length === 0 || b.length === 0) return 0;
    let bigrams = fileBigrams.get(fileIndex);
    if (bigrams === undefined) {
      bigrams = bigramCounts(b);
      fileBigrams.set(fileIndex, bigrams);
    }
    const left = oldBigrams[oldIndex] ?? new Map<string, number>();
    let shared = 0;
    for (const [bigram, count] of left) shared += Math.min(count, bigrams.get(bigram) ?? 0);
    const leftSize = Math.max(1, a.length - 1);
    const dice = (2 * shared) / (leftSize + Math.max(1, b.length - 1));
    // A one-line old_str is often a fragment of a longer line: count how much of it the line contains.
    return oldLines.length === 1 ? Math.max(dice, 0.9 * (shared / leftSize)) : dice;
  };

  let best: { firstLine: number; lastLine: number; score: number } | undefined;
  for (let start = 0; start + size <= fileLines.length; start += 1) {
    let weighted = 0;
    for (let offset = 0; offset < size; offset += 1) weighted += (weights[offset] ?? 1) * similarity(offset, start + offset);
    const score = weighted / totalWeight;
    if (best === undefined || score > best.score) best = { firstLine: start + 1, lastLine: start + size, score };
  }
  return best;
}

function bigramCounts(line: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (let index = 0; index + 1 < line.length; index += 1) {
    const bigram = line.slice(index, index + 2);
    counts.set(bigram, (counts.get(bigram) ?? 0) + 1);
  }
  return counts;
}
