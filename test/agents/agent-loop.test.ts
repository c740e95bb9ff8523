import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AIMessage, ToolMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { capObservation, runAgentLoop } from "../../src/agents/agent-loop.js";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { zeroUsage } from "../../src/events/usage.js";
import { createModelClient, type ModelCallRequest, type ModelClient } from "../../src/models/model-client.js";
import { createRetryPolicy } from "../../src/models/retry-policy.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../src/models/scripted-chat-model.js";
import { createViewFileTool } from "../../src/tools/view-file.js";
import { createFilesOnlySandbox } from "../support/sandbox-factories.js";

const call = (name: string, args: Record<string, unknown>): ScriptedTurn => ({ content: "", toolCalls: [{ name, args }] });

async function loop(turns: ScriptedTurn[], options: { maxSteps?: number; file?: string; model?: ModelClient; treeDigest?: () => Promise<string> } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "agent-loop-"));
  await writeFile(join(dir, "a.py"), options.file ?? "x = 1\n");
  const sandbox = createFilesOnlySandbox(dir);
  const events: AgentEvent[] = [];
  const emit = createEventEmitter("run", (event) => events.push(event));
  const model = new ScriptedChatModel({ turns });
  const client = createModelClient({ chatModel: model, provider: { modelKey: "scripted:t", credentialsHint: "" }, billing: "scripted", timeoutMs: 5_000, retry: createRetryPolicy(0), emit });
  const result = await runAgentLoop({
    node: "programmer",
    model: options.model ?? client,
    tools: [createViewFileTool({ sandbox })],
    finalTool: { name: "done", description: "finish", schema: z.object({ answer: z.string() }) },
    system: "system",
    prompt: "task",
    maxSteps: options.maxSteps ?? 20,
    shouldStop: () => null,
    approvalMode: "full-auto",
    emit,
    ...(options.treeDigest ? { treeDigest: options.treeDigest } : {}),
  });
  return { result, events, model };
}

/** A model port that answers with the given messages in turn and records the requests. */
function replyingWith(messages: AIMessage[]): ModelClient & { requests: ModelCallRequest[] } {
  const requests: ModelCallRequest[] = [];
  return {
    modelKey: "fake:messages",
    requests,
    call: async (request) => {
      requests.push(request);
      const message = messages[requests.length - 1];
      if (!message) throw new Error("the fake model ran out of replies");
      return { message, usage: zeroUsage, cost: { usd: 0, basis: "scripted" }, durationMs: 0, attempts: 1 };
    },
  };
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

  it("reports a call of an unknown tool as a failed tool call marked unknown, and counts it as a step", async () => {
    const { result, events } = await loop([call("rm_rf", { path: "/" }), call("done", { answer: "x" })]);
    const calls = events.filter((event) => event.type === "tool-call-start" || event.type === "tool-call-end");
    expect(calls).toMatchObject([
      { type: "tool-call-start", node: "programmer", tool: "rm_rf", input: { path: "/" } },
      { type: "tool-call-end", node: "programmer", tool: "rm_rf", ok: false, output: "There is no tool named rm_rf. The tools are: view_file, done.", display: "rm_rf: unknown tool" },
    ]);
    expect(calls[0]!.type === "tool-call-start" && calls[1]!.type === "tool-call-end" && calls[0]!.callId === calls[1]!.callId).toBe(true);
    expect(result.usage.steps).toBe(1);
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

  it("answers a tool call whose arguments are not JSON with the parse error, under its call id, and lets the model retry", async () => {
    const model = replyingWith([
      new AIMessage({ content: "", invalid_tool_calls: [{ id: "call-1", name: "view_file", args: '{"path": "a.py"', error: "Unexpected end of JSON input", type: "invalid_tool_call" }] }),
      new AIMessage({ content: "", tool_calls: [{ id: "call-2", name: "done", args: { answer: "ok" } }] }),
    ]);
    const { result } = await loop([], { model });
    const answer = model.requests[1]!.messages.at(-1)!;
    expect(ToolMessage.isInstance(answer) && answer.tool_call_id).toBe("call-1");
    expect(answer.content).toContain("its arguments are not valid JSON (Unexpected end of JSON input)");
    expect(result).toMatchObject({ final: { answer: "ok" }, stoppedBy: "final" });
  });

  it("shows the model the head and tail of a long observation and keeps the whole output in the event", async () => {
    const long = Array.from({ length: 4_000 }, (_, line) => `value_${line} = ${line}`).join("\n");
    const { model, events } = await loop([call("view_file", { path: "a.py", line_count: 2000 }), call("done", { answer: "x" })], { file: long });
    const seen = model.requests[1]!.messages.at(-1)!.text;
    expect(seen.length).toBeLessThan(10_200);
    expect(seen).toContain("characters of this output omitted");
    const ended = events.find((event) => event.type === "tool-call-end");
    expect(ended && ended.type === "tool-call-end" && ended.output.length).toBeGreaterThan(20_000);
  });

  it("reminds the role to hand in its work when three tool calls are left in the visit", async () => {
    const turns = ["a.py", "b.py", "c.py", "d.py"].map((path) => call("view_file", { path }));
    const { model } = await loop([...turns, call("done", { answer: "x" })], { maxSteps: 5 });
    expect(model.requests[2]!.messages.at(-1)!.text).toContain("3 tool calls are left in this visit");
    expect(model.requests[1]!.messages.at(-1)!.text).not.toContain("tool calls are left");
  });

  it("asks for the tree digest before the first step, so undoing every change is not mistaken for progress", async () => {
    let digests = 0;
    const { result } = await loop(
      Array.from({ length: 12 }, () => call("view_file", { path: "a.py" })),
      { treeDigest: async () => `tree-${(digests += 1) && 0}` },
    );
    expect(digests).toBe(1);
    expect(result.stoppedBy).toBe("no-progress");
  });
});

describe("capObservation", () => {
  it("keeps a short output whole", () => {
    expect(capObservation("short", 100)).toBe("short");
  });

  it("keeps the head and the tail of a long output and says how much was cut", () => {
    const capped = capObservation(`${"a".repeat(60)}${"b".repeat(60)}`, 40);
    expect(capped.startsWith("a".repeat(20))).toBe(true);
    expect(capped.endsWith("b".repeat(20))).toBe(true);
    expect(capped).toContain("[… 80 characters of this output omitted");
  });
});
