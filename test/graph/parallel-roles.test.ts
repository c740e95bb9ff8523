import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MemorySaver, StateGraph, START, END } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { AbortedError } from "../../src/errors.js";
import { readCheckpointState } from "../../src/graph/checkpoint-state.js";
import { AgentState, type AgentStateValue } from "../../src/memory/blackboard.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { call, createSourceRepository, rebuiltTrees, runGraphWithScripts, type RoleScripts } from "./graph-fixture.js";

const local = sandboxFactories.find((factory) => factory.name === "local")!;

const repository = {
  "slugs/__init__.py": "from .core import slugify\n",
  "slugs/core.py": 'def slugify(text):\n    """Lower-case text with words joined by dashes."""\n    return text.lower().replace(" ", "-")\n',
  "tests/__init__.py": "",
  "tests/test_core.py":
    "import unittest\nfrom slugs import slugify\n\n\nclass SlugifyTest(unittest.TestCase):\n    def test_lower_case(self):\n        self.assertEqual(slugify('Hello World'), 'hello-world')\n",
};
const task = { title: "slugify keeps leading and trailing spaces", body: "`slugify('  Hello World ')` returns `'--hello-world-'`; it should return `'hello-world'`." };
const reproTest =
  "import unittest\nfrom slugs import slugify\n\n\nclass IssueReproTest(unittest.TestCase):\n" +
  "    def test_strips_surrounding_spaces(self):\n        self.assertEqual(slugify('  Hello World '), 'hello-world')\n";
const fixed = '"-".join(text.lower().split())';

/** Per-role scripts; the test designer first spends `designerPause` in a shell command, so the programmer finishes first. */
function scripts(designerPause: string): RoleScripts {
  return {
    planner: [
      call("submit_plan", {
        summary: "slugify does not strip surrounding whitespace.",
        findings: [{ file: "slugs/core.py", line: 3, symbol: "slugify", reason: "replaces every space" }],
        steps: [
          { owner: "test-designer", description: "Reproduce with surrounding spaces", done_criterion: "a test fails on the current code" },
          { owner: "programmer", description: "Split on whitespace", done_criterion: "the reproduction passes" },
        ],
        relevant_tests: ["tests/test_core.py"],
      }),
    ],
    testDesigner: [
      call("run_shell", { command: `sleep ${designerPause} && echo designed-after-a-pause` }),
      call("edit_file", { command: "create", path: "tests/test_issue_repro.py", file_text: reproTest }),
      call("submit_tests", {
        framework: "unittest",
        command_template: "python3 -m unittest -v {tests}",
        tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are stripped" }],
      }),
    ],
    programmer: [
      call("edit_file", { command: "str_replace", path: "slugs/core.py", old_str: 'text.lower().replace(" ", "-")', new_str: fixed }),
      call("submit_patch", { summary: "Split on whitespace." }),
    ],
  };
}

/** Where each node started and ended, in event order. */
function timeline(events: AgentEvent[]): string[] {
  return events.flatMap((event) => (event.type === "node-start" || event.type === "node-end" ? [`${event.type === "node-start" ? "start" : "end"} ${event.node}`] : []));
}

describe("search.parallelRoles: the test designer and the programmer start together from the plan", () => {
  it("runs both at once, the executor once after both, and the test designer never sees the programmer's work", async () => {
    const source = await createSourceRepository(repository);
    const result = await runGraphWithScripts({ factory: local, source, task, scripts: scripts("1"), parallelRoles: true, limits: { maxReplans: 0 } });

    expect(result.state.status).toBe("solved");
    expect(result.state.patch).toContain(fixed);
    const order = timeline(result.events);
    // Both started before either ended; the programmer (no pause) ended first; the executor came after both, once.
    expect(order.slice(0, 2)).toEqual(["start planner", "end planner"]);
    expect([...order.slice(2, 4)].sort()).toEqual(["start programmer", "start test-designer"]);
    expect(order.slice(4, 6)).toEqual(["end programmer", "end test-designer"]);
    expect(order.slice(6, 8)).toEqual(["start executor", "end executor"]);
    expect(order.filter((entry) => entry === "start executor")).toHaveLength(1);
    // The programmer's first round had no designed tests to run, and was told so.
    expect(result.models.programmer.requests[0]!.messages[1]!.text).toContain("no reproduction tests yet");
    // The test designer's requests carry nothing of the fix.
    for (const request of result.models.testDesigner.requests) expect(JSON.stringify(request.messages)).not.toContain("split()");
    expect(result.state.verdict).toMatchObject({ solved: true, regressions: [] });
  }, 120_000);

  it("keeps the serial order when it is off: the programmer starts after the test designer has ended", async () => {
    const source = await createSourceRepository(repository);
    const result = await runGraphWithScripts({ factory: local, source, task, scripts: scripts("0"), limits: { maxReplans: 0 } });
    expect(result.state.status).toBe("solved");
    expect(timeline(result.events).slice(0, 6)).toEqual(["start planner", "end planner", "start test-designer", "end test-designer", "start programmer", "end programmer"]);
  }, 120_000);

  it("stopped while the test designer works after the programmer has finished, the programmer's patch is in the checkpoint, and the resumed run does not run the programmer again", async () => {
    const source = await createSourceRepository(repository);
    const saver = new MemorySaver();
    const controller = new AbortController();
    const stopped = await runGraphWithScripts({
      factory: local,
      source,
      task,
      scripts: scripts("30"),
      parallelRoles: true,
      checkpointer: saver,
      threadId: "parallel-run",
      signal: controller.signal,
      onEvent: (event) => {
        if (event.type === "node-end" && event.node === "programmer") setTimeout(() => controller.abort(new AbortedError("Interrupted (test).")), 200);
      },
    }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(Error);

    // The step's checkpoint is from before it; the programmer's finished writes are kept beside it.
    const saved = (await readCheckpointState(saver, "parallel-run"))!;
    expect(saved.patch).toContain(fixed);
    expect(saved.designedTests ?? []).toEqual([]);

    // Resumed in a tree rebuilt from that patch (as prepare-run does) with a programmer script that has no turns left.
    const resumed = await runGraphWithScripts({
      factory: local,
      source,
      task,
      scripts: { ...scripts("0"), programmer: [] },
      parallelRoles: true,
      checkpointer: saver,
      threadId: "parallel-run",
      resume: true,
      trees: await rebuiltTrees(source, saved),
    });
    expect(resumed.models.programmer.requests).toHaveLength(0);
    expect(resumed.models.testDesigner.requests.length).toBeGreaterThan(0);
    expect(resumed.state.status).toBe("solved");
    expect(await readFile(join(resumed.programmerTree, "slugs/core.py"), "utf8")).toContain(fixed);
  }, 120_000);
});

describe("limitHit on the blackboard", () => {
  it("stays set when a role that hit a limit and one that did not write in the same step, whichever write is applied last", async () => {
    for (const [hitter, clearer] of [["a-role", "b-role"], ["b-role", "a-role"]] as const) {
      const graph = new StateGraph(AgentState)
        .addNode(hitter, async () => ({ limitHit: "the step limit" }))
        .addNode(clearer, async () => ({ limitHit: null }))
        .addEdge(START, hitter)
        .addEdge(START, clearer)
        .addEdge(hitter, END)
        .addEdge(clearer, END)
        .compile();
      const state = (await graph.invoke({})) as AgentStateValue;
      expect(state.limitHit, `${hitter} hits, ${clearer} does not`).toBe("the step limit");
    }
  });
});
