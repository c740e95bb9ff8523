import { AIMessage, ToolMessage, type BaseMessage } from "@langchain/core/messages";
import { messageText } from "../models/model-client.js";
import { estimateMessageTokens } from "./estimate-tokens.js";

/** Assistant turns kept verbatim, with their tool results, when the caller does not say. */
const DEFAULT_KEEP_RECENT_TURNS = 4;
/** Characters of an old tool output's first line kept in its stub. */
const STUB_FIRST_LINE_CHARS = 120;
/** Characters of an old assistant message's text kept when it is shortened. */
const AI_TEXT_KEEP_CHARS = 200;
const STUB_PREFIX = "[output of ";
const STUB_SUFFIX = "Re-run the tool if you need it again.]";
const AI_TEXT_MARKER = " … [rest of this message elided to save context]";

/** How to condense: the budget, what stays verbatim, and what the caller wants kept whatever it costs. */
export interface CondenseHistoryOptions {
  /** The estimated tokens (see estimateTokens) the history should fit in. */
  maxTokens: number;
  /** The last N assistant turns and every message after the first of them stay verbatim (default 4). */
  keepRecentTurns?: number;
  /** Messages this returns true for are never changed; `index` is the position in the input. */
  pinned?: (message: BaseMessage, index: number) => boolean;
}

/** The condensed history and what it cost before and after. */
export interface CondenseHistoryResult {
  messages: BaseMessage[];
  /** True when at least one message was rewritten. */
  condensed: boolean;
  tokensBefore: number;
  tokensAfter: number;
  /** How many tool outputs this call replaced with a stub. */
  elidedToolResults: number;
}

/**
 * Brings a tool-calling history under `maxTokens` by replacing the content of old tool outputs
 * (oldest first) with a short stub, then shortening old assistant text; system messages, the
 * first human message, pinned messages and the recent turns stay verbatim, and no message is
 * dropped, so every tool call keeps its result. O(n), deterministic, idempotent; the input is
 * not mutated. Returns the best effort when even that does not fit.
 */
export function condenseHistory(messages: readonly BaseMessage[], options: CondenseHistoryOptions): CondenseHistoryResult {
  const tokens = messages.map(estimateMessageTokens);
  const tokensBefore = tokens.reduce((sum, count) => sum + count, 0);
  const result = [...messages];
  if (tokensBefore <= options.maxTokens) {
    return { messages: result, condensed: false, tokensBefore, tokensAfter: tokensBefore, elidedToolResults: 0 };
  }

  const isCondensable = condensableIndexes(messages, options);
  let total = tokensBefore;
  let elidedToolResults = 0;
  let changed = 0;

  const replace = (index: number, message: BaseMessage): void => {
    const count = estimateMessageTokens(message);
    const previous = tokens[index] ?? 0;
    // A rewrite that would not save anything is skipped, so short outputs are left alone.
    if (count >= previous) return;
    result[index] = message;
    total += count - previous;
    tokens[index] = count;
    changed += 1;
    if (ToolMessage.isInstance(message)) elidedToolResults += 1;
  };

  // The name of each call id as of the latest assistant message so far, so a reused id resolves to its nearest call.
  const toolNames = new Map<string, string>();
  for (let index = 0; index < messages.length && total > options.maxTokens; index += 1) {
    const message = messages[index];
    if (message && AIMessage.isInstance(message)) {
      for (const call of message.tool_calls ?? []) if (call.id !== undefined) toolNames.set(call.id, call.name);
    }
    if (!message || !isCondensable(index) || !ToolMessage.isInstance(message)) continue;
    const text = messageText(message);
    if (isElisionStub(text)) continue;
    const toolName = toolNames.get(message.tool_call_id) ?? message.name ?? "a tool";
    replace(index, withToolContent(message, describeElidedOutput(toolName, text)));
  }

  for (let index = 0; index < messages.length && total > options.maxTokens; index += 1) {
    const message = messages[index];
    if (!message || !isCondensable(index) || !AIMessage.isInstance(message)) continue;
    const text = messageText(message);
    if (text.length <= AI_TEXT_KEEP_CHARS + AI_TEXT_MARKER.length) continue;
    replace(index, withAIText(message, text.slice(0, AI_TEXT_KEEP_CHARS) + AI_TEXT_MARKER));
  }

  return { messages: result, condensed: changed > 0, tokensBefore, tokensAfter: total, elidedToolResults };
}

/** The stub that stands in for an elided tool output. */
export function describeElidedOutput(toolName: string, output: string): string {
  const firstLine = (output.split("\n").find((line) => line.trim() !== "") ?? "").trim().slice(0, STUB_FIRST_LINE_CHARS);
  const lineCount = output === "" ? 0 : output.split("\n").length - (output.endsWith("\n") ? 1 : 0);
  return `${STUB_PREFIX}${toolName} elided to save context: ${firstLine} … (${lineCount} lines, ${output.length} chars). ${STUB_SUFFIX}`;
}

function isElisionStub(text: string): boolean {
  return text.startsWith(STUB_PREFIX) && text.endsWith(STUB_SUFFIX);
}

/** Which positions may be rewritten: not system, not the first human message, not pinned, not recent. */
function condensableIndexes(messages: readonly BaseMessage[], options: CondenseHistoryOptions): (index: number) => boolean {
  const keepRecentTurns = Math.max(0, Math.floor(options.keepRecentTurns ?? DEFAULT_KEEP_RECENT_TURNS));
  let recentStart = messages.length;
  let turnsSeen = 0;
  for (let index = messages.length - 1; index >= 0 && turnsSeen < keepRecentTurns; index -= 1) {
    if (messages[index]?.type === "ai") {
      turnsSeen += 1;
      recentStart = index;
    }
  }
  const firstHuman = messages.findIndex((message) => message.type === "human");
  return (index) => {
    const message = messages[index];
    if (!message || index >= recentStart || index === firstHuman || message.type === "system") return false;
    return !(options.pinned?.(message, index) ?? false);
  };
}

function withToolContent(message: ToolMessage, content: string): ToolMessage {
  return new ToolMessage({
    content,
    tool_call_id: message.tool_call_id,
    name: message.name,
    id: message.id,
    status: message.status,
    artifact: message.artifact,
    metadata: message.metadata,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
  });
}

/** The message with its text replaced; tool calls and any non-text blocks are kept as they are. */
function withAIText(message: AIMessage, text: string): AIMessage {
  let content: AIMessage["content"] = text;
  if (typeof message.content !== "string") {
    let textPlaced = false;
    content = message.content.flatMap((block) => {
      if (block.type !== "text") return [block];
      if (textPlaced) return [];
      textPlaced = true;
      return [{ type: "text" as const, text }];
    });
  }
  return new AIMessage({
    content,
    tool_calls: message.tool_calls,
    invalid_tool_calls: message.invalid_tool_calls,
    usage_metadata: message.usage_metadata,
    name: message.name,
    id: message.id,
    additional_kwargs: message.additional_kwargs,
    response_metadata: message.response_metadata,
  });
}
