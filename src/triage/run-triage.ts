import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { AgentConfig } from "../config/schema.js";
import { AgentError, GitHubError } from "../errors.js";
import { fetchIssue, fetchRepositoryInfo, type GitHubAccess } from "../github/fetch-issue.js";
import { formatIssueReference, type IssueReference } from "../github/issue-reference.js";
import { listRepositoryIssues } from "../github/list-repository-issues.js";
import { listRepositoryLabels } from "../github/list-repository-labels.js";
import { readRepositoryFile } from "../github/read-repository-file.js";
import type { TaskSpec } from "../memory/blackboard.js";
import type { ModelClient } from "../models/model-client.js";
import { applyTriage } from "./apply-triage.js";
import { createIssueIndex, DEFAULT_DUPLICATE_THRESHOLD, type IssueIndex } from "./issue-index.js";
import { loadIssueIndex, saveIssueIndex } from "./issue-index-cache.js";
import { renderTriageReport } from "./render-triage-report.js";
import { issueTextDigest, triageIssue, type ReproductionReport } from "./triage-issue.js";
import { REPOSITORY_POLICY_FILE, resolveTriagePolicy } from "./triage-policy.js";
import { triageResultSchema, type TriageResult } from "./triage-result.js";

/** Where a repository's default branch is cloned from, for a reproduction. */
export interface RepositoryCheckout {
  cloneUrl: string;
  defaultBranch: string;
}

/** What a triage of a GitHub issue needs. */
export interface RunTriageOptions {
  reference: IssueReference;
  access: GitHubAccess;
  config: AgentConfig;
  model: ModelClient;
  /** Where the issue indexes and the triage records go: `<dir>/<owner>/<repo>/...`. */
  stateDir: string;
  embeddings?: EmbeddingsInterface;
  /** Runs a reproduction in the sandbox on a clone of the default branch; absent: reproduction is skipped. */
  reproduce?: (task: TaskSpec, checkout: RepositoryCheckout, signal?: AbortSignal) => Promise<ReproductionReport>;
  /** Perform the actions (labels, one comment) through the API. */
  apply: boolean;
  /** The bot's own login, so that only its own marked comment is edited. */
  botLogin?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  now?: () => number;
}

/** A finished triage: its result, the report, and where both were written. */
export interface TriageRecord {
  result: TriageResult;
  report: string;
  resultFile: string;
  reportFile: string;
}

/** The directory of one repository's triage state: its issue index and its issues' records. */
export function repositoryTriageDir(stateDir: string, access: GitHubAccess, repository: { owner: string; repo: string }): string {
  const host = access.apiUrl ? new URL(access.apiUrl).host.replace(/[^A-Za-z0-9.-]/g, "_") : "github.com";
  return join(stateDir, host, repository.owner, repository.repo);
}

/**
 * Triages a GitHub issue end to end: reads the issue, its comments, the repository's labels and
 * policy file, updates the repository's cached issue index with the issues changed since the
 * last triage, triages, writes result.json and report.md, then (with `apply`) performs the
 * actions. The record is written before anything is applied, so a refused API call leaves the
 * report behind, and the applied actions are added to it afterwards.
 */
