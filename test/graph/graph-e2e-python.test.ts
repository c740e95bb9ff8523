import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { sandboxFactories, type SandboxFactory } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "./graph-fixture.js";

/** A small Python package with a real bug: slugify keeps surrounding whitespace as dashes. */
const repository = {
  "slugs/__init__.py": "from .core import slugify\n",
  "slugs/core.py": 'def slugify(text):\n    """Lower-case text with words joined by dashes."""\n    return text.lower().replace(" ", "-")\n',
  "tests/__init__.py": "",
  "tests/test_core.py":
    "import unittest\nfrom slugs import slugify\n\n\nclass SlugifyTest(unittest.TestCase):\n    def test_lower_case(self):\n        self.assertEqual(slugify('Hello World'), 'hello-world')\n",
};

const task = {
  title: "slugify keeps leading and trailing spaces",
  body: "`slugify('  Hello World ')` returns `'--hello-world-'`; it should return `'hello-world'`.",
};

const reproTest =
  "import unittest\nfrom slugs import slugify\n\n\nclass IssueReproTest(unittest.TestCase):\n" +
  "    def test_strips_surrounding_spaces(self):\n        self.assertEqual(slugify('  Hello World '), 'hello-world')\n\n" +
  "    def test_only_spaces(self):\n        self.assertEqual(slugify('   '), '')\n";

const plannerScript = [
  call("search", { pattern: "def slugify" }),
  call("submit_plan", {
    summary: "slugify in slugs/core.py does not strip whitespace before replacing spaces.",
    findings: [{ file: "slugs/core.py", line: 1, symbol: "slugify", reason: "replaces every space, including surrounding ones" }],
    steps: [
      { owner: "test-designer", description: "Reproduce with surrounding spaces", done_criterion: "a test fails on the current code" },
      { owner: "programmer", description: "Strip the text before joining words", done_criterion: "the reproduction passes" },
    ],
    relevant_tests: ["tests/test_core.py"],
  }),
];

const testDesignerScript = [
  call("edit_file", { command: "create", path: "tests/test_issue_repro.py", file_text: reproTest }),
  call("run_shell", { command: "python3 -m unittest -v tests/test_issue_repro.py" }),
  call("submit_tests", {
    framework: "unittest",
    command_template: "python3 -m unittest -v {tests}",
    tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are stripped" }],
  }),
];

const fixEdit = {
  command: "str_replace",
  path: "slugs/core.py",
  old_str: '    return text.lower().replace(" ", "-")',
  new_str: '    return "-".join(text.lower().split())',
};

describe.each(sandboxFactories)("the agent graph on a Python repository in the $name sandbox", (factory: SandboxFactory) => {
  it("localises, reproduces, patches and verifies fails-before/passes-after", async () => {
    const source = await createSourceRepository(repository);
    const result = await runGraphWithScripts({
      factory,
      source,
      task,
      scripts: {
        planner: plannerScript,
        testDesigner: testDesignerScript,
        programmer: [call("view_file", { path: "slugs/core.py" }), call("edit_file", fixEdit), call("submit_patch", { summary: "Split on whitespace." })],
      },
    });

    expect(result.state.status).toBe("solved");
    expect(result.state.verdict).toMatchObject({
      solved: true,
      regressions: [],
      notFixed: [],
    });
    expect(result.state.verdict!.reproduced.length).toBe(2);
    expect(result.state.patch).toContain('+    return "-".join(text.lower().split())');
    expect(result.state.patch).not.toContain("test_issue_repro");
    expect(await readFile(join(result.programmerTree, "slugs/core.py"), "utf8")).toContain('"-".join');
    expect(result.events.filter((event) => event.type === "test-run-end").map((event) => (event as { phase: string }).phase)).toEqual([
      "base",
      "patched",
      "base",
      "patched",
    ]);
  }, 300_000);

  it("reports a regression to the programmer, who fixes it in a second round", async () => {
    const source = await createSourceRepository(repository);
    const breakingEdit = { ...fixEdit, new_str: '    return "-".join(text.split())' };
    const result = await runGraphWithScripts({
      factory,
      source,
      task,
      limits: { maxReplans: 0 },
      scripts: {
        planner: plannerScript,
        testDesigner: testDesignerScript,
        programmer: [
          call("edit_file", breakingEdit),
          call("submit_patch", { summary: "Split on whitespace." }),
          call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: breakingEdit.new_str, new_str: fixEdit.new_str }),
          call("submit_patch", { summary: "Also lower-case." }),
        ],
      },
    });

    const secondRound = result.models.programmer.requests[2]!;
    expect(secondRound.messages[1]!.text).toContain("Regressions (passed before, not now): test_lower_case (tests.test_core.SlugifyTest.test_lower_case) (passed before, failed after)");
    expect(secondRound.messages[1]!.text).toContain("test_lower_case");
    expect(result.state.round).toBe(2);
    expect(result.state.status).toBe("solved");
  }, 300_000);

  it("rolls a programmer going round in circles back to the round's checkpoint and lets it try another approach", async () => {
    const source = await createSourceRepository(repository);
    const wrongEdit = { ...fixEdit, new_str: '    return text.lower().replace(" ", "_")' };
    const circling = Array.from({ length: 9 }, () => call("view_file", { path: "slugs/core.py" }));
    const result = await runGraphWithScripts({
      factory,
      source,
      task,
      scripts: {
        planner: plannerScript,
        testDesigner: testDesignerScript,
        programmer: [call("edit_file", wrongEdit), ...circling, call("edit_file", fixEdit), call("submit_patch", { summary: "Split on whitespace." })],
      },
    });

    const recoveries = result.events.filter((event) => event.type === "recovery").map((event) => (event as { action: string }).action);
    expect(recoveries.at(-1)).toContain("rolled the working tree back");
    expect(result.models.programmer.requests.at(-2)!.messages[1]!.text).toContain("An approach that already failed");
    expect(result.state.status).toBe("solved");
    expect(result.state.patch).not.toContain('replace(" ", "_")');
  }, 300_000);
});
