import { AbortedError, AgentError, ConfigError, GitError, GitHubError, ModelAuthError, SandboxError, UsageError } from "../src/index.js";

/** The exit codes of the `agent` command. */
export const ExitCode = {
  ok: 0,
  notSolved: 1,
  usage: 2,
  interrupted: 130,
} as const;

/** Sandbox problems the user fixes with set-up, not a task that failed. */
const SANDBOX_SETUP_CODES = new Set(["local-sandbox-refused", "docker-unreachable", "image-missing"]);

/** Maps an error to the exit code the user (or a script) sees. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof AbortedError) return ExitCode.interrupted;
  if (error instanceof UsageError || error instanceof ConfigError || error instanceof ModelAuthError) return ExitCode.usage;
  if (error instanceof SandboxError && SANDBOX_SETUP_CODES.has(error.code)) return ExitCode.usage;
  if (error instanceof GitHubError && error.code !== "github-unreachable") return ExitCode.usage;
  if (error instanceof GitError && error.code === "clone-failed") return ExitCode.usage;
  return ExitCode.notSolved;
}

/** One line for the user; unexpected errors (bugs) say so and how to see more. */
export function describeError(error: unknown): string {
  if (error instanceof AgentError) return error.message;
  const message = error instanceof Error ? error.message : String(error);
  return `unexpected error: ${message} (run again with --verbose for details, and please report it)`;
}

/** The stack and the chain of causes, for --verbose. */
export function describeErrorVerbose(error: unknown): string {
  const lines: string[] = [];
  for (let current: unknown = error, depth = 0; current && depth < 6; depth += 1) {
    lines.push(depth === 0 ? "" : "caused by:", current instanceof Error ? (current.stack ?? current.message) : String(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return lines.filter(Boolean).join("\n");
}
