import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import type { RunReport } from "../../src/events/run-report.js";
import { modelScriptSchema } from "../../src/models/scripted-chat-model.js";
import { describeWithDocker } from "../support/require-docker.js";

/**
 * examples/word-stats: a tiny Python repository (built by build-repo.sh into repo.bundle), an
 * issue, the hand-written model turns (script.json) and the trajectory recorded from them. The
 * README tells a new user to replay it; these tests keep that promise true.
 */
const projectRoot = join(dirname(fileURLToPath(import.meta.url)), "../..");
const exampleDir = join(projectRoot, "examples/word-stats");
const bundlePath = join(exampleDir, "repo.bundle");
const trajectoryPath = join(exampleDir, "trajectory.jsonl");
const designedTestFile = "tests/test_issue_repro.py";
const existingTestFile = "tests/test_core.py";

/** `git bundle list-heads`: "<sha> <ref>" lines. */
function listHeads(bundle: string): string {
  return execFileSync("git", ["bundle", "list-heads", bundle], { encoding: "utf8" });
}

function readEvents(text: string): AgentEvent[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as AgentEvent);
}

type EventOf<T extends AgentEvent["type"]> = Extract<AgentEvent, { type: T }>;

function eventsOf<T extends AgentEvent["type"]>(events: AgentEvent[], type: T): EventOf<T>[] {
  return events.filter((event): event is EventOf<T> => event.type === type);
}

/** The model's side of a trajectory: each reply's text and tool calls, in order. */
function modelTurns(events: AgentEvent[]) {
  return eventsOf(events, "model-call-end").map((event) => ({ node: event.node, message: event.message, usage: event.usage }));
}

let scratch: string;

beforeEach(async () => {
  scratch = await mkdtemp(join(tmpdir(), "agent-example-"));
});

afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("examples/word-stats", () => {
  it("build-repo.sh rebuilds the committed bundle's commit, and the trajectory was recorded on it", async () => {
    const rebuilt = join(scratch, "out", "rebuilt.bundle");
    const printed = execFileSync("bash", [join(exampleDir, "build-repo.sh"), rebuilt], { encoding: "utf8", env: { PATH: process.env["PATH"] ?? "", HOME: scratch } });
    const committed = listHeads(bundlePath);
    expect(committed).toMatch(/^[0-9a-f]{40} refs\/heads\/main$/m);
    expect(listHeads(rebuilt)).toBe(committed);
    const head = committed.split(" ")[0]!;
    expect(printed).toContain(head);
    const start = eventsOf(readEvents(await readFile(trajectoryPath, "utf8")), "run-start")[0]!;
    expect(start.baseCommit).toBe(head);
  }, 60_000);

  it("the trajectory is a recording of script.json: the same replies, in order, and no secrets", async () => {
    const text = await readFile(trajectoryPath, "utf8");
    const script = modelScriptSchema.parse(JSON.parse(await readFile(join(exampleDir, "script.json"), "utf8")));
    const recordedEvents = readEvents(text);
    expect(eventsOf(recordedEvents, "run-end")[0]).toMatchObject({ status: "solved" });
    const recorded = modelTurns(recordedEvents);
    expect(recorded.map((turn) => ({ text: turn.message.text, calls: turn.message.toolCalls.map((call) => ({ name: call.name, args: call.args })) }))).toEqual(
      script.turns.map((turn) => ({ text: turn.content, calls: turn.toolCalls.map((call) => ({ name: call.name, args: call.args })) })),
    );
    expect(recorded.map((turn) => [turn.usage.inputTokens, turn.usage.outputTokens])).toEqual(script.turns.map((turn) => [turn.usage?.input, turn.usage?.output]));
    expect(text).not.toMatch(/sk-[A-Za-z0-9]|ghp_|github_pat_|Bearer /);
  });
});

