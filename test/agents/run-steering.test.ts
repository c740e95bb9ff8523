import { AIMessage } from "@langchain/core/messages";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { runAgentLoop, type AgentLoopOptions } from "../../src/agents/agent-loop.js";
import { RunSteering } from "../../src/agents/run-steering.js";
import { AbortedError, ModelError } from "../../src/errors.js";
import { createEventEmitter, type AgentEvent } from "../../src/events/agent-event.js";
import { zeroUsage } from "../../src/events/usage.js";
import type { ModelCallRequest, ModelClient } from "../../src/models/model-client.js";
import { createSwitchableModel } from "../../src/models/switchable-model.js";
import { toolOk, type AgentTool } from "../../src/tools/agent-tool.js";
import type { ApprovalRequest } from "../../src/tools/approver.js";

type Reply = AIMessage | ((request: ModelCallRequest) => Promise<AIMessage>);

/** A model port that answers with the given replies in turn (a function may wait, or throw), recording the requests. */
function fakeModel(replies: Reply[], modelKey = "fake:model"): ModelClient & { requests: ModelCallRequest[] } {
  const requests: ModelCallRequest[] = [];
  return {
    modelKey,
    requests,
    call: async (request) => {
      requests.push(request);
      const reply = replies[requests.length - 1];
      if (!reply) throw new Error("the fake model ran out of replies");
      const message = typeof reply === "function" ? await reply(request) : reply;
      return { message, usage: zeroUsage, cost: { usd: 0, basis: "scripted" }, durationMs: 0, attempts: 1 };
    },
  };
}

const toolCall = (name: string, args: Record<string, unknown>, id = `call-${name}-${Math.random().toString(36).slice(2, 8)}`) =>
  new AIMessage({ content: "", tool_calls: [{ id, name, args, type: "tool_call" }] });
const done = () => toolCall("done", { answer: "ok" });

