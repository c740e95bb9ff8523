import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import { Command } from "commander";
import {
  DEFAULT_DUPLICATE_THRESHOLD,
  findRepositoryRoot,
  looksLikeIssueReference,
  parseIssueReference,
  resolveGitHubToken,
  resolveTriagePolicy,
  runTriage,
  triageIssue,
  UsageError,
  writeTriageRecord,
  type TriageRecord,
} from "../../src/index.js";
import { globalOptions, type CliContext } from "../cli-context.js";
import { sharedRunOptions } from "../run-options.js";
import { triagePorts, triageStateDir } from "../triage-runner.js";

interface TriageOptions {
  apply?: boolean;
  apiUrl?: string;
  reproduce?: boolean;
  repo?: string;
}

/** `agent triage`: classify an issue, find what it lacks and its likely duplicates, try to reproduce a bug, and recommend (or with --apply perform) labels and one comment. */
export function createTriageCommand(context: CliContext): Command {
  return new Command("triage")
    .description(
      "Triage an issue: classify it, pick labels from the repository's own, ask for what a bug report lacks, find likely duplicates, try to reproduce a bug in the sandbox, and recommend actions. Only --apply changes anything on GitHub (labels and at most one comment; never a close).",
    )
    .argument("<issue>", "a GitHub issue (https://github.com/OWNER/REPO/issues/N or OWNER/REPO#N), or a markdown/text file holding one")
    .option("--apply", "perform the recommended actions through the GitHub API: add the labels and post (or update) one comment")
    .option("--api-url <url>", "GitHub API URL, for GitHub Enterprise (default https://api.github.com)")
    .option("--no-reproduce", "do not try to reproduce a bug (no sandbox, no test designer)")
    .option("--repo <path>", "for an issue file: the checkout to reproduce it in (default: the one you are in)")
    .action(async (input: string, options: TriageOptions, command: Command) => {
      const global = globalOptions(command);
      const shared = await sharedRunOptions(context, global);
      const progress = (line: string) => context.io.stderr.write(`${line}\n`);
      let record: TriageRecord;
      if (looksLikeIssueReference(input)) {
        const reference = parseIssueReference(input);
        const token = await resolveGitHubToken(context.env);
        const access = { ...token, ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) };
        if (options.apply && !token.token) throw new UsageError("--apply needs a GitHub token that may write issues: set GITHUB_TOKEN (or GH_TOKEN) to a token with \"Issues: write\" on the repository.");
        const ports = await triagePorts(context, { ...shared, secrets: [...(shared.secrets ?? []), ...(token.token ? [token.token] : [])] }, { access, reproduce: options.reproduce !== false && shared.config.triage.reproduce, onProgress: progress });
        record = await runTriage({ ...ports, reference, access, config: shared.config, stateDir: triageStateDir(context), apply: options.apply === true, onProgress: progress, signal: context.signal });
      } else {
        if (options.apply) throw new UsageError("--apply needs a GitHub issue (URL or OWNER/REPO#N); an issue file has nowhere to apply to.");
        record = await triageFile(context, input, options, shared, progress);
      }
      if (global.json) context.io.stdout.write(`${JSON.stringify(record.result, null, 2)}\n`);
      else context.io.stdout.write(record.report);
      progress(`[triage] result: ${record.resultFile}`);
    });
}

/** An issue read from a file: classified and, for a bug, reproduced in the checkout; no duplicates (no repository issues to search) and nothing applied. */
async function triageFile(context: CliContext, input: string, options: TriageOptions, shared: Awaited<ReturnType<typeof sharedRunOptions>>, progress: (line: string) => void): Promise<TriageRecord> {
  const path = resolve(context.cwd, input);
  const text = await readFile(path, "utf8").catch((error: unknown) => {
    throw new UsageError(`Cannot read the issue file ${input}: ${(error as Error).message}. Give a GitHub issue (URL or OWNER/REPO#N) or a markdown/text file.`);
  });
  const lines = text.trim().split("\n");
  const title = (lines[0] ?? "").replace(/^#+\s*/, "").trim().slice(0, 200);
  const body = lines.slice(1).join("\n").trim();
  const root = await findRepositoryRoot(resolve(context.cwd, options.repo ?? "."));
  const reproduce = options.reproduce !== false && shared.config.triage.reproduce && root !== undefined;
  const ports = await triagePorts(context, shared, { access: {}, reproduce, onProgress: progress, ...(root ? { localCheckout: root } : {}) });
  const reproducePort = ports.reproduce;
  const result = await triageIssue(
    {
      issue: { reference: basename(path), repository: root ? basename(root) : "(no repository)", number: 0, url: path, title, body, labels: [], comments: [], author: "(file)", state: "open" },
      repositoryLabels: [],
      policy: resolveTriagePolicy(shared.config.triage),
      duplicateThreshold: shared.config.triage.duplicateThreshold ?? DEFAULT_DUPLICATE_THRESHOLD,
    },
    {
      model: ports.model,
      ...(reproducePort && root ? { reproduce: (task, signal) => reproducePort(task, { cloneUrl: root, defaultBranch: "HEAD" }, signal) } : {}),
      signal: context.signal,
    },
  );
  return writeTriageRecord(join(triageStateDir(context), "files", basename(path).replace(/[^A-Za-z0-9._-]/g, "_")), result);
}