/** Runs bin/agent.js from the project root with a fresh home: no user config, keys, memory or runs. */
function runAgent(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const env: Record<string, string> = {
    PATH: process.env["PATH"] ?? "",
    HOME: join(home, "home"),
    XDG_CONFIG_HOME: join(home, "config"),
    XDG_STATE_HOME: join(home, "state"),
    XDG_CACHE_HOME: join(home, "cache"),
    XDG_DATA_HOME: join(home, "data"),
    ...(process.env["DOCKER_HOST"] ? { DOCKER_HOST: process.env["DOCKER_HOST"] } : {}),
  };
  const child = spawn(process.execPath, [join(projectRoot, "bin/agent.js"), ...args], { cwd: projectRoot, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describeWithDocker("examples/word-stats replayed in the Docker sandbox", () => {
  it("solves the issue as the README says: designed tests fail before and pass after, existing tests still pass", async () => {
    const home = join(scratch, "user");
    await mkdir(join(home, "home"), { recursive: true });
    const runsDir = join(scratch, "runs");
    const run = await runAgent(
      ["solve", "examples/word-stats/ISSUE.md", "--repo", "examples/word-stats/repo.bundle", "--model", "replay:examples/word-stats/trajectory.jsonl", "--runs-dir", runsDir],
      home,
    );
    expect(run.stderr).toContain("sandbox docker");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("status:  solved");
    expect(run.stdout).toContain("changed: wordstats/core.py");

    const [runId, ...others] = await readdir(runsDir).then((names) => names.filter((name) => /^\d{8}-/.test(name)));
    expect(others).toEqual([]);
    const runDir = join(runsDir, runId!);
    const patch = await readFile(join(runDir, "patch.diff"), "utf8");
    expect(patch).toContain("diff --git a/wordstats/core.py b/wordstats/core.py");
    expect(patch).toContain("+    return _WORD.findall(text.lower())");
    expect(patch).not.toContain(designedTestFile);

    const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as RunReport;
    expect(report).toMatchObject({ status: "solved", sandbox: "docker", changedFiles: ["wordstats/core.py"], errors: [] });
    // The reproduction tests fail on the base commit and pass on the patched tree; the existing tests still pass.
    expect(report.tests.designed.base).toMatchObject({ failed: 6, passed: 0 });
    expect(report.tests.designed.patched).toMatchObject({ failed: 0, passed: 6 });
    expect(report.tests.failToPass).toHaveLength(6);
    expect(report.tests.existing.base).toMatchObject({ command: `python3 -m pytest -rA ${existingTestFile}`, passed: 7, failed: 0, errors: 0 });
    expect(report.tests.existing.patched).toMatchObject({ command: `python3 -m pytest -rA ${existingTestFile}`, passed: 7, failed: 0, errors: 0 });
    expect(report.tests.passToFail).toEqual([]);

    // The designed tests: every one fails on the base commit and passes on the patched tree.
    const events = readEvents(await readFile(join(runDir, "trajectory.jsonl"), "utf8"));
    const designedRuns = eventsOf(events, "test-run-end").filter((event) => event.command.includes(designedTestFile));
    expect(designedRuns.map((event) => event.phase)).toEqual(["base", "patched"]);
    const [before, after] = designedRuns as [EventOf<"test-run-end">, EventOf<"test-run-end">];
    expect(before.outcomes).toHaveLength(6);
    expect(before.outcomes.every((outcome) => outcome.status === "failed")).toBe(true);
    expect(after.outcomes.map((outcome) => outcome.test)).toEqual(before.outcomes.map((outcome) => outcome.test));
    expect(after.outcomes.every((outcome) => outcome.status === "passed")).toBe(true);
    expect(report.summary).toBe("solved: 6 reproduction test(s) fail before and pass after, no regression");
    expect([...report.tests.failToPass].sort()).toEqual(before.outcomes.map((outcome) => outcome.test).sort());

    // The replay played every recorded turn, and the run ended as the recording did.
    const recorded = readEvents(await readFile(trajectoryPath, "utf8"));
    expect(modelTurns(events)).toEqual(modelTurns(recorded));
    expect(eventsOf(events, "run-end")[0]).toMatchObject({ status: "solved", usage: eventsOf(recorded, "run-end")[0]!.usage });
    const testRuns = (from: AgentEvent[]) => eventsOf(from, "test-run-end").map((event) => ({ phase: event.phase, command: event.command, outcomes: event.outcomes }));
    expect(testRuns(events)).toEqual(testRuns(recorded));
  }, 300_000);
});
