import { z } from "zod";
import type { WorkspaceGit } from "../git/workspace-git.js";
import { defineTool, toolOk } from "./agent-tool.js";
import type { AgentTool } from "./agent-tool.js";
import { toGitToolFailure } from "./git-tool-failure.js";

const gitRestoreSchema = z.object({
  path: z
    .string()
    .min(1)
    .describe("The file to restore, relative to the repository root as git_status shows it (e.g. src/app.py). A directory restores everything under it."),
});

const DESCRIPTION = [
  "Undo every change to one file since the run's base commit: its content goes back to what it was at the base commit, even if you committed changes to it since.",
  "A file that did not exist at the base commit is deleted. Other files are not touched. This cannot be undone, so use it to throw away a wrong edit, not to look at the old version (git_diff shows that).",
].join("\n");

/** The `git_restore` tool: put a file back to its base-commit content, deleting it if it was added since. */
export function createGitRestoreTool(options: { git: WorkspaceGit }): AgentTool<typeof gitRestoreSchema> {
  const { git } = options;
  return defineTool({
    name: "git_restore",
    kind: "vcs",
    description: DESCRIPTION,
    schema: gitRestoreSchema,
    async run(input) {
      try {
        await git.restoreFile(input.path);
      } catch (error) {
        return toGitToolFailure(error);
      }
      const base = git.baseCommit.slice(0, 7);
      return toolOk(
        `Restored ${input.path} to the base commit ${base}: it now has its content at ${base}, or is gone if it did not exist there.`,
        `restored ${input.path}`,
      );
    },
  });
}
