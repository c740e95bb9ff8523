import { describe, expect, it } from "vitest";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { dockerFactories, type SandboxFactory } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "./graph-fixture.js";

/** A small Python package: slugify works, slugify_all does not exist yet. */
const repository = {
  "slugs/__init__.py": "from .core import slugify\n",
  "slugs/core.py": 'def slugify(text):\n    """Lower-case text with words joined by dashes."""\n    return text.lower().replace(" ", "-")\n',
  "tests/__init__.py": "",
  "tests/test_core.py": "from slugs import slugify\n\n\ndef test_lower_case():\n    assert slugify('Hello World') == 'hello-world'\n",
};

const addFunctionTask = {
  title: "Add slugify_all to slug a list of texts",
  body: "Please add `slugify_all(texts)` to the `slugs` package: it returns the slug of each text, e.g. `slugify_all(['A b', 'C'])` is `['a-b', 'c']`.",
};

const newFunctionTest =
  "from slugs import slugify_all\n\n\ndef test_many_texts_are_slugged_in_order():\n    assert slugify_all(['A b', 'C']) == ['a-b', 'c']\n\n\n" +
  "def test_no_texts_give_no_slugs():\n    assert slugify_all([]) == []\n";

const stripTask = {
  title: "slugify keeps leading and trailing spaces",
  body: "`slugify('  Hello World ')` returns `'--hello-world-'`; it should return `'hello-world'`.",
};

const stripTest = "from slugs import slugify\n\n\ndef test_surrounding_spaces_are_dropped():\n    assert slugify('  Hello World ') == 'hello-world'\n";

const plan = (relevant: string[]) =>
  call("submit_plan", {
    summary: "slugs/core.py holds slugify.",
    findings: [{ file: "slugs/core.py", line: 1, symbol: "slugify", reason: "the function to change or extend" }],
    steps: [
      { owner: "test-designer", description: "Reproduce the issue from its text", done_criterion: "a test fails on the current code" },
      { owner: "programmer", description: "Change slugs/core.py", done_criterion: "the reproduction passes" },
    ],
    relevant_tests: relevant,
  });

const designTests = (content: string, command = "python3 -m pytest -rA {tests}") => [
  call("edit_file", { command: "create", path: "tests/test_issue_repro.py", file_text: content }),
  call("run_shell", { command: "python3 -m pytest -rA tests/test_issue_repro.py" }),
  call("submit_tests", { framework: "pytest", command_template: command, tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "the behaviour the issue asks for" }] }),
];

const RETURN_LINE = '    return text.lower().replace(" ", "-")';
const STRIP_FIX = '    return "-".join(text.lower().split())';
const recoveries = (events: AgentEvent[]) => events.filter((event): event is Extract<AgentEvent, { type: "recovery" }> => event.type === "recovery");
/** The outputs of one tool's calls by the programmer, in order. */
const toolOutputs = (events: AgentEvent[], tool: string) =>
  events
    .filter((event): event is Extract<AgentEvent, { type: "tool-call-end" }> => event.type === "tool-call-end" && event.tool === tool && event.node === "programmer")
    .map((event) => event.output);

