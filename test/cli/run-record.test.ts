import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer, type FakeReply } from "../support/fake-model-server.js";
import { createCliSandbox, runInProcess, writeJson, type CliSandbox } from "./cli-harness.js";
import { slugsScript, writeSlugsRepository } from "./solve-fixture.js";

let home: CliSandbox;
let runsDir: string;
let server: FakeModelServer;

beforeEach(async () => {
  home = await createCliSandbox();
  runsDir = join(home.home, "runs");
  await writeSlugsRepository(home.project);
  server = await startFakeModelServer();
  await writeJson(join(home.home, ".config/agent/config.json"), {
    sandbox: { kind: "local", allowLocal: true },
    model: "openai:gpt-4.1",
    modelRequest: { maxRetries: 0, timeoutMs: 1_500 },
    providers: { openai: { baseUrl: server.openaiBaseUrl, apiKey: "sk-test-0123456789abcdef" } },
  });
});

afterEach(async () => {
  await server.close();
});

/** The planner's, the test designer's and the programmer's first edit, as replies of the fake provider. */
function repliesUpToTheEdit(): FakeReply[] {
  const turns = slugsScript().turns;
  const edit = turns.findIndex((turn) => turn.toolCalls[0]!.name === "edit_file" && turn.toolCalls[0]!.args["command"] === "str_replace");
  return turns.slice(0, edit + 1).map((turn) => ({ kind: "message", toolCalls: turn.toolCalls }));
}

/** Solves the slugs task with the fake provider failing after the programmer's edit; returns the CLI run and the run's files. */
async function solveFailingWith(failure: FakeReply) {
  server.enqueue("openai", ...repliesUpToTheEdit(), failure);
  const run = await runInProcess(["solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", runsDir], home);
  const [runId] = (await readdir(runsDir)).filter((name) => /^\d{8}-/.test(name));
  const file = (name: string) => readFile(join(runsDir, runId!, name), "utf8");
  return { run, patch: await file("patch.diff"), report: JSON.parse(await file("report.json")) as { status: string; errors: Array<{ kind: string; message: string }> }, summary: await file("summary.md") };
}

const cases: Array<{ name: string; failure: FakeReply; code: string; exitCode: number }> = [
  {
    name: "a rejected API key",
    failure: { kind: "error", status: 401, body: { error: { message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key" } } },
    code: "model-auth",
    exitCode: 2,
  },
  {
    name: "an exhausted quota",
    failure: { kind: "error", status: 429, body: { error: { message: "You exceeded your current quota.", type: "insufficient_quota", code: "insufficient_quota" } } },
    code: "model-quota",
    exitCode: 1,
  },
  {
    name: "a context window overflow",
    failure: {
      kind: "error",
      status: 400,
      body: { error: { message: "This model's maximum context length is 128000 tokens.", type: "invalid_request_error", code: "context_length_exceeded" } },
    },
    code: "model-context-overflow",
    exitCode: 1,
  },
  { name: "a provider that stops answering", failure: { kind: "hang" }, code: "model-timeout", exitCode: 1 },
];

describe("a run stopped by a model error after the programmer's edit", () => {
  it.each(cases)("keeps its record when the error is $name", async ({ failure, code, exitCode }) => {
    const { run, patch, report, summary } = await solveFailingWith(failure);
    expect(run.code, run.stderr).toBe(exitCode);
    expect(run.stdout).toContain("status:  error");
    expect(patch).toContain('+    return "-".join(text.lower().split())');
    expect(report.status).toBe("error");
    expect(report.errors.find((problem) => problem.kind === "run-error")?.message).toMatch(new RegExp(`^${code}: `));
    expect(summary).toContain("Status: **error**");
    expect(run.stderr).toMatch(/^agent: /m);
  }, 120_000);

  it("keeps its record when a scripted model runs out of turns (an empty reply)", async () => {
    const turns = slugsScript().turns;
    const edit = turns.findIndex((turn) => turn.toolCalls[0]!.args["command"] === "str_replace");
    await writeJson(join(home.home, "short.json"), { turns: turns.slice(0, edit + 1) });
    const run = await runInProcess(["--model", `scripted:${join(home.home, "short.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", runsDir], home);
    const [runId] = (await readdir(runsDir)).filter((name) => /^\d{8}-/.test(name));
    expect(run.code, run.stderr).toBe(1);
    expect(await readFile(join(runsDir, runId!, "patch.diff"), "utf8")).toContain('"-".join(text.lower().split())');
    expect(JSON.parse(await readFile(join(runsDir, runId!, "report.json"), "utf8"))).toMatchObject({ status: "error" });
    expect(run.stderr).toContain("has no turn");
  }, 120_000);
});
