/**
 * What a GitHub webhook delivery asks of the bot, decided from its event name and payload alone
 * (pure: no I/O). The webhook server acts on the answer; the job queues carry the jobs.
 */
import { z } from "zod";
import type { RepositoryReference } from "../github/issue-summary.js";

/** Triage an issue that was opened or edited. */
export interface TriageJobRequest {
  type: "triage";
  repository: RepositoryReference;
  issueNumber: number;
  /** The GitHub App installation that sent the delivery, when the payload names one. */
  installationId?: number;
  /** Login of whoever opened or edited the issue. */
  sender: string;
}

/** A `/agent triage` or `/agent solve` command written in a comment on an issue. */
export interface CommandJobRequest {
  type: "command";
  command: "triage" | "solve";
  repository: RepositoryReference;
  issueNumber: number;
  installationId?: number;
  /** Login of the commenter. */
  sender: string;
  commentId: number;
}

/** The work a delivery asks for, before the queue gives it an id. */
export type JobRequest = TriageJobRequest | CommandJobRequest;

/** The decision for one delivery: a job to queue, a ping to answer, or nothing to do (and why). */
export type RoutedDelivery =
  | { kind: "job"; job: JobRequest }
  | { kind: "pong" }
  | { kind: "ignored"; reason: string }
  | { kind: "malformed"; reason: string };

const account = z.object({ login: z.string().min(1), type: z.string().optional() });
const repository = z.object({ name: z.string().min(1), owner: z.object({ login: z.string().min(1) }) });
const installation = z.object({ id: z.number().int() }).nullish();

const issuesPayload = z.object({
  action: z.string(),
  repository,
  issue: z.object({ number: z.number().int().positive(), state: z.string().optional() }),
  sender: account,
  installation,
});

const issueCommentPayload = z.object({
  action: z.string(),
  repository,
  issue: z.object({ number: z.number().int().positive(), pull_request: z.unknown().optional() }),
  comment: z.object({ id: z.number().int(), body: z.string().nullable(), user: account.nullish() }),
  sender: account,
  installation,
});

const actionOnly = z.object({ action: z.string() });

/** `/agent triage` or `/agent solve` at the start of a line, then the end or whitespace. */
const COMMAND_PATTERN = /^\/agent[ \t]+(triage|solve)(?=\s|$)/i;

/** Decides what a delivery asks for; never throws, whatever the payload. */
export function routeDelivery(event: string, payload: unknown): RoutedDelivery {
  if (event === "ping") return { kind: "pong" };
  if (event === "issues") return routeIssues(payload);
  if (event === "issue_comment") return routeIssueComment(payload);
  return { kind: "ignored", reason: `the bot does not handle ${JSON.stringify(event)} events` };
}

function routeIssues(payload: unknown): RoutedDelivery {
  const action = actionOf(payload);
  if (action === undefined) return { kind: "malformed", reason: "the issues payload has no action" };
  if (action !== "opened" && action !== "edited") return { kind: "ignored", reason: `issues.${action} needs no triage` };
  const parsed = issuesPayload.safeParse(payload);
  if (!parsed.success) return { kind: "malformed", reason: `the issues.${action} payload lacks ${describeIssues(parsed.error)}` };
  const body = parsed.data;
  // An edit by a bot is most often our own (labels, a summary): triaging it again would loop.
  if (action === "edited" && body.sender.type === "Bot") return { kind: "ignored", reason: `issues.edited by the bot ${body.sender.login}` };
  // Editing a closed issue (a typo fixed after the fact) is no call to label it again; `/agent triage` still can.
  if (action === "edited" && body.issue.state === "closed") return { kind: "ignored", reason: `issues.edited of closed issue #${body.issue.number}` };
  return {
    kind: "job",
    job: {
      type: "triage",
      repository: { owner: body.repository.owner.login, repo: body.repository.name },
      issueNumber: body.issue.number,
      ...installationOf(body.installation),
      sender: body.sender.login,
    },
  };
}

function routeIssueComment(payload: unknown): RoutedDelivery {
  const action = actionOf(payload);
  if (action === undefined) return { kind: "malformed", reason: "the issue_comment payload has no action" };
  if (action !== "created") return { kind: "ignored", reason: `issue_comment.${action} is not a command` };
  const parsed = issueCommentPayload.safeParse(payload);
  if (!parsed.success) return { kind: "malformed", reason: `the issue_comment.created payload lacks ${describeIssues(parsed.error)}` };
  const body = parsed.data;
  if (body.sender.type === "Bot" || body.comment.user?.type === "Bot") return { kind: "ignored", reason: `a comment by the bot ${body.comment.user?.login ?? body.sender.login} (bots' comments are never commands)` };
  const command = commandOf(body.comment.body ?? "");
  if (command === undefined) return { kind: "ignored", reason: "the comment's first line is not /agent triage or /agent solve" };
  if (body.issue.pull_request !== undefined && body.issue.pull_request !== null) {
    return { kind: "ignored", reason: `/agent ${command} on pull request #${body.issue.number}: the commands work on issues only` };
  }
  return {
    kind: "job",
    job: {
      type: "command",
      command,
      repository: { owner: body.repository.owner.login, repo: body.repository.name },
      issueNumber: body.issue.number,
      ...installationOf(body.installation),
      sender: body.sender.login,
      commentId: body.comment.id,
    },
  };
}

function actionOf(payload: unknown): string | undefined {
  const parsed = actionOnly.safeParse(payload);
  return parsed.success ? parsed.data.action : undefined;
}

function installationOf(value: { id: number } | null | undefined): { installationId?: number } {
  return value ? { installationId: value.id } : {};
}

/** The command on the comment's first non-empty line, if that line is one. */
function commandOf(text: string): "triage" | "solve" | undefined {
  const firstLine = text.split(/\r?\n/).find((line) => line.trim() !== "");
  const match = firstLine?.trim().match(COMMAND_PATTERN);
  return match ? (match[1]!.toLowerCase() as "triage" | "solve") : undefined;
}

/** "repository.owner.login, issue.number" for the fields zod found missing or wrong. */
function describeIssues(error: z.ZodError): string {
  const paths = [...new Set(error.issues.map((issue) => issue.path.map(String).join(".") || "(the whole payload)"))];
  return paths.join(", ");
}
