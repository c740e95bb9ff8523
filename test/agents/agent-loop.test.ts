import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgentLoop } from "../../src/agents/agent-loop.js";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { createModelClient } from "../../src/models/model-client.js";
import { createRetryPolicy } from "../../src/models/retry-policy.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../src/models/scripted-chat-model.js";
import { createViewFileTool } from "../../src/tools/view-file.js";
import { createFilesOnlySandbox } from "../support/sandbox-factories.js";

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ content: "", toolCalls: [{ name, args }] });

async function loop(turns: ScriptedTurn[], options: { maxSteps?: number } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "agent-loop-"));
  await writeFile(join(dir, "a.py"), "x = 1\n");
  const sandbox = createFilesOnlySandbox(dir);
  const events: AgentEvent[] = [];
  const emit = createEventEmitter("run", (event) => events.push(event));
  const model = new ScriptedChatModel({ turns });
  const client = createModelClient({ chatModel: model, provider: { modelKey: "scripted:t", credentialsHint: "" }, billing: "scripted", timeoutMs: 5_000, retry: createRetryPolicy(0), emit });
  const result = await runAgentLoop({
    node: "programmer",
    model: client,
    tools: [createViewFileTool({ sandbox })],
    finalTool: { name: "done", description: "finish", schema: z.object({ answer: z.string() }) },
    system: "system",
    prompt: "task",
    maxSteps: options.maxSteps ?? 20,
    shouldStop: () => null,
    approvalMode: "full-auto",
    emit,
  });
  return { result, events, model };
}

describe("runAgentLoop", () => {
  it("returns the final tool's validated arguments", async () => {
    const { result } = await loop([call("view_file", { path: "a.py" }), call("done", { answer: "42" })]);
    expect(result).toMatchObject({ final: { answer: "42" }, stoppedBy: "final", usage: { steps: 1, modelCalls: 2 } });
  });

  it("tells the model when its final arguments are invalid and lets it try again", async () => {
    const { result, model } = await loop([call("done", {}), call("done", { answer: "ok" })]);
    expect(result.final).toEqual({ answer: "ok" });
    expect(model.requests[1]!.messages.at(-1)!.text).toContain("Not accepted: answer");
  });

  it("answers an unknown tool with the list of tools", async () => {
    const { model } = await loop([call("rm_rf", {}), call("done", { answer: "x" })]);
    expect(model.requests[1]!.messages.at(-1)!.text).toBe("There is no tool named rm_rf. The tools are: view_file, done.");
  });

  it("redirects a role that repeats the same action without progress, then stops it", async () => {
    const same = call("view_file", { path: "a.py" });
    const { result, events, model } = await loop(Array.from({ length: 12 }, () => same));
    const recoveries = events.filter((event) => event.type === "recovery");
    expect(recoveries).toHaveLength(3);
    expect(model.requests.some((request) => request.messages.at(-1)!.text.startsWith("Loop control:"))).toBe(true);
    expect(result.stoppedBy).toBe("no-progress");
    expect(result.failedApproach).toContain("view_file");
  });

  it("stops at the step limit", async () => {
    const turns = ["a.py", "b.py", "c.py", "d.py"].map((path) => call("view_file", { path }));
    const { result } = await loop(turns, { maxSteps: 3 });
    expect(result.stoppedBy).toBe("step-limit");
    expect(result.usage.steps).toBe(3);
  });
});
