import { describe, expect, it } from "vitest";
import type { Key } from "../../../../cli/tui/keys.js";
import { KeyReader } from "../../../../cli/tui/keys.js";
import { DOUBLE_CTRL_C_MS, handleKey, type ScreenEffect } from "../../../../cli/tui/session/screen-keys.js";
import { initialScreen, reduceScreen, type SessionScreenState } from "../../../../cli/tui/session/screen-state.js";

function screen(history: string[] = []): SessionScreenState {
  return initialScreen({ sessionId: "s1", repository: "slugs", model: "scripted:x", approvalMode: "auto-edit", maxCostUsd: 5, history });
}

/** Types raw terminal input into the screen, as the keyboard would; returns the state and every effect. */
function type(state: SessionScreenState, raw: string, nowMs = 1_000): { state: SessionScreenState; effects: ScreenEffect[] } {
  const effects: ScreenEffect[] = [];
  for (const key of new KeyReader().read(raw)) {
    const outcome = handleKey(state, key, nowMs);
    state = outcome.state;
    effects.push(...outcome.effects);
  }
  return { state, effects };
}

const press = (state: SessionScreenState, key: Key, nowMs = 1_000) => handleKey(state, key, nowMs);

describe("the prompt", () => {
  it("sends what was typed with Enter and empties the prompt", () => {
    const { state, effects } = type(screen(), "fix the crash\r");
    expect(effects).toEqual([{ type: "submit", text: "fix the crash" }]);
    expect(state.input).toEqual({ text: "", cursor: 0 });
  });

  it("edits in the middle of the line: arrows, Backspace, Delete, Home, End, Ctrl-W and Ctrl-U", () => {
    let { state } = type(screen(), "fix bug");
    state = type(state, "\u001b[D\u001b[D\u001b[D").state;
    state = type(state, "the ").state;
    expect(state.input).toEqual({ text: "fix the bug", cursor: 8 });
    state = type(state, "\u007f\u001b[3~").state;
    expect(state.input.text).toBe("fix theug");
    state = type(state, "\u001b[F\u0017").state;
    expect(state.input.text).toBe("fix ");
    state = type(state, "\u001b[H!\u001b[F\u0015").state;
    expect(state.input).toEqual({ text: "", cursor: 0 });
  });

  it("makes a line break with Ctrl-J, a backslash before Enter, or Alt-Enter, and keeps a pasted text's lines", () => {
    expect(type(screen(), "one\ntwo").state.input.text).toBe("one\ntwo");
    expect(type(screen(), "one\\\rtwo").state.input.text).toBe("one\ntwo");
    expect(type(screen(), "one\u001b\rtwo").state.input.text).toBe("one\ntwo");
    const pasted = type(screen(), "\u001b[200~first line\r\nsecond line\u001b[201~\r");
    expect(pasted.effects).toEqual([{ type: "submit", text: "first line\nsecond line" }]);
  });

  it("walks the history with Up and Down and gives back the draft", () => {
    let { state } = type(screen(["first task", "second task"]), "draft");
    state = type(state, "\u001b[A").state;
    expect(state.input.text).toBe("second task");
    state = type(state, "\u001b[A\u001b[A").state;
    expect(state.input.text).toBe("first task");
    state = type(state, "\u001b[B\u001b[B").state;
    expect(state.input.text).toBe("draft");
  });

  it("moves between the lines of a multi-line prompt with Up and Down before the history", () => {
    let { state } = type(screen(["old"]), "ab\ncd");
    state = type(state, "\u001b[A").state;
    expect(state.input).toEqual({ text: "ab\ncd", cursor: 2 });
    state = type(state, "\u001b[A").state;
    expect(state.input.text).toBe("old");
  });

  it("completes a slash command with Tab, to the common part when several match", () => {
    expect(type(screen(), "/di\t").state.input.text).toBe("/diff ");
    expect(type(screen(), "/ap\t").state.input.text).toBe("/app");
  });
});

describe("Esc and Ctrl-C", () => {
  const running = () => reduceScreen(screen(), { type: "task-started" });

  it("stops the agents on Esc while a task runs, and does nothing else when idle", () => {
    expect(press(running(), { name: "escape" }).effects).toEqual([{ type: "interrupt" }]);
    expect(press(screen(), { name: "escape" }).effects).toEqual([]);
  });

  it("takes one Ctrl-C as Esc, and a second within the window as quit", () => {
    const first = press(running(), { name: "ctrl", letter: "c" }, 10_000);
    expect(first.effects).toEqual([{ type: "interrupt" }]);
    expect(first.state.status).toContain("Ctrl-C again");
    expect(press(first.state, { name: "ctrl", letter: "c" }, 10_000 + DOUBLE_CTRL_C_MS - 1).effects).toEqual([{ type: "quit" }]);
    expect(press(first.state, { name: "ctrl", letter: "c" }, 10_000 + DOUBLE_CTRL_C_MS + 1).effects).toEqual([{ type: "interrupt" }]);
  });

  it("clears the prompt on a first Ctrl-C when idle", () => {
    const { state } = type(screen(), "half typed\u0003");
    expect(state.input.text).toBe("");
  });

  it("lets a paused role go on when Enter is pressed on an empty prompt", () => {
    const paused = reduceScreen(running(), { type: "paused", paused: true });
    expect(press(paused, { name: "enter" }).effects).toEqual([{ type: "continue" }]);
    expect(type(paused, "use the cache\r").effects).toEqual([{ type: "submit", text: "use the cache" }]);
  });
});

