import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { tool } from "@langchain/core/tools";
import { z } from "zod";
import type { RecordedToolCall } from "../events/agent-event.js";
import { messageText, type ModelClient } from "./model-client.js";
import type { CostEstimate, ModelUsage } from "../events/usage.js";

/** The outcome of a model check: did the call succeed, and did the model call the tool as asked. */
export interface ModelCheckResult {
  model: string;
  toolCallingWorks: boolean;
  toolCall?: RecordedToolCall;
  text: string;
  usage: ModelUsage;
  cost: CostEstimate;
  durationMs: number;
  attempts: number;
}

const reportStatus = tool(async ({ status }) => `status ${status} received`, {
  name: "report_status",
  description: "Report a status word back to the caller.",
  schema: z.object({ status: z.string().describe("The status word.") }),
});

/**
 * Sends one short request with one tool and checks that the model calls it: proves the
 * credentials, the endpoint and tool calling in a single round trip.
 */
export async function checkModel(client: ModelClient, signal?: AbortSignal): Promise<ModelCheckResult> {
  const result = await client.call({
    messages: [
      new SystemMessage("You are a connectivity check. Follow the instruction exactly."),
      new HumanMessage('Call the report_status tool with status "ok". Do not answer with text.'),
    ],
    tools: [reportStatus],
    signal,
  });
  const call = result.message.tool_calls?.find((candidate) => candidate.name === "report_status");
  return {
    model: client.modelKey,
    toolCallingWorks: call !== undefined,
    ...(call ? { toolCall: { id: call.id ?? "", name: call.name, args: call.args } } : {}),
    text: messageText(result.message),
    usage: result.usage,
    cost: result.cost,
    durationMs: result.durationMs,
    attempts: result.attempts,
  };
}
