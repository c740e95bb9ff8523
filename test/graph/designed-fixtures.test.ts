import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { runTask } from "../../src/graph/run-task.js";
import { writeSlugsRepository } from "../cli/solve-fixture.js";
import { localRunFixture } from "../support/session-fixture.js";

const turn = (name: string, args: Record<string, unknown>) => ({ toolCalls: [{ name, args }], usage: { input: 500, output: 20 } });

/** A reproduction test that reads its cases from a fixture beside it. */
const fixtureTest =
  "import json\nimport os\nimport unittest\nfrom slugs import slugify\n\nHERE = os.path.dirname(os.path.abspath(__file__))\n\n\n" +
  "class Repro(unittest.TestCase):\n    def test_cases(self):\n        with open(os.path.join(HERE, 'data', 'cases.json')) as cases:\n" +
  "            for case in json.load(cases):\n                self.assertEqual(slugify(case['text']), case['slug'])\n";
const fixture = '[{"text": " A B ", "slug": "a-b"}, {"text": "C D", "slug": "c-d"}]\n';

/** The whole run: a plan; tests handed in first with the fixture as a test (sent back), then with it as a support file; the fix. */
const script = {
  turns: [
    turn("submit_plan", {
      summary: "slugify keeps surrounding spaces",
      findings: [{ file: "slugs/core.py", line: 1, reason: "replace() on raw text" }],
      steps: [{ owner: "programmer", description: "split and join", done_criterion: "repro passes" }],
    }),
    turn("edit_file", { command: "create", path: "tests/test_repro.py", file_text: fixtureTest }),
    turn("edit_file", { command: "create", path: "tests/data/cases.json", file_text: fixture }),
    turn("submit_tests", {
      framework: "unittest",
      command_template: "python3 -m unittest -v {tests}",
      tests: [
        { path: "tests/test_repro.py", kind: "basic", description: "the cases of the fixture" },
        { path: "tests/data/cases.json", kind: "basic", description: "the cases" },
      ],
    }),
    turn("submit_tests", {
      framework: "unittest",
      command_template: "python3 -m unittest -v {tests}",
      tests: [{ path: "tests/test_repro.py", kind: "basic", description: "the cases of the fixture" }],
      support_files: ["tests/data/cases.json"],
    }),
    turn("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: 'text.lower().replace(" ", "-")', new_str: '"-".join(text.lower().split())' }),
    turn("submit_patch", { summary: "split on whitespace" }),
  ],
};

describe("designed tests with a fixture", () => {
  it("run with the fixture written beside them in both trees, never passed to the test command, after a hand-in listing it as a test was sent back", async () => {
    const root = await mkdtemp(join(tmpdir(), "agent-designed-fixtures-"));
    const checkout = join(root, "project");
    await writeSlugsRepository(checkout);
    const { environment } = await localRunFixture(root, checkout, script);
    const events: AgentEvent[] = [];
    const outcome = await runTask({ ...environment, task: { title: "slugify keeps surrounding spaces", body: "strip them", source: "typed" }, repoPath: checkout, sink: (event) => events.push(event) });

    expect(outcome.status).toBe("solved");
    expect(outcome.report.modelCalls.byNode["test-designer"]).toBe(4);
    expect(outcome.report.tests.designed).toMatchObject({ base: { failed: 1, errors: 0 }, patched: { passed: 1, failed: 0, errors: 0 } });
    const commands = events.flatMap((event) => (event.type === "test-run-end" && event.scope === "designed" ? [event.command] : []));
    expect(commands).toEqual(["python3 -m unittest -v tests/test_repro.py", "python3 -m unittest -v tests/test_repro.py"]);
  }, 120_000);
});
