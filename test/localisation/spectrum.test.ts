import { describe, expect, it } from "vitest";
import { findSuspects, rankSuspects } from "../../src/localisation/spectrum.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "../graph/graph-fixture.js";

const local = sandboxFactories.find((factory) => factory.name === "local")!;

/** parse() splits spaced input with split_spaced(), which drops the operator: only spaced input reaches the bug. */
const repository = {
  "calc/__init__.py": "",
  "calc/parse.py": [
    "def split_spaced(text):",
    "    return [part for part in text.split(' ') if part not in ('', '+')]",
    "",
    "",
    "def normalise(tokens):",
    "    return [token.strip() for token in tokens]",
    "",
    "",
    "def parse(text):",
    "    tokens = split_spaced(text) if ' ' in text else list(text)",
    "    return normalise(tokens)",
    "",
  ].join("\n"),
  "calc/unused.py": "def never_called():\n    return 1\n",
  "tests/__init__.py": "",
  "tests/test_parse.py":
    "import unittest\nfrom calc.parse import parse\n\n\nclass ParseTest(unittest.TestCase):\n    def test_compact(self):\n        self.assertEqual(parse('1+2'), ['1', '+', '2'])\n",
};
const reproduction =
  "import unittest\nfrom calc.parse import parse\n\n\nclass SpacedTest(unittest.TestCase):\n    def test_spaced(self):\n        self.assertEqual(parse('1 + 2'), ['1', '+', '2'])\n";

describe("spectrum-based localisation", () => {
  it("ranks first the function only the failing reproduction runs, then those the passing tests run too, and never a test or an unrun function", async () => {
    const source = await createSourceRepository({ ...repository, "tests/test_repro.py": reproduction });
    const sandbox = await local.create(source.path, { commandTimeoutMs: 60_000 });
    try {
      const suspects = await findSuspects(sandbox, {
        framework: "unittest",
        failingCommand: "python3 -m unittest tests.test_repro",
        passingCommand: "python3 -m unittest tests.test_parse",
        exclude: ["tests/test_repro.py"],
      });
      expect(suspects.map((suspect) => suspect.name)).toEqual(["split_spaced", "normalise", "parse"]);
      expect(suspects[0]).toMatchObject({ path: "calc/parse.py", line: 1, score: 1, evidence: "run by the failing reproduction, by none of the passing tests" });
      expect(suspects[1]!.score).toBeCloseTo(1 / Math.sqrt(2));
      // The recorder leaves nothing behind in the tree (its files are under /tmp, removed after).
      expect((await sandbox.exec({ command: "git status --porcelain --untracked-files=all | grep -v __pycache__; true" })).stdout.trim()).toBe("");
    } finally {
      await sandbox.dispose();
    }
  }, 60_000);

  it("points at nothing when the reproduction passes, or the runner is not Python", async () => {
    const source = await createSourceRepository(repository);
    const sandbox = await local.create(source.path, { commandTimeoutMs: 60_000 });
    try {
      expect(await findSuspects(sandbox, { framework: "unittest", failingCommand: "python3 -m unittest tests.test_parse", exclude: [] })).toEqual([]);
      expect(await findSuspects(sandbox, { framework: "jest", failingCommand: "false", exclude: [] })).toEqual([]);
    } finally {
      await sandbox.dispose();
    }
  }, 60_000);

  it("breaks ties by fewer calls and leaves out test files and module bodies", () => {
    const fn = (path: string, name: string, calls: number, line = 1) => ({ path, line, name, calls });
    const ranked = rankSuspects({
      failing: [[fn("pkg/a.py", "hot", 50), fn("pkg/a.py", "rare", 1, 9), fn("tests/test_a.py", "test_it", 1), fn("pkg/a.py", "<module>", 1), fn("pkg/conftest.py", "fixture", 1)]],
      passing: [],
    });
    expect(ranked.map((suspect) => suspect.name)).toEqual(["rare", "hot"]);
  });

  it("reaches the programmer: its first prompt lists the suspects after the test designer's hand-in", async () => {
    const source = await createSourceRepository(repository);
    const result = await runGraphWithScripts({
      factory: local,
      source,
      task: { title: "parse drops the operator of spaced input", body: "`parse('1 + 2')` gives `['1', '2']`." },
      spectrum: true,
      limits: { maxReplans: 0 },
      scripts: {
        planner: [
          call("submit_plan", {
            summary: "parse loses '+' on spaced input.",
            findings: [{ file: "calc/parse.py", line: 9, symbol: "parse", reason: "entry point" }],
            steps: [{ owner: "programmer", description: "keep the operator", done_criterion: "the reproduction passes" }],
            relevant_tests: ["tests/test_parse.py"],
          }),
        ],
        testDesigner: [
          call("edit_file", { command: "create", path: "tests/test_repro.py", file_text: reproduction }),
          call("submit_tests", { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "tests/test_repro.py", kind: "basic", description: "spaced input keeps '+'" }] }),
        ],
        programmer: [
          call("edit_file", { command: "str_replace", path: "calc/parse.py", old_str: "if part not in ('', '+')]", new_str: "if part != '']" }),
          call("submit_patch", { summary: "Keep the operator." }),
        ],
      },
    });
    expect(result.state.status).toBe("solved");
    expect(result.state.suspects[0]).toMatchObject({ path: "calc/parse.py", name: "split_spaced" });
    const prompt = result.models.programmer.requests[0]!.messages[1]!.text;
    expect(prompt).toContain("Functions the failing reproduction runs, most suspicious first");
    expect(prompt).toContain("1. calc/parse.py:1 split_spaced (run by the failing reproduction, by none of the passing tests)");
    expect(prompt).not.toContain("never_called");
  }, 120_000);
});
