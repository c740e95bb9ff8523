/**
 * The one public surface of the core: cli/, swebench/ and the bots import from here and from
 * nowhere else in src/ (ESLint enforces it). Everything below is headless; it reports through
 * the AgentEvent stream.
 */

// Errors: one hierarchy, each with a code; cli/main.ts maps them to exit codes.
export { AbortedError, AgentError, ConfigError, GitError, GitHubError, ModelAuthError, ModelError, PlanRejectedError, SandboxError, UsageError } from "./errors.js";

// Configuration.
export { describeConfig, toMaskedJson, type ConfigRow } from "./config/describe-config.js";
export { loadConfig, type ConfigSource, type LoadConfigOptions, type LoadedConfig } from "./config/load-config.js";
export type { AgentConfig } from "./config/schema.js";

// Events, run directories and reports.
export { createEventEmitter, type AgentEvent, type EmitEvent, type EventSink, type GraphNodeName, type PlannedStep, type RunStatus, type TestOutcome } from "./events/agent-event.js";
export { countOutcomes, createEventRenderer, formatDuration, formatTestCounts, formatTokens, oneLine } from "./events/render-event.js";
export { readTrajectory, RUN_FILES } from "./events/run-recorder.js";
export { buildRunReport, renderReportText, type RunReport } from "./events/run-report.js";
export { addUsage, formatCost, zeroUsage, type CostEstimate, type ModelUsage } from "./events/usage.js";

// Git: the clone cache and questions about the user's checkout.
export { ensureCachedClone } from "./git/clone-cache.js";
export { applyPatchToCheckout, findRepositoryRoot, hasUncommittedChanges, readOriginUrl } from "./git/inspect-repository.js";
export { createScratchRepository, readFileAfterPatch } from "./git/scratch-repository.js";

// GitHub.
export { fetchIssue, fetchRepositoryInfo, issueToTask, type GitHubIssue } from "./github/fetch-issue.js";
export { formatIssueReference, looksLikeIssueReference, parseIssueReference, type IssueReference } from "./github/issue-reference.js";
export { commentOnIssue, openDraftPullRequest, pushPatchBranch } from "./github/publish.js";
export { resolveGitHubToken } from "./github/resolve-token.js";

// Runs of the agent graph.
export type { TaskSpec } from "./memory/blackboard.js";
export { defaultRunLimits, type RunLimits } from "./memory/run-limits.js";
export type { RunOutcome } from "./graph/finish-run.js";
export type { RunEnvironment } from "./graph/prepare-run.js";
export { resumeRun, runTask, type ResumeRunOptions, type RunTaskOptions } from "./graph/run-task.js";
export { functionTaskPlan, type FunctionAttempt, type FunctionTaskRoles } from "./graph/build-function-graph.js";
export { runFunctionTask, type FunctionTaskOptions, type FunctionTaskResult } from "./graph/run-function-task.js";
export { listRuns, readRunManifest, type RunListing, type RunManifest } from "./graph/run-manifest.js";

// Steering a run from a terminal session, and the sessions themselves.
export { RunSteering, type ModelErrorChoice, type PlanForReview, type PlanReview, type SteeringDecisions } from "./agents/run-steering.js";
export { Session, type SessionRecord, type SessionRunOptions, type SessionTask } from "./session/session.js";

// Long-term memory.
export {
  createLongTermStore,
  defaultMemoryPath,
  listMemoryEntries,
  memoryKinds,
  type LongTermStore,
  type MemoryEntry,
  type MemoryKind,
  type RepositoryMemory,
} from "./memory/long-term-store.js";
export { normalizeOriginUrl, repositoryKey } from "./memory/repository-key.js";
export { createRedactor } from "./memory/secret-patterns.js";

// Models.
export { builtInProviders, DEFAULT_OLLAMA_URL } from "./models/chat-model-factory.js";
export { checkModel } from "./models/check-model.js";
export { createModel } from "./models/create-model.js";
export { builtInPrices } from "./models/prices.js";

// Sandboxes and their images.
export { withBuildLock } from "./sandbox/build-lock.js";
export { chooseSandbox, createSandbox, LOCAL_SANDBOX_WARNING, type SandboxChoice } from "./sandbox/create-sandbox.js";
export { createDockerClient, DEFAULT_DOCKER_SOCKET, isDockerReachable } from "./sandbox/docker-client.js";
export { SANDBOX_LABELS } from "./sandbox/docker-sandbox.js";
export { BUILT_IN_RECIPES, canonicalJson, DEFAULT_RECIPE_NAME, ensureImage, findRecipe, imageExists, imageTag, listImages, pullImage, type ImageRecipe, type ImageSource, type ManagedImage } from "./sandbox/images.js";
export { liveContainerIds, trackContainer, untrackContainer } from "./sandbox/live-sandboxes.js";
export { imagesToPrune, removeImages } from "./sandbox/prune-images.js";
export { listSandboxContainers, pruneSandboxes } from "./sandbox/prune-sandboxes.js";