describe("dialogs", () => {
  const request = { node: "programmer" as const, tool: "run_shell", input: { command: "pytest" }, reason: "run_shell runs a command" };
  const asking = () => reduceScreen(screen(), { type: "dialog", dialog: { kind: "approval", request, preview: ["$ pytest"], guidance: null } });

  it("answers an approval with yes, always, no, or no with the person's words", () => {
    expect(type(asking(), "y").effects).toEqual([{ type: "approval", answer: { allowed: true } }]);
    expect(type(asking(), "a").effects).toEqual([{ type: "approval", answer: { allowed: true, note: "run_shell allowed for the rest of the session" }, alwaysTool: "run_shell" }]);
    expect(type(asking(), "n").effects).toEqual([{ type: "approval", answer: { allowed: false } }]);
    expect(type(asking(), "\u001b").effects).toEqual([{ type: "approval", answer: { allowed: false } }]);
    const guided = type(asking(), "grun only tests/unit\r");
    expect(guided.effects).toEqual([{ type: "approval", answer: { allowed: false, guidance: "run only tests/unit" } }]);
    expect(guided.state.dialog).toBeNull();
  });

  it("answers the dialog, not the prompt: typed letters never reach the prompt while it is open", () => {
    const { state } = type(asking(), "xqz");
    expect(state.dialog).not.toBeNull();
    expect(state.input.text).toBe("");
    expect(state.status).toContain("y yes");
  });

  it("accepts, revises with the person's words, or rejects a plan", () => {
    const plan = { version: 1, summary: "s", steps: [{ owner: "programmer" as const, description: "fix" }], files: [] };
    const reviewing = () => reduceScreen(screen(), { type: "dialog", dialog: { kind: "plan", plan, feedback: null } });
    expect(type(reviewing(), "\r").effects).toEqual([{ type: "plan-review", review: { action: "accept" } }]);
    expect(type(reviewing(), "ealso handle empty input\r").effects).toEqual([{ type: "plan-review", review: { action: "revise", feedback: "also handle empty input" } }]);
    expect(type(reviewing(), "e\r").effects).toEqual([]);
    expect(type(reviewing(), "rwrong file\r").effects).toEqual([{ type: "plan-review", review: { action: "reject", reason: "wrong file" } }]);
    expect(type(reviewing(), "e\u001b").state.dialog).toMatchObject({ kind: "plan", feedback: null });
  });

  it("offers retry, another model, or stop after a model error", () => {
    const failed = () => reduceScreen(screen(), { type: "dialog", dialog: { kind: "model-error", node: "planner", message: "quota" } });
    expect(type(failed(), "r").effects).toEqual([{ type: "model-error", choice: "retry" }]);
    expect(type(failed(), "s").effects).toEqual([{ type: "model-error", choice: "stop" }]);
    const switching = type(failed(), "m");
    expect(switching.effects).toEqual([]);
    expect(switching.state).toMatchObject({ dialog: null, retryAfterModelSwitch: true, input: { text: "/model " } });
  });

  it("applies only on y", () => {
    const confirm = () => reduceScreen(screen(), { type: "dialog", dialog: { kind: "confirm-apply", files: 2, checkout: "/repo" } });
    expect(type(confirm(), "y").effects).toEqual([{ type: "confirm-apply", yes: true }]);
    expect(type(confirm(), "\r").effects).toEqual([{ type: "confirm-apply", yes: false }]);
  });

  it("answers an open approval no on Ctrl-C, and quits on the second", () => {
    const first = press(asking(), { name: "ctrl", letter: "c" }, 5_000);
    expect(first.effects).toEqual([{ type: "approval", answer: { allowed: false } }]);
    expect(press(first.state, { name: "ctrl", letter: "c" }, 5_500).effects).toEqual([{ type: "quit" }]);
  });
});

describe("scrolling and folding", () => {
  it("scrolls the transcript up and back with the page keys, and toggles the long outputs with Ctrl-O", () => {
    let { state } = type(screen(), "\u001b[5~\u001b[5~");
    expect(state.scroll).toBe(20);
    state = type(state, "\u001b[6~\u001b[6~\u001b[6~").state;
    expect(state.scroll).toBe(0);
    expect(type(screen(), "\u000f").state.expanded).toBe(true);
  });
});
