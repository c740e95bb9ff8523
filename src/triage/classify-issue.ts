import type { AIMessage} from "@langchain/core/messages";
import { HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { tool as langChainTool } from "@langchain/core/tools";
import { z } from "zod";
import { loadPromptTemplate } from "../agents/prompt-template.js";
import { AbortedError } from "../errors.js";
import type { ModelClient } from "../models/model-client.js";
import { issueKinds, missingInformationItems, type IssueKind, type MissingInformationItem } from "./triage-result.js";

/** The classifier's prompts, kept as data beside this file. */
export const classifyPrompts = {
  system: loadPromptTemplate(import.meta.url, "classify-system.md"),
  task: loadPromptTemplate(import.meta.url, "classify-task.md"),
};

/** What the model hands in through submit_triage. */
export const submitTriageSchema = z.object({
  kind: z.enum(issueKinds),
  confidence: z.number().min(0).max(1).describe("How sure you are of the kind, from 0 to 1."),
  reason: z.string().min(1).describe("One or two sentences: why this kind."),
  language: z.string().min(2).max(8).describe("ISO 639-1 code of the issue's language, e.g. en, es, zh."),
  area_labels: z.array(z.string()).describe("Names from the repository's label list, copied exactly; [] if none fits."),
  missing_information: z.array(z.enum(missingInformationItems)).describe("For a bug: what the report lacks; [] otherwise."),
  information_request: z.string().describe("A short polite request for exactly what is missing, in the issue's language; empty if nothing is."),
  difficulty: z.enum(["easy", "medium", "hard"]),
  difficulty_reason: z.string(),
});

/** The classifier's judgement of an issue. */
export interface IssueClassification {
  kind: IssueKind;
  confidence: number;
  reason: string;
  language: string;
  areaLabels: string[];
  missing: MissingInformationItem[];
  informationRequest: string;
  difficulty: { level: "easy" | "medium" | "hard" | "unknown"; reason: string };
}

/** The issue as the classifier reads it. */
export interface IssueToClassify {
  repository: string;
  number: number;
  author: string;
  title: string;
  body: string;
  comments: Array<{ author: string; body: string }>;
}

/** What classifying cost, in the model's own accounting. */
export interface ClassificationUsage {
  modelCalls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number | null;
}

/** Characters of the issue's body and of its comments put into the prompt. */
const BODY_CHARS = 12_000;
const COMMENTS_CHARS = 4_000;
/** Attempts at a valid submit_triage call (the second tells the model what was wrong). */
const ATTEMPTS = 2;

const submitTriageTool = langChainTool(async () => "accepted", {
  name: "submit_triage",
  description: "Hand in your judgement of the issue.",
  schema: submitTriageSchema,
});

/**
 * Asks the model for the issue's kind, area labels, missing information and difficulty through
 * one structured tool call. An answer that does not validate is sent back once with what was
 * wrong; when none is usable the issue is classified "other" with a note (never a throw, except
 * on cancellation), so a triage always ends with its report.
 */
export async function classifyIssue(options: {
  model: ModelClient;
  issue: IssueToClassify;
  labels: ReadonlyArray<{ name: string; description: string }>;
  signal?: AbortSignal;
}): Promise<{ classification: IssueClassification; usage: ClassificationUsage; notes: string[] }> {
  const { model, issue } = options;
  const usage: ClassificationUsage = { modelCalls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const notes: string[] = [];
  let messages: BaseMessage[] = [new SystemMessage(classifyPrompts.system.render({})), new HumanMessage(renderTask(issue, options.labels))];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    let message: AIMessage;
    try {
      const result = await model.call({ messages, tools: [submitTriageTool], ...(options.signal ? { signal: options.signal } : {}) });
      usage.modelCalls += 1;
      usage.inputTokens += result.usage.inputTokens;
      usage.outputTokens += result.usage.outputTokens;
      usage.costUsd = usage.costUsd === null || result.cost.usd === null ? null : usage.costUsd + result.cost.usd;
      message = result.message;
    } catch (error) {
      if (error instanceof AbortedError || options.signal?.aborted) throw error;
      notes.push(`The model could not classify the issue: ${(error as Error).message}`);
      break;
    }
    const call = message.tool_calls?.find((candidate) => candidate.name === "submit_triage");
    const parsed = call ? submitTriageSchema.safeParse(call.args) : undefined;
    if (parsed?.success) return { classification: fromSubmission(parsed.data), usage, notes };
    const problem = !call
      ? "You did not call submit_triage."
      : `Not accepted: ${parsed!.error.issues.map((issue) => `${issue.path.join(".") || "input"}: ${issue.message}`).join("; ")}.`;
    if (attempt === ATTEMPTS) {
      notes.push(`The model's classification could not be read (${problem}); the issue is left as "other".`);
      break;
    }
    messages = [...messages, message, ...(call?.id ? [new ToolMessage({ content: `${problem} Call submit_triage again with valid arguments.`, tool_call_id: call.id, name: "submit_triage" })] : [new HumanMessage(`${problem} Call submit_triage now.`)])];
  }
  return { classification: unclassified(), usage, notes };
}

/** The classification of an issue no model judged. */
export function unclassified(reason = "No usable classification from the model."): IssueClassification {
  return { kind: "other", confidence: 0, reason, language: "unknown", areaLabels: [], missing: [], informationRequest: "", difficulty: { level: "unknown", reason: "not estimated" } };
}

function fromSubmission(submission: z.infer<typeof submitTriageSchema>): IssueClassification {
  return {
    kind: submission.kind,
    confidence: submission.confidence,
    reason: submission.reason.trim(),
    language: submission.language.toLowerCase(),
    areaLabels: [...new Set(submission.area_labels.map((label) => label.trim()).filter(Boolean))],
    missing: submission.kind === "bug" ? [...new Set(submission.missing_information)] : [],
    informationRequest: submission.information_request.trim(),
    difficulty: { level: submission.difficulty, reason: submission.difficulty_reason.trim() },
  };
}

function renderTask(issue: IssueToClassify, labels: ReadonlyArray<{ name: string; description: string }>): string {
  const comments = issue.comments.length
    ? `## Its comments\n${clip(issue.comments.map((comment) => `--- ${comment.author} ---\n${comment.body}`).join("\n\n"), COMMENTS_CHARS)}\n`
    : "";
  return classifyPrompts.task.render({
    repository: issue.repository,
    labels: labels.length ? labels.map((label) => `- ${label.name}${label.description ? `: ${label.description}` : ""}`).join("\n") : "(the repository has no labels)",
    number: String(issue.number),
    author: issue.author,
    title: issue.title,
    body: clip(issue.body, BODY_CHARS) || "(no description)",
    comments,
  });
}

function clip(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)}\n[... ${text.length - limit} more characters]` : text;
}
