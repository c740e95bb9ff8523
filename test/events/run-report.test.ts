import { describe, expect, it } from "vitest";
import type { AgentEvent, TestOutcome } from "../../src/events/agent-event.js";
import { buildRunReport, listPatchFiles, renderReportText, renderSummaryMarkdown } from "../../src/events/run-report.js";
import { samplePatch, sampleRunEvents, sampleRunId } from "./sample-run.js";

function testRun(phase: "base" | "patched", statuses: Record<string, TestOutcome["status"]>, scope?: "designed" | "existing"): AgentEvent {
  return {
    type: "test-run-end",
    runId: sampleRunId,
    timestamp: "2025-03-14T09:31:00.000Z",
    phase,
    ...(scope ? { scope } : {}),
    command: "pytest",
    exitCode: 1,
    outcomes: Object.entries(statuses).map(([test, status]) => ({ test, status })),
    durationMs: 100,
  };
}

describe("buildRunReport", () => {
  it("takes the run's identity, status and timing from run-start and run-end", () => {
    const report = buildRunReport(sampleRunEvents());
    expect(report).toMatchObject({
      runId: sampleRunId,
      task: { title: "Parsing an empty config file crashes with TypeError", source: "https://github.com/acme/widgets/issues/42" },
      model: "openai:gpt-4.1",
      status: "solved",
      timing: { startedAt: "2025-03-14T09:30:00.000Z" },
    });
    const end = sampleRunEvents().at(-1)!;
    expect(report.timing.endedAt).toBe(end.timestamp);
    expect(report.timing.durationMs).toBe(end.type === "run-end" ? end.durationMs : -1);
  });

  it("counts model calls and tool calls per node", () => {
    const report = buildRunReport(sampleRunEvents());
    expect(report.modelCalls).toEqual({ total: 8, retries: 1, byNode: { planner: 2, "test-designer": 1, programmer: 5 } });
    expect(report.toolCalls).toEqual({
      total: 6,
      failed: 1,
      byNode: { planner: 1, "test-designer": 1, programmer: 4 },
      byTool: { search: 1, edit_file: 3, view_file: 1, run_shell: 1 },
    });
  });

  it("sums the usage and the cost of every model call", () => {
    const events = sampleRunEvents();
    const report = buildRunReport(events);
    const end = events.at(-1)!;
    if (end.type !== "run-end") throw new Error("the sample run ends with run-end");
    expect(report.usage).toEqual(end.usage);
    expect(report.cost).toEqual({ usd: 0.0362, unknownCostCalls: [] });
  });

  it("reports the cost as unknown when one call's cost is unknown, and names that call", () => {
    const report = buildRunReport(sampleRunEvents({ lastCallCostUsd: null }));
    expect(report.cost).toEqual({ usd: null, unknownCostCalls: [{ callId: "model-call-8", model: "openai:gpt-4.1", node: "programmer" }] });
  });

  it("takes the last test run of each phase and derives fail-to-pass and pass-to-fail", () => {
    const events = [
      ...sampleRunEvents().filter((event) => event.type !== "test-run-end"),
      testRun("base", { a: "failed" }),
      testRun("base", { a: "passed", b: "failed", c: "passed", d: "error", e: "passed" }),
      testRun("patched", { a: "passed", b: "passed", c: "failed", d: "passed", e: "passed", new: "passed" }),
    ];
    const { tests } = buildRunReport(events);
    expect(tests.failToPass).toEqual(["b", "d"]);
    expect(tests.passToFail).toEqual(["c"]);
    expect(tests.existing.base).toMatchObject({ passed: 3, failed: 1, errors: 1, total: 5 });
    expect(tests.existing.patched).toMatchObject({ passed: 5, failed: 1, errors: 0, total: 6 });
  });

  it("keeps the reproduction tests and the existing tests apart, as the executor runs them one after the other", () => {
    const events = [
      ...sampleRunEvents().filter((event) => event.type !== "test-run-end"),
      testRun("base", { repro_a: "failed", repro_b: "error" }, "designed"),
      testRun("base", { old_1: "passed", old_2: "passed" }, "existing"),
      testRun("patched", { repro_a: "passed", repro_b: "passed" }, "designed"),
      testRun("patched", { old_1: "passed", old_2: "failed" }, "existing"),
    ];
    const report = buildRunReport(events);
    expect(report.tests.failToPass).toEqual(["repro_a", "repro_b"]);
    expect(report.tests.passToFail).toEqual(["old_2"]);
    expect(report.tests.designed.base).toMatchObject({ failed: 1, errors: 1, total: 2 });
    expect(report.tests.designed.patched).toMatchObject({ passed: 2, total: 2 });
    expect(report.tests.existing.patched).toMatchObject({ passed: 1, failed: 1 });
    const summary = renderSummaryMarkdown(report);
    expect(summary).toContain("| reproduction tests | base |");
    expect(summary).toContain("| existing tests | patched |");
    expect(summary).toMatch(/Fail → pass \(2\):\n\n- `repro_a`\n- `repro_b`/);
  });

  it("calls a run without run-end interrupted and says so among the errors", () => {
    const events = sampleRunEvents().filter((event) => event.type !== "run-end");
    const report = buildRunReport(events, { trajectoryTruncated: true });
    expect(report.status).toBe("interrupted");
    expect(report.timing.endedAt).toBe(events.at(-1)!.timestamp);
    expect(report.errors.map((error) => error.kind)).toEqual(["interrupted", "trajectory-truncated"]);
  });

  it("reports a model call that never returned", () => {
    const events = sampleRunEvents();
    const cut = events.findIndex((event) => event.type === "model-call-end" && event.callId === "model-call-8");
    const report = buildRunReport(events.slice(0, cut));
    expect(report.errors[0]).toMatchObject({ kind: "model-call-unfinished", node: "programmer" });
  });

  it("leaves model calls made while parallel nodes run unattributed rather than guessing", () => {
    const [start, ...rest] = sampleRunEvents();
    const at = { runId: sampleRunId, timestamp: start!.timestamp };
    const call = rest.find((event) => event.type === "model-call-start")!;
    const events: AgentEvent[] = [
      start!,
      { ...at, type: "node-start", node: "test-designer", round: 1 },
      { ...at, type: "node-start", node: "programmer", round: 1 },
      call,
    ];
    expect(buildRunReport(events).modelCalls.byNode).toEqual({ unattributed: 1 });
  });

  it("splits model usage by role, naming the models each role called", () => {
    // The programmer's calls go to another model, as with models.programmer in the config.
    let node = "";
    const events = sampleRunEvents().map((event) => {
      if (event.type === "node-start") node = event.node;
      return (event.type === "model-call-start" || event.type === "model-call-end") && node === "programmer" ? { ...event, model: "anthropic:claude-sonnet-4" } : event;
    });
    const report = buildRunReport(events);
    expect(Object.keys(report.usageByRole)).toEqual(["planner", "test-designer", "programmer"]);
    expect(report.usageByRole["planner"]!.models).toEqual(["openai:gpt-4.1"]);
    expect(report.usageByRole["programmer"]).toMatchObject({ models: ["anthropic:claude-sonnet-4"], calls: 5 });
    const roles = Object.values(report.usageByRole);
    expect(roles.reduce((sum, role) => sum + role.usage.inputTokens, 0)).toBe(report.usage.inputTokens);
    expect(roles.reduce((sum, role) => sum + role.usage.outputTokens, 0)).toBe(report.usage.outputTokens);
    expect(roles.reduce((sum, role) => sum + (role.costUsd ?? 0), 0)).toBeCloseTo(report.cost.usd!, 10);
  });

  it("lists the changed files when given the patch", () => {
    expect(buildRunReport(sampleRunEvents(), { patch: samplePatch }).changedFiles).toEqual(["src/widgets/config.py", "tests/test_empty_config.py"]);
    expect(buildRunReport(sampleRunEvents()).changedFiles).toBeNull();
  });
});

