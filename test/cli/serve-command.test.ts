import { generateKeyPairSync } from "node:crypto";
import { join } from "node:path";
import { sign } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLocalRedisServer } from "../../bench/support/serve/local-redis-server.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { describeWithRedis } from "../support/require-redis.js";
import { createCliSandbox, runInProcess, spawnAgent, writeJson, type CliSandbox, type SpawnedCli } from "./cli-harness.js";

const SECRET = "webhook-secret-for-the-test";

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
async function waitFor(predicate: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The JSON log lines `agent serve` printed so far. */
function logLines(agent: SpawnedCli): Array<Record<string, unknown>> {
  return agent
    .output()
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function deliver(url: string, event: string, id: string, payload: unknown, signature?: string): Promise<number> {
  const body = JSON.stringify(payload);
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", "x-github-event": event, "x-github-delivery": id, "x-hub-signature-256": signature ?? (await sign(SECRET, body)) },
    body,
  });
  return response.status;
}

const opened = (number: number) => ({
  action: "opened",
  repository: { name: "widgets", owner: { login: "acme" } },
  issue: { number, title: "Question about config" },
  sender: { login: "reporter", type: "User" },
});

describe("agent serve (the real process)", () => {
  let github: FakeGitHubServer;
  let home: CliSandbox;

  beforeAll(async () => {
    home = await createCliSandbox();
    github = await startFakeGitHubServer();
    github.setLabels("acme", "widgets", ["bug", "question"]);
    github.addIssue("acme", "widgets", 3, { title: "How do I set the config path?", body: "Where does the tool read its config file from?" });
    await writeJson(join(home.home, ".config/agent/config.json"), { triage: { reproduce: false } });
    await writeJson(join(home.home, "classify.json"), {
      turns: [{ toolCalls: [{ name: "submit_triage", args: { kind: "question", confidence: 0.9, reason: "asks where", language: "en", area_labels: [], missing_information: [], information_request: "", difficulty: "easy", difficulty_reason: "docs" } }] }],
    });
  });
  afterAll(async () => github?.close());

  it("refuses to start without a webhook secret, saying which variable to set", async () => {
    const run = await runInProcess(["serve"], home);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("GITHUB_WEBHOOK_SECRET");
  });

  it("triages a delivered issue once, acknowledging at once, and turns away bad signatures", async () => {
    const agent = spawnAgent(["serve", "--port", "0", "--state-dir", join(home.home, "serve-state")], home, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: "ghp_serveTestToken0000000000000000000000",
      GITHUB_API_URL: github.apiUrl,
      AGENT_MODEL: `scripted:${join(home.home, "classify.json")}`,
    });
    try {
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "listening"), "the server to listen");
      const base = String(logLines(agent).find((line) => line["msg"] === "listening")!["url"]);
      expect(await deliver(base, "issues", "bad-1", opened(3), "sha256=0000")).toBe(401);
      expect(await deliver(base, "issues", "good-1", opened(3))).toBe(202);
      expect(await deliver(base, "issues", "good-1", opened(3))).toBe(200);
      await waitFor(() => github.addedLabels.some((entry) => entry.number === 3), "the labels of #3");
      expect(github.addedLabels.filter((entry) => entry.number === 3)).toEqual([{ owner: "acme", repo: "widgets", number: 3, labels: ["question"] }]);
      const health = await fetch(base.replace(/\/api\/github\/webhooks$/, "/healthz"));
      expect(health.status).toBe(200);
      expect(agent.output()).not.toContain("ghp_serveTestToken");
      expect(agent.output()).not.toContain(SECRET);
    } finally {
      agent.kill("SIGTERM");
      await agent.result;
    }
  }, 60_000);

  it("hands /agent solve from a user with write access to `agent solve --pr`, and refuses it politely to one without", async () => {
    github.setPermission("acme", "widgets", "maintainer", "write");
    github.addIssue("acme", "widgets", 4, { title: "Crash when the config is empty", body: "An empty config file makes the tool crash." });
    const agent = spawnAgent(["serve", "--port", "0", "--state-dir", join(home.home, "serve-state-3")], home, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_TOKEN: "ghp_serveTestToken0000000000000000000000",
      GITHUB_API_URL: github.apiUrl,
      AGENT_MODEL: `scripted:${join(home.home, "classify.json")}`,
    });
    const comment = (login: string, id: number) => ({
      action: "created",
      repository: { name: "widgets", owner: { login: "acme" } },
      issue: { number: 4, title: "Crash when the config is empty" },
      comment: { id, body: "/agent solve\nplease", user: { login, type: "User" } },
      sender: { login, type: "User" },
    });
    try {
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "listening"), "the server to listen");
      const base = String(logLines(agent).find((line) => line["msg"] === "listening")!["url"]);
      expect(await deliver(base, "issue_comment", "solve-visitor", comment("visitor", 501))).toBe(202);
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "command refused"), "the refusal");
      expect(github.comments.some((posted) => posted.number === 4 && posted.body.includes("<!-- agent-reply:501 -->") && posted.body.includes("write access"))).toBe(true);
      expect(await deliver(base, "issue_comment", "solve-maintainer", comment("maintainer", 502))).toBe(202);
      // The child `agent solve acme/widgets#4 --pr` runs with the job's token; here the repository has no clone URL, so it stops at once, and says so.
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "solve finished"), "the solve to finish");
      expect(logLines(agent).find((line) => line["msg"] === "solve finished")).toMatchObject({ issue: "acme/widgets#4" });
      expect(github.comments.some((posted) => posted.number === 4 && posted.body.includes("<!-- agent-reply:502 -->") && posted.body.includes("draft pull request"))).toBe(true);
      expect(github.requests.some((request) => request.path === "/repos/acme/widgets/issues/4" && request.authorization === "token ghp_serveTestToken0000000000000000000000")).toBe(true);
      expect(github.destructiveRequests()).toEqual([]);
    } finally {
      agent.kill("SIGTERM");
      await agent.result;
    }
  }, 90_000);

  it("acts as a GitHub App installation: the delivery's installation id is exchanged for a token the job uses", async () => {
    const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048, publicKeyEncoding: { type: "spki", format: "pem" }, privateKeyEncoding: { type: "pkcs8", format: "pem" } });
    const installationToken = "ghs_installationTokenForServe00000000000";
    github.addAppInstallation({ appId: 4242, publicKeyPem: publicKey, installationId: 99, owner: "acme", repo: "widgets", token: installationToken, slug: "triage-bot" });
    github.addIssue("acme", "widgets", 8, { title: "How do I change the log level?", body: "Is there a flag for more verbose logs?" });
    const agent = spawnAgent(["serve", "--port", "0", "--state-dir", join(home.home, "serve-state-app")], home, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_APP_ID: "4242",
      GITHUB_APP_PRIVATE_KEY: privateKey,
      GITHUB_API_URL: github.apiUrl,
      AGENT_MODEL: `scripted:${join(home.home, "classify.json")}`,
    });
    try {
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "listening"), "the server to listen");
      const base = String(logLines(agent).find((line) => line["msg"] === "listening")!["url"]);
      expect(await deliver(base, "issues", "app-1", { ...opened(8), installation: { id: 99 } })).toBe(202);
      await waitFor(() => github.addedLabels.some((entry) => entry.number === 8), "the labels of #8");
      const labelRequest = github.requests.find((request) => request.method === "POST" && request.path === "/repos/acme/widgets/issues/8/labels");
      expect(labelRequest?.authorization).toBe(`token ${installationToken}`);
      expect(github.requests.some((request) => request.method === "POST" && request.path === "/app/installations/99/access_tokens")).toBe(true);
      expect(agent.output()).not.toContain(installationToken);
      expect(agent.output()).not.toContain("PRIVATE KEY");
    } finally {
      agent.kill("SIGTERM");
      await agent.result;
    }
  }, 60_000);

  it("fails a job without GitHub credentials with a log line that says what to set, and keeps serving", async () => {
    const agent = spawnAgent(["serve", "--port", "0", "--state-dir", join(home.home, "serve-state-2")], home, {
      GITHUB_WEBHOOK_SECRET: SECRET,
      GITHUB_API_URL: github.apiUrl,
      AGENT_MODEL: `scripted:${join(home.home, "classify.json")}`,
    });
    try {
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "listening"), "the server to listen");
      const base = String(logLines(agent).find((line) => line["msg"] === "listening")!["url"]);
      expect(await deliver(base, "issues", "nocreds-1", opened(3))).toBe(202);
      await waitFor(() => logLines(agent).some((line) => line["msg"] === "job failed"), "the job to fail");
      expect(String(logLines(agent).find((line) => line["msg"] === "job failed")!["error"])).toMatch(/GITHUB_APP_ID.*GITHUB_TOKEN/);
      expect((await fetch(base.replace(/\/api\/github\/webhooks$/, "/healthz"))).status).toBe(200);
    } finally {
      agent.kill("SIGTERM");
      await agent.result;
    }
  }, 60_000);
});

