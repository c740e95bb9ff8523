import type { WorkspaceGit } from "../git/workspace-git.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { AgentTool } from "./agent-tool.js";
import { createBackgroundJobsTool } from "./background-jobs.js";
import { EditHistory } from "./edit-history.js";
import { createEditFileTool } from "./edit-file.js";
import { createFindFilesTool } from "./find-files.js";
import { createGitBranchTool } from "./git-branch.js";
import { createGitCommitTool } from "./git-commit.js";
import { createGitDiffTool } from "./git-diff.js";
import { createGitRestoreTool } from "./git-restore.js";
import { createGitStatusTool } from "./git-status.js";
import { createRunShellTool } from "./run-shell.js";
import { createSearchTool } from "./search.js";
import { createSyntaxChecker, type SyntaxChecker } from "./syntax-check.js";
import { createViewFileTool } from "./view-file.js";

/** What the tools of one run work on. */
export interface ToolsetDependencies {
  sandbox: Sandbox;
  git: WorkspaceGit;
  /** Shared so undo works across a role's turns; a new one per run by default. */
  history?: EditHistory;
  syntaxChecker?: SyntaxChecker;
}

/** The names of every tool, for role configurations that pick a subset. */
export type ToolName =
  | "run_shell"
  | "background_jobs"
  | "view_file"
  | "search"
  | "find_files"
  | "edit_file"
  | "git_status"
  | "git_diff"
  | "git_commit"
  | "git_branch"
  | "git_restore";

/** Builds every tool of the agent–computer interface over one sandbox and working tree. */
export function createToolset(dependencies: ToolsetDependencies): AgentTool[] {
  const { sandbox, git } = dependencies;
  const history = dependencies.history ?? new EditHistory();
  const syntaxChecker = dependencies.syntaxChecker ?? createSyntaxChecker();
  const tools: AgentTool[] = [
    createRunShellTool({ sandbox }),
    createBackgroundJobsTool({ sandbox }),
    createViewFileTool({ sandbox }),
    createSearchTool({ sandbox }),
    createFindFilesTool({ sandbox }),
    createEditFileTool({ sandbox, history, syntaxChecker }),
    createGitStatusTool({ git }),
    createGitDiffTool({ git }),
    createGitCommitTool({ git }),
    createGitBranchTool({ git }),
    createGitRestoreTool({ git }),
  ];
  return tools;
}

/** The tools with the given names, in the order given; an unknown name is a programming error. */
export function selectTools(tools: AgentTool[], names: readonly ToolName[]): AgentTool[] {
  return names.map((name) => {
    const found = tools.find((tool) => tool.name === name);
    if (!found) throw new Error(`No tool named ${name}`);
    return found;
  });
}
