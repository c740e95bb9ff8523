import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox.js";
import { shellQuote } from "../sandbox/shell-session.js";
import { defineTool, toolFailure, toolOk, type ToolResult } from "./agent-tool.js";
import { relativeTo } from "./search.js";

const MAX_FILES = 200;

/** Turns a name or glob into a ripgrep glob: a bare name matches anywhere in the tree. */
function toGlob(pattern: string): string {
  const isGlob = /[*?[\]{}]/.test(pattern);
  if (!isGlob) return `*${pattern}*`;
  return pattern;
}

/** `find_files`: files by name or glob, respecting .gitignore. */
export function createFindFilesTool({ sandbox }: { sandbox: Sandbox }) {
  return defineTool({
    name: "find_files",
    kind: "read",
    description:
      "Find files in the repository by name or glob. A plain name matches any file whose name contains it (case-insensitive), " +
      "e.g. `setup` finds setup.py and setup.cfg; a glob matches paths, e.g. `**/test_*.py` or `src/**/*.ts`. Files ignored by " +
      ".gitignore are skipped. At most 200 paths are listed, sorted.",
    schema: z.object({
      pattern: z.string().min(1).describe("A file name (or part of one) or a glob such as `**/test_*.py`."),
      path: z.string().optional().describe("Directory to search in, relative to the repository root (default: the whole repository)."),
    }),
    async run(input, signal): Promise<ToolResult> {
      const target = await sandbox.resolvePath(input.path ?? ".");
      const glob = toGlob(input.pattern);
      const args = ["rg", "--files", "--sort=path", "--hidden", "--glob", "!.git", "--iglob", glob, "--", target];
      const result = await sandbox.exec(
        { command: `${args.map(shellQuote).join(" ")} | head -n ${MAX_FILES + 1}; status=\${PIPESTATUS[0]}; [ "$status" = 141 ] && status=0; exit "$status"`, cwd: sandbox.workdir, timeoutMs: 60_000 },
        signal,
      );
      if (result.exitCode === 127) return toolFailure("ripgrep (rg) is not installed in the sandbox; use `find` through run_shell.");
      if (result.exitCode === 1 || (result.exitCode === 0 && result.stdout.trim() === "")) return toolOk(`No files match ${input.pattern}.`);
      if (result.exitCode !== 0) return toolFailure(`find_files failed: ${result.stderr.trim() || `rg exited with ${result.exitCode}`}`);
      const paths = result.stdout.split("\n").filter(Boolean).map((path) => relativeTo(path, sandbox.workdir));
      const shown = paths.slice(0, MAX_FILES);
      const more = paths.length > MAX_FILES ? `\n(more than ${MAX_FILES} files match; use a more specific pattern or a path)` : "";
      return toolOk(`${shown.length} file${shown.length === 1 ? "" : "s"} match ${input.pattern}:\n${shown.join("\n")}${more}`);
    },
  });
}
