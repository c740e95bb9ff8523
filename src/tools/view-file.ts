import { z } from "zod";
import type { DirectoryEntry, Sandbox } from "../sandbox/sandbox.js";
import { defineTool, toolFailure, toolOk } from "./agent-tool.js";
import type { AgentTool, ToolResult } from "./agent-tool.js";
import { findInvalidUtf8Offset, hasBinaryExtension, numberLines, splitLines } from "./text-encoding.js";

/** Lines shown when the model does not say. */
const DEFAULT_LINE_COUNT = 100;
/** The most lines one call shows. */
const MAX_LINE_COUNT = 2000;
/** Files above this size are refused: the Sandbox interface can only read whole files. */
const MAX_FILE_BYTES = 50 * 1024 * 1024;
/** Entries of a directory listing shown before the rest are only counted. */
const MAX_DIRECTORY_ENTRIES = 500;
/** How deep a directory listing goes. */
const DIRECTORY_DEPTH = 2;
/** Bytes searched for a NUL byte when deciding whether a file is binary. */
const BINARY_SNIFF_BYTES = 8192;

const viewFileSchema = z.object({
  path: z
    .string()
    .min(1)
    .describe("The file or directory to view, relative to the workspace root or absolute under it (e.g. src/app.py or /workspace/src/app.py)."),
  start_line: z
    .number()
    .int()
    .min(1)
    .optional()
    .describe("The 1-based line to start at (default 1). To scroll, pass the start_line named in the previous call's footer."),
  line_count: z
    .number()
    .int()
    .min(1)
    .max(MAX_LINE_COUNT)
    .optional()
    .describe(`How many lines to show (default ${DEFAULT_LINE_COUNT}, at most ${MAX_LINE_COUNT}). Ask for fewer lines when you know where to look.`),
});

const DESCRIPTION = [
  "View a text file or list a directory in the workspace.",
  "For a file, shows a window of lines, each prefixed with its line number and a tab (the number and tab are not part of the file).",
  `By default the first ${DEFAULT_LINE_COUNT} lines are shown; the footer says how many lines remain and which start_line continues.`,
  "Lines longer than 2000 characters are cut. Notes in the header tell you about CRLF line endings or bytes that are not valid UTF-8.",
  `For a directory, lists its files and subdirectories two levels deep (directories end with /), at most ${MAX_DIRECTORY_ENTRIES} entries.`,
  "Binary files are refused; use run_shell to inspect them.",
  "Use this before editing a file, and copy text for edit_file's old_str exactly from here (without the line-number prefix).",
].join("\n");

/** The `view_file` tool: a numbered, scrollable window onto a text file, or a directory listing. */
export function createViewFileTool(options: { sandbox: Sandbox }): AgentTool<typeof viewFileSchema> {
  const { sandbox } = options;
  return defineTool({
    name: "view_file",
    kind: "read",
    description: DESCRIPTION,
    schema: viewFileSchema,
    async run(input) {
      const displayPath = await sandbox.resolvePath(input.path);
      const info = await sandbox.stat(input.path);
      if (info === undefined) return toolFailure(`No such file or directory: ${displayPath}. Use find_files to locate it.`);
      if (info.type === "directory") return listDirectory(sandbox, input.path, displayPath);
      if (info.type !== "file") return toolFailure(`${displayPath} is not a regular file or directory; view_file cannot show it.`);
      if (hasBinaryExtension(displayPath)) return binaryFailure(displayPath, info.size);
      if (info.size > MAX_FILE_BYTES) {
        return toolFailure(
          `${displayPath} is too large to view (${info.size} bytes; the limit is ${MAX_FILE_BYTES}). ` +
            `Use run_shell to show part of it, e.g. sed -n '1,100p' ${shellQuote(displayPath)}, or grep -n to find the lines you need.`,
        );
      }
      const bytes = await sandbox.readFile(input.path);
      if (bytes.subarray(0, BINARY_SNIFF_BYTES).includes(0)) return binaryFailure(displayPath, bytes.length);
      return showWindow(bytes, displayPath, input.start_line ?? 1, input.line_count ?? DEFAULT_LINE_COUNT);
    },
  });
}

function binaryFailure(displayPath: string, size: number): ToolResult {
  return toolFailure(
    `${displayPath} is a binary file (${size} bytes); view_file shows text only. Use run_shell (e.g. file, xxd | head) to inspect it.`,
  );
}

function shellQuote(path: string): string {
  return /^[\w@%+=:,./-]+$/.test(path) ? path : `'${path.replaceAll("'", "'\\''")}'`;
}

