import { appendFile, mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { createSecretRedactor } from "../../src/events/redact-secrets.js";
import { createRunRecorder, newRunId, readTrajectory, RUN_FILES } from "../../src/events/run-recorder.js";
import { buildRunReport } from "../../src/events/run-report.js";
import { loadReplayTurns } from "../../src/models/replay-turns.js";
import { samplePatch, sampleRunEvents } from "./sample-run.js";

const FAKE_KEY = "sk-test-4f9a8b7c6d5e4f3a2b1c";

async function tempRunDir(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "run-recorder-")), "runs", "20250314-093000-a1b2c3");
}

async function record(runDir: string, events: AgentEvent[], redact?: (text: string) => string): Promise<void> {
  const recorder = await createRunRecorder({ runDir, ...(redact ? { redact } : {}) });
  for (const event of events) recorder.sink(event);
  await recorder.close();
}

async function trajectoryLines(runDir: string): Promise<string[]> {
  return (await readFile(join(runDir, RUN_FILES.trajectory), "utf8")).split("\n").filter(Boolean);
}

describe("createRunRecorder", () => {
  it("appends one JSON line per event, in the order the events came", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents();
    await record(runDir, events);
    expect((await trajectoryLines(runDir)).map((line) => JSON.parse(line))).toEqual(events);
  });

  it("continues the trajectory of a resumed run instead of replacing it", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents();
    await record(runDir, events.slice(0, 5));
    await record(runDir, events.slice(5));
    expect((await trajectoryLines(runDir)).map((line) => JSON.parse(line))).toEqual(events);
  });

  it("never writes a secret, wherever in an event it appears", async () => {
    const runDir = await tempRunDir();
    const [start] = sampleRunEvents();
    const leaky: AgentEvent[] = [
      start!,
      {
        type: "tool-call-end",
        runId: start!.runId,
        timestamp: start!.timestamp,
        callId: "tc-1",
        node: "programmer",
        tool: "run_shell",
        ok: false,
        output: `curl: 401 for key ${FAKE_KEY}`,
        durationMs: 5,
      },
      {
        type: "model-call-end",
        runId: start!.runId,
        timestamp: start!.timestamp,
        callId: "c1",
        model: "openai:gpt-4.1",
        message: { text: `export OPENAI_API_KEY=${FAKE_KEY}`, toolCalls: [{ id: "t", name: "run_shell", args: { env: { [FAKE_KEY]: [FAKE_KEY] } } }] },
        usage: { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0 },
        cost: { usd: null, basis: "unknown" },
        durationMs: 1,
        attempts: 1,
      },
    ];
    await record(runDir, leaky, createSecretRedactor([FAKE_KEY]));
    const text = await readFile(join(runDir, RUN_FILES.trajectory), "utf8");
    expect(text).not.toContain(FAKE_KEY);
    expect(text.match(/\[redacted\]/g)).toHaveLength(4);
  });

  it("keeps secrets out of the summary and the report too", async () => {
    const runDir = await tempRunDir();
    const recorder = await createRunRecorder({ runDir, redact: createSecretRedactor([FAKE_KEY]) });
    const report = buildRunReport(sampleRunEvents());
    await recorder.writeReport({ ...report, summary: `used ${FAKE_KEY}` });
    await recorder.writeSummary(`# Run\nused ${FAKE_KEY}\n`);
    await recorder.close();
    const written = (await readFile(join(runDir, RUN_FILES.report), "utf8")) + (await readFile(join(runDir, RUN_FILES.summary), "utf8"));
    expect(written).not.toContain(FAKE_KEY);
  });

  it("writes report.json as pretty JSON that reads back as the report", async () => {
    const runDir = await tempRunDir();
    const recorder = await createRunRecorder({ runDir });
    const report = buildRunReport(sampleRunEvents(), { patch: samplePatch });
    await recorder.writeReport(report);
    await recorder.close();
    const text = await readFile(join(runDir, RUN_FILES.report), "utf8");
    expect(text).toContain('\n  "runId": ');
    expect(JSON.parse(text)).toEqual(report);
  });

  it("writes patch.diff and removes it when the patch becomes empty", async () => {
    const runDir = await tempRunDir();
    const recorder = await createRunRecorder({ runDir });
    const path = await recorder.writePatch(samplePatch);
    expect(await readFile(path!, "utf8")).toBe(samplePatch);
    expect(await recorder.writePatch("")).toBeUndefined();
    await expect(stat(join(runDir, RUN_FILES.patch))).rejects.toThrow(/ENOENT/);
    await recorder.close();
  });

  it("drops events that arrive after close instead of throwing", async () => {
    const runDir = await tempRunDir();
    const [first, second] = sampleRunEvents();
    const recorder = await createRunRecorder({ runDir });
    recorder.sink(first!);
    await recorder.close();
    expect(() => recorder.sink(second!)).not.toThrow();
    expect(await trajectoryLines(runDir)).toHaveLength(1);
  });

  it("writes a trajectory that the replay model plays back, turn for turn", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents();
    await record(runDir, events);
    const turns = await loadReplayTurns(runDir);
    const calls = events.filter((event) => event.type === "model-call-end");
    expect(turns.map((turn) => [turn.content, turn.toolCalls])).toEqual(calls.map((call) => [call.message.text, call.message.toolCalls]));
    expect(turns.map((turn) => turn.usage?.input)).toEqual(calls.map((call) => call.usage.inputTokens));
  });
});

