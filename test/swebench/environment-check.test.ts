import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { countResults, environmentVerdict, formatResultCounts } from "../../swebench/environment-check.js";
import { diagnoseTestRun } from "../../swebench/evaluate-instance.js";
import type { InstanceResult } from "../../swebench/evaluate.js";
import type { Grade } from "../../swebench/grading.js";
import { scmVersion } from "../../swebench/scm-version.js";
import { cachedSetupFailure, recordSetupFailure } from "../../swebench/setup-failures.js";
import { replaceTable, TABLE_END, TABLE_START, validationTable } from "../../swebench/validation-report.js";

function graded(id: string, tests: { f2p: [string[], string[]]; p2p: [string[], string[]] }, options: { resolved?: boolean; parsed?: number; started?: boolean; lines?: string[] } = {}): InstanceResult {
  const grade: Grade = {
    instanceId: id,
    applied: true,
    status: options.resolved ? "RESOLVED_FULL" : "RESOLVED_NO",
    resolved: options.resolved ?? false,
    testsStatus: {
      FAIL_TO_PASS: { success: tests.f2p[0], failure: tests.f2p[1] },
      PASS_TO_PASS: { success: tests.p2p[0], failure: tests.p2p[1] },
      FAIL_TO_FAIL: { success: [], failure: [] },
      PASS_TO_FAIL: { success: [], failure: [] },
    },
    failToPass: 0,
    passToPass: 0,
    invalidReason: undefined,
  };
  return { instanceId: id, outcome: { kind: "graded", grade, diagnosis: { testsParsed: options.parsed ?? 3, runnerStarted: options.started ?? (options.parsed ?? 3) > 0, environmentLines: options.lines ?? [] } } };
}

describe("environmentVerdict", () => {
  it("accepts a gold run that resolves and an empty run where FAIL_TO_PASS fails and PASS_TO_PASS passes", () => {
    expect(environmentVerdict(graded("a", { f2p: [["t1"], []], p2p: [["t2"], []] }, { resolved: true }), "gold")).toEqual({ instanceId: "a", valid: true });
    expect(environmentVerdict(graded("a", { f2p: [[], ["t1"]], p2p: [["t2"], []] }), "empty")).toEqual({ instanceId: "a", valid: true });
  });

  it("names the failing tests of a gold run that does not resolve, and what the output says about the environment", () => {
    const verdict = environmentVerdict(graded("a", { f2p: [[], ["t1"]], p2p: [["t2"], ["t3", "t4", "t5", "t6", "t7", "t8"]] }, { lines: ["E   ModuleNotFoundError: No module named 'dotenv'"] }), "gold");
    expect(verdict).toMatchObject({ valid: false, problem: "tests" });
    expect(verdict.reason).toBe(
      "FAIL_TO_PASS failing with the gold patch: t1; PASS_TO_PASS failing: t3, t4, t5, t6, t7 (and 1 more). The output says: E   ModuleNotFoundError: No module named 'dotenv'",
    );
  });

  it("flags an empty run whose FAIL_TO_PASS passes without a patch", () => {
    const verdict = environmentVerdict(graded("a", { f2p: [["t1"], []], p2p: [["t2"], []] }), "empty");
    expect(verdict).toMatchObject({ valid: false, problem: "tests", reason: "FAIL_TO_PASS passing without a patch: t1." });
  });

  it("calls a run where no test result was parsed an environment problem whatever the check, with the reason", () => {
    const result = graded("a", { f2p: [[], ["t1"]], p2p: [[], ["t2"]] }, { parsed: 0, lines: ["/eval.sh: line 12: pytest: command not found"] });
    for (const check of ["gold", "empty"] as const) {
      expect(environmentVerdict(result, check)).toEqual({
        instanceId: "a",
        valid: false,
        problem: "tests-never-ran",
        reason: "no test result was parsed: the tests never ran. The output says: /eval.sh: line 12: pytest: command not found",
      });
    }
  });

  it("tells a run that crashed before its report (the runner started, nothing parsed) from one that never ran", () => {
    const verdict = environmentVerdict(graded("a", { f2p: [[], ["t1"]], p2p: [[], ["t2"]] }, { parsed: 0, started: true }), "empty");
    expect(verdict).toMatchObject({ valid: false, problem: "tests" });
    expect(verdict.reason).toContain("although the test runner started");
  });

  it("keeps an environment error's reason in full, and does not judge a skipped instance", () => {
    const reason = "Setting up x failed (exit 1). Its last lines:\nerror: invalid command 'egg_info'";
    expect(environmentVerdict({ instanceId: "x", outcome: { kind: "environment-error", reason } }, "gold")).toEqual({ instanceId: "x", valid: false, problem: "environment", reason });
    expect(environmentVerdict({ instanceId: "x", outcome: { kind: "skipped", reason: "report.json exists (use --redo)" } }, "gold").valid).toBeNull();
  });
});

