import { readFile, stat } from "node:fs/promises";
import { resolve } from "node:path";
import { fetchIssue, issueToTask, looksLikeIssueReference, parseIssueReference, resolveGitHubToken, UsageError, type IssueReference, type TaskSpec } from "../src/index.js";
import type { CliContext } from "./cli-context.js";

/** A task and, when it came from one, its GitHub issue. */
export interface TaskInput {
  task: TaskSpec;
  issue?: IssueReference;
}

/** A task from --task text, a GitHub issue (URL or OWNER/REPO#N), or a local markdown/text file (first line or heading = title). */
export async function readTask(context: CliContext, input: string | undefined, text: string | undefined, apiUrl: string | undefined): Promise<TaskInput> {
  if (input && text) throw new UsageError("Give either an issue (URL, OWNER/REPO#N or file) or --task, not both.");
  if (!input && !text) throw new UsageError('Say what to do: `agent solve https://github.com/OWNER/REPO/issues/N`, `agent solve ISSUE.md` or `agent solve --task "..."`.');
  if (input && looksLikeIssueReference(input)) return readIssue(context, input, apiUrl);
  const body = text ?? (await readFile(resolve(context.cwd, input!), "utf8").catch((error: unknown) => {
    throw new UsageError(`Cannot read the issue file ${input}: ${(error as Error).message}.`);
  }));
  return { task: taskFromText(body, input ? resolve(context.cwd, input) : "typed", input) };
}

/**
 * A task from what was typed at the session's prompt: a GitHub issue (URL or OWNER/REPO#N), the
 * path of an issue file that exists, or else the words themselves.
 */
export async function readPromptTask(context: CliContext, typed: string, apiUrl: string | undefined): Promise<TaskInput> {
  const text = typed.trim();
  if (!text.includes("\n") && looksLikeIssueReference(text)) return readIssue(context, text, apiUrl);
  if (!/\s/.test(text) && /\.(md|markdown|txt)$/i.test(text)) {
    const path = resolve(context.cwd, text);
    if (!(await stat(path).then((info) => info.isFile(), () => false))) throw new UsageError(`There is no issue file ${path}.`);
    return { task: taskFromText(await readFile(path, "utf8"), path, text) };
  }
  return { task: taskFromText(text, "typed") };
}

async function readIssue(context: CliContext, reference: string, apiUrl: string | undefined): Promise<TaskInput> {
  const parsed = parseIssueReference(reference);
  const token = await resolveGitHubToken(context.env);
  const issue = await fetchIssue(parsed, { ...token, ...(apiUrl ? { apiUrl } : {}) });
  return { task: issueToTask(issue), issue: parsed };
}

/** A task from a text: its first line (without a markdown heading mark) is the title. */
function taskFromText(body: string, source: string, named?: string): TaskSpec {
  if (body.trim() === "") throw new UsageError(`The task is empty${named ? ` (${named})` : ""}; describe the problem to solve.`);
  const firstLine = body.trim().split("\n")[0]!.replace(/^#+\s*/, "").trim();
  return { title: firstLine.slice(0, 120), body: body.trim(), source };
}