async function listDirectory(sandbox: Sandbox, path: string, displayPath: string): Promise<ToolResult> {
  const entries = await sandbox.listDirectory(path, DIRECTORY_DEPTH);
  // Entries come breadth-first, so the cap keeps the shallow ones; the shown ones are then sorted as a tree.
  const shown = entries.slice(0, MAX_DIRECTORY_ENTRIES).sort(compareEntries);
  const lines = [`Directory: ${displayPath} (${shown.length} entries shown)`];
  if (shown.length === 0) lines.push("(empty directory)");
  for (const entry of shown) lines.push(entry.type === "directory" ? `${entry.path}/` : entry.path);
  const hidden = entries.length - shown.length;
  if (hidden > 0) lines.push(`(${hidden} more entries not shown; view a subdirectory to see them)`);
  return toolOk(lines.join("\n"), `Listed ${displayPath} (${shown.length} entries)`);
}

function compareEntries(a: DirectoryEntry, b: DirectoryEntry): number {
  const left = a.path.split("/");
  const right = b.path.split("/");
  for (let index = 0; index < Math.min(left.length, right.length); index += 1) {
    const order = (left[index] ?? "").localeCompare(right[index] ?? "");
    if (order !== 0) return order;
  }
  return left.length - right.length;
}

/** Where a window of lines lies in a file's bytes, and what the whole file's lines look like. */
interface LineWindow {
  totalLines: number;
  startOffset: number;
  endOffset: number;
  crlfCount: number;
  lfCount: number;
}

/** Scans the bytes once for line breaks, so only the window is decoded however large the file is. */
function locateWindow(bytes: Buffer, startLine: number, lastLine: number): LineWindow {
  let startOffset = bytes.length;
  let endOffset = bytes.length;
  let crlfCount = 0;
  let lfCount = 0;
  let lineNumber = 1;
  let lineStart = 0;
  for (let newline = bytes.indexOf(10); newline !== -1; newline = bytes.indexOf(10, newline + 1)) {
    if (lineNumber === startLine) startOffset = lineStart;
    if (lineNumber === lastLine) endOffset = newline + 1;
    if (newline > 0 && bytes[newline - 1] === 13) crlfCount += 1;
    else lfCount += 1;
    lineNumber += 1;
    lineStart = newline + 1;
  }
  const hasUnterminatedLine = lineStart < bytes.length;
  if (hasUnterminatedLine && lineNumber === startLine) startOffset = lineStart;
  return { totalLines: hasUnterminatedLine ? lineNumber : lineNumber - 1, startOffset, endOffset, crlfCount, lfCount };
}

function showWindow(bytes: Buffer, displayPath: string, startLine: number, lineCount: number): ToolResult {
  const window = locateWindow(bytes, startLine, startLine + lineCount - 1);
  const { totalLines } = window;
  if (totalLines === 0) {
    if (startLine > 1) return toolFailure(`start_line ${startLine} is past the end of ${displayPath}, which is empty.`);
    return toolOk(`File: ${displayPath} (empty file)`, `Viewed ${displayPath} (empty)`);
  }
  if (startLine > totalLines) {
    return toolFailure(
      `start_line ${startLine} is past the end of ${displayPath}, which has ${totalLines} ${totalLines === 1 ? "line" : "lines"}. ` +
        `Use a start_line between 1 and ${totalLines}.`,
    );
  }
  let text = bytes.subarray(window.startOffset, window.endOffset).toString("utf8");
  const hasByteOrderMark = window.startOffset === 0 && text.startsWith("\uFEFF");
  if (hasByteOrderMark) text = text.slice(1);
  const lines = splitLines(text);
  const lastLine = startLine + lines.length - 1;

  const header = [`File: ${displayPath} (lines ${startLine}-${lastLine} of ${totalLines})${lineEndingNote(window)}`];
  const invalidOffset = findInvalidUtf8Offset(bytes);
  if (invalidOffset !== undefined) {
    header.push(`Note: the file is not valid UTF-8 (first invalid byte at offset ${invalidOffset}); invalid bytes are shown as \uFFFD.`);
  }
  if (hasByteOrderMark) header.push("Note: the file starts with a UTF-8 byte order mark, which is not shown.");

  const footer: string[] = [];
  if (lastLine < totalLines) {
    footer.push(`(${totalLines - lastLine} more lines below; call view_file with start_line=${lastLine + 1} to continue)`);
  } else {
    if (bytes.length > 0 && bytes[bytes.length - 1] !== 10) footer.push("(no newline at end of file)");
    footer.push("(end of file)");
  }
  const output = [...header, numberLines(lines, startLine), ...footer].join("\n");
  return toolOk(output, `Viewed ${displayPath} lines ${startLine}-${lastLine} of ${totalLines}`);
}

function lineEndingNote(window: LineWindow): string {
  if (window.crlfCount === 0) return "";
  return window.lfCount === 0 ? " (CRLF line endings)" : " (mixed CRLF and LF line endings)";
}
