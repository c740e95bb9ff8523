import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { AbortedError, ModelError } from "../../src/errors.js";
import type { ModelCallRequest, ModelClient } from "../../src/models/model-client.js";
import { classifyIssue } from "../../src/triage/classify-issue.js";

const issue = { repository: "acme/slugs", number: 7, author: "ada", title: "Tabs kept", body: "slugify('a\\tb') gives 'a\\tb'.", comments: [] };
const labels = [{ name: "bug", description: "Something is wrong" }];
const valid = { kind: "bug", confidence: 0.8, reason: "wrong output", language: "en", area_labels: [], missing_information: ["versions"], information_request: "Which version?", difficulty: "easy", difficulty_reason: "small" };

/** A model that answers each call with the next reply (a message, or an error to throw), recording the requests. */
function modelAnswering(...replies: Array<AIMessage | Error>): ModelClient & { requests: ModelCallRequest[] } {
  const requests: ModelCallRequest[] = [];
  return {
    modelKey: "fake:model",
    requests,
    async call(request) {
      requests.push(request);
      const reply = replies.shift();
      if (!reply) throw new Error("no more replies");
      if (reply instanceof Error) throw reply;
      return { message: reply, usage: { inputTokens: 100, outputTokens: 10, cachedInputTokens: 0, cacheWriteTokens: 0 }, cost: { usd: 0.001, source: "table" }, durationMs: 1, attempts: 1 } as never;
    },
  };
}
const submit = (args: unknown, id = "call_1") => new AIMessage({ content: "", tool_calls: [{ id, name: "submit_triage", args: args as Record<string, unknown> }] });

describe("classifyIssue", () => {
  it("reads the model's structured judgement and quotes the issue as data with the repository's labels", async () => {
    const model = modelAnswering(submit(valid));
    const { classification, usage } = await classifyIssue({ model, issue, labels });
    expect(classification).toMatchObject({ kind: "bug", missing: ["versions"], informationRequest: "Which version?", difficulty: { level: "easy", reason: "small" } });
    expect(usage).toEqual({ modelCalls: 1, inputTokens: 100, outputTokens: 10, costUsd: 0.001 });
    const prompt = String(model.requests[0]!.messages[1]!.content);
    expect(prompt).toContain("<issue>\nTitle: Tabs kept");
    expect(prompt).toContain("- bug: Something is wrong");
  });

  it("asks again once when the model answers in prose, and takes the second answer", async () => {
    const model = modelAnswering(new AIMessage("It is a bug."), submit(valid));
    const { classification, usage } = await classifyIssue({ model, issue, labels });
    expect(classification.kind).toBe("bug");
    expect(usage.modelCalls).toBe(2);
    expect(String(model.requests[1]!.messages.at(-1)!.content)).toContain("You did not call submit_triage");
  });

  it("tells the model what was invalid, through the tool's answer", async () => {
    const model = modelAnswering(submit({ ...valid, kind: "crash" }), submit(valid, "call_2"));
    await classifyIssue({ model, issue, labels });
    expect(String(model.requests[1]!.messages.at(-1)!.content)).toMatch(/Not accepted: kind/);
  });

  it("leaves the issue as other, with a note, when no answer can be read", async () => {
    const { classification, notes } = await classifyIssue({ model: modelAnswering(new AIMessage("no"), new AIMessage("still no")), issue, labels });
    expect(classification.kind).toBe("other");
    expect(notes[0]).toContain("could not be read");
  });

  it("keeps the missing information of bugs only", async () => {
    const { classification } = await classifyIssue({ model: modelAnswering(submit({ ...valid, kind: "question" })), issue, labels });
    expect(classification.missing).toEqual([]);
  });

  it("turns a model failure into a note rather than a crash", async () => {
    const { classification, notes } = await classifyIssue({ model: modelAnswering(new ModelError("provider down after 6 retries", { retryable: false })), issue, labels });
    expect(classification.kind).toBe("other");
    expect(notes[0]).toContain("provider down");
  });

  it("lets a cancellation through", async () => {
    await expect(classifyIssue({ model: modelAnswering(new AbortedError()), issue, labels })).rejects.toBeInstanceOf(AbortedError);
  });
});
