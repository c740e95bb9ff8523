import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { ConfigError } from "../errors.js";
import type { ScriptedTurn } from "./scripted-chat-model.js";

/**
 * Reads the model turns of a saved trajectory (a run directory or its trajectory.jsonl), in
 * order, as scripted turns: the `replay:` model plays them back.
 */
export async function loadReplayTurns(path: string): Promise<ScriptedTurn[]> {
  const file = await stat(path).then(
    (info) => (info.isDirectory() ? join(path, "trajectory.jsonl") : path),
    (error: unknown) => {
      throw new ConfigError(`Cannot read the trajectory ${path}: ${(error as Error).message}. Give a run directory or its trajectory.jsonl after "replay:".`, { cause: error });
    },
  );
  const text = await readFile(file, "utf8").catch((error: unknown) => {
    throw new ConfigError(`Cannot read the trajectory ${file}: ${(error as Error).message}.`, { cause: error });
  });
  const turns: ScriptedTurn[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim() === "") return;
    let event: { type?: unknown; message?: { text?: unknown; toolCalls?: unknown }; usage?: Record<string, unknown> };
    try {
      event = JSON.parse(line);
    } catch {
      throw new ConfigError(`The trajectory ${file} has a line that is not JSON (line ${index + 1}); it may be truncated.`);
    }
    if (event.type !== "model-call-end") return;
    const toolCalls = Array.isArray(event.message?.toolCalls) ? event.message.toolCalls : [];
    turns.push({
      content: typeof event.message?.text === "string" ? event.message.text : "",
      toolCalls: toolCalls.map((call: { id?: string; name: string; args?: Record<string, unknown> }) => ({
        ...(call.id ? { id: call.id } : {}),
        name: call.name,
        args: call.args ?? {},
      })),
      usage: event.usage && {
        input: Number(event.usage["inputTokens"] ?? 0),
        output: Number(event.usage["outputTokens"] ?? 0),
        cachedInput: Number(event.usage["cachedInputTokens"] ?? 0),
        cacheWrite: Number(event.usage["cacheWriteTokens"] ?? 0),
      },
    });
  });
  if (turns.length === 0) {
    throw new ConfigError(`The trajectory ${file} holds no model turns ("model-call-end" events); is it a trajectory written by agent?`);
  }
  return turns;
}