/** Resolves once `predicate` holds, checking on every turn of the event loop. */
async function until(predicate: () => boolean): Promise<void> {
  for (let tries = 0; !predicate(); tries += 1) {
    if (tries > 2_000) throw new Error("the condition never held");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** A shell-like tool that runs until its signal aborts (as a sandbox command killed by the interrupt does), or returns at once when `quick`. */
function slowShell(): AgentTool & { started: number; killed: number } {
  const tool = {
    name: "run_shell",
    description: "runs a command",
    kind: "execute" as const,
    schema: z.object({ command: z.string() }),
    started: 0,
    killed: 0,
    async run(input: { command: string }, signal?: AbortSignal) {
      tool.started += 1;
      if (input.command === "quick") return toolOk("done quickly");
      await new Promise<void>((_resolve, reject) => {
        signal?.addEventListener("abort", () => {
          tool.killed += 1;
          reject(new AbortedError());
        });
      });
      return toolOk("never");
    },
  };
  return tool;
}

function editTool(): AgentTool {
  return { name: "edit_file", description: "edits", kind: "edit", schema: z.object({ path: z.string() }), run: async () => toolOk("edited") };
}

function setUp(model: ModelClient, extra: Partial<AgentLoopOptions<z.ZodObject<{ answer: z.ZodString }>>> = {}) {
  const events: AgentEvent[] = [];
  const emit = createEventEmitter("run", (event) => events.push(event));
  const shell = slowShell();
  const run = runAgentLoop({
    node: "programmer",
    model,
    tools: [shell, editTool()],
    finalTool: { name: "done", description: "finish", schema: z.object({ answer: z.string() }) },
    system: "system",
    prompt: "task",
    maxSteps: 20,
    shouldStop: () => null,
    approvalMode: "full-auto",
    emit,
    ...extra,
  });
  return { run, events, shell };
}

const texts = (request: ModelCallRequest | undefined) => (request?.messages ?? []).map((message) => String(message.content));

describe("a run steered by a person", () => {
  it("stops a model turn on interrupt, waits for guidance and gives it to the role as a user message", async () => {
    const steering = new RunSteering();
    const model = fakeModel([
      (request) =>
        new Promise<AIMessage>((_resolve, reject) => request.signal?.addEventListener("abort", () => reject(new AbortedError()))),
      done(),
    ]);
    const { run, events } = setUp(model, { steering });
    await until(() => model.requests.length === 1);
    expect(steering.interrupt()).toBe(true);
    await until(() => steering.isWaitingForGuidance());
    steering.guide("look at parse() in src/app.py instead");
    const result = await run;
    expect(result.final).toEqual({ answer: "ok" });
    expect(texts(model.requests[1]).at(-1)).toContain("The user interrupted you and says: look at parse() in src/app.py instead");
    expect(events.filter((event) => event.type === "turn-interrupted")).toMatchObject([{ node: "programmer", during: "model" }]);
    expect(events.filter((event) => event.type === "guidance-given")).toMatchObject([{ text: "look at parse() in src/app.py instead" }]);
    expect(steering.isInterrupted()).toBe(false);
  });

  it("kills a running tool call on interrupt, answers it as stopped, and goes on after guidance", async () => {
    const steering = new RunSteering();
    const model = fakeModel([toolCall("run_shell", { command: "sleep 600" }), done()]);
    const { run, events, shell } = setUp(model, { steering });
    await until(() => shell.started === 1);
    steering.interrupt();
    await until(() => steering.isWaitingForGuidance());
    expect(shell.killed).toBe(1);
    steering.guide("do not run the slow suite");
    await run;
    const answers = texts(model.requests[1]);
    expect(answers).toContain("Stopped: the user interrupted this call (its command was killed).");
    expect(answers.at(-1)).toContain("do not run the slow suite");
    expect(events.find((event) => event.type === "tool-call-end")).toMatchObject({ ok: false, display: "run_shell stopped: interrupted by the user" });
    expect(events.find((event) => event.type === "turn-interrupted")).toMatchObject({ during: "tool", tool: "run_shell" });
  });

  it("answers the calls after an interrupted one without running them", async () => {
    const steering = new RunSteering();
    const both = new AIMessage({
      content: "",
      tool_calls: [
        { id: "a", name: "run_shell", args: { command: "sleep 600" }, type: "tool_call" },
        { id: "b", name: "run_shell", args: { command: "quick" }, type: "tool_call" },
      ],
    });
    const model = fakeModel([both, done()]);
    const { run, shell } = setUp(model, { steering });
    await until(() => shell.started === 1);
    steering.interrupt();
    await until(() => steering.isWaitingForGuidance());
    steering.continueWithout();
    await run;
    expect(shell.started).toBe(1);
    expect(texts(model.requests[1])).toContain("Not run: the user interrupted before this call.");
  });

  it("stops before the next turn when the interrupt came while no turn ran", async () => {
    const steering = new RunSteering();
    steering.interrupt();
    const model = fakeModel([done()]);
    const { run, events } = setUp(model, { steering });
    await until(() => steering.isWaitingForGuidance());
    expect(model.requests).toHaveLength(0);
    steering.guide("keep the public API unchanged");
    await run;
    expect(texts(model.requests[0]).at(-1)).toContain("keep the public API unchanged");
    expect(events.find((event) => event.type === "turn-interrupted")).toMatchObject({ during: "between-turns" });
  });

  it("gives guidance typed while the role worked before its next model call", async () => {
    const steering = new RunSteering();
    const model = fakeModel([
      async () => {
        steering.guide("prefer a minimal change");
        return toolCall("run_shell", { command: "quick" });
      },
      done(),
    ]);
    const { run } = setUp(model, { steering });
    await run;
    expect(texts(model.requests[1]).at(-1)).toBe("Message from the user, who is watching your work: prefer a minimal change");
  });

  it("rejects the wait for guidance when the whole run is cancelled meanwhile", async () => {
    const steering = new RunSteering();
    const controller = new AbortController();
    steering.interrupt();
    const { run } = setUp(fakeModel([done()]), { steering, signal: controller.signal });
    await until(() => steering.isWaitingForGuidance());
    controller.abort();
    await expect(run).rejects.toBeInstanceOf(AbortedError);
  });

  it("passes the person's words with a denied call to the model, and records them", async () => {
    const requests: ApprovalRequest[] = [];
    const model = fakeModel([toolCall("edit_file", { path: "a.py" }), done()]);
    const { run, events } = setUp(model, {
      approvalMode: "suggest",
      approver: async (request) => {
        requests.push(request);
        return { allowed: false, guidance: "edit b.py, not a.py" };
      },
    });
    await run;
    expect(requests).toMatchObject([{ tool: "edit_file", input: { path: "a.py" }, reason: "edit_file changes files" }]);
    expect(texts(model.requests[1]).at(-1)).toBe(
      "Not run: the user did not approve this edit action (edit_file changes files). The user says: edit b.py, not a.py",
    );
    expect(events.find((event) => event.type === "approval-decision")).toMatchObject({ decision: "deny", guidance: "edit b.py, not a.py" });
  });

  it("applies an approval mode switched during the run to the next tool call", async () => {
    const steering = new RunSteering();
    let asked = 0;
    const model = fakeModel([
      toolCall("edit_file", { path: "a.py" }),
      async () => {
        steering.setApprovalMode("full-auto");
        return toolCall("edit_file", { path: "a.py" });
      },
      done(),
    ]);
    const { run } = setUp(model, {
      steering,
      approvalMode: "suggest",
      approver: async () => {
        asked += 1;
        return { allowed: true, note: "approved" };
      },
    });
    await run;
    expect(asked).toBe(1);
  });

  it("asks the person after a failed model call and tries the same turn again when they choose retry", async () => {
    const failures: string[] = [];
    const steering = new RunSteering({
      onModelError: async (failure) => {
        failures.push(`${failure.node}: ${failure.message}`);
        return "retry";
      },
    });
    const model = fakeModel([
      async () => {
        throw new ModelError("openai:gpt-4.1: quota exceeded; add credit", { retryable: false, code: "model-quota" });
      },
      done(),
    ]);
    const { run, events } = setUp(model, { steering });
    expect((await run).final).toEqual({ answer: "ok" });
    expect(failures).toEqual(["programmer: openai:gpt-4.1: quota exceeded; add credit"]);
    expect(texts(model.requests[1])).toEqual(texts(model.requests[0]));
    expect(events.find((event) => event.type === "model-error")).toMatchObject({ choice: "retry" });
  });

  it("ends the loop with the model error when the person chooses stop", async () => {
    const steering = new RunSteering({ onModelError: async () => "stop" });
    const model = fakeModel([
      async () => {
        throw new ModelError("bad key", { retryable: false, code: "model-auth" });
      },
    ]);
    await expect(setUp(model, { steering }).run).rejects.toThrow("bad key");
  });

  it("sends the final result back with the reviewer's words until it is accepted", async () => {
    const reviews: Array<string | null> = ["also cover empty input", null];
    const model = fakeModel([done(), done()]);
    const { run } = setUp(model, { reviewFinal: async () => reviews.shift() ?? null });
    expect((await run).final).toEqual({ answer: "ok" });
    expect(texts(model.requests[1]).at(-1)).toBe("Not accepted: also cover empty input");
  });
});

describe("RunSteering", () => {
  it("undoes an edit only while the agents wait for guidance", async () => {
    const steering = new RunSteering();
    const undone: string[] = [];
    steering.attachTree({ patch: async () => "diff", undoLastEdit: async () => (undone.push("x"), "reverted the last edit of a.py.") });
    expect(await steering.undoLastEdit()).toContain("Stop the agents first (Esc)");
    steering.interrupt();
    const waiting = steering.waitForGuidance();
    expect(await steering.undoLastEdit()).toBe("reverted the last edit of a.py.");
    steering.guide("");
    await waiting;
    expect(undone).toHaveLength(1);
    expect(steering.takeGuidance()).toEqual(["(The user ran /undo: reverted the last edit of a.py.)"]);
  });

  it("says there is nothing to show before a run's trees exist", async () => {
    const steering = new RunSteering();
    expect(await steering.currentPatch()).toBe("");
    expect(await steering.undoLastEdit()).toBe("There is no run with a working tree to undo in.");
  });
});

describe("createSwitchableModel", () => {
  it("uses the model the person switched to for the next calls, building it once", async () => {
    const switched: { to?: string } = {};
    const base = fakeModel([done(), done()], "openai:gpt-4.1");
    const other = fakeModel([done(), done()], "anthropic:claude-sonnet-4-5");
    let builds = 0;
    const model = createSwitchableModel(base, () => switched.to, async (name) => {
      builds += 1;
      expect(name).toBe("anthropic:claude-sonnet-4-5");
      return other;
    });
    await model.call({ messages: [] });
    switched.to = "anthropic:claude-sonnet-4-5";
    expect(model.modelKey).toBe("anthropic:claude-sonnet-4-5");
    await model.call({ messages: [] });
    await model.call({ messages: [] });
    expect([base.requests.length, other.requests.length, builds]).toEqual([1, 2, 1]);
  });

  it("tries to build a model that failed to build again at the next call", async () => {
    let builds = 0;
    const model = createSwitchableModel(fakeModel([], "a:b"), () => "c:d", async () => {
      builds += 1;
      throw new ModelError("no key for c", { retryable: false });
    });
    await expect(model.call({ messages: [] })).rejects.toThrow("no key for c");
    await expect(model.call({ messages: [] })).rejects.toThrow("no key for c");
    expect(builds).toBe(2);
  });
});
