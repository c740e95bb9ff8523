import { beforeEach, describe, expect, it } from "vitest";
import { describeWithDocker } from "../support/require-docker.js";
import { createCliSandbox, runInProcess, type CliSandbox } from "./cli-harness.js";

let home: CliSandbox;

beforeEach(async () => {
  home = await createCliSandbox();
});

describe("agent sandbox check with the local sandbox", () => {
  it("refuses without a terminal to ask, exits 2 and says how to consent", async () => {
    const run = await runInProcess(["sandbox", "check"], home, { AGENT_SANDBOX: "local" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("NOT isolated");
    expect(run.stderr).toContain("sandbox.allowLocal");
  });

  it("stops when the person declines", async () => {
    const questions: string[] = [];
    const run = await runInProcess(["sandbox", "check"], home, { AGENT_SANDBOX: "local" }, async (question) => {
      questions.push(question);
      return false;
    });
    expect(questions[0]).toContain("NOT isolated");
    expect(run.code).toBe(2);
  });

  it("runs after the person agrees, with a warning", async () => {
    const run = await runInProcess(["--json", "sandbox", "check"], home, { AGENT_SANDBOX: "local" }, async () => true);
    expect(run.stderr).toContain("warning: The local sandbox is NOT isolated");
    expect(JSON.parse(run.stdout)).toMatchObject({ sandbox: "local", reason: "sandbox.kind is local" });
  });
});

describeWithDocker("agent sandbox check with Docker", () => {
  it("reports an unprivileged user, no network and the tools", async () => {
    const run = await runInProcess(["--json", "sandbox", "check"], home, { AGENT_SANDBOX: "docker" });
    const report = JSON.parse(run.stdout);
    expect(run.code).toBe(0);
    expect(report).toMatchObject({ sandbox: "docker", user: "agent", network: "off (loopback only)" });
    expect(report.tools.python3).toMatch(/^Python 3\.11/);
  }, 600_000);
});
