import { execFile } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeModelServer, type FakeModelServer } from "../support/fake-model-server.js";
import { createCliSandbox, projectRoot, spawnAgent, type CliSandbox } from "./cli-harness.js";

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

/**
 * Runs bin/agent.js under a module hook (node --import, module.register) that appends the URL of
 * every module node loads to a file, and returns the URLs: which modules a command loads, not how
 * long they take.
 */
async function modulesLoadedBy(args: string[], cliSandbox: CliSandbox): Promise<{ stdout: string; modules: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), "agent-modules-"));
  const record = join(dir, "loaded.txt");
  await writeFile(record, "");
  await writeFile(
    join(dir, "hooks.mjs"),
    [
      'import { appendFileSync } from "node:fs";',
      "let file;",
      "export function initialize(data) { file = data.file; }",
      'export async function load(url, context, nextLoad) { appendFileSync(file, `${url}\\n`); return nextLoad(url, context); }',
    ].join("\n"),
  );
  await writeFile(
    join(dir, "register.mjs"),
    `import { register } from "node:module";\nregister("./hooks.mjs", import.meta.url, { data: { file: ${JSON.stringify(record)} } });\n`,
  );
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", pathToFileURL(join(dir, "register.mjs")).href, join(projectRoot, "bin/agent.js"), ...args], {
    cwd: cliSandbox.project,
    env: cliSandbox.env,
  });
  return { stdout, modules: (await readFile(record, "utf8")).split("\n").filter(Boolean) };
}

describe("start-up", () => {
  const heavy = ["/dist/src/", "/dist/swebench/", "/dist/cli/tui/", "/node_modules/ink/", "/node_modules/react/", "/node_modules/@langchain/", "/node_modules/dockerode/", "/node_modules/better-sqlite3/"];

  it("loads neither the core nor ink for --version, --help or a command's --help", async () => {
    const cases: [string[], string[]][] = [
      [["--version"], []],
      [["--help"], []],
      [["config", "show", "--help"], ["config-command.js"]],
      [["models", "check", "--help"], ["models-command.js"]],
      [["sandbox", "--help"], ["sandbox-command.js"]],
      [["runs", "--help"], ["runs-command.js"]],
    ];
    for (const [args, commands] of cases) {
      const { stdout, modules } = await modulesLoadedBy(args, sandbox);
      expect(stdout).not.toBe("");
      expect(modules).toContainEqual(expect.stringContaining("/dist/cli/main.js"));
      for (const part of heavy) expect(modules.filter((url) => url.includes(part)), `${args.join(" ")} loads ${part}`).toEqual([]);
      const commandModules = modules.filter((url) => url.includes("/dist/cli/commands/")).map((url) => url.slice(url.lastIndexOf("/") + 1));
      expect(commandModules).toEqual(commands);
    }
  });

  it("loads the core to run a command, as the hook sees", async () => {
    const { modules } = await modulesLoadedBy(["config", "show"], sandbox);
    expect(modules).toContainEqual(expect.stringContaining("/dist/src/index.js"));
  });
});