describe("environmentVerdict of an instance skipped for its report.json", () => {
  it("judges it from the report's test results, so a resumed check still counts it", () => {
    const report = {
      patch_is_None: false,
      patch_exists: true,
      patch_successfully_applied: true,
      resolved: false,
      tests_status: {
        FAIL_TO_PASS: { success: [], failure: ["t1"] },
        PASS_TO_PASS: { success: ["t2"], failure: [] },
        FAIL_TO_FAIL: { success: [], failure: [] },
        PASS_TO_FAIL: { success: [], failure: [] },
      },
    };
    const skipped: InstanceResult = { instanceId: "a", outcome: { kind: "skipped", reason: "report.json exists (use --redo)", report } };
    expect(environmentVerdict(skipped, "empty")).toEqual({ instanceId: "a", valid: true });
    expect(environmentVerdict(skipped, "gold")).toEqual({ instanceId: "a", valid: false, problem: "tests", reason: "FAIL_TO_PASS failing with the gold patch: t1." });
  });
});

describe("countResults", () => {
  it("puts every result in exactly one count, so the counts add up", () => {
    const results: InstanceResult[] = [
      graded("a", { f2p: [["t"], []], p2p: [[], []] }, { resolved: true }),
      graded("b", { f2p: [[], ["t"]], p2p: [[], []] }),
      graded("c", { f2p: [[], ["t"]], p2p: [[], []] }, { parsed: 0 }),
      { instanceId: "d", outcome: { kind: "environment-error", reason: "no" } },
      { instanceId: "e", outcome: { kind: "empty-patch" } },
      { instanceId: "f", outcome: { kind: "skipped", reason: "exists" } },
      { instanceId: "g", outcome: { kind: "patch-failed", reason: "no" } },
    ];
    const counts = countResults(results);
    const { total, ...parts } = counts;
    expect(Object.values(parts).reduce((sum, count) => sum + count, 0)).toBe(total);
    expect(counts).toMatchObject({ total: 7, resolved: 1, unresolved: 1, testsNeverRan: 1, environmentErrors: 1, emptyPatches: 1, skipped: 1, patchFailed: 1 });
    expect(formatResultCounts(counts)).toBe(
      "7 instance(s): 1 resolved, 1 unresolved, 1 tests never ran (environment), 1 no environment, 1 patch did not apply, 1 empty patch, 1 skipped (report.json exists; --redo runs them again)",
    );
  });
});

describe("diagnoseTestRun", () => {
  it("counts parsed tests and keeps the distinct lines that name a missing command, module or network", () => {
    const output = ["+ pytest -rA tests", "bash: pytest: command not found", "E ModuleNotFoundError: No module named 'x'", "E ModuleNotFoundError: No module named 'x'", "ok"].join("\n");
    expect(diagnoseTestRun({}, output)).toEqual({ testsParsed: 0, runnerStarted: false, environmentLines: ["bash: pytest: command not found", "E ModuleNotFoundError: No module named 'x'"] });
    expect(diagnoseTestRun({ "t::a": "PASSED" }, "all good").testsParsed).toBe(1);
    expect(diagnoseTestRun({}, "platform linux\ncollected 11 items\n\nt.py ....\nINTERNALERROR> Traceback").runnerStarted).toBe(true);
    expect(diagnoseTestRun({}, "test_a (m.Tests) ... ok\n").runnerStarted).toBe(true);
  });
});