// Tools: the approval policy.
export { decideApproval, type ApprovalDecision, type ApprovalMode } from "./tools/approval.js";
export type { ApprovalAnswer, ApprovalRequest, Approver } from "./tools/approver.js";

// GitHub: repository issues, labels, comments, permissions, files, App installations.
export { createInstallationAccess, findRepositoryInstallation, type GitHubAppCredentials } from "./github/app-installation-access.js";
export { getCollaboratorPermission, hasWriteAccess, type RepositoryPermission } from "./github/collaborator-permission.js";
export { describeGitHubFailure, type GitHubFailureContext } from "./github/describe-github-failure.js";
export type { PagingOptions } from "./github/fetch-all-pages.js";
export { createGitHubClient, type GitHubAccess } from "./github/github-client.js";
export { listIssueComments, upsertMarkedComment, type IssueComment, type UpsertedComment } from "./github/issue-comments.js";
export { addIssueLabels } from "./github/issue-labels.js";
export type { IssueSummary, RepositoryReference } from "./github/issue-summary.js";
export { listRepositoryIssues, type ListRepositoryIssuesOptions } from "./github/list-repository-issues.js";
export { listRepositoryLabels, type RepositoryLabel } from "./github/list-repository-labels.js";
export { readRepositoryFile } from "./github/read-repository-file.js";

// Serve: webhooks and job queues.
export { openDailyBudget, type DailyBudget } from "./serve/daily-budget.js";
export { openDeliveryLog, type DeliveryLog } from "./serve/delivery-log.js";
export { createInProcessQueue, type InProcessQueueOptions } from "./serve/in-process-queue.js";
export type { JobContext, JobHandler, JobQueue, JobWorker, ProcessOptions, QueueCounts, ServeJob } from "./serve/job-queue.js";
export { ensureRedisReachable, redactRedisUrl, redisConnectionOptions } from "./serve/redis-connection.js";
export { createRedisQueue, type RedisQueueOptions } from "./serve/redis-queue.js";
export { routeDelivery, type CommandJobRequest, type JobRequest, type RoutedDelivery, type TriageJobRequest } from "./serve/route-delivery.js";
export { createStructuredLog, type LogFields, type LogLevel, type StructuredLog } from "./serve/structured-log.js";
export { DEFAULT_WEBHOOK_PATH, startWebhookServer, type WebhookServer, type WebhookServerOptions } from "./serve/webhook-server.js";

// Triage: classify, ask, find duplicates, reproduce, recommend and apply; the bot's jobs.
export { applyTriage } from "./triage/apply-triage.js";
export { classifyIssue, type IssueClassification } from "./triage/classify-issue.js";
export { commandReplyMarker, handleBotJob, type BotJobPorts } from "./triage/handle-bot-job.js";
export { POSSIBLE_DUPLICATE_LABEL, recommendActions, TRIAGE_COMMENT_MARKER } from "./triage/recommend-actions.js";
export { renderTriageReport } from "./triage/render-triage-report.js";
export { repositoryTriageDir, runTriage, writeTriageRecord, type RepositoryCheckout, type RunTriageOptions, type TriageRecord } from "./triage/run-triage.js";
export { isEmptyIssue, triageIssue, type ReproductionReport, type TriageIssue, type TriagePorts } from "./triage/triage-issue.js";
export { isLabelAllowed, REPOSITORY_POLICY_FILE, resolveTriagePolicy, type ResolvedTriagePolicy } from "./triage/triage-policy.js";
export { triageResultSchema, type TriageAction, type TriageResult } from "./triage/triage-result.js";

// Triage: duplicate detection.
export { createEmbeddings, type CreateEmbeddingsOptions } from "./models/create-embeddings.js";
export {
  createIssueIndex,
  DEFAULT_DUPLICATE_THRESHOLD,
  IssueIndex,
  MAX_INDEXED_BODY_CHARS,
  type CachedIssueVector,
  type DuplicateCandidate,
  type DuplicatePassage,
  type DuplicateQuery,
  type DuplicateSearchResult,
  type FindDuplicatesOptions,
  type IssueIndexSnapshot,
} from "./triage/issue-index.js";
export { ISSUE_INDEX_CACHE_VERSION, loadIssueIndex, saveIssueIndex } from "./triage/issue-index-cache.js";

// Reproducing an issue on the base commit: the test designer's tests from the issue text, run once in the sandbox.
export type { ReproductionVerdict } from "./agents/executor/judge-reproduction.js";
export { reproduceIssue, type ReproduceIssueOptions, type ReproductionResult } from "./graph/reproduce-issue.js";
