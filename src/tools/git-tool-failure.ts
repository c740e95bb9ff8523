import { GitError } from "../errors.js";
import { toolFailure } from "./agent-tool.js";
import type { ToolResult } from "./agent-tool.js";

/** GitError codes that name a mistake in the model's input: returned to it, not thrown. */
const MODEL_FIXABLE_GIT_CODES = new Set([
  "nothing-to-commit",
  "empty-commit-message",
  "bad-branch-name",
  "branch-exists",
  "bad-path",
  "not-found",
]);

/** Turns a GitError the model can fix (nothing to commit, bad branch name, unknown path) into a failure result; rethrows anything else. */
export function toGitToolFailure(error: unknown): ToolResult {
  if (error instanceof GitError && MODEL_FIXABLE_GIT_CODES.has(error.code)) return toolFailure(error.message);
  throw error;
}
