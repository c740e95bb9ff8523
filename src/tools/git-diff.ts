import { z } from "zod";
import type { WorkspaceGit } from "../git/workspace-git.js";
import { defineTool, toolOk } from "./agent-tool.js";
import type { AgentTool } from "./agent-tool.js";
import { toGitToolFailure } from "./git-tool-failure.js";

/** The most characters of patch one call returns; the middle of a longer patch is elided. */
export const MAX_DIFF_CHARACTERS = 60_000;

const gitDiffSchema = z.object({
  paths: z
    .array(z.string().min(1))
    .optional()
    .describe('Only show changes to these files or directories, relative to the repository root (e.g. ["src/app.py", "tests/"]). Omit to see the whole patch.'),
});

const DESCRIPTION = [
  "Show the run's patch: every change in the workspace since the run's base commit, as a unified diff, including committed changes, new, deleted, renamed and binary files.",
  "This is exactly the patch the run will deliver. Build artefacts (__pycache__/, *.pyc, *.egg-info/, node_modules/ and the like) and ignored files are left out.",
  `Output longer than ${MAX_DIFF_CHARACTERS} characters keeps its beginning and end and names the files elided in between; pass paths to see those.`,
].join("\n");

/** The `git_diff` tool: the run's patch against its base commit, optionally for some paths, capped in size. */
export function createGitDiffTool(options: { git: WorkspaceGit }): AgentTool<typeof gitDiffSchema> {
  const { git } = options;
  return defineTool({
    name: "git_diff",
    kind: "read",
    description: DESCRIPTION,
    schema: gitDiffSchema,
    async run(input) {
      const base = git.baseCommit.slice(0, 7);
      const paths = input.paths ?? [];
      let patch: string;
      try {
        patch = await git.patch(paths.length > 0 ? { paths } : undefined);
      } catch (error) {
        return toGitToolFailure(error);
      }
      if (patch === "") {
        const scope = paths.length > 0 ? ` in ${paths.join(", ")}` : "";
        return toolOk(`No changes against the base commit ${base}${scope}.`, "no changes");
      }
      const fileCount = sectionStarts(patch).length;
      const files = `${fileCount} file${fileCount === 1 ? "" : "s"}`;
      return toolOk(`Changes against the base commit ${base} (${files}):\n${capPatch(patch, MAX_DIFF_CHARACTERS)}`, `${files} changed`);
    },
  });
}

/**
 * Keeps the first two thirds and the last third of `limit` characters, cut at line boundaries,
 * with a note in between that counts what was elided and names the files it touches.
 */
export function capPatch(patch: string, limit: number): string {
  if (patch.length <= limit) return patch;
  const headEnd = lineBoundaryAtOrBefore(patch, Math.floor((limit * 2) / 3));
  const tailStart = lineBoundaryAtOrAfter(patch, patch.length - Math.floor(limit / 3));
  if (tailStart <= headEnd) return patch;
  const elided = patch.slice(headEnd, tailStart);
  const elidedLines = elided.split("\n").length - 1;
  const files = filesTouching(patch, headEnd, tailStart);
  return (
    patch.slice(0, headEnd) +
    `[... ${elided.length} characters (${elidedLines} lines) elided, in ${files.join(", ")}. Call git_diff with paths to see these files in full ...]\n` +
    patch.slice(tailStart)
  );
}

/** Offsets where each file's section ("diff --git …") starts, with the file's name (the b/ side). */
function sectionStarts(patch: string): Array<{ offset: number; path: string }> {
  return [...patch.matchAll(/^diff --git (?:"?a\/.*?"? )"?b\/(.*?)"?$/gm)].map((match) => ({ offset: match.index, path: match[1] ?? "" }));
}

/** The files whose sections overlap the range [start, end). */
function filesTouching(patch: string, start: number, end: number): string[] {
  const sections = sectionStarts(patch);
  const paths: string[] = [];
  sections.forEach((section, index) => {
    const sectionEnd = sections[index + 1]?.offset ?? patch.length;
    if (section.offset < end && sectionEnd > start) paths.push(section.path);
  });
  return paths;
}

function lineBoundaryAtOrBefore(text: string, offset: number): number {
  const newline = text.lastIndexOf("\n", offset - 1);
  return newline === -1 ? offset : newline + 1;
}

function lineBoundaryAtOrAfter(text: string, offset: number): number {
  const newline = text.indexOf("\n", offset);
  return newline === -1 ? text.length : newline + 1;
}
