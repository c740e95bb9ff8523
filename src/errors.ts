/**
 * The one error hierarchy of the project. Every error the user can see carries a stable
 * `code`, an optional `cause`, and a message that says what to do next.
 */

/** Base class of every error this project throws on purpose. */
export class AgentError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The command line was used wrongly (unknown flag, missing argument, malformed input). */
export class UsageError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("usage", message, options);
  }
}

/** A configuration file, environment variable or flag holds an invalid or missing value. */
export class ConfigError extends AgentError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "config", message, options);
  }
}

/** A model provider call failed; `retryable` says whether the model layer may try again. */
export class ModelError extends AgentError {
  readonly retryable: boolean;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { retryable: boolean; status?: number; code?: string; cause?: unknown },
  ) {
    super(options.code ?? "model", message, options);
    this.retryable = options.retryable;
    this.status = options.status;
  }
}

/** The provider rejected the credentials: never retried, the user has to act. */
export class ModelAuthError extends ModelError {
  constructor(message: string, options: { status?: number; cause?: unknown }) {
    super(message, { ...options, retryable: false, code: "model-auth" });
  }
}

/** The sandbox (container or local worktree) could not do what was asked. */
export class SandboxError extends AgentError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "sandbox", message, options);
  }
}

/** A git operation failed. */
export class GitError extends AgentError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "git", message, options);
  }
}

/** A GitHub API call failed. */
export class GitHubError extends AgentError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? "github", message, options);
  }
}

/** The run was cancelled (Ctrl-C, SIGTERM or an aborted signal). */
export class AbortedError extends AgentError {
  constructor(message = "Interrupted.", options?: { cause?: unknown }) {
    super("aborted", message, options);
  }
}

/** The person rejected the planner's plan: the run stops before any code changes, with its record. */
export class PlanRejectedError extends AgentError {
  constructor(message = "The plan was rejected; nothing was changed.", options?: { cause?: unknown }) {
    super("plan-rejected", message, options);
  }
}

/** Throws AbortedError when the signal has been aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AbortedError("Interrupted.", { cause: signal.reason });
}
