import { describe, expect, it } from "vitest";
import type { RunLimits } from "../../src/memory/run-limits.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "./graph-fixture.js";

const local = sandboxFactories.find((factory) => factory.name === "local")!;

const repository = {
  "calc.py": "def add(a, b):\n    return a - b\n\n\ndef mul(a, b):\n    return a + b\n",
  "test_calc_existing.py": "import unittest\n",
};

const reproduction =
  "import unittest\nfrom calc import add, mul\n\n\nclass Repro(unittest.TestCase):\n" +
  "    def test_add(self):\n        self.assertEqual(add(2, 3), 5)\n\n    def test_mul(self):\n        self.assertEqual(mul(2, 3), 6)\n";

/** Planner: 1 tool call; test designer: 2; programmer round 1: 1 (a partial fix). Then round 2 would start. */
const scripts = {
  planner: [
    call("view_file", { path: "calc.py" }),
    call("submit_plan", { summary: "add and mul are wrong", findings: [], steps: [{ owner: "programmer", description: "fix", done_criterion: "tests pass" }] }),
  ],
  testDesigner: [
    call("edit_file", { command: "create", path: "test_repro.py", file_text: reproduction }),
    call("run_shell", { command: "python3 -m unittest -v test_repro.py" }),
    call("submit_tests", { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "test_repro.py", kind: "basic", description: "add and mul" }] }),
  ],
  programmer: [
    call("edit_file", { command: "str_replace", path: "calc.py", old_str: "return a - b", new_str: "return a + b" }),
    call("submit_patch", { summary: "fixed add" }),
    call("view_file", { path: "calc.py" }),
    call("view_file", { path: "calc.py", start_line: 4 }),
    call("edit_file", { command: "str_replace", path: "calc.py", old_str: "    return a + b\n\n\ndef mul", new_str: "    return a + b\n\n\ndef mul" }),
    call("submit_patch", { summary: "nothing more" }),
  ],
};

async function runWithLimits(limits: Partial<RunLimits>, clock?: { now: () => number; onEvent: Parameters<typeof runGraphWithScripts>[0]["onEvent"] }) {
  const source = await createSourceRepository(repository);
  return runGraphWithScripts({
    factory: local,
    source,
    task: { title: "add and mul are wrong", body: "add(2, 3) gives -1 and mul(2, 3) gives 5." },
    scripts,
    limits: { maxRounds: 5, ...limits },
    ...(clock ? { now: clock.now, onEvent: clock.onEvent } : {}),
  });
}

describe("budgets", () => {
  it.each<[string, Partial<RunLimits>, string]>([
    ["steps", { maxSteps: 5 }, "step limit (5 tool calls)"],
    ["tokens", { maxTokens: 7_500 }, "token limit (7500)"],
    ["cost", { maxCostUsd: 0.075 }, "cost limit ($0.075)"],
    ["rounds", { maxRounds: 1 }, "round limit (1)"],
  ])("the %s limit stops the run with limits-exceeded and keeps the best patch", async (_name, limits, reason) => {
    const result = await runWithLimits(limits);
    expect(result.state.status).toBe("limits-exceeded");
    expect(result.state.limitHit).toBe(reason);
    expect(result.state.patch).toContain("+    return a + b");
    expect(result.state.bestPatch?.round).toBe(1);
  }, 120_000);

  it("the wall-time limit stops the run with limits-exceeded and keeps the best patch", async () => {
    let offset = 0;
    const clock = {
      now: () => Date.now() + offset,
      onEvent: (event: { type: string; node?: string; round?: number }) => {
        if (event.type === "node-start" && event.node === "programmer" && event.round === 2) offset += 3_600_000;
      },
    };
    const result = await runWithLimits({ maxWallTimeSec: 600 }, clock);
    expect(result.state.status).toBe("limits-exceeded");
    expect(result.state.limitHit).toMatch(/time limit/);
    expect(result.state.patch).toContain("+    return a + b");
  }, 120_000);
});
