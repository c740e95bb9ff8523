import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createCliSandbox, spawnAgent, type CliSandbox } from "./cli-harness.js";

let sandbox: CliSandbox;
let server: FakeModelServer;

beforeEach(async () => {
  sandbox = await createCliSandbox();
  server = await startFakeModelServer();
});

afterEach(async () => {
  await server.close();
});

describe("the agent binary", () => {
  it("checks a real OpenAI client against an OpenAI-compatible server and prints the cost", async () => {
    server.enqueue("openai", {
      kind: "message",
      toolCalls: [{ name: "report_status", args: { status: "ok" } }],
      usage: { input: 1_000, output: 20 },
    });
    const run = await spawnAgent(["--model", "openai:gpt-4.1", "models", "check"], sandbox, {
      OPENAI_API_KEY: "sk-test-0123456789abcdef",
      OPENAI_BASE_URL: server.openaiBaseUrl,
    }).result;
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("tool calling: works");
    expect(run.stdout).toContain("cost:         $0.0022 (price-table)");
    expect(server.requests[0]!.body.tools[0].function.name).toBe("report_status");
  });

  it("exits 2 on a 401 without retrying and never prints the key", async () => {
    server.enqueue("anthropic", { kind: "error", status: 401 });
    const key = "sk-ant-secret-0123456789";
    const run = await spawnAgent(["--model", "anthropic:claude-sonnet-4-5", "models", "check"], sandbox, {
      ANTHROPIC_API_KEY: key,
      ANTHROPIC_BASE_URL: server.anthropicBaseUrl,
    }).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ANTHROPIC_API_KEY");
    expect(run.stdout + run.stderr).not.toContain(key);
    expect(server.requests).toHaveLength(1);
  });

  it("prints each retry and succeeds after a 429 with Retry-After", async () => {
    server.enqueue(
      "openai",
      { kind: "error", status: 429, headers: { "retry-after": "0" } },
      { kind: "message", toolCalls: [{ name: "report_status", args: { status: "ok" } }] },
    );
    const run = await spawnAgent(["--model", "openai:gpt-4.1", "models", "check"], sandbox, {
      OPENAI_API_KEY: "sk-test-0123456789abcdef",
      OPENAI_BASE_URL: server.openaiBaseUrl,
    }).result;
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/retry 1 in 0\.0 s after rate-limit \(HTTP 429\)/);
  });

  it("exits 130 when interrupted while waiting for the model", async () => {
    server.enqueue("openai", { kind: "hang" });
    const agent = spawnAgent(["--model", "openai:gpt-4.1", "models", "check"], sandbox, {
      OPENAI_API_KEY: "sk-test-0123456789abcdef",
      OPENAI_BASE_URL: server.openaiBaseUrl,
    });
    await server.waitForRequests(1, 15_000);
    agent.kill("SIGINT");
    const run = await agent.result;
    expect(run.code).toBe(130);
    expect(run.stderr).toContain("SIGINT received");
  });
});
