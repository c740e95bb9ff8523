import { z } from "zod";
import type { FileChange, FileChangeStatus, WorkspaceGit } from "../git/workspace-git.js";
import { defineTool, toolOk } from "./agent-tool.js";
import type { AgentTool } from "./agent-tool.js";

const gitStatusSchema = z.object({});

const DESCRIPTION = [
  "Show the current branch and the files that differ from the last commit (HEAD), grouped as modified, added, deleted, renamed and untracked.",
  "Build artefacts (__pycache__/, *.pyc, *.egg-info/, node_modules/ and the like) and ignored files are not listed.",
  "To see everything changed since the run's base commit, including what you have already committed, use git_diff.",
].join("\n");

/** The order and headings of the groups. */
const GROUPS: ReadonlyArray<{ status: FileChangeStatus; heading: string }> = [
  { status: "modified", heading: "Modified" },
  { status: "added", heading: "Added" },
  { status: "deleted", heading: "Deleted" },
  { status: "renamed", heading: "Renamed" },
  { status: "untracked", heading: "Untracked" },
];

/** The `git_status` tool: branch and changed files of the workspace, grouped by kind of change. */
export function createGitStatusTool(options: { git: WorkspaceGit }): AgentTool<typeof gitStatusSchema> {
  const { git } = options;
  return defineTool({
    name: "git_status",
    kind: "read",
    description: DESCRIPTION,
    schema: gitStatusSchema,
    async run() {
      const [status, head] = await Promise.all([git.status(), git.headCommit()]);
      const where = status.branch === null ? `HEAD detached at ${head.slice(0, 7)}` : `On branch ${status.branch} at ${head.slice(0, 7)}`;
      const lines = [`${where} (the run's base commit is ${git.baseCommit.slice(0, 7)}).`];
      if (status.files.length === 0) {
        lines.push("No changes since the last commit. git_diff shows the changes since the base commit.");
      } else {
        lines.push("Changes since the last commit:");
        for (const group of GROUPS) {
          const files = status.files.filter((file) => file.status === group.status);
          if (files.length === 0) continue;
          lines.push(`${group.heading} (${files.length}):`, ...files.map((file) => `  ${describeFile(file)}`));
        }
      }
      const counts = GROUPS.map((group) => [group.status, status.files.filter((file) => file.status === group.status).length] as const)
        .filter(([, count]) => count > 0)
        .map(([name, count]) => `${count} ${name}`);
      const display = `${status.branch ?? `detached ${head.slice(0, 7)}`}: ${counts.length === 0 ? "clean" : counts.join(", ")}`;
      return toolOk(lines.join("\n"), display);
    },
  });
}

function describeFile(file: FileChange): string {
  return file.status === "renamed" && file.from !== undefined ? `${file.from} -> ${file.path}` : file.path;
}
