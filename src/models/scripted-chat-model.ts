import { appendFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import {
  BaseChatModel,
  type BaseChatModelCallOptions,
  type BindToolsInput,
} from "@langchain/core/language_models/chat_models";
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { convertToOpenAITool } from "@langchain/core/utils/function_calling";
import { z } from "zod";
import { ConfigError, ModelError } from "../errors.js";
import { messageText } from "./model-client.js";

const scriptedToolCallSchema = z
  .object({
    id: z.string().optional(),
    name: z.string().min(1),
    args: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();

/** One scripted model turn: text and/or tool calls, with optional usage to exercise accounting. */
export const scriptedTurnSchema = z
  .object({
    content: z.string().default(""),
    toolCalls: z.array(scriptedToolCallSchema).default([]),
    usage: z
      .object({
        input: z.number().int().nonnegative(),
        output: z.number().int().nonnegative(),
        cachedInput: z.number().int().nonnegative().optional(),
        cacheWrite: z.number().int().nonnegative().optional(),
        cost: z.number().nonnegative().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** A scripted turn as validated. */
export type ScriptedTurn = z.output<typeof scriptedTurnSchema>;

/** A script file: the turns in order, and optionally a JSONL file that receives every request. */
export const modelScriptSchema = z
  .object({
    turns: z.array(scriptedTurnSchema).min(1),
    recordTo: z.string().optional(),
  })
  .strict();

/** A request as the scripted model received it, in plain JSON. */
export interface RecordedModelRequest {
  index: number;
  messages: Array<{ role: string; text: string; toolCalls?: Array<{ name: string; args: unknown }>; toolCallId?: string }>;
  toolNames: string[];
}

interface ScriptedCallOptions extends BaseChatModelCallOptions {
  tools?: Array<{ function?: { name?: string } }>;
}

function recordMessage(message: BaseMessage): RecordedModelRequest["messages"][number] {
  const recorded: RecordedModelRequest["messages"][number] = { role: message.getType(), text: messageText(message) };
  if (AIMessage.isInstance(message) && message.tool_calls?.length) {
    recorded.toolCalls = message.tool_calls.map((call) => ({ name: call.name, args: call.args }));
  }
  const toolCallId = (message as { tool_call_id?: unknown }).tool_call_id;
  if (typeof toolCallId === "string") recorded.toolCallId = toolCallId;
  return recorded;
}

/**
 * A chat model that plays back scripted turns and records every request it receives. For
 * tests and demos only: its replies are a script, never a model's judgement.
 */
export class ScriptedChatModel extends BaseChatModel<ScriptedCallOptions> {
  /** Every request received so far, in order. */
  readonly requests: RecordedModelRequest[] = [];
  private readonly turns: ScriptedTurn[];
  private readonly label: string;
  private readonly recordTo: string | undefined;
  private readonly offset: number;

  /** `startAt` skips turns already played (a resumed run continues where its checkpoint was). */
  constructor(fields: { turns: ScriptedTurn[]; label?: string; recordTo?: string; startAt?: number }) {
    super({});
    this.turns = fields.turns;
    this.offset = fields.startAt ?? 0;
    this.label = fields.label ?? "scripted model";
    this.recordTo = fields.recordTo;
  }

  _llmType(): string {
    return "scripted";
  }

  override bindTools(tools: BindToolsInput[], kwargs?: Partial<ScriptedCallOptions>) {
    return this.withConfig({ ...kwargs, tools: tools.map((tool) => convertToOpenAITool(tool)) });
  }

  async _generate(messages: BaseMessage[], options: this["ParsedCallOptions"]): Promise<ChatResult> {
    const index = this.offset + this.requests.length;
    const request: RecordedModelRequest = {
      index,
      messages: messages.map(recordMessage),
      toolNames: (options.tools ?? []).map((tool) => tool.function?.name ?? "tool"),
    };
    this.requests.push(request);
    if (this.recordTo) appendFileSync(this.recordTo, `${JSON.stringify(request)}\n`);
    const turn = this.turns[index];
    if (!turn) {
      throw new ModelError(
        `${this.label} has no turn ${index + 1}: the script holds ${this.turns.length}. Add turns or check why the run asked for more.`,
        { retryable: false, code: "script-exhausted" },
      );
    }
    const message = new AIMessage({
      content: turn.content,
      tool_calls: turn.toolCalls.map((call, callIndex) => ({
        id: call.id ?? `scripted_${index + 1}_${callIndex + 1}`,
        name: call.name,
        args: call.args,
        type: "tool_call" as const,
      })),
      usage_metadata: turn.usage && {
        input_tokens: turn.usage.input,
        output_tokens: turn.usage.output,
        total_tokens: turn.usage.input + turn.usage.output,
        input_token_details: { cache_read: turn.usage.cachedInput ?? 0, cache_creation: turn.usage.cacheWrite ?? 0 },
      },
      response_metadata: turn.usage?.cost === undefined ? {} : { usage: { cost: turn.usage.cost } },
    });
    return { generations: [{ text: turn.content, message }] };
  }
}

/** Reads and validates a script file; errors name the file and the offending key. */
export async function loadModelScript(path: string): Promise<{ turns: ScriptedTurn[]; recordTo?: string }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new ConfigError(`Cannot read the model script ${path}: ${(error as Error).message}. Check the path after "scripted:".`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`The model script ${path} is not valid JSON: ${(error as Error).message}.`, { cause: error });
  }
  const parsed = modelScriptSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new ConfigError(`The model script ${path}: key "${issue.path.join(".") || "(top level)"}": ${issue.message}.`);
  }
  const recordTo = parsed.data.recordTo && resolve(path, "..", parsed.data.recordTo);
  return { turns: parsed.data.turns, ...(recordTo ? { recordTo } : {}) };
}