export async function runTriage(options: RunTriageOptions): Promise<TriageRecord> {
  const { reference, access } = options;
  const progress = options.onProgress ?? (() => {});
  const name = formatIssueReference(reference);
  const issue = await fetchIssue(reference, access, { allowEmpty: true });
  const repository = { owner: reference.owner, repo: reference.repo };
  const [labels, policyFile] = await Promise.all([listRepositoryLabels(repository, access), readRepositoryFile(repository, access, REPOSITORY_POLICY_FILE)]);
  const policy = resolveTriagePolicy(options.config.triage, policyFile);
  const repositoryDir = repositoryTriageDir(options.stateDir, access, repository);

  const index = await updateIssueIndex(join(repositoryDir, "issue-index.json"), repository, access, progress, options.signal);
  const now = options.now ?? Date.now;
  const checkout = options.reproduce ? await fetchRepositoryInfo(reference, access) : undefined;
  const issueDir = join(repositoryDir, "issues", String(reference.number));
  const previous = await readPreviousResult(issueDir);
  // An edit that did not change the text (a label, the title back and forth) must not pay for a second reproduction.
  const reusable = previous && previous.issue.textDigest === issueTextDigest(issue) && previous.reproduction.status !== "skipped" ? previous.reproduction : undefined;
  const result = await triageIssue(
    {
      issue: {
        reference: name,
        repository: `${reference.owner}/${reference.repo}`,
        number: reference.number,
        url: issue.htmlUrl,
        title: issue.title,
        body: issue.body,
        labels: issue.labels,
        comments: issue.comments,
        author: issue.author,
        state: issue.state,
        ...(issue.createdAt ? { createdAt: issue.createdAt } : {}),
      },
      repositoryLabels: labels,
      policy,
      duplicateThreshold: policy.policy.duplicateThreshold ?? DEFAULT_DUPLICATE_THRESHOLD,
    },
    {
      model: options.model,
      findDuplicates: async (query) => {
        const found = await index.findDuplicates(query, {
          limit: 5,
          closedWithinDays: policy.policy.recentlyClosedDays,
          now: now(),
          ...(options.embeddings ? { embeddings: options.embeddings, ...(options.config.triage.embeddingModel ? { embeddingModel: options.config.triage.embeddingModel } : {}) } : {}),
        });
        return {
          indexedIssues: index.size,
          notes: found.notes,
          candidates: found.candidates.map((candidate) => ({
            number: candidate.number,
            title: candidate.title,
            url: candidate.htmlUrl,
            state: candidate.state,
            createdAt: candidate.createdAt,
            confidence: candidate.confidence,
            lexicalScore: candidate.lexicalScore,
            ...(candidate.embeddingSimilarity !== undefined ? { embeddingSimilarity: candidate.embeddingSimilarity } : {}),
            matchedTerms: candidate.matchedTerms,
            passages: candidate.passages,
          })),
        };
      },
      ...(options.reproduce && checkout
        ? {
            reproduce: async (task: TaskSpec, signal?: AbortSignal) => {
              if (!reusable) return options.reproduce!(task, checkout, signal);
              progress(`[triage] ${name}: the text is unchanged since the triage of ${previous!.triagedAt}; its reproduction (${reusable.status}) is reused`);
              return { ...reusable, reusedFrom: reusable.reusedFrom ?? previous!.triagedAt };
            },
          }
        : {}),
      now,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  if (options.embeddings) await saveIssueIndex(index, join(repositoryDir, "issue-index.json")).catch(() => undefined);
  let record = await writeTriageRecord(issueDir, result);
  progress(`[triage] ${name}: ${result.classification.kind}, reproduction ${result.reproduction.status}, ${result.actions.length} action(s); report ${record.reportFile}`);
  if (options.apply) {
    const applied = await applyTriage(result, reference, access, { ...(options.botLogin ? { botLogin: options.botLogin } : {}) }).catch((error: unknown) => {
      if (!(error instanceof AgentError)) throw error;
      throw new GitHubError(`${error.message} The triage's report and result are in ${issueDir}.`, { cause: error, code: error.code });
    });
    record = await writeTriageRecord(issueDir, { ...result, applied });
    progress(`[triage] applied to ${name}: ${applied.labelsAdded.length ? `labels ${applied.labelsAdded.join(", ")}` : "no label"}; ${applied.comment ? `comment ${applied.comment.action}` : "no comment"}`);
  }
  return record;
}

/**
 * The repository's issue index, from its cache file, brought up to date with the issues changed
 * since the newest one it holds (all of them the first time, paged through GitHub's listing).
 */
async function updateIssueIndex(
  file: string,
  repository: { owner: string; repo: string },
  access: GitHubAccess,
  progress: (line: string) => void,
  signal?: AbortSignal,
): Promise<IssueIndex> {
  const index = (await loadIssueIndex(file)) ?? createIssueIndex();
  const since = index.lastUpdatedAt;
  const changed = await listRepositoryIssues(repository, access, { ...(since ? { since } : {}), onProgress: progress, ...(signal ? { signal } : {}) });
  index.update(changed);
  progress(`[triage] issue index of ${repository.owner}/${repository.repo}: ${changed.length} issue(s) ${since ? `changed since ${since}` : "read"}, ${index.size} indexed`);
  await saveIssueIndex(index, file);
  return index;
}

/** The result of the issue's last triage, when there is one that can be read. */
async function readPreviousResult(issueDir: string): Promise<TriageResult | undefined> {
  const text = await readFile(join(issueDir, "result.json"), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  try {
    const parsed = triageResultSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Writes result.json and report.md of a triage into a directory (each through a temporary file, so a crash never leaves half a record). */
export async function writeTriageRecord(issueDir: string, result: TriageResult): Promise<TriageRecord> {
  await mkdir(issueDir, { recursive: true });
  const report = renderTriageReport(result);
  const resultFile = join(issueDir, "result.json");
  const reportFile = join(issueDir, "report.md");
  await writeAtomically(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  await writeAtomically(reportFile, report);
  return { result, report, resultFile, reportFile };
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}