describeWithRedis("agent serve --queue with agent worker --bot (real processes, a real redis-server)", () => {
  it("receives on one process and triages on a worker process that takes the job from Redis", async () => {
    const redis = await startLocalRedisServer();
    const github = await startFakeGitHubServer();
    const home = await createCliSandbox();
    github.setLabels("acme", "tools", ["question"]);
    github.addIssue("acme", "tools", 2, { title: "How do I pin a version?", body: "Can I pin the tool's version in CI?" });
    await writeJson(join(home.home, ".config/agent/config.json"), { triage: { reproduce: false } });
    await writeJson(join(home.home, "classify.json"), {
      turns: [{ toolCalls: [{ name: "submit_triage", args: { kind: "question", confidence: 0.9, reason: "asks", language: "en", area_labels: [], missing_information: [], information_request: "", difficulty: "easy", difficulty_reason: "docs" } }] }],
    });
    const env = { GITHUB_WEBHOOK_SECRET: SECRET, GITHUB_TOKEN: "ghp_queueTestToken00000000000000000000000", GITHUB_API_URL: github.apiUrl, AGENT_MODEL: `scripted:${join(home.home, "classify.json")}` };
    const server = spawnAgent(["serve", "--port", "0", "--queue", redis.url, "--no-worker", "--state-dir", join(home.home, "serve")], home, env);
    const worker = spawnAgent(["worker", "--bot", "--queue", redis.url], home, env);
    try {
      await waitFor(() => logLines(server).some((line) => line["msg"] === "listening"), "the server to listen");
      await waitFor(() => logLines(worker).some((line) => line["msg"] === "worker started"), "the worker to start");
      const base = String(logLines(server).find((line) => line["msg"] === "listening")!["url"]);
      const payload = { action: "opened", repository: { name: "tools", owner: { login: "acme" } }, issue: { number: 2, title: "How do I pin a version?" }, sender: { login: "r", type: "User" } };
      expect(await deliver(base, "issues", "redis-1", payload)).toBe(202);
      // The worker logs "triage done" after the labels are added and the record is written.
      await waitFor(() => logLines(worker).some((line) => line["msg"] === "triage done"), "the worker to finish the triage");
      expect(github.addedLabels.filter((entry) => entry.repo === "tools")).toEqual([{ owner: "acme", repo: "tools", number: 2, labels: ["question"] }]);
      expect(logLines(server).some((line) => line["msg"] === "triage done")).toBe(false);
    } finally {
      server.kill("SIGTERM");
      worker.kill("SIGTERM");
      await Promise.all([server.result, worker.result]);
      await github.close();
      await redis.stop();
    }
  }, 90_000);
});