describe("readTrajectory", () => {
  it("returns the events and their stored lines", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents();
    await record(runDir, events);
    const trajectory = await readTrajectory(runDir);
    expect(trajectory.events).toEqual(events);
    expect(trajectory.lines).toEqual(await trajectoryLines(runDir));
    expect(trajectory.truncated).toBe(false);
  });

  it("keeps the complete lines of a trajectory whose last line was cut off, and says so", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents().slice(0, 6);
    await record(runDir, events);
    await appendFile(join(runDir, RUN_FILES.trajectory), JSON.stringify(sampleRunEvents()[6]).slice(0, 40));
    const trajectory = await readTrajectory(join(runDir, RUN_FILES.trajectory));
    expect(trajectory.events).toEqual(events);
    expect(trajectory.truncated).toBe(true);
  });

  it("sets a line cut off by a crash apart when the run resumes, so later events stay readable", async () => {
    const runDir = await tempRunDir();
    const events = sampleRunEvents();
    await record(runDir, events.slice(0, 3));
    await appendFile(join(runDir, RUN_FILES.trajectory), '{"type":"tool-ca');
    await record(runDir, events.slice(3));
    const trajectory = await readTrajectory(runDir);
    expect(trajectory.events).toEqual(events);
    expect(trajectory.damagedLines).toEqual([4]);
    expect(trajectory.truncated).toBe(false);
  });

  it("rejects a missing trajectory with a message naming the path", async () => {
    const missing = join(await mkdtemp(join(tmpdir(), "run-recorder-")), "nope");
    await expect(readTrajectory(missing)).rejects.toThrow(`Cannot read the trajectory ${missing}`);
  });

  it("skips blank lines", async () => {
    const dir = await mkdtemp(join(tmpdir(), "run-recorder-"));
    const [first] = sampleRunEvents();
    await writeFile(join(dir, "t.jsonl"), `\n${JSON.stringify(first)}\n\n`);
    const trajectory = await readTrajectory(join(dir, "t.jsonl"));
    expect(trajectory).toMatchObject({ events: [first], truncated: false, damagedLines: [] });
  });
});

describe("newRunId", () => {
  it("is the UTC start time to the second and six hex digits, so ids sort by start time", () => {
    const id = newRunId(new Date("2025-03-14T09:30:05.123Z"), () => Uint8Array.from([0xa1, 0xb2, 0xc3]));
    expect(id).toBe("20250314-093005-a1b2c3");
  });

  it("gives different ids to runs started in the same second", () => {
    const now = new Date("2025-03-14T09:30:05Z");
    expect(newRunId(now)).not.toBe(newRunId(now));
  });
});
