import { execFileSync } from "node:child_process";
import { EventEmitter } from "node:events";
import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cleanup, render } from "ink-testing-library";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runSessionTui, type SessionTuiOptions, type SessionTuiResult } from "../../../../cli/tui/session/session-controller.js";
import { readPromptTask } from "../../../../cli/task-input.js";
import { createRedactor } from "../../../../src/memory/secret-patterns.js";
import { createModel } from "../../../../src/models/create-model.js";
import { Session } from "../../../../src/session/session.js";
import { writeJson } from "../../../cli/cli-harness.js";
import { slugsScript, writeSlugsRepository } from "../../../cli/solve-fixture.js";
import { startFakeGitHubServer } from "../../../support/fake-github-server.js";
import { localRunFixture } from "../../../support/session-fixture.js";

// ink draws only the last frame where CI is set (is-in-ci, read when ink loads); these tests watch the frames.
vi.hoisted(() => {
  delete process.env["CI"];
  delete process.env["CONTINUOUS_INTEGRATION"];
});

afterEach(cleanup);

let root: string;
let checkout: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "agent-tui-"));
  checkout = join(root, "project");
  await writeSlugsRepository(checkout);
});

const OPENAI_KEY = "sk-proj-0123456789abcdefghijklmnop";
const GITHUB_TOKEN = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_IN_OUTPUT = "ghp_ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210";

/** A terminal session driven in-process: keys in through a test stdin, frames out through ink-testing-library. */
interface Driven {
  /** Sends raw terminal input, as the keyboard would. */
  keys(raw: string): void;
  /** The last frame drawn. */
  frame(): string;
  /** Every frame drawn so far. */
  frames(): string[];
  /** Waits until the last frame holds the text (or the predicate holds), with the frame in the error otherwise. */
  waitFor(expected: string | ((frame: string) => boolean), timeoutMs?: number): Promise<string>;
  result: Promise<SessionTuiResult>;
  session: Session;
  written: string[];
}

