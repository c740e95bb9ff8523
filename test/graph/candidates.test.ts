import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { MemorySaver } from "@langchain/langgraph";
import { describe, expect, it } from "vitest";
import { AbortedError, AgentError } from "../../src/errors.js";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { buildRunReport, renderReportText } from "../../src/events/run-report.js";
import { readCheckpointState } from "../../src/graph/checkpoint-state.js";
import type { RunLimits } from "../../src/memory/run-limits.js";
import type { ScriptedTurn } from "../../src/models/scripted-chat-model.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { call, createSourceRepository, rebuiltTrees, runGraphWithScripts, type RoleScripts } from "./graph-fixture.js";

const local = sandboxFactories.find((factory) => factory.name === "local")!;

const original = 'text.lower().replace(" ", "-")';
const repository = {
  "slugs/__init__.py": "from .core import slugify\n",
  "slugs/core.py": `def slugify(text):\n    """Lower-case text with words joined by dashes."""\n    return ${original}\n`,
  "tests/__init__.py": "",
  "tests/test_core.py":
    "import unittest\nfrom slugs import slugify\n\n\nclass SlugifyTest(unittest.TestCase):\n" +
    "    def test_lower_case(self):\n        self.assertEqual(slugify('Hello World'), 'hello-world')\n\n" +
    "    def test_empty(self):\n        self.assertEqual(slugify(''), '')\n",
};
const task = { title: "slugify keeps surrounding spaces and runs of spaces", body: "`slugify('  Hello   World ')` returns `'--hello---world-'`; it should return `'hello-world'`." };
const reproTest =
  "import unittest\nfrom slugs import slugify\n\n\nclass IssueReproTest(unittest.TestCase):\n" +
  "    def test_strips_surrounding_spaces(self):\n        self.assertEqual(slugify(' Hello World '), 'hello-world')\n\n" +
  "    def test_collapses_inner_runs(self):\n        self.assertEqual(slugify('Hello   World'), 'hello-world')\n";

/** The candidates' changes to the return line. */
const fixes = {
  /** Right: splits on any run of whitespace. */
  split: '"-".join(text.lower().split())',
  /** The same change, spaced differently: the same after normalisation. */
  splitSpaced: '"-".join( text.lower().split( ) )',
  /** Also right, written another way. */
  regex: 're.sub(r"\\s+", "-", text.strip().lower())',
  /** Fixes the issue, and turns "" into "untitled": breaks test_empty. */
  untitled: '"-".join(text.lower().split()) or "untitled"',
  /** Fixes the surrounding spaces only. */
  stripOnly: 'text.strip().lower().replace(" ", "-")',
};

/** A candidate's script: optionally a pause, then its edit, then its hand-in; `null` hands in without changing anything. */
function candidate(fix: string | null, pause?: string): ScriptedTurn[] {
  return [
    ...(pause ? [call("run_shell", { command: `sleep ${pause}` })] : []),
    ...(fix === null
      ? []
      : [
          call("edit_file", {
            command: "str_replace",
            path: "slugs/core.py",
            old_str: `    return ${original}`,
            new_str: fix.startsWith("re.") ? `    import re\n    return ${fix}` : `    return ${fix}`,
          }),
        ]),
    call("submit_patch", { summary: fix === null ? "Nothing to change." : `Return ${fix}.` }),
  ];
}

/** The planner and the test designer every run shares; the main programmer has no turns: the candidates do its first round. */
const roles: RoleScripts = {
  planner: [
    call("submit_plan", {
      summary: "slugify joins on single spaces and keeps the surrounding ones.",
      findings: [{ file: "slugs/core.py", line: 3, symbol: "slugify", reason: "replaces each space" }],
      steps: [
        { owner: "test-designer", description: "Reproduce both cases", done_criterion: "the tests fail on the current code" },
        { owner: "programmer", description: "Split on whitespace", done_criterion: "the reproduction passes" },
      ],
      relevant_tests: ["tests/test_core.py"],
      approaches: ["Split on any whitespace and join the words with dashes.", "Strip the text, then collapse runs of spaces with a regular expression."],
    }),
  ],
  testDesigner: [
    call("edit_file", { command: "create", path: "tests/test_issue_repro.py", file_text: reproTest }),
    call("submit_tests", {
      framework: "unittest",
      command_template: "python3 -m unittest -v {tests}",
      tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "surrounding spaces are stripped and runs collapse" }],
    }),
  ],
  programmer: [],
};

/** A run of the real graph on a fresh copy of the repository, its first round done by these candidates. */
async function runCandidates(candidates: NonNullable<Parameters<typeof runGraphWithScripts>[0]["candidates"]>, limits: Partial<RunLimits> = {}) {
  const source = await createSourceRepository(repository);
  return runGraphWithScripts({ factory: local, source, task, scripts: roles, candidates, limits: { maxReplans: 0, ...limits } });
}

