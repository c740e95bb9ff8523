import { appendFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeEach, describe, expect, it } from "vitest";
import { createRunRecorder, RUN_FILES } from "../../src/events/run-recorder.js";
import { buildRunReport, renderSummaryMarkdown } from "../../src/events/run-report.js";
import { samplePatch, sampleRunEvents, sampleRunId } from "../events/sample-run.js";
import { createCliSandbox, runInProcess, type CliSandbox } from "./cli-harness.js";

let sandbox: CliSandbox;
let runDir: string;

/** Records the sample run into runs/<run-id>/ of the project, as a real run would. */
async function recordSampleRun(): Promise<string> {
  const dir = join(sandbox.project, "runs", sampleRunId);
  const recorder = await createRunRecorder({ runDir: dir });
  const events = sampleRunEvents();
  for (const event of events) recorder.sink(event);
  await recorder.writePatch(samplePatch);
  const report = buildRunReport(events, { patch: samplePatch });
  await recorder.writeReport(report);
  await recorder.writeSummary(renderSummaryMarkdown(report, { patch: samplePatch }));
  await recorder.close();
  return dir;
}

beforeEach(async () => {
  sandbox = await createCliSandbox();
  runDir = await recordSampleRun();
});

describe("agent replay", () => {
  it("prints each event of a recorded run, then its report", async () => {
    const run = await runInProcess(["replay", `runs/${sampleRunId}`], sandbox);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe("");
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^\[run\] start 20250314-093000-a1b2c3: Parsing an empty config file/);
    expect(lines).toContain("[programmer] tool edit_file ok (15 ms)");
    expect(lines).toContain("[executor] tests (base): 2 passed, 2 failed, 1 skipped (exit 1, 2.4 s)");
    expect(run.stdout).toMatch(/^status: {3}solved — load_config now returns/m);
    expect(run.stdout).toContain("cost:     $0.04\n");
    expect(run.stdout).toContain("fail → pass 2: tests/test_config.py::test_missing_section, tests/test_empty_config.py::test_empty_file_gives_defaults");
    expect(run.stdout).toContain("changed:  src/widgets/config.py, tests/test_empty_config.py");
  });

  it("accepts the trajectory file itself and shows hidden events with --verbose", async () => {
    const quiet = await runInProcess(["replay", join(runDir, RUN_FILES.trajectory)], sandbox);
    const verbose = await runInProcess(["replay", join(runDir, RUN_FILES.trajectory), "--verbose"], sandbox);
    expect(quiet.stdout).not.toContain("] text ");
    expect(verbose.stdout).toContain('[programmer] text "The loader now returns the defaults for an empty file."');
  });

  it("prints exactly the stored lines with --json", async () => {
    const run = await runInProcess(["replay", runDir, "--json"], sandbox);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(await readFile(join(runDir, RUN_FILES.trajectory), "utf8"));
  });

  it("warns about a truncated last line on stderr and still exits 0", async () => {
    await appendFile(join(runDir, RUN_FILES.trajectory), '{"type":"model-call-st');
    const run = await runInProcess(["replay", runDir, "--json"], sandbox);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: the last line of .*trajectory\.jsonl is incomplete/);
    expect(run.stdout.trim().split("\n")).toHaveLength(sampleRunEvents().length);
  });

  it("reports a run without run-end as interrupted", async () => {
    const dir = join(sandbox.project, "runs", "killed");
    const recorder = await createRunRecorder({ runDir: dir });
    for (const event of sampleRunEvents().slice(0, 12)) recorder.sink(event);
    await recorder.close();
    const run = await runInProcess(["replay", dir], sandbox);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("status:   interrupted");
  });

  it("exits 2 and says what it expected when the path does not exist", async () => {
    const run = await runInProcess(["replay", "runs/nope"], sandbox);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Nothing at .*runs\/nope: agent replay expects a run directory \(runs\/<run-id>\) or its trajectory\.jsonl/);
  });

  it("exits 2 when the directory holds no trajectory", async () => {
    await mkdir(join(sandbox.project, "empty"));
    const run = await runInProcess(["replay", "empty"], sandbox);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("has no trajectory.jsonl");
  });

  it("tells the viewer apart from the replay model in its help", async () => {
    const run = await runInProcess(["replay", "--help"], sandbox);
    expect(run.stdout).toContain("--model replay:<run-dir>");
  });
});
