import { AIMessage, HumanMessage, SystemMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { condenseHistory, describeElidedOutput } from "../../src/memory/condense-history.js";
import { estimateMessageTokens, estimateTokens } from "../../src/memory/estimate-tokens.js";
import { messageText } from "../../src/models/model-client.js";

/** Fails unless every tool call is answered by its result, in order, before the next non-tool message, and no result is orphaned. */
function assertToolProtocol(messages: readonly BaseMessage[]): void {
  let open: string[] = [];
  for (const [index, message] of messages.entries()) {
    if (ToolMessage.isInstance(message)) {
      expect(open[0], `the tool result at ${index} answers the next open call`).toBe(message.tool_call_id);
      open = open.slice(1);
      continue;
    }
    expect(open, `calls left unanswered before message ${index}`).toEqual([]);
    if (AIMessage.isInstance(message)) open = (message.tool_calls ?? []).map((call) => call.id ?? "(no id)");
  }
  expect(open, "calls left unanswered at the end").toEqual([]);
}

/** One assistant turn calling `tool`, and its result. */
function toolTurn(step: number, tool: string, output: string, text = ""): BaseMessage[] {
  const id = `call_${step}`;
  return [
    new AIMessage({ content: text, tool_calls: [{ id, name: tool, args: { step }, type: "tool_call" }] }),
    new ToolMessage({ content: output, tool_call_id: id }),
  ];
}

/** Output of `lines` lines, each about 60 characters. */
function bigOutput(step: number, lines = 50): string {
  return Array.from({ length: lines }, (_, line) => `step ${step} line ${line}: ${"x".repeat(40)}`).join("\n");
}

const system = new SystemMessage("You are the programmer.");
const task = new HumanMessage("Fix issue #12: the parser drops trailing commas.\nPlan:\n1. Find the parser.\n2. Fix it.");

/** A history of `steps` tool turns with large outputs after the system message and the task. */
function history(steps: number, tool = "view_file"): BaseMessage[] {
  const turns = Array.from({ length: steps }, (_, step) => toolTurn(step, tool, bigOutput(step))).flat();
  return [system, task, ...turns];
}

/** A snapshot of what each message would send, to compare before and after. */
function contents(messages: readonly BaseMessage[]): unknown[] {
  return messages.map((message) => ({
    type: message.type,
    content: message.content,
    toolCalls: AIMessage.isInstance(message) ? message.tool_calls : undefined,
    toolCallId: ToolMessage.isInstance(message) ? message.tool_call_id : undefined,
  }));
}

describe("condenseHistory", () => {
  it("returns an under-budget history unchanged", () => {
    const messages = history(3);
    const result = condenseHistory(messages, { maxTokens: 1_000_000 });
    expect(result.messages).toHaveLength(messages.length);
    result.messages.forEach((message, index) => expect(message).toBe(messages[index]));
    expect(result).toMatchObject({ condensed: false, elidedToolResults: 0, tokensAfter: result.tokensBefore });
  });

  it("replaces old tool outputs with a stub naming the tool from the matching call", () => {
    const messages = history(10);
    const result = condenseHistory(messages, { maxTokens: 1500, keepRecentTurns: 2 });
    const output = bigOutput(0);
    expect(messageText(result.messages[3]!)).toBe(
      `[output of view_file elided to save context: step 0 line 0: ${"x".repeat(40)} … (50 lines, ${output.length} chars). Re-run the tool if you need it again.]`,
    );
  });

  it("elides the oldest outputs first and stops once under budget", () => {
    const messages = history(10);
    const fullCount = estimateMessageTokens(messages[3]!);
    const stubCount = estimateMessageTokens(new ToolMessage({ content: describeElidedOutput("view_file", bigOutput(0)), tool_call_id: "x" }));
    const result = condenseHistory(messages, { maxTokens: estimateTokens(messages) - 3 * (fullCount - stubCount) });
    expect(result.elidedToolResults).toBe(3);
    expect(result.messages.slice(9)).toEqual(messages.slice(9));
    expect([3, 5, 7].map((index) => messageText(result.messages[index]!).startsWith("[output of view_file"))).toEqual([true, true, true]);
  });

  it("keeps the last keepRecentTurns assistant turns and their results verbatim", () => {
    const messages = history(20);
    const result = condenseHistory(messages, { maxTokens: 100, keepRecentTurns: 3 });
    const recent = messages.length - 6;
    result.messages.slice(recent).forEach((message, offset) => expect(message).toBe(messages[recent + offset]));
    expect(messageText(result.messages[recent - 1]!)).toMatch(/^\[output of view_file/);
  });

  it("keeps four recent turns by default", () => {
    const messages = history(20);
    const result = condenseHistory(messages, { maxTokens: 100 });
    expect(result.messages.slice(-8)).toEqual(messages.slice(-8));
    expect(messageText(result.messages.at(-9)!)).toMatch(/^\[output of view_file/);
  });

  it("leaves the system messages and the first human message untouched", () => {
    const messages = [system, task, new SystemMessage("x".repeat(4000)), ...history(10).slice(2)];
    const result = condenseHistory(messages, { maxTokens: 100 });
    expect(result.messages[0]).toBe(system);
    expect(result.messages[1]).toBe(task);
    expect(result.messages[2]).toBe(messages[2]);
  });

  it("leaves pinned messages untouched", () => {
    const messages = history(10);
    const result = condenseHistory(messages, { maxTokens: 100, pinned: (_message, index) => index === 5 });
    expect(result.messages[5]).toBe(messages[5]);
    expect(messageText(result.messages[3]!)).toMatch(/^\[output of view_file/);
  });

  it("keeps every tool call paired with its result", () => {
    const parallel = new AIMessage({
      content: "Reading both.",
      tool_calls: [
        { id: "a", name: "view_file", args: { path: "a.ts" }, type: "tool_call" },
        { id: "b", name: "search", args: { pattern: "x" }, type: "tool_call" },
      ],
    });
    const messages = [
      ...history(6),
      parallel,
      new ToolMessage({ content: bigOutput(100), tool_call_id: "a" }),
      new ToolMessage({ content: bigOutput(101), tool_call_id: "b" }),
      ...Array.from({ length: 6 }, (_, step) => toolTurn(200 + step, "run_shell", bigOutput(200 + step))).flat(),
    ];
    const result = condenseHistory(messages, { maxTokens: 100, keepRecentTurns: 2 });
    assertToolProtocol(result.messages);
    expect(result.messages.map((message) => message.type)).toEqual(messages.map((message) => message.type));
    expect(messageText(result.messages[16]!)).toMatch(/^\[output of search elided/);
  });

  it("has a protocol check that rejects a call without its result", () => {
    const broken = [task, ...toolTurn(1, "view_file", "ok").slice(0, 1), new HumanMessage("next")];
    expect(() => assertToolProtocol(broken)).toThrow();
  });

  it("changes nothing more when condensing a condensed history", () => {
    const once = condenseHistory(history(30), { maxTokens: 3000 });
    const twice = condenseHistory(once.messages, { maxTokens: 3000 });
    twice.messages.forEach((message, index) => expect(message).toBe(once.messages[index]));
    expect(twice).toMatchObject({ condensed: false, elidedToolResults: 0 });
  });

  it("changes nothing more when condensing a best-effort history again", () => {
    const once = condenseHistory(history(30), { maxTokens: 10 });
    const twice = condenseHistory(once.messages, { maxTokens: 10 });
    twice.messages.forEach((message, index) => expect(message).toBe(once.messages[index]));
    expect(twice).toMatchObject({ condensed: false, elidedToolResults: 0, tokensAfter: once.tokensAfter });
  });

  it("reports fewer tokens after than before, matching estimateTokens", () => {
    const messages = history(30);
    const result = condenseHistory(messages, { maxTokens: 5000 });
    expect(result.tokensBefore).toBe(estimateTokens(messages));
    expect(result.tokensAfter).toBe(estimateTokens(result.messages));
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
    expect(result.condensed).toBe(true);
  });

  it("brings a history of 200 steps with large outputs under the limit", () => {
    const messages = history(200);
    const result = condenseHistory(messages, { maxTokens: 30_000 });
    expect(estimateTokens(messages)).toBeGreaterThan(4 * 30_000);
    expect(result.tokensAfter).toBeLessThanOrEqual(30_000);
    expect(estimateTokens(result.messages)).toBe(result.tokensAfter);
    expect(result.elidedToolResults).toBeGreaterThan(150);
    assertToolProtocol(result.messages);
  });

  it("shortens old assistant text, keeping its tool calls, when eliding outputs is not enough", () => {
    const turns = Array.from({ length: 10 }, (_, step) => toolTurn(step, "edit_file", "ok", `Thinking: ${"because ".repeat(100)}`)).flat();
    const messages = [system, task, ...turns];
    const result = condenseHistory(messages, { maxTokens: 1500, keepRecentTurns: 2 });
    const shortened = result.messages[2] as AIMessage;
    expect(messageText(shortened)).toBe(`Thinking: ${"because ".repeat(100)}`.slice(0, 200) + " … [rest of this message elided to save context]");
    expect(shortened.tool_calls).toEqual((messages[2] as AIMessage).tool_calls);
    expect(result.tokensAfter).toBeLessThanOrEqual(1500);
  });

  it("leaves a short output alone when its stub would be longer", () => {
    const messages = [system, task, ...toolTurn(0, "git_status", "clean"), ...history(10).slice(2)];
    const result = condenseHistory(messages, { maxTokens: 100 });
    expect(result.messages[3]).toBe(messages[3]);
  });

  it("returns its best effort, marked condensed, when even that is over budget", () => {
    const result = condenseHistory(history(10), { maxTokens: 10 });
    expect(result.condensed).toBe(true);
    expect(result.tokensAfter).toBeGreaterThan(10);
    expect(result.elidedToolResults).toBe(6);
  });

  it("does not mutate its input", () => {
    const messages = history(20);
    const before = contents(messages);
    const originals = [...messages];
    condenseHistory(messages, { maxTokens: 100 });
    expect(contents(messages)).toEqual(before);
    messages.forEach((message, index) => expect(message).toBe(originals[index]));
  });
});

describe("describeElidedOutput", () => {
  it("keeps at most 120 characters of the first non-blank line", () => {
    const stub = describeElidedOutput("run_shell", `\n${"y".repeat(300)}\nmore\n`);
    expect(stub).toBe(`[output of run_shell elided to save context: ${"y".repeat(120)} … (3 lines, 307 chars). Re-run the tool if you need it again.]`);
  });
});

describe("estimateTokens", () => {
  it("counts about one token per four characters plus a per-message overhead", () => {
    expect(estimateTokens([new HumanMessage("x".repeat(400))])).toBe(104);
  });

  it("counts tool-call arguments", () => {
    const bare = new AIMessage({ content: "", tool_calls: [{ id: "c", name: "edit_file", args: {}, type: "tool_call" }] });
    const heavy = new AIMessage({ content: "", tool_calls: [{ id: "c", name: "edit_file", args: { new_str: "z".repeat(800) }, type: "tool_call" }] });
    expect(estimateTokens([heavy]) - estimateTokens([bare])).toBeGreaterThanOrEqual(200);
  });
});