async function startSession(script: unknown, options: Partial<SessionTuiOptions> & { env?: Record<string, string> } = {}): Promise<Driven> {
  const { environment, loaded, scriptFile } = await localRunFixture(root, checkout, script, { OPENAI_API_KEY: OPENAI_KEY, GITHUB_TOKEN, ...options.env });
  const { env } = environment;
  const home = env["HOME"]!;
  const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
  const input = new EventEmitter();
  const written: string[] = [];
  let instance: ReturnType<typeof render> | undefined;
  const cli = { io: { stdout: { write: () => true }, stderr: { write: () => true } }, env, cwd: checkout, homeDir: home, signal: new AbortController().signal, setExitCode: () => {} };
  const result = runSessionTui({
    session,
    input: input as unknown as SessionTuiOptions["input"],
    output: { columns: 100, rows: 40, write: (text: string) => written.push(text) },
    mount: (tree) => (instance = render(tree)),
    runOptions: { ...environment, secrets: [GITHUB_TOKEN] },
    limits: { maxCostUsd: 5 },
    approvalMode: "full-auto",
    model: `scripted:${scriptFile}`,
    autoAcceptPlan: true,
    resolveTask: async (text) => {
      const { task, issue } = await readPromptTask(cli, text, options.env?.["API_URL"]);
      return { task, ...(issue ? { issue: { reference: `${issue.owner}/${issue.repo}#${issue.number}` } } : {}) };
    },
    checkModel: async (model) => {
      await createModel({ config: { ...loaded.config, model }, userConfigPath: loaded.files.user, cwd: checkout });
    },
    redact: createRedactor([OPENAI_KEY, GITHUB_TOKEN]),
    resumeOnStart: false,
    ...options,
  });
  const frame = () => instance?.lastFrame() ?? "";
  return {
    keys: (raw) => input.emit("data", raw),
    frame,
    frames: () => instance?.frames ?? [],
    async waitFor(expected, timeoutMs = 60_000) {
      const holds = typeof expected === "string" ? (text: string) => text.includes(expected) : expected;
      const deadline = Date.now() + timeoutMs;
      while (!holds(frame())) {
        if (Date.now() > deadline) throw new Error(`The screen never showed ${String(expected)}. Last frame:\n${frame()}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return frame();
    },
    result,
    session,
    written,
  };
}

const turn = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, args }] });

describe("the terminal session", () => {
  it("reviews the plan, asks approvals in suggest mode, shows the run and the diff, and ends on Ctrl-C twice", async () => {
    const tui = await startSession(slugsScript(), { autoAcceptPlan: false, approvalMode: "suggest" });
    await tui.waitFor("Type a task, or /help.");
    tui.keys("slugify keeps surrounding spaces\r");
    await tui.waitFor("Review the plan (v1) before any code changes");
    expect(tui.frame()).toContain("1. [programmer] split and join");
    tui.keys("y");
    await tui.waitFor("test-designer asks to use edit_file");
    expect(tui.frame()).toContain("+class Repro(unittest.TestCase):");
    tui.keys("y");
    await tui.waitFor("programmer asks to use edit_file");
    expect(tui.frame()).toContain('-text.lower().replace(" ", "-")');
    expect(tui.frame()).toContain('+"-".join(text.lower().split())');
    tui.keys("y");
    await tui.waitFor("■ solved");
    expect(tui.frame()).toMatch(/designed tests on the patched tree: 1 passed, 0 failed/);
    tui.keys("/help\r");
    await tui.waitFor("/diff — show the current changes");
    tui.keys("/diff\r");
    await tui.waitFor("Changes of this session (not in your checkout until /apply)");
    expect(tui.frame()).toContain('+    return "-".join(text.lower().split())');
    tui.keys("\u0003");
    await tui.waitFor("Press Ctrl-C again to end the session.");
    tui.keys("\u0003");
    expect(await tui.result).toEqual({ interruptedTask: false });
    expect(tui.written.at(-1)).toContain("\u001b[?1049l");
    expect(execFileSync("git", ["status", "--porcelain"], { cwd: checkout, encoding: "utf8" })).toBe("");
  }, 120_000);

  it("sends a denial with the person's words back to the model, and allows a tool for the rest of the session", async () => {
    const requests = join(root, "requests.jsonl");
    const script = { ...slugsScript("echo one", "echo two"), recordTo: requests };
    const tui = await startSession(script, { approvalMode: "auto-edit" });
    tui.keys("fix slugify\r");
    await tui.waitFor("$ echo one");
    tui.keys("gdo not echo\r");
    await tui.waitFor("$ echo two");
    tui.keys("a");
    await tui.waitFor("■ solved");
    tui.keys("\u0003\u0003");
    await tui.result;
    const [runId] = tui.session.tasks.map((task) => task.runId);
    const trajectory = await readFile(join(root, "runs", runId!, "trajectory.jsonl"), "utf8");
    expect(trajectory).toContain('"decision":"deny","reason":"declined","guidance":"do not echo"');
    expect(await readFile(requests, "utf8")).toContain("Not run: the user did not approve this execute action (run_shell runs a command). The user says: do not echo");
    // The second command was allowed by "a"; no dialog came for the programmer's run_shell after it.
    expect(trajectory).toContain('"reason":"run_shell allowed for the rest of the session"');
  }, 120_000);

  it("stops a running command on Esc, gives the typed guidance to the programmer, and goes on", async () => {
    const tui = await startSession(slugsScript("sleep 60"));
    const started = Date.now();
    tui.keys("fix slugify\r");
    await tui.waitFor("run_shell sleep 60");
    tui.keys("\u001b");
    await tui.waitFor("guidance ›");
    expect(tui.frame()).toContain("Stopped programmer (run_shell was killed)");
    tui.keys("do not sleep, fix the function\r");
    await tui.waitFor("■ solved");
    expect(Date.now() - started).toBeLessThan(45_000);
    tui.keys("\u0003\u0003");
    await tui.result;
    const trajectory = await readFile(join(root, "runs", tui.session.tasks[0]!.runId, "trajectory.jsonl"), "utf8");
    expect(trajectory).toContain('"type":"guidance-given","node":"programmer","text":"do not sleep, fix the function"');
  }, 120_000);

  it("offers to retry or switch the model after a model error, keeps the session, and finishes with the new model", async () => {
    const full = slugsScript().turns;
    // The first model runs out of turns after the test designer; the second plays the programmer's.
    const tui = await startSession({ turns: full.slice(0, 4) });
    const second = join(root, "second.json");
    await writeJson(second, { turns: full.slice(4) });
    tui.keys("fix slugify\r");
    await tui.waitFor("The model failed in programmer:");
    expect(tui.frame()).toContain("has no turn 5");
    tui.keys("m");
    await tui.waitFor("› /model");
    tui.keys(`scripted:${second}\r`);
    await tui.waitFor("■ solved");
    expect(tui.frame()).toContain(`Switched to scripted:${second}`);
    tui.keys("\u0003\u0003");
    expect(await tui.result).toEqual({ interruptedTask: false });
  }, 120_000);

  it("asks about the failed model call again when the person pressed m but did not switch, and stops the task on s", async () => {
    const tui = await startSession({ turns: slugsScript().turns.slice(0, 4) });
    tui.keys("fix slugify\r");
    await tui.waitFor("The model failed in programmer:");
    tui.keys("m");
    await tui.waitFor("› /model");
    tui.keys("\u0015never mind\r");
    await tui.waitFor("r retry · m switch model (/model) · s stop the task");
    tui.keys("m");
    tui.keys("nope:model\r");
    await tui.waitFor("Cannot use nope:model");
    await tui.waitFor("r retry · m switch model (/model) · s stop the task");
    tui.keys("s");
    await tui.waitFor("■ error");
    tui.keys("\u0003\u0003");
    await tui.result;
    expect(tui.session.tasks).toMatchObject([{ status: "error" }]);
  }, 120_000);

  it("says why an issue cannot be read and stays in the session; suggests the nearest command for a typo", async () => {
    const github = await startFakeGitHubServer();
    try {
      const tui = await startSession(slugsScript(), { env: { API_URL: github.apiUrl } });
      tui.keys("acme/slugs#404\r");
      await tui.waitFor("Type the task again, or describe it in words.");
      expect(tui.frame()).toMatch(/acme\/slugs#404/);
      tui.keys("/dif\r");
      await tui.waitFor("Unknown command /dif. Did you mean /diff?");
      tui.keys("/approval full-auto\r");
      await tui.waitFor("Approval mode: full-auto.");
      expect(tui.frame().split("\n")[0]).toContain("· full-auto ·");
      tui.keys("/model nope\r");
      await tui.waitFor("Cannot use nope:");
      tui.keys("/quit\r");
      expect(await tui.result).toEqual({ interruptedTask: false });
    } finally {
      await github.close();
    }
  }, 60_000);

  it("never draws an API key or a token, from the environment or from a tool's output", async () => {
    const script = {
      turns: [
        turn("submit_plan", { summary: `check ${GITHUB_TOKEN}`, findings: [{ file: "slugs/core.py", reason: "x" }], steps: [{ owner: "programmer", description: "fix", done_criterion: "x" }] }),
        turn("edit_file", { command: "create", path: "tests/test_repro.py", file_text: "import unittest\n" }),
        turn("submit_tests", { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "tests/test_repro.py", kind: "basic", description: "x" }] }),
        { content: `The key is ${OPENAI_KEY}.`, toolCalls: [{ name: "run_shell", args: { command: `echo ${TOKEN_IN_OUTPUT}; echo ${OPENAI_KEY}` } }] },
        turn("submit_patch", { summary: "done" }),
      ],
    };
    const tui = await startSession(script, { approvalMode: "suggest" });
    tui.keys("print the secrets\r");
    await tui.waitFor("test-designer asks to use edit_file");
    tui.keys("y");
    await tui.waitFor("programmer asks to use run_shell");
    tui.keys("y");
    // The reproduction does not fail on the base, so the test designer is asked again, and this script has no more turns.
    await tui.waitFor("The model failed in test-designer");
    tui.keys("s");
    await tui.waitFor("■ error");
    tui.keys("/diff\r/cost\r");
    await tui.waitFor("Cost");
    tui.keys("\u0003\u0003");
    await tui.result;
    const everything = tui.frames().join("\n");
    expect(everything).toContain("[redacted]");
    for (const secret of [OPENAI_KEY, GITHUB_TOKEN, TOKEN_IN_OUTPUT]) expect(everything).not.toContain(secret);
  }, 120_000);

  it("continues a session: the earlier task's transcript is replayed and a follow-up starts from its tree", async () => {
    const first = await startSession(slugsScript());
    first.keys("fix slugify\r");
    await first.waitFor("■ solved");
    first.keys("\u0003\u0003");
    await first.result;
    const sessionsDir = join(root, "sessions");
    const reopened = await Session.latest(sessionsDir, checkout);
    expect(reopened?.id).toBe(first.session.id);
    const again = await startSession(slugsScript(), { session: reopened! });
    await again.waitFor("replayed from the session's runs");
    expect(again.frame()).toContain("Session");
    expect(again.frame()).toContain("fix slugify — solved");
    again.keys("\u001b[A");
    await again.waitFor("› fix slugify");
    again.keys("\u0003\u0003");
    await again.result;
  }, 120_000);
});
