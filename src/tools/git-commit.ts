import { z } from "zod";
import type { WorkspaceGit } from "../git/workspace-git.js";
import { defineTool, toolOk } from "./agent-tool.js";
import type { AgentTool } from "./agent-tool.js";
import { toGitToolFailure } from "./git-tool-failure.js";

const gitCommitSchema = z.object({
  message: z
    .string()
    .min(1)
    .describe("The commit message: a summary line under 72 characters in the imperative (\"Fix off-by-one in pager\"), optionally a blank line and details."),
});

const DESCRIPTION = [
  "Commit every change in the workspace: modified, new and deleted files are staged first, so there is no separate add step.",
  "Build artefacts (__pycache__/, *.pyc, *.egg-info/, node_modules/ and the like) and ignored files are never committed. Hooks do not run.",
  "Commits are optional: the run's result is the diff against the base commit (git_diff) whether or not you commit.",
].join("\n");

/** The `git_commit` tool: stage everything (artefacts left out) and commit with the given message. */
export function createGitCommitTool(options: { git: WorkspaceGit }): AgentTool<typeof gitCommitSchema> {
  const { git } = options;
  return defineTool({
    name: "git_commit",
    kind: "vcs",
    description: DESCRIPTION,
    schema: gitCommitSchema,
    async run(input) {
      try {
        const sha = await git.commit(input.message);
        const summary = input.message.trim().split("\n")[0] ?? "";
        return toolOk(`Committed ${sha.slice(0, 7)}: ${summary}`, `committed ${sha.slice(0, 7)}`);
      } catch (error) {
        return toGitToolFailure(error);
      }
    },
  });
}