function selected(events: AgentEvent[]) {
  return events.find((event): event is Extract<AgentEvent, { type: "candidates-selected" }> => event.type === "candidates-selected");
}

describe("search.candidates: several first-round attempts, each verified in its own tree, and a selection", () => {
  it("keeps a candidate that breaks no test over one that breaks an existing test, and puts it in the run's tree", async () => {
    const result = await runCandidates({ scripts: [candidate(fixes.untitled), candidate(fixes.split)] });

    expect(result.state.selection?.winner).toBe(1);
    expect(result.state.selection?.reason).toContain("breaks fewer tests");
    const [first, second] = result.state.selection!.ranking;
    expect(first).toMatchObject({ index: 1, fixed: 2, regressions: 0 });
    expect(second).toMatchObject({ index: 0, fixed: 2, regressions: 1 });
    expect(result.state.status).toBe("solved");
    expect(result.state.patch).toContain(fixes.split);
    expect(result.state.patch).not.toContain("untitled");
    expect(await readFile(join(result.programmerTree, "slugs/core.py"), "utf8")).toContain(fixes.split);
    // Each candidate was verified: two patched runs per scope, and one base run per scope (shared, not run twice at once).
    const runs = result.events.filter((event): event is Extract<AgentEvent, { type: "test-run-end" }> => event.type === "test-run-end");
    expect(runs.filter((run) => run.phase === "base").map((run) => run.scope).sort()).toEqual(["designed", "existing"]);
    expect(runs.filter((run) => run.phase === "patched")).toHaveLength(4);
    // Each candidate was asked to try the plan's approach of its rank; the test designer never saw them.
    expect(result.candidateModels[0]!.requests[0]!.messages[1]!.text).toContain("Try this way of fixing it: Split on any whitespace");
    expect(result.candidateModels[1]!.requests[0]!.messages[1]!.text).toContain("Try this way of fixing it: Strip the text, then collapse");
    for (const request of result.models.testDesigner.requests) expect(JSON.stringify(request.messages)).not.toContain("collapse runs of spaces");
    // Each candidate's model wrote its own attempt; the main programmer was not called.
    expect(result.models.programmer.requests).toHaveLength(0);
    expect(result.candidateModels.map((model) => model.requests.length)).toEqual([2, 2]);
    // The report has every candidate, with its patch, and the winner's test runs.
    const report = buildRunReport(result.events);
    expect(report.candidates?.winner).toBe(1);
    expect(report.candidates?.candidates.map((entry) => entry.index)).toEqual([1, 0]);
    expect(report.candidates?.candidates[1]!.patch).toContain("untitled");
    expect(report.tests.passToFail).toEqual([]);
    expect(renderReportText(report)).toContain("candidates: 2, kept 2: candidate 2 won: it breaks fewer tests");
  }, 120_000);

  it("lets two candidates that made the same change outvote a third that came first", async () => {
    const result = await runCandidates({ scripts: [candidate(fixes.regex), candidate(fixes.split), candidate(fixes.splitSpaced)] });

    expect(result.state.status).toBe("solved");
    expect(result.state.selection?.winner).toBe(1);
    expect(result.state.selection?.reason).toContain("more candidates made the same change (2 against 1)");
    expect(result.state.selection?.ranking.map((standing) => [standing.index, standing.agreement])).toEqual([[1, 2], [2, 2], [0, 1]]);
    expect(result.state.patch).toContain(fixes.split);
    expect(selected(result.events)?.candidates).toHaveLength(3);
    // The plan named two approaches: the third candidate has none of its own.
    expect(result.candidateModels[2]!.requests[0]!.messages[1]!.text).not.toContain("# Your approach");
  }, 120_000);

  it("keeps the best partial patch when every candidate fails", async () => {
    const result = await runCandidates({ scripts: [candidate(null), candidate("text.upper()"), candidate(fixes.stripOnly)] }, { maxRounds: 1 });

    expect(result.state.verdict?.solved).toBe(false);
    expect(result.state.status).toBe("limits-exceeded");
    expect(result.state.selection?.winner).toBe(2);
    expect(result.state.selection?.ranking[0]).toMatchObject({ index: 2, fixed: 1, regressions: 0, usable: true });
    // The empty attempt ranks last: there is nothing to keep.
    expect(result.state.selection?.ranking.at(-1)).toMatchObject({ index: 0, usable: false });
    expect(result.state.patch).toContain(fixes.stripOnly);
    expect(result.state.bestPatch?.patch).toContain(fixes.stripOnly);
  }, 120_000);

  it("keeps going when one candidate's model fails: the failure is recorded with its error and ranks last; when all fail, the run stops with each error", async () => {
    // An empty script fails at its first call, as a model that errors for good would.
    const result = await runCandidates({ scripts: [[], candidate(fixes.split)] });
    expect(result.state.status).toBe("solved");
    expect(result.state.selection?.winner).toBe(1);
    const failed = result.state.candidates.find((entry) => entry.index === 0)!;
    expect(failed).toMatchObject({ verdict: null, summary: "failed" });
    expect(failed.error).toContain("candidate 1 script has no turn 1");
    expect(selected(result.events)?.candidates.at(-1)).toMatchObject({ index: 0, usable: false });

    // A candidate whose tree or sandbox cannot be opened is a failed candidate too, not the end of the run.
    const unopened = await runCandidates({ scripts: [candidate(fixes.split), candidate(fixes.regex)], unopenable: 1 });
    expect(unopened.state.status).toBe("solved");
    expect(unopened.state.candidates.find((entry) => entry.index === 1)?.error).toContain("sandbox could not start");

    const allFail = await runCandidates({ scripts: [[], []] }).catch((error: unknown) => error);
    expect(allFail).toBeInstanceOf(AgentError);
    expect((allFail as AgentError).code).toBe("candidates-failed");
    expect((allFail as AgentError).message).toMatch(/Every candidate failed: 1: .*no turn 1.*; 2: .*no turn 1/);
  }, 120_000);

  it("asks the critic to choose when the tests tie the candidates, and says so", async () => {
    const result = await runCandidates({
      scripts: [candidate(fixes.split), candidate(fixes.regex)],
      critic: [call("choose_candidate", { candidate: 2, reason: "the regular expression says what the issue asks" })],
    });
    expect(result.state.selection?.winner).toBe(1);
    expect(result.state.selection?.critic).toContain("the regular expression");
    expect(result.state.patch).toContain("re.sub");
    const asked = result.critic!.requests[0]!.messages.map((message) => message.text).join("\n");
    expect(asked).toContain("## Candidate 1");
    expect(asked).toContain("## Candidate 2");
    expect(asked).toContain(task.title);
  }, 120_000);

  it("resumes a run killed while its candidates work: the finished one is kept, the others run again, and all three are judged", async () => {
    const source = await createSourceRepository(repository);
    const saver = new MemorySaver();
    const controller = new AbortController();
    const scripts = [candidate(fixes.stripOnly), candidate(fixes.split, "30"), candidate(fixes.splitSpaced, "30")];
    const stopped = await runGraphWithScripts({
      factory: local,
      source,
      task,
      scripts: roles,
      candidates: { scripts },
      checkpointer: saver,
      threadId: "candidates-run",
      signal: controller.signal,
      limits: { maxReplans: 0 },
      onEvent: (event) => {
        if (event.type === "node-end" && event.node === "executor" && event.candidate === 0) setTimeout(() => controller.abort(new AbortedError("Interrupted (test).")), 100);
      },
    }).catch((error: unknown) => error);
    expect(stopped).toBeInstanceOf(AbortedError);

    const saved = (await readCheckpointState(saver, "candidates-run"))!;
    expect(saved.designedTests?.map((test) => test.path)).toEqual(["tests/test_issue_repro.py"]);
    // The finished candidate is in the checkpoint's pending writes, for the stopped run's record (finish-run keeps the best one's patch).
    expect(saved.candidates?.map((entry) => entry.index)).toEqual([0]);
    expect(saved.candidates?.[0]?.patch).toContain(fixes.stripOnly);
    const resumed = await runGraphWithScripts({
      factory: local,
      source,
      task,
      scripts: { ...roles, planner: [], testDesigner: [] },
      candidates: { scripts: [[], candidate(fixes.split), candidate(fixes.splitSpaced)] },
      checkpointer: saver,
      threadId: "candidates-run",
      resume: true,
      trees: await rebuiltTrees(source, saved),
      limits: { maxReplans: 0 },
    });
    // The first candidate had finished: it is not asked again; the two that were stopped start over.
    expect(resumed.candidateModels.map((model) => model.requests.length)).toEqual([0, 2, 2]);
    expect(resumed.state.candidates.map((entry) => entry.index).sort()).toEqual([0, 1, 2]);
    expect(resumed.state.candidates.find((entry) => entry.index === 0)?.patch).toContain(fixes.stripOnly);
    expect(resumed.state.selection?.winner).toBe(1);
    expect(resumed.state.status).toBe("solved");
    expect(await readFile(join(resumed.programmerTree, "slugs/core.py"), "utf8")).toContain(fixes.split);
  }, 120_000);
});
