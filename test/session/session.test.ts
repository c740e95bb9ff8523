import { execFileSync } from "node:child_process";
import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { RunSteering } from "../../src/agents/run-steering.js";
import { AbortedError, SandboxError } from "../../src/errors.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { Session, type SessionRunOptions } from "../../src/session/session.js";
import { slugsScript, writeSlugsRepository } from "../cli/solve-fixture.js";
import { localRunFixture } from "../support/session-fixture.js";

let root: string;
let checkout: string;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "agent-session-"));
  checkout = join(root, "project");
  await writeSlugsRepository(checkout);
});

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" }).trim();

/** What every task of these sessions runs with: a local sandbox, a scripted model, the runs under the test's root. */
async function runOptions(script: unknown, extra: Partial<SessionRunOptions> = {}): Promise<SessionRunOptions & { events: AgentEvent[] }> {
  const { environment } = await localRunFixture(root, checkout, script);
  const events: AgentEvent[] = [];
  return {
    events,
    ...environment,
    approvalMode: "full-auto",
    sink: (event) => events.push(event),
    ...extra,
  };
}

/** A follow-up's script: the planner plans, the test designer adds a test of `slugify("")`, the programmer guards empty input. */
function followUpScript() {
  const turn = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, args }] });
  const test = "import unittest\nfrom slugs import slugify\n\n\nclass Empty(unittest.TestCase):\n    def test_empty(self):\n        self.assertEqual(slugify(''), 'empty')\n";
  return {
    turns: [
      turn("submit_plan", { summary: "empty input", findings: [{ file: "slugs/core.py", reason: "no guard" }], steps: [{ owner: "programmer", description: "guard", done_criterion: "test passes" }] }),
      turn("edit_file", { command: "create", path: "tests/test_empty.py", file_text: test }),
      turn("submit_tests", { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "tests/test_empty.py", kind: "edge", description: "empty" }] }),
      // The first task's fix must be in this tree for the old text to be found.
      turn("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: '    return "-".join(text.lower().split())', new_str: '    return "-".join(text.lower().split()) or "empty"' }),
      turn("submit_patch", { summary: "empty input gives 'empty'" }),
    ],
  };
}

