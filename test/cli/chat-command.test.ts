import { EventEmitter } from "node:events";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { Writable } from "node:stream";
import { beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../cli/run-cli.js";
import { createCliSandbox, runInProcess, spawnAgent, writeJson, type CliSandbox } from "./cli-harness.js";
import { writeSlugsRepository } from "./solve-fixture.js";

let home: CliSandbox;

beforeEach(async () => {
  home = await createCliSandbox();
  await writeSlugsRepository(home.project);
});

/** Runs the CLI in-process as on a terminal: stdin and stderr are terminals (fakes that draw nothing). */
async function onTerminal(args: string[], cwd: string, env: Record<string, string> = {}) {
  let stderr = "";
  const terminal = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  Object.assign(terminal, { isTTY: true, columns: 100, rows: 30 });
  const stdin = Object.assign(new EventEmitter(), { isTTY: true, setRawMode: () => {}, resume: () => {}, pause: () => {} });
  const code = await runCli(args, {
    io: { stdout: { write: () => true }, stderr: { write: (text: string) => (stderr += text) } },
    env: { ...home.env, ...env },
    cwd,
    homeDir: home.home,
    signal: new AbortController().signal,
    terminal: terminal as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
  });
  return { code, stderr };
}

describe("agent chat before the screen opens", () => {
  it("exits 2 without a terminal and says to use agent solve (agent alone too)", async () => {
    for (const args of [["chat"], []]) {
      const run = await runInProcess(args, home, { AGENT_MODEL: "scripted:x.json" });
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stderr).toContain("agent chat needs a terminal");
      expect(run.stderr).toContain('agent solve --task "..."');
    }
  });

  it("exits 2 on a terminal under CI or TERM=dumb", async () => {
    expect((await onTerminal(["chat"], home.project, { CI: "true" })).stderr).toContain("CI is set");
    const dumb = await onTerminal(["chat"], home.project, { TERM: "dumb" });
    expect(dumb.code).toBe(2);
    expect(dumb.stderr).toContain("TERM is dumb");
  });

  it("exits 2 outside a git repository and says to cd into one", async () => {
    const elsewhere = join(home.home, "not-a-repo");
    await mkdir(elsewhere, { recursive: true });
    const run = await onTerminal(["chat"], elsewhere, { AGENT_MODEL: "scripted:x.json" });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is not inside a git repository: cd into the repository to work on");
  });

  it("exits 2 with no model configured and names how to set one", async () => {
    const run = await onTerminal([], home.project);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("No model is configured");
    expect(run.stderr).toContain("AGENT_MODEL");
  });

  it("exits 2 when --resume finds no session of this repository", async () => {
    await writeJson(join(home.home, "script.json"), { turns: [{ content: "x" }] });
    await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "local", allowLocal: true } });
    const run = await onTerminal(["chat", "--resume"], home.project, { AGENT_MODEL: `scripted:${join(home.home, "script.json")}`, AGENT_SESSIONS_DIR: join(home.home, "sessions") });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("There is no session of");
  });
});

describe("agent solve with an approval mode that asks", () => {
  it("exits 2 at the start without a terminal, naming full-auto, before anything is fetched or run", async () => {
    for (const mode of ["suggest", "auto-edit"]) {
      const run = await spawnAgent(["--model", "scripted:missing.json", "solve", "--task", "fix it", "--approval", mode, "--runs-dir", join(home.home, "runs")], home).result;
      expect(run.code, mode).toBe(2);
      expect(run.stderr).toContain(`--approval ${mode} asks a person before`);
      expect(run.stderr).toContain("there is no terminal to ask at");
      expect(run.stderr).toContain("--approval full-auto");
    }
  });
});
