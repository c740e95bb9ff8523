import { mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "./graph-fixture.js";

const local = sandboxFactories.find((factory) => factory.name === "local")!;

const repository = {
  "slugs/__init__.py": "from .core import slugify\n",
  "slugs/core.py": 'def slugify(text):\n    return text.lower().replace(" ", "-")\n',
  "tests/__init__.py": "",
  "tests/test_core.py": "import unittest\nfrom slugs import slugify\n\n\nclass T(unittest.TestCase):\n    def test_lower(self):\n        self.assertEqual(slugify('A B'), 'a-b')\n",
};
const repro = "import unittest\nfrom slugs import slugify\n\n\nclass Repro(unittest.TestCase):\n    def test_strip(self):\n        self.assertEqual(slugify(' A B '), 'a-b')\n";

describe("the executor's base runs", () => {
  it("start once the test designer has handed in and run while the programmer works; the executor takes them up and reports each once", async () => {
    const source = await createSourceRepository(repository);
    // Every test run appends where and when it started (ms) to a log outside the trees.
    const log = join(await mkdtemp(join(tmpdir(), "base-runs-")), "runs.log");
    const template = `echo "$PWD $(date +%s%3N)" >> ${log}; python3 -m unittest -v {tests}`;
    const result = await runGraphWithScripts({
      factory: local,
      source,
      task: { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` gives `-a-b-`." },
      limits: { maxReplans: 0 },
      scripts: {
        planner: [
          call("submit_plan", {
            summary: "slugify keeps surrounding spaces",
            findings: [{ file: "slugs/core.py", line: 2, reason: "replace() on raw text" }],
            steps: [{ owner: "programmer", description: "split and join", done_criterion: "repro passes" }],
            relevant_tests: ["tests/test_core.py"],
          }),
        ],
        testDesigner: [
          call("edit_file", { command: "create", path: "tests/test_repro.py", file_text: repro }),
          call("submit_tests", { framework: "unittest", command_template: template, tests: [{ path: "tests/test_repro.py", kind: "basic", description: "strips" }] }),
        ],
        programmer: [
          call("run_shell", { command: "sleep 2" }),
          call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: 'text.lower().replace(" ", "-")', new_str: '"-".join(text.lower().split())' }),
          call("submit_patch", { summary: "split on whitespace" }),
        ],
      },
    });
    expect(result.state.status).toBe("solved");
    const at = (event: AgentEvent | undefined) => Date.parse(event!.timestamp);
    const programmerEnd = at(result.events.find((event) => event.type === "node-end" && event.node === "programmer"));
    const runs = (await readFile(log, "utf8")).trim().split("\n").map((line) => ({ tree: line.split(" ")[0]!, startedAt: Number(line.split(" ")[1]) }));
    const base = runs.filter((run) => !run.tree.startsWith(result.programmerTree));
    const patched = runs.filter((run) => run.tree.startsWith(result.programmerTree));
    // The designed and the existing tests, once each on the base commit, both started before the programmer had finished.
    expect(base).toHaveLength(2);
    for (const run of base) expect(run.startedAt).toBeLessThan(programmerEnd);
    expect(patched).toHaveLength(2);
    for (const run of patched) expect(run.startedAt).toBeGreaterThanOrEqual(programmerEnd);
    // The executor still reports them, once each, base before patched.
    const reported = result.events.filter((event): event is Extract<AgentEvent, { type: "test-run-end" }> => event.type === "test-run-end");
    expect(reported.map((event) => `${event.scope} ${event.phase}`)).toEqual(["designed base", "designed patched", "existing base", "existing patched"]);
    expect(result.state.testRuns.filter((run) => run.phase === "base")).toHaveLength(2);
  }, 120_000);
});
