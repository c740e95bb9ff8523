import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { GitHubError, handleBotJob, openDailyBudget, type BotJobPorts, type GitHubAccess, type IssueReference, type ServeJob } from "../../src/index.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const TOKEN = "ghs_installationToken0000000000000000000000";

describe("handleBotJob", () => {
  let github: FakeGitHubServer;
  let calls: string[];
  let lines: Array<{ msg: string; fields?: Record<string, unknown> }>;

  beforeAll(async () => {
    github = await startFakeGitHubServer();
    github.addIssue("acme", "widgets", 5, { title: "Crash on start", body: "It crashes." });
    github.setPermission("acme", "widgets", "maintainer", "write");
    github.setPermission("acme", "widgets", "visitor", "read");
  });
  afterAll(async () => github?.close());
  beforeEach(() => {
    calls = [];
    lines = [];
  });

  const ports = (overrides: Partial<BotJobPorts> = {}): BotJobPorts => ({
    config: defaultConfig,
    log: {
      debug: () => {},
      info: (msg, fields) => lines.push({ msg, ...(fields ? { fields } : {}) }),
      warn: (msg, fields) => lines.push({ msg, ...(fields ? { fields } : {}) }),
      error: (msg, fields) => lines.push({ msg, ...(fields ? { fields } : {}) }),
    },
    accessFor: async () => ({ token: TOKEN, apiUrl: github.apiUrl, tokenSource: "test" }),
    triage: async (reference: IssueReference) => {
      calls.push(`triage ${reference.owner}/${reference.repo}#${reference.number}`);
      return { costUsd: 0.3 };
    },
    solve: async (reference: IssueReference, access: GitHubAccess) => void calls.push(`solve ${reference.owner}/${reference.repo}#${reference.number} with ${access.token}`),
    ...overrides,
  });
  const command = (sender: string, which: "triage" | "solve", commentId = 900): ServeJob => ({
    id: `delivery-${commentId}`,
    receivedAt: "2026-12-02T00:00:00Z",
    type: "command",
    command: which,
    repository: { owner: "acme", repo: "widgets" },
    issueNumber: 5,
    installationId: 77,
    sender,
    commentId,
  });
  const context = { signal: new AbortController().signal, attempt: 1 };
  const writesSince = (start: number) => github.requests.slice(start).filter((request) => request.method !== "GET").map((request) => `${request.method} ${request.path}`);

  it("triages an opened issue", async () => {
    await handleBotJob({ id: "d1", receivedAt: "", type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 5, sender: "reporter" }, ports(), context);
    expect(calls).toEqual(["triage acme/widgets#5"]);
  });

  it("answers a command from a user without write access with a polite refusal, and does nothing else", async () => {
    const start = github.requests.length;
    await handleBotJob(command("visitor", "solve", 901), ports(), context);
    expect(calls).toEqual([]);
    expect(writesSince(start)).toEqual(["POST /repos/acme/widgets/issues/5/comments"]);
    const reply = github.comments.at(-1)!.body;
    expect(reply).toContain("<!-- agent-reply:901 -->");
    expect(reply).toContain("can only be run by people with write access");
    expect(github.requests.slice(start).map((request) => request.path)).toContain("/repos/acme/widgets/collaborators/visitor/permission");
    expect(lines.find((line) => line.msg === "command refused")?.fields).toMatchObject({ sender: "visitor", permission: "read" });
  });

  it("edits its refusal instead of posting again when the job is retried", async () => {
    const start = github.requests.length;
    await handleBotJob(command("visitor", "solve", 901), ports(), { ...context, attempt: 2 });
    expect(writesSince(start)).toEqual([]);
  });

  it("runs /agent triage from a user with write access", async () => {
    await handleBotJob(command("maintainer", "triage", 902), ports(), context);
    expect(calls).toEqual(["triage acme/widgets#5"]);
  });

  it("hands /agent solve to the solve pipeline with the job's token, after saying so on the issue", async () => {
    const start = github.requests.length;
    await handleBotJob(command("maintainer", "solve", 903), ports(), context);
    expect(calls).toEqual([`solve acme/widgets#5 with ${TOKEN}`]);
    expect(writesSince(start)).toEqual(["POST /repos/acme/widgets/issues/5/comments"]);
    expect(github.comments.at(-1)!.body).toContain("draft pull request");
  });

  it("lets a user the repository's policy lists run commands without write access", async () => {
    github.setFile("acme", "widgets", ".github/agent.yml", "triage:\n  commands:\n    allowedUsers: [visitor]\n");
    await handleBotJob(command("visitor", "triage", 904), ports(), context);
    expect(calls).toEqual(["triage acme/widgets#5"]);
    github.setFile("acme", "widgets", ".github/agent.yml", "triage: {}\n");
  });

  it("tells the queue the repository's concurrency from its policy", async () => {
    github.setFile("acme", "widgets", ".github/agent.yml", "triage:\n  concurrency: 3\n");
    const seen: Array<[string, number]> = [];
    await handleBotJob(command("maintainer", "triage", 905), ports({ onPolicy: (repository, policy) => seen.push([repository, policy.concurrency]) }), context);
    expect(seen).toEqual([["acme/widgets", 3]]);
    github.setFile("acme", "widgets", ".github/agent.yml", "triage: {}\n");
  });

  it("fails the job, not the process, with a message that says what to set when there are no credentials", async () => {
    const noCredentials = ports({
      accessFor: async () => {
        throw new Error("No GitHub credentials for the job on acme/widgets: set GITHUB_APP_ID with GITHUB_APP_PRIVATE_KEY_PATH");
      },
    });
    await expect(handleBotJob(command("maintainer", "triage", 906), noCredentials, context)).rejects.toThrow(/GITHUB_APP_ID/);
    expect(calls).toEqual([]);
  });

  it("skips a pull request without failing the job", async () => {
    const onPull = ports({
      triage: async () => {
        throw new GitHubError("acme/widgets#6 is a pull request, not an issue; give the issue it fixes.", { code: "github-not-issue" });
      },
    });
    await handleBotJob({ id: "d2", receivedAt: "", type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 6, sender: "x" }, onPull, context);
    expect(lines.some((line) => line.msg === "skipped: not an issue")).toBe(true);
  });

  it("stops triaging for the day once the operator's daily budget is spent, and says so to a command", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bot-budget-"));
    const budget = openDailyBudget(join(dir, "spend.json"), 0.5);
    const triage = { id: "b1", receivedAt: "", type: "triage" as const, repository: { owner: "acme", repo: "widgets" }, issueNumber: 5, sender: "reporter" };
    await handleBotJob(triage, ports({ budget }), context);
    await handleBotJob({ ...triage, id: "b2" }, ports({ budget }), context);
    expect(calls).toEqual(["triage acme/widgets#5", "triage acme/widgets#5"]);
    expect(await budget.spentToday()).toBeCloseTo(0.6);
    await handleBotJob({ ...triage, id: "b3" }, ports({ budget }), context);
    expect(calls).toHaveLength(2);
    expect(lines.some((line) => line.msg.includes("model budget (triage.maxDailyCostUsd) is spent"))).toBe(true);
    await handleBotJob(command("maintainer", "solve", 910), ports({ budget }), context);
    expect(calls).toHaveLength(2);
    expect(github.comments.at(-1)!.body).toContain("budget for today is spent");
  });

  it("counts a triage whose cost is unknown as its reproduction's whole budget", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bot-budget-"));
    const budget = openDailyBudget(join(dir, "spend.json"), 10);
    await handleBotJob({ id: "b4", receivedAt: "", type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 5, sender: "r" }, ports({ budget, triage: async () => ({ costUsd: null }) }), context);
    expect(await budget.spentToday()).toBe(defaultConfig.triage.maxCostUsd);
  });

  it("keeps the day's spend across a restart and starts afresh the next UTC day", async () => {
    const dir = await mkdtemp(join(tmpdir(), "bot-budget-"));
    let now = Date.parse("2026-12-02T23:59:00Z");
    await openDailyBudget(join(dir, "spend.json"), 1, () => now).add(1.2);
    expect(await openDailyBudget(join(dir, "spend.json"), 1, () => now).isSpent()).toBe(true);
    now = Date.parse("2026-12-03T00:01:00Z");
    expect(await openDailyBudget(join(dir, "spend.json"), 1, () => now).isSpent()).toBe(false);
  });

  it("never closes, locks or deletes anything", () => {
    expect(github.destructiveRequests()).toEqual([]);
  });
});
