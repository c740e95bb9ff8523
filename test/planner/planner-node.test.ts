import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { defaultRunLimits } from "../../src/memory/run-limits.js";
import type { GraphRuntime } from "../../src/agents/graph-runtime.js";
import { createModelClient } from "../../src/models/model-client.js";
import { createRetryPolicy } from "../../src/models/retry-policy.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../src/models/scripted-chat-model.js";
import { createPlannerNode } from "../../src/planner/planner-node.js";
import { createToolset } from "../../src/tools/registry.js";
import { blackboardState } from "../support/blackboard-state.js";
import { createFilesOnlySandbox } from "../support/sandbox-factories.js";

const plannedCall = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ content: "", toolCalls: [{ name, args }] });

const submitPlan = plannedCall("submit_plan", {
  summary: "load_config indexes None for an empty file.",
  findings: [
    { file: "config.py", line: 3, reason: "indexes the parsed data" },
    { file: "config.py", line: 1, reason: "reads the file" },
    { file: "defaults.py", reason: "holds DEFAULTS" },
  ],
  steps: [
    { owner: "test-designer", description: "Reproduce with an empty file.", done_criterion: "the test fails on the base commit" },
    { owner: "programmer", description: "Return the defaults for an empty file.", done_criterion: "the test passes" },
  ],
});

/** Runs the planner node once with a scripted model over a files-only sandbox; returns the events it emitted. */
async function runPlanner(turns: ScriptedTurn[]): Promise<AgentEvent[]> {
  const dir = await mkdtemp(join(tmpdir(), "planner-node-"));
  await writeFile(join(dir, "config.py"), "def load_config(path):\n    data = None\n    return data['widgets']\n");
  const events: AgentEvent[] = [];
  const emit = createEventEmitter("planner-test", (event) => events.push(event));
  const sandbox = createFilesOnlySandbox(dir);
  const git = createWorkspaceGit({ workdir: dir, baseCommit: "HEAD" });
  const bench = { sandbox, git, tools: createToolset({ sandbox, git }) };
  const model = createModelClient({
    chatModel: new ScriptedChatModel({ turns, label: "planner script" }),
    provider: { modelKey: "scripted:planner", credentialsHint: "" },
    billing: "scripted",
    timeoutMs: 30_000,
    retry: createRetryPolicy(0),
    emit,
  });
  const runtime: GraphRuntime = {
    models: { planner: model, testDesigner: model, programmer: model },
    programmer: bench,
    testDesigner: bench,
    limits: defaultRunLimits,
    stepsPerVisit: 5,
    approvalMode: "full-auto",
    emit,
    now: () => 0,
    memoryText: "",
  };
  const state = blackboardState({
    runId: "planner-test",
    task: { title: "Empty config crashes", body: "load_config on an empty file raises TypeError.", source: "typed" },
    baseCommit: "HEAD",
    context: "(a small Python package)",
    round: 1,
  });
  await createPlannerNode(runtime)(state);
  return events;
}

describe("the planner node", () => {
  it("emits plan-submitted with the steps and the findings' files, between node-start and node-end", async () => {
    const events = await runPlanner([plannedCall("view_file", { path: "config.py" }), submitPlan]);
    const nodeEvents = events.filter((event) => ["node-start", "plan-submitted", "node-end"].includes(event.type));
    expect(nodeEvents.map((event) => event.type)).toEqual(["node-start", "plan-submitted", "node-end"]);
    expect(nodeEvents[1]).toMatchObject({
      type: "plan-submitted",
      version: 1,
      summary: "load_config indexes None for an empty file.",
      steps: [
        { owner: "test-designer", description: "Reproduce with an empty file." },
        { owner: "programmer", description: "Return the defaults for an empty file." },
      ],
      files: ["config.py", "defaults.py"],
    });
  });

  it("emits no plan-submitted when the planner hands in no plan", async () => {
    const silent: ScriptedTurn = { content: "I could not find the cause.", toolCalls: [] };
    // The loop gives up after a reply and two nudges without a tool call.
    const events = await runPlanner([silent, silent, silent]);
    expect(events.map((event) => event.type)).not.toContain("plan-submitted");
    expect(events.at(-1)).toMatchObject({ type: "node-end", node: "planner" });
  });
});
