import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox.js";
import { shellQuote } from "../sandbox/shell-session.js";
import { defineTool, toolFailure, toolOk, type ToolResult } from "./agent-tool.js";

const MAX_MATCHES = 100;
const MAX_MATCHES_PER_FILE = 20;
const MAX_LINE_CHARS = 300;
/** ripgrep's JSON is post-processed here, so it may be larger than what a model sees. */
const RAW_OUTPUT_LIMIT_BYTES = 4 * 1024 * 1024;

interface RipgrepMatch {
  path: string;
  line: number;
  text: string;
}

/** Parses `rg --json` output into matches, ignoring a final line cut by the output cap. */
function parseRipgrepJson(output: string): RipgrepMatch[] {
  const matches: RipgrepMatch[] = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    let event: { type?: string; data?: { path?: { text?: string }; line_number?: number; lines?: { text?: string; bytes?: string } } };
    try {
      event = JSON.parse(line);
    } catch {
      continue;
    }
    if (event.type !== "match" || !event.data?.path?.text) continue;
    const text = event.data.lines?.text ?? Buffer.from(event.data.lines?.bytes ?? "", "base64").toString("utf8");
    matches.push({ path: event.data.path.text, line: event.data.line_number ?? 0, text: text.replace(/\r?\n$/, "") });
  }
  return matches;
}

function shorten(text: string): string {
  return text.length > MAX_LINE_CHARS ? `${text.slice(0, MAX_LINE_CHARS)}… [${text.length - MAX_LINE_CHARS} more characters]` : text;
}

/** Lists matches grouped by file, capped, with counts of what was left out. */
function formatMatches(matches: RipgrepMatch[], describeQuery: string, capped: boolean): string {
  const byFile = new Map<string, RipgrepMatch[]>();
  for (const match of matches) byFile.set(match.path, [...(byFile.get(match.path) ?? []), match]);
  const lines: string[] = [];
  let shown = 0;
  for (const [path, fileMatches] of byFile) {
    if (shown >= MAX_MATCHES) break;
    lines.push(path);
    for (const match of fileMatches.slice(0, Math.min(MAX_MATCHES_PER_FILE, MAX_MATCHES - shown))) {
      lines.push(`  ${match.line}: ${shorten(match.text)}`);
      shown += 1;
    }
    if (fileMatches.length >= MAX_MATCHES_PER_FILE) lines.push(`  (more matches in this file not shown; search within it with a narrower pattern or view_file)`);
  }
  const header = `${matches.length}${capped ? "+" : ""} matches in ${byFile.size} files for ${describeQuery}${shown < matches.length ? ` (showing ${shown}; narrow the search with a glob or a more specific pattern)` : ""}:`;
  return [header, ...lines].join("\n");
}

/** `search`: ripgrep over the workspace, results grouped by file and capped. */
export function createSearchTool({ sandbox }: { sandbox: Sandbox }) {
  return defineTool({
    name: "search",
    kind: "read",
    description:
      "Search file contents in the repository with ripgrep. The pattern is a regular expression (Rust regex syntax) unless " +
      "`literal` is true. Results are grouped by file with line numbers, at most 100 matches (20 per file). Files ignored by " +
      ".gitignore and the .git directory are skipped. Use `glob` to restrict to some files (e.g. `*.py`, `src/**/*.ts`).",
    schema: z.object({
      pattern: z.string().min(1).describe("The regular expression (or literal text when literal is true) to look for."),
      literal: z.boolean().optional().describe("Treat the pattern as plain text, not a regular expression."),
      glob: z.string().optional().describe("Only search files whose path matches this glob, e.g. `*.py` or `tests/**`."),
      path: z.string().optional().describe("Directory or file to search in, relative to the repository root (default: the whole repository)."),
      case_insensitive: z.boolean().optional().describe("Match without regard to case."),
    }),
    async run(input, signal): Promise<ToolResult> {
      const target = await sandbox.resolvePath(input.path ?? ".");
      const args = [
        "rg",
        "--json",
        "--sort=path",
        "--hidden",
        "--glob",
        "!.git",
        `--max-count=${MAX_MATCHES_PER_FILE}`,
        "--max-columns=2000",
        ...(input.literal ? ["--fixed-strings"] : []),
        ...(input.case_insensitive ? ["--ignore-case"] : []),
        ...(input.glob ? ["--glob", input.glob] : []),
        "--regexp",
        input.pattern,
        "--",
        target,
      ];
      const result = await sandbox.exec(
        { command: args.map(shellQuote).join(" "), cwd: sandbox.workdir, timeoutMs: 60_000, outputLimitBytes: RAW_OUTPUT_LIMIT_BYTES },
        signal,
      );
      const describeQuery = `${input.literal ? JSON.stringify(input.pattern) : `/${input.pattern}/`}${input.glob ? ` in ${input.glob}` : ""}`;
      if (result.exitCode === 127) return toolFailure("ripgrep (rg) is not installed in the sandbox; use `grep -rn` through run_shell.");
      if (result.timedOut) return toolFailure(`The search for ${describeQuery} took longer than 60 s; narrow it with a glob or a path.`);
      if (result.exitCode === 1 || (result.exitCode === 0 && parseRipgrepJson(result.stdout).length === 0)) {
        return toolOk(`No matches for ${describeQuery}.`);
      }
      if (result.exitCode !== 0) {
        const matches = parseRipgrepJson(result.stdout);
        if (matches.length === 0) return toolFailure(`The search failed: ${result.stderr.trim() || `rg exited with ${result.exitCode}`}`);
      }
      const matches = parseRipgrepJson(result.stdout).map((match) => ({ ...match, path: relativeTo(match.path, sandbox.workdir) }));
      return toolOk(formatMatches(matches, describeQuery, result.truncated));
    },
  });
}

/** A path as the model should see it: relative to the repository root. */
export function relativeTo(path: string, workdir: string): string {
  if (path === workdir) return ".";
  return path.startsWith(`${workdir}/`) ? path.slice(workdir.length + 1) : path.replace(/^\.\//, "");
}