describe("listPatchFiles", () => {
  it("reads renames, quoted paths and paths with spaces from the diff headers", () => {
    const patch = [
      "diff --git a/old name.py b/new name.py",
      "diff --git a/my file.txt b/my file.txt",
      'diff --git "a/caf\\303\\251.txt" "b/tab\\there.txt"',
      "diff --git a/x b/x",
    ].join("\n");
    expect(listPatchFiles(patch)).toEqual(["old name.py → new name.py", "my file.txt", "café.txt → tab\there.txt", "x"]);
  });

  it("reads a rename's paths from its rename lines when the header can be split more than one way (found by test/fuzz)", () => {
    const patch = [
      'diff --git a/ a/a "b/\\""',
      "similarity index 50%",
      "rename from  a/a",
      'rename to "\\""',
      "diff --git a/Plan b/x b/Plan b/y",
      "similarity index 100%",
      "rename from Plan b/x",
      "rename to Plan b/y",
    ].join("\n");
    expect(listPatchFiles(patch)).toEqual([' a/a → "', "Plan b/x → Plan b/y"]);
  });
});

describe("renderSummaryMarkdown", () => {
  it("describes the sample run for people", () => {
    const report = buildRunReport(sampleRunEvents());
    expect(renderSummaryMarkdown(report, { patch: samplePatch })).toMatchSnapshot();
  });

  it("says when no tests were run and the patch is unknown", () => {
    const report = buildRunReport(sampleRunEvents().filter((event) => event.type !== "test-run-end"));
    const markdown = renderSummaryMarkdown(report);
    expect(markdown).toContain("No tests were run.");
    expect(markdown).toContain("The patch was not recorded.");
  });
});

describe("renderReportText", () => {
  it("prints the status, calls, cost and tests of the sample run", () => {
    expect(renderReportText(buildRunReport(sampleRunEvents(), { patch: samplePatch }))).toMatchSnapshot();
  });
});
