import { AIMessage, type BaseMessage } from "@langchain/core/messages";

/** Roughly how many characters make one token of English text or code. */
const CHARS_PER_TOKEN = 4;
/** Tokens each message costs beyond its text (role markers and separators in the provider's template). */
const MESSAGE_OVERHEAD_TOKENS = 4;
/** Tokens each tool call costs beyond its name and arguments. */
const TOOL_CALL_OVERHEAD_TOKENS = 3;

/** The characters of a message's content: text blocks by their text, any other block by its JSON. */
function contentChars(message: BaseMessage): number {
  if (typeof message.content === "string") return message.content.length;
  let chars = 0;
  for (const block of message.content) {
    chars += block.type === "text" && typeof block["text"] === "string" ? block["text"].length : JSON.stringify(block).length;
  }
  return chars;
}

/** A fast token estimate of one message: characters / 4, plus a per-message and per-tool-call overhead. */
export function estimateMessageTokens(message: BaseMessage): number {
  let chars = contentChars(message);
  let overhead = MESSAGE_OVERHEAD_TOKENS;
  if (AIMessage.isInstance(message)) {
    for (const call of message.tool_calls ?? []) {
      chars += call.name.length + (JSON.stringify(call.args) ?? "").length + (call.id?.length ?? 0);
      overhead += TOOL_CALL_OVERHEAD_TOKENS;
    }
  }
  return overhead + Math.ceil(chars / CHARS_PER_TOKEN);
}

/** A fast token estimate of a conversation, with no tokenizer: good for budgets, not for billing. */
export function estimateTokens(messages: readonly BaseMessage[]): number {
  let total = 0;
  for (const message of messages) total += estimateMessageTokens(message);
  return total;
}