describe.each(dockerFactories)("the agent core's feedback loop in the $name sandbox", (factory: SandboxFactory) => {
  it("solves an issue whose reproduction imports a function that does not exist until the fix adds it", async () => {
    const result = await runGraphWithScripts({
      factory,
      source: await createSourceRepository(repository),
      task: addFunctionTask,
      scripts: {
        planner: [call("search", { pattern: "def slugify" }), plan(["tests/test_core.py"])],
        testDesigner: designTests(newFunctionTest),
        programmer: [
          call("run_designed_tests", {}),
          call("edit_file", { command: "insert", path: "slugs/core.py", insert_line: 3, new_str: "\n\ndef slugify_all(texts):\n    \"\"\"The slug of each text, in order.\"\"\"\n    return [slugify(text) for text in texts]\n" }),
          call("edit_file", { command: "str_replace", path: "slugs/__init__.py", old_str: "from .core import slugify\n", new_str: "from .core import slugify, slugify_all\n" }),
          call("run_designed_tests", {}),
          call("submit_patch", { summary: "Added slugify_all." }),
        ],
      },
    });

    expect(result.state.status).toBe("solved");
    expect(result.state.verdict).toMatchObject({ solved: true, notFixed: [], regressions: [], testProblem: null });
    expect(result.state.verdict!.reproduced).toEqual([
      "tests/test_issue_repro.py::test_many_texts_are_slugged_in_order",
      "tests/test_issue_repro.py::test_no_texts_give_no_slugs",
    ]);
    const [beforeFix, afterFix] = toolOutputs(result.events, "run_designed_tests");
    expect(beforeFix).toContain("cannot import name 'slugify_all'");
    expect(beforeFix).not.toContain("from slugs import slugify_all");
    expect(beforeFix).not.toContain("assert slugify_all");
    expect(afterFix).toMatch(/^2 passed/);
    expect(result.state.patch).not.toContain("test_issue_repro");
  }, 300_000);

  it("lets the programmer edit and test one file ten times without any intervention", async () => {
    const attempts = Array.from({ length: 9 }, (_, index) => index + 1).flatMap((attempt) => [
      call("view_file", { path: "slugs/core.py" }),
      call("edit_file", {
        command: "str_replace",
        path: "slugs/core.py",
        old_str: attempt === 1 ? RETURN_LINE : `${RETURN_LINE.replace('" ", "-"', `" " * ${attempt - 1} or " ", "-"`)}`,
        new_str: `${RETURN_LINE.replace('" ", "-"', `" " * ${attempt} or " ", "-"`)}`,
      }),
      call("run_designed_tests", {}),
    ]);
    const result = await runGraphWithScripts({
      factory,
      source: await createSourceRepository(repository),
      task: stripTask,
      scripts: {
        planner: [plan(["tests/test_core.py"])],
        testDesigner: designTests(stripTest),
        programmer: [
          ...attempts,
          call("view_file", { path: "slugs/core.py" }),
          call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE.replace('" ", "-"', '" " * 9 or " ", "-"'), new_str: STRIP_FIX }),
          call("run_designed_tests", {}),
          call("submit_patch", { summary: "Split on whitespace." }),
        ],
      },
    });

    expect(recoveries(result.events)).toEqual([]);
    const edits = toolOutputs(result.events, "edit_file");
    expect(edits).toHaveLength(10);
    expect(edits.filter((output) => !output.startsWith("Edited"))).toEqual([]);
    expect(result.state.status).toBe("solved");
    expect(result.state.patch).toContain(`+${STRIP_FIX}`);
  }, 300_000);

  it("redirects a programmer that makes the same failing edit three times, and it recovers", async () => {
    const wrongEdit = call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE, new_str: RETURN_LINE.replace('"-"', '"_"') });
    const sameApproach = [wrongEdit, call("run_designed_tests", {}), call("git_restore", { path: "slugs/core.py" })];
    const result = await runGraphWithScripts({
      factory,
      source: await createSourceRepository(repository),
      task: stripTask,
      scripts: {
        planner: [plan(["tests/test_core.py"])],
        testDesigner: designTests(stripTest),
        programmer: [
          ...sameApproach,
          ...sameApproach,
          wrongEdit,
          call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE.replace('"-"', '"_"'), new_str: STRIP_FIX }),
          call("run_designed_tests", {}),
          call("submit_patch", { summary: "Split on whitespace instead." }),
        ],
      },
    });

    const redirected = recoveries(result.events);
    expect(redirected.map((event) => event.action)).toEqual(["told the role to change approach"]);
    expect(redirected[0]!.reason).toContain("3 times on the same code");
    const redirection = result.models.programmer.requests[7]!.messages.at(-1)!.text;
    expect(redirection).toMatch(/^Loop control: you have called edit_file/);
    expect(result.state.status).toBe("solved");
    expect(result.state.patch).toContain(`+${STRIP_FIX}`);
  }, 300_000);

  it("sends the run back to the test designer when its command does not run, and the second try runs", async () => {
    const result = await runGraphWithScripts({
      factory,
      source: await createSourceRepository(repository),
      task: stripTask,
      scripts: {
        planner: [plan(["tests/test_core.py"])],
        testDesigner: [
          ...designTests(stripTest, "pytest-that-is-not-installed -rA {tests}"),
          call("run_shell", { command: "python3 -m pytest -rA tests/test_issue_repro.py" }),
          call("submit_tests", { framework: "pytest", command_template: "python3 -m pytest -rA {tests}", tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are dropped" }] }),
        ],
        programmer: [call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE, new_str: STRIP_FIX }), call("submit_patch", { summary: "Split on whitespace." })],
      },
    });

    const visits = result.events.filter((event) => event.type === "node-start").map((event) => (event as { node: string }).node);
    expect(visits).toEqual(["planner", "test-designer", "programmer", "executor", "test-designer", "executor"]);
    const secondVisit = result.models.testDesigner.requests[3]!.messages[1]!.text;
    expect(secondVisit).toContain("# Your previous tests need rework");
    expect(secondVisit).toContain("pytest-that-is-not-installed: command not found");
    expect(secondVisit).not.toContain(STRIP_FIX);
    expect(result.state.testRedesigns).toBe(1);
    expect(result.state.status).toBe("solved");
  }, 300_000);

  it("keeps the test designer to adding files: an edit of an existing file is undone before the base runs", async () => {
    const result = await runGraphWithScripts({
      factory,
      source: await createSourceRepository(repository),
      task: stripTask,
      scripts: {
        planner: [plan([])],
        testDesigner: [call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE, new_str: STRIP_FIX }), ...designTests(stripTest)],
        programmer: [call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: RETURN_LINE, new_str: STRIP_FIX }), call("submit_patch", { summary: "Split on whitespace." })],
      },
    });

    expect(result.state.notes).toContainEqual({ role: "test-designer", text: "undid the change to slugs/core.py: the test designer may only add files" });
    const base = result.state.testRuns.find((run) => run.phase === "base" && run.scope === "designed")!;
    expect(base.outcomes).toEqual([{ test: "tests/test_issue_repro.py::test_surrounding_spaces_are_dropped", status: "failed" }]);
    expect(result.state.status).toBe("solved");
  }, 300_000);
});
