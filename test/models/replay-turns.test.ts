import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HumanMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { agentConfigSchema } from "../../src/config/schema.js";
import { ConfigError } from "../../src/errors.js";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { createModel } from "../../src/models/create-model.js";
import { loadReplayTurns } from "../../src/models/replay-turns.js";

async function tempDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), "replay-"));
}

async function runModel(model: string, cwd: string, prompts: string[], sink: (event: AgentEvent) => void = () => {}) {
  const client = await createModel({
    config: agentConfigSchema.parse({ model }),
    userConfigPath: "/u/config.json",
    cwd,
    emit: createEventEmitter("run-x", sink),
  });
  const replies = [];
  for (const prompt of prompts) replies.push((await client.call({ messages: [new HumanMessage(prompt)] })).message);
  return replies;
}

describe("the replay model", () => {
  it("replays the model turns that a recorded run emitted, tool calls included", async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, "script.json"),
      JSON.stringify({
        turns: [{ toolCalls: [{ id: "c1", name: "view_file", args: { path: "a.py" } }] }, { content: "Fixed it." }],
      }),
    );
    const events: AgentEvent[] = [];
    const original = await runModel("scripted:script.json", dir, ["1", "2"], (event) => events.push(event));
    await writeFile(join(dir, "trajectory.jsonl"), events.map((event) => JSON.stringify(event)).join("\n") + "\n");

    const replayed = await runModel(`replay:${dir}`, dir, ["1", "2"]);
    expect(replayed.map((m) => [m.content, m.tool_calls])).toEqual(original.map((m) => [m.content, m.tool_calls]));
  });

  it("refuses a file with no model turns and says what it expected", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "trajectory.jsonl"), `${JSON.stringify({ type: "run-start" })}\n`);
    await expect(loadReplayTurns(dir)).rejects.toThrow(/holds no model turns/);
  });

  it("names the line of a truncated trajectory", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "trajectory.jsonl"), `${JSON.stringify({ type: "x" })}\n{"type": "model-ca`);
    await expect(loadReplayTurns(join(dir, "trajectory.jsonl"))).rejects.toThrow(/line 2/);
  });

  it("explains a missing run directory", async () => {
    await expect(loadReplayTurns("/nonexistent/run")).rejects.toBeInstanceOf(ConfigError);
  });
});