describe("scmVersion", () => {
  it("gives the version setuptools-scm's default scheme gives from git describe", () => {
    expect(scmVersion("5.4.1-0-gabc1234")).toBe("5.4.1");
    expect(scmVersion("5.4.1-12-gabc1234")).toBe("5.4.2.dev12");
    expect(scmVersion("8.0.0.dev0-53-g6995257cf")).toBe("8.0.0.dev53");
    expect(scmVersion("v2.0-3-gabcdef0")).toBe("2.1.dev3");
    expect(scmVersion("4.6.0rc1-5-gabcdef0")).toBe("4.6.0rc2.dev5");
    expect(scmVersion("release-2-gabcdef0")).toBeUndefined();
    expect(scmVersion("garbage")).toBeUndefined();
  });
});

describe("the set-up failure cache", () => {
  it("reports a recorded failure until --redo, which tries again once per process", async () => {
    const dir = await mkdtemp(join(tmpdir(), "setup-failures-"));
    const cache = { dir, retry: false };
    expect(await cachedSetupFailure(cache, "agent-swebench:x-1")).toBeUndefined();
    await recordSetupFailure(cache, "agent-swebench:x-1", "apt-get: Unable to locate package python3-nope");
    const cached = await cachedSetupFailure(cache, "agent-swebench:x-1");
    expect(cached).toContain("apt-get: Unable to locate package python3-nope");
    expect(cached).toContain("pass --redo to try again");
    expect(await cachedSetupFailure(cache, "agent-swebench:x-2")).toBeUndefined();
    const retrying = { dir, retry: true };
    expect(await cachedSetupFailure(retrying, "agent-swebench:x-1")).toBeUndefined();
    await recordSetupFailure(retrying, "agent-swebench:x-1", "failed again");
    expect(await cachedSetupFailure(retrying, "agent-swebench:x-1")).toContain("failed again");
  });
});

describe("the validation table", () => {
  it("counts valid instances per repository and version and gives the reason for each invalid one", () => {
    const instance = (id: string, version: string) => ({ instance_id: id, repo: "psf/requests", version });
    const table = validationTable(
      [
        { instance: instance("psf__requests-1", "2.3"), gold: { instanceId: "psf__requests-1", valid: true }, empty: { instanceId: "psf__requests-1", valid: true } },
        { instance: instance("psf__requests-2", "2.3"), gold: { instanceId: "psf__requests-2", valid: false, problem: "tests-never-ran", reason: "pytest | not found" }, empty: { instanceId: "psf__requests-2", valid: true } },
        { instance: instance("psf__requests-3", "0.14"), gold: { instanceId: "psf__requests-3", valid: true }, empty: undefined },
      ],
      "Measured.",
    );
    expect(table).toContain("Valid: 1/3 (the gold patch resolves 2, the tests without a patch behave as the dataset says 2; 1 not run without a patch yet).");
    expect(table).toContain("| psf/requests | 0.14 | bullseye | 1/1 | 0/1 (1 not run) | 0/1 |");
    expect(table).toContain("| psf/requests | 2.3 | bullseye | 1/2 | 2/2 | 1/2 |");
    expect(table).toContain("| psf__requests-2 | gold: tests-never-ran: pytest \\| not found |");
    expect(table).toContain("| psf__requests-3 | empty: not evaluated |");
    const readme = `# swebench\n\ntext\n\n${TABLE_START}\nthe stale table\n${TABLE_END}\n\nafter\n`;
    const replaced = replaceTable(readme, table);
    expect(replaced).toContain("text\n\n<!-- validation-table:start -->\nMeasured.");
    expect(replaced).not.toContain("the stale table");
    expect(replaced.endsWith(`${TABLE_END}\n\nafter\n`)).toBe(true);
    expect(replaceTable("# x\n", "T")).toBe(`# x\n\n${TABLE_START}\nT\n${TABLE_END}\n`);
  });
});