describe("a terminal session", () => {
  it("commits a task's patch on its own tree, leaves the checkout alone, and starts a follow-up from that tree", async () => {
    const before = git(checkout, "status", "--porcelain") + git(checkout, "rev-parse", "HEAD");
    const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
    const first = await session.runTask({ title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, await runOptions(slugsScript()));
    expect(first.status).toBe("solved");
    expect(session.tasks).toMatchObject([{ runId: first.runId, status: "solved", commit: expect.any(String) }]);

    const followUp = await session.runTask({ title: "and empty input should give 'empty'", body: "slugify('') == 'empty'", source: "typed" }, await runOptions(followUpScript()));
    expect(followUp.status, followUp.report.summary ?? "").toBe("solved");
    // The follow-up's own patch is only its change; the session's patch holds both.
    expect(followUp.patch).toContain('or "empty"');
    expect(followUp.patch).not.toContain('-    return text.lower().replace(" ", "-")');
    const whole = await session.patch();
    expect(whole).toContain('-    return text.lower().replace(" ", "-")');
    expect(whole).toContain('+    return "-".join(text.lower().split()) or "empty"');
    expect(git(checkout, "status", "--porcelain") + git(checkout, "rev-parse", "HEAD")).toBe(before);
    const prompt = JSON.parse(await readFile(join(first.runDir, "..", followUp.runId, "run.json"), "utf8")) as { task: { body: string } };
    expect(prompt.task.body).toContain("1. slugify keeps surrounding spaces (solved)");
  }, 120_000);

  it("applies the session's patch to the checkout only when asked, and undoes the last task on its own tree", async () => {
    const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
    await session.runTask({ title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, await runOptions(slugsScript()));
    expect(await session.undoLastTask()).toContain('Undid "slugify keeps surrounding spaces');
    expect(await session.patch()).toBe("");
    expect(await session.undoLastTask()).toBe("Nothing to undo: no task of this session has changed the tree.");
    const again = await session.runTask({ title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, await runOptions(slugsScript()));
    expect(again.status).toBe("solved");
    const applied = await session.applyToCheckout();
    expect(applied).toMatchObject({ applied: true, files: 1 });
    expect(await readFile(join(checkout, "slugs/core.py"), "utf8")).toContain('"-".join(text.lower().split())');
    expect(await readFile(applied.patchFile, "utf8")).toBe(await session.patch());
  }, 120_000);

  it("keeps a task interrupted mid-way unfinished, and commits its patch once it is resumed", async () => {
    const sessionsDir = join(root, "sessions");
    const session = await Session.start({ sessionsDir, checkoutRoot: checkout });
    const controller = new AbortController();
    const options = await runOptions(slugsScript("sleep 3"), { signal: controller.signal });
    const running = session.runTask({ title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, { ...options, sink: (event) => {
      if (event.type === "tool-call-start" && event.tool === "run_shell") controller.abort();
    } });
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    const reopened = await Session.latest(sessionsDir, checkout);
    expect(reopened?.id).toBe(session.id);
    const unfinished = reopened!.unfinishedTask;
    expect(unfinished).toMatchObject({ status: "interrupted" });
    const resumed = await reopened!.resumeTask(unfinished!.runId, await runOptions(slugsScript("sleep 3")));
    expect(resumed.status).toBe("solved");
    expect(reopened!.tasks.at(-1)).toMatchObject({ status: "solved", commit: expect.any(String) });
    expect(await reopened!.patch()).toContain('"-".join(text.lower().split())');
  }, 120_000);

  it("records a task whose run cannot start as an error, not as an interrupted run to resume", async () => {
    const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
    const refused = runOptions(slugsScript(), {
      confirmSandbox: async () => {
        throw new SandboxError("Stopped: the local sandbox was not accepted.", { code: "local-sandbox-refused" });
      },
    });
    await expect(session.runTask({ title: "t", body: "b", source: "typed" }, await refused)).rejects.toThrow("not accepted");
    expect(session.tasks).toMatchObject([{ status: "error" }]);
  });

  it("remembers what was typed, once per repeat, across reopening", async () => {
    const sessionsDir = join(root, "sessions");
    const session = await Session.start({ sessionsDir, checkoutRoot: checkout });
    await session.remember("fix the bug");
    await session.remember("fix the bug");
    await session.remember("/diff");
    expect((await Session.open(sessionsDir, session.id)).history).toEqual(["fix the bug", "/diff"]);
    await expect(Session.open(sessionsDir, "20990101-000000-abcdef")).rejects.toThrow("No session 20990101-000000-abcdef");
    expect(await Session.latest(sessionsDir, join(root, "elsewhere"))).toBeUndefined();
  });

  it("works from the checkout's HEAD when it is detached", async () => {
    await writeFile(join(checkout, "extra.txt"), "x\n");
    execFileSync("sh", ["-c", "git add -A && git -c user.name=t -c user.email=t@t commit -qm extra && git checkout -q --detach HEAD"], { cwd: checkout });
    const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
    expect(await session.repository.head()).toBe(git(checkout, "rev-parse", "HEAD"));
  });

  it("steers a task: guidance typed before it starts reaches its first role", async () => {
    const steering = new RunSteering();
    const session = await Session.start({ sessionsDir: join(root, "sessions"), checkoutRoot: checkout });
    steering.guide("keep the function name");
    const outcome = await session.runTask({ title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, await runOptions(slugsScript(), { steering }));
    expect(outcome.status).toBe("solved");
    const trajectory = await readFile(join(outcome.runDir, "trajectory.jsonl"), "utf8");
    expect(trajectory).toContain('"type":"guidance-given","node":"planner","text":"keep the function name"');
  }, 120_000);
});
