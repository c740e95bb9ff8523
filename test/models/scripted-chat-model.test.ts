import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { ConfigError, ModelError } from "../../src/errors.js";
import { loadModelScript, ScriptedChatModel } from "../../src/models/scripted-chat-model.js";

const echo = tool(async ({ text }) => text, {
  name: "echo",
  description: "Echoes the text.",
  schema: z.object({ text: z.string() }),
});

async function writeScript(content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "script-"));
  const path = join(dir, "script.json");
  await writeFile(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

describe("ScriptedChatModel", () => {
  it("replies with the scripted turns in order, tool calls included", async () => {
    const model = new ScriptedChatModel({
      turns: [
        { content: "", toolCalls: [{ name: "echo", args: { text: "hi" } }] },
        { content: "done", toolCalls: [] },
      ],
    });
    const first = await model.bindTools([echo]).invoke([new HumanMessage("go")]);
    const second = await model.invoke([new HumanMessage("go on")]);
    expect(first.tool_calls).toMatchObject([{ name: "echo", args: { text: "hi" } }]);
    expect(second.content).toBe("done");
  });

  it("records every request with its messages and bound tool names", async () => {
    const model = new ScriptedChatModel({ turns: [{ content: "ok", toolCalls: [] }] });
    await model.bindTools([echo]).invoke([new HumanMessage("hello there")]);
    expect(model.requests).toEqual([
      { index: 0, messages: [{ role: "human", text: "hello there" }], toolNames: ["echo"] },
    ]);
  });

  it("fails with a clear ModelError when the script runs out", async () => {
    const model = new ScriptedChatModel({ turns: [{ content: "only", toolCalls: [] }] });
    await model.invoke([new HumanMessage("1")]);
    await expect(model.invoke([new HumanMessage("2")])).rejects.toThrow(/has no turn 2: the script holds 1/);
    await expect(model.invoke([new HumanMessage("3")])).rejects.toBeInstanceOf(ModelError);
  });

  it("reports scripted usage as LangChain usage metadata", async () => {
    const model = new ScriptedChatModel({
      turns: [{ content: "x", toolCalls: [], usage: { input: 10, output: 5, cachedInput: 4 } }],
    });
    const reply = await model.invoke([new HumanMessage("1")]);
    expect(reply.usage_metadata).toMatchObject({ input_tokens: 10, output_tokens: 5, input_token_details: { cache_read: 4 } });
  });
});

describe("loadModelScript", () => {
  it("loads a valid script and resolves recordTo next to it", async () => {
    const path = await writeScript({ turns: [{ content: "hi" }], recordTo: "requests.jsonl" });
    const script = await loadModelScript(path);
    expect(script.turns).toEqual([{ content: "hi", toolCalls: [] }]);
    expect(script.recordTo).toBe(join(path, "..", "requests.jsonl"));
  });

  it("writes every request to the recordTo file as JSON lines", async () => {
    const path = await writeScript({ turns: [{ content: "a" }, { content: "b" }], recordTo: "requests.jsonl" });
    const model = new ScriptedChatModel(await loadModelScript(path));
    await model.invoke([new HumanMessage("one")]);
    await model.invoke([new HumanMessage("two")]);
    const lines = (await readFile(join(path, "..", "requests.jsonl"), "utf8")).trim().split("\n");
    expect(lines.map((line) => JSON.parse(line).messages[0].text)).toEqual(["one", "two"]);
  });

  it("names the file and the key of an invalid turn", async () => {
    const path = await writeScript({ turns: [{ content: "ok" }, { toolCalls: [{ args: {} }] }] });
    await expect(loadModelScript(path)).rejects.toThrow(new RegExp(`${path}: key "turns.1.toolCalls.0.name"`));
  });

  it("names the file when it is not JSON", async () => {
    const path = await writeScript("{ turns: ");
    await expect(loadModelScript(path)).rejects.toBeInstanceOf(ConfigError);
    await expect(loadModelScript(path)).rejects.toThrow(/is not valid JSON/);
  });

  it("says what to check when the file is missing", async () => {
    await expect(loadModelScript("/nonexistent/script.json")).rejects.toThrow(/Check the path after "scripted:"/);
  });
});
