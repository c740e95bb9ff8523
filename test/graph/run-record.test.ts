import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "vitest";
import { AbortedError } from "../../src/errors.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import type { RunReport } from "../../src/events/run-report.js";
import { resumeRun, runTask } from "../../src/graph/run-task.js";
import { slugsScript, writeSlugsRepository } from "../cli/solve-fixture.js";
import { localRunFixture } from "../support/session-fixture.js";

const task = { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` returns `'-a-b-'`; it should return `'a-b'`.", source: "typed" };

/**
 * A run's clock, far from the real one and moving by a fraction of a millisecond per reading,
 * so that a stamp or a duration taken from any other clock, or from another reading, shows.
 */
function fakeClock() {
  const clock = { ms: Date.parse("2031-03-04T05:06:07.000Z"), now: () => (clock.ms += 3.75) };
  return clock;
}

/** A slugs checkout and the environment of local runs on it with `script` as the model. */
async function runFixture(script: unknown) {
  const root = await mkdtemp(join(tmpdir(), "agent-run-record-"));
  const checkout = join(root, "project");
  await writeSlugsRepository(checkout);
  return (await localRunFixture(root, checkout, script)).environment;
}

const durationOf = (timing: RunReport["timing"]) => Date.parse(timing.endedAt!) - Date.parse(timing.startedAt!);

// One tool call is all these runs may make: the planner's first, after which the run goes to its end (limits-exceeded) with no test run to wait for.
describe.concurrent("a run's record", { timeout: 60_000 }, () => {
  it("has a duration equal to its end stamp minus its start stamp, both on the run's clock", async ({ expect }) => {
    const environment = await runFixture(slugsScript());
    const clock = fakeClock();
    const outcome = await runTask({ ...environment, task, repoPath: environment.cwd, now: clock.now, limits: { maxSteps: 1 } });

    expect(outcome.status).toBe("limits-exceeded");
    const { timing } = outcome.report;
    expect(timing.startedAt).toMatch(/^2031-03-04T05:06:/);
    expect(timing.durationMs).toBe(durationOf(timing));
    expect(timing.durationMs).toBeGreaterThan(0);
    const saved = JSON.parse(await readFile(join(outcome.runDir, "report.json"), "utf8")) as RunReport;
    expect(saved.timing).toEqual(timing);
  });

  it("counts a resumed run from its first start, the pause included, and its duration still equals its stamps' difference", async ({ expect }) => {
    const environment = await runFixture(slugsScript());
    const clock = fakeClock();
    const controller = new AbortController();
    let firstStart: AgentEvent | undefined;
    const interrupted = runTask({
      ...environment,
      task,
      repoPath: environment.cwd,
      now: clock.now,
      signal: controller.signal,
      sink: (event) => {
        firstStart ??= event.type === "run-start" ? event : undefined;
        if (event.type === "tool-call-start") controller.abort();
      },
    });
    await expect(interrupted).rejects.toBeInstanceOf(AbortedError);

    clock.ms += 60_000;
    const resumed = await resumeRun({ ...environment, runId: firstStart!.runId, now: clock.now, limits: { maxSteps: 1 } });

    expect(resumed.status).toBe("limits-exceeded");
    const { timing } = resumed.report;
    expect(timing.startedAt).toBe(firstStart!.timestamp);
    expect(timing.durationMs).toBe(durationOf(timing));
    expect(timing.durationMs).toBeGreaterThan(60_000);
  });

  it("records a call of a tool that does not exist like any other call, failed, marked unknown and with its secrets removed", async ({ expect }) => {
    const secret = "hunter2-known-secret-value";
    const input = { token: secret, header: "Bearer abcdefghijklmnopqrstuvwxyz0123" };
    const environment = await runFixture({ turns: [{ toolCalls: [{ name: "read_env", args: input }], usage: { input: 500, output: 20 } }] });
    const outcome = await runTask({ ...environment, task, repoPath: environment.cwd, secrets: [secret], limits: { maxSteps: 1 } });

    const trajectory = await readFile(join(outcome.runDir, "trajectory.jsonl"), "utf8");
    expect(trajectory).not.toContain(secret);
    expect(trajectory).not.toContain("abcdefghijklmnopqrstuvwxyz0123");
    const events = trajectory.trim().split("\n").map((line) => JSON.parse(line) as AgentEvent);
    expect(events.filter((event) => event.type === "tool-call-start" || event.type === "tool-call-end")).toMatchObject([
      { type: "tool-call-start", node: "planner", tool: "read_env", input: { token: "[redacted]", header: "Bearer [redacted]" } },
      { type: "tool-call-end", node: "planner", tool: "read_env", ok: false, display: "read_env: unknown tool", output: expect.stringMatching(/^There is no tool named read_env\. The tools are: /) },
    ]);
    expect(outcome.report.toolCalls).toMatchObject({ total: 1, failed: 1, byTool: { read_env: 1 } });
    expect(await readFile(join(outcome.runDir, "summary.md"), "utf8")).toMatch(/tool calls: 1 .*, 1 failed/);
  });
});
