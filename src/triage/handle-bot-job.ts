import type { AgentConfig, TriagePolicy } from "../config/schema.js";
import { GitHubError } from "../errors.js";
import type { GitHubAccess } from "../github/fetch-issue.js";
import { getCollaboratorPermission, type RepositoryPermission } from "../github/collaborator-permission.js";
import { upsertMarkedComment } from "../github/issue-comments.js";
import { ownCommentFilter } from "../github/own-comments.js";
import { formatIssueReference, type IssueReference } from "../github/issue-reference.js";
import { readRepositoryFile } from "../github/read-repository-file.js";
import type { JobContext, ServeJob } from "../serve/job-queue.js";
import type { DailyBudget } from "../serve/daily-budget.js";
import type { StructuredLog } from "../serve/structured-log.js";
import { REPOSITORY_POLICY_FILE, resolveTriagePolicy } from "./triage-policy.js";

/** What the bot's jobs use, injected: credentials per installation, the triage and the solve hand-off. */
export interface BotJobPorts {
  config: AgentConfig;
  log: StructuredLog;
  /** GitHub access for the job's repository (an App installation token, or the configured token); throws when there is none. */
  accessFor(job: Pick<ServeJob, "repository" | "installationId">): Promise<GitHubAccess>;
  /** Triages the issue and applies the result (labels, one comment); resolves to what its model calls cost (null: unknown). */
  triage(reference: IssueReference, access: GitHubAccess, signal: AbortSignal): Promise<{ costUsd: number | null }>;
  /** Hands the issue to the solve pipeline, which opens a draft pull request. */
  solve(reference: IssueReference, access: GitHubAccess, signal: AbortSignal): Promise<void>;
  /** The login the bot comments as, when known (`--bot-login`); else found from the token. */
  botLogin?: string;
  /** The operator's daily spending cap (`triage.maxDailyCostUsd`); none: no cap. */
  budget?: DailyBudget;
  /** Told the policy each job reads (the queue's per-repository concurrency follows it). */
  onPolicy?(repository: string, policy: TriagePolicy): void;
}

const RANK: Record<RepositoryPermission, number> = { none: 0, read: 1, triage: 2, write: 3, maintain: 4, admin: 5 };

/** The hidden marker of the bot's reply to one command comment, so a retried job edits its reply rather than posting twice. */
export function commandReplyMarker(commentId: number): string {
  return `<!-- agent-reply:${commentId} -->`;
}

/**
 * Does one job of `agent serve`: an opened or edited issue is triaged; a `/agent triage` or
 * `/agent solve` comment is obeyed only when its author may (listed in the policy's
 * `commands.allowedUsers`, or with at least `commands.minimumPermission` on the repository, read
 * through the API), and otherwise answered with a polite refusal. A pull request is skipped
 * (not retried). Missing credentials fail the job with a log line that says what to set; the
 * server goes on.
 */
export async function handleBotJob(job: ServeJob, ports: BotJobPorts, context: JobContext): Promise<void> {
  const reference: IssueReference = { owner: job.repository.owner, repo: job.repository.repo, number: job.issueNumber };
  const name = formatIssueReference(reference);
  const fields = { jobId: job.id, repository: `${reference.owner}/${reference.repo}`, issue: reference.number, attempt: context.attempt };
  const access = await ports.accessFor(job);
  try {
    const policyFile = await readRepositoryFile(job.repository, access, REPOSITORY_POLICY_FILE);
    const { policy } = resolveTriagePolicy(ports.config.triage, policyFile);
    ports.onPolicy?.(`${reference.owner}/${reference.repo}`, policy);
    if (job.type === "triage") {
      if (await ports.budget?.isSpent()) {
        ports.log.warn("not triaged: the day's model budget (triage.maxDailyCostUsd) is spent", { ...fields, spentUsd: await ports.budget?.spentToday() });
        return;
      }
      ports.log.info("triage started", fields);
      await triageWithinBudget(reference, access, ports, context.signal, policy.maxCostUsd);
      ports.log.info("triage done", fields);
      return;
    }
    const listed = policy.commands.allowedUsers.some((login) => login.toLowerCase() === job.sender.toLowerCase());
    const level = listed ? undefined : await getCollaboratorPermission(job.repository, access, job.sender);
    if (!listed && RANK[level!] < RANK[policy.commands.minimumPermission]) {
      const needed = policy.commands.minimumPermission === "write" ? "write access" : `the ${policy.commands.minimumPermission} role`;
      await upsertMarkedComment(reference, access, {
        marker: commandReplyMarker(job.commentId),
        ...(await ownCommentFilter(access, ports.botLogin)),
        body: `Thanks for the suggestion, @${job.sender}! \`/agent ${job.command}\` can only be run by people with ${needed} to this repository, so I have not acted on it. A maintainer can run it if they agree.`,
      });
      ports.log.info("command refused", { ...fields, command: job.command, sender: job.sender, permission: level });
      return;
    }
    ports.log.info("command accepted", { ...fields, command: job.command, sender: job.sender, permission: level ?? "listed in commands.allowedUsers" });
    if (await ports.budget?.isSpent()) {
      await upsertMarkedComment(reference, access, {
        marker: commandReplyMarker(job.commentId),
        ...(await ownCommentFilter(access, ports.botLogin)),
        body: `Sorry, @${job.sender}: the bot's model budget for today is spent, so \`/agent ${job.command}\` was not run. Please ask again tomorrow (UTC).`,
      });
      ports.log.warn("command not run: the day's model budget (triage.maxDailyCostUsd) is spent", { ...fields, command: job.command });
      return;
    }
    if (job.command === "triage") {
      await triageWithinBudget(reference, access, ports, context.signal, policy.maxCostUsd);
      return;
    }
    await upsertMarkedComment(reference, access, {
      marker: commandReplyMarker(job.commentId),
      ...(await ownCommentFilter(access, ports.botLogin)),
      body: `On it, @${job.sender}: an agent is working on ${name}. If it finds a fix that its tests verify, it opens a draft pull request that links here.`,
    });
    await ports.solve(reference, access, context.signal);
    ports.log.info("solve done", fields);
  } catch (error) {
    if (error instanceof GitHubError && error.code === "github-not-issue") {
      ports.log.info("skipped: not an issue", { ...fields, reason: error.message });
      return;
    }
    throw error;
  }
}

/** Triages, and adds what it cost to the day's spend (a cost the prices do not tell counts as the reproduction's whole budget). */
async function triageWithinBudget(reference: IssueReference, access: GitHubAccess, ports: BotJobPorts, signal: AbortSignal, reproductionBudgetUsd: number): Promise<void> {
  const { costUsd } = await ports.triage(reference, access, signal);
  await ports.budget?.add(costUsd ?? reproductionBudgetUsd);
}
