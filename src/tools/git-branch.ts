import { z } from "zod";
import type { WorkspaceGit } from "../git/workspace-git.js";
import { defineTool, toolOk } from "./agent-tool.js";
import type { AgentTool } from "./agent-tool.js";
import { toGitToolFailure } from "./git-tool-failure.js";

const gitBranchSchema = z.object({
  name: z
    .string()
    .min(1)
    .describe('The new branch\'s name: letters, digits, "-", "_", "." and "/", e.g. "fix/issue-123". It must not exist yet.'),
  checkout: z
    .boolean()
    .optional()
    .describe("Switch to the new branch after creating it (default false). Your uncommitted changes are kept either way."),
});

const DESCRIPTION = [
  "Create a new branch at the current commit (HEAD), and switch to it when checkout is true.",
  "No files change. Branches are optional: the run's result is the diff against the base commit whichever branch you are on.",
].join("\n");

/** The `git_branch` tool: create a branch at HEAD, optionally switching to it. */
export function createGitBranchTool(options: { git: WorkspaceGit }): AgentTool<typeof gitBranchSchema> {
  const { git } = options;
  return defineTool({
    name: "git_branch",
    kind: "vcs",
    description: DESCRIPTION,
    schema: gitBranchSchema,
    async run(input) {
      const checkout = input.checkout === true;
      try {
        await git.createBranch(input.name, { checkout });
      } catch (error) {
        return toGitToolFailure(error);
      }
      const head = (await git.headCommit()).slice(0, 7);
      const output = checkout ? `Created branch ${input.name} at ${head} and switched to it.` : `Created branch ${input.name} at ${head}; you are still on the previous branch.`;
      return toolOk(output, `branch ${input.name}${checkout ? " (checked out)" : ""}`);
    },
  });
}
