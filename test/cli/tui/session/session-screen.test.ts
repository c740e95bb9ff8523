import { renderToString } from "ink";
import { cleanup, render } from "ink-testing-library";
import { createElement } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { createLineCache, diffLine } from "../../../../cli/tui/session/screen-lines.js";
import { initialScreen, reduceScreen, type ScreenAction, type SessionScreenState } from "../../../../cli/tui/session/screen-state.js";
import { SessionScreen } from "../../../../cli/tui/session/session-screen.js";
import type { AgentEvent } from "../../../../src/events/agent-event.js";
import { sampleRunEvents, sampleRunStart } from "../../../events/sample-run.js";

afterEach(cleanup);

// eslint-disable-next-line no-control-regex -- escape sequences are what is stripped
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]/g;

function screen(): SessionScreenState {
  return initialScreen({ sessionId: "20261202-101010-abcdef", repository: "slugs", model: "openai:gpt-4.1", approvalMode: "suggest", maxCostUsd: 5 });
}

function apply(state: SessionScreenState, actions: ScreenAction[]): SessionScreenState {
  return actions.reduce(reduceScreen, state);
}

const events = (list: AgentEvent[]): ScreenAction[] => list.map((event) => ({ type: "event", event }));

/** The sample run up to (not including) its end: a task at work. */
function working(): SessionScreenState {
  return apply(screen(), [{ type: "task-started" }, { type: "user", text: "slugify keeps surrounding spaces" }, ...events(sampleRunEvents().slice(0, -1))]);
}

/** The frame at a size, with ANSI colours kept (`raw`) or stripped. */
function frame(state: SessionScreenState, columns: number, rows: number, raw = false): string {
  const output = renderToString(createElement(SessionScreen, { state, columns, rows, nowMs: sampleRunStart + 5_000, linesOf: createLineCache() }), { columns });
  return raw ? output : output.replace(ESCAPES, "");
}

const widest = (text: string) => Math.max(...text.split("\n").map((line) => [...line].length));

describe("SessionScreen", () => {
  it("draws the header, the graph with the active role, the transcript and the prompt, in exactly the rows it is given (ink-testing-library)", () => {
    const { lastFrame } = render(createElement(SessionScreen, { state: working(), columns: 100, rows: 30, nowMs: sampleRunStart + 5_000, linesOf: createLineCache() }));
    const lines = (lastFrame() ?? "").split("\n");
    expect(lines).toHaveLength(30);
    expect(lines[0]).toContain("agent slugs · openai:gpt-4.1 · suggest · session 20261202-101010-abcdef");
    expect(lines[1]).toMatch(/✓ planner → ✓ test-designer → ✓ programmer → \S+ executor/);
    expect(lines[1]).toContain("of $5");
    expect(lines.at(-2)).toMatch(/^message ›/);
    expect(lines.at(-1)).toContain("Esc stops the agents");
    expect(lastFrame()).toContain("── executor");
  });

  it("shows the plan's steps with their status and the changes, in a panel of its own on a wide terminal", () => {
    const state = apply(working(), [{ type: "diff", diff: "diff --git a/a.py b/a.py\n--- a/a.py\n+++ b/a.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n" }]);
    const wide = frame(state, 140, 40);
    expect(wide).toContain("│ Plan v1");
    expect(wide).toContain("│ Changes 1 file, +1 −1");
    expect(wide).toMatch(/│ \+x = 2/);
    expect(diffLine("+x = 2", 40)).toEqual([[{ text: "+x = 2", color: "green" }]]);
    expect(diffLine("-x = 1", 40)).toEqual([[{ text: "-x = 1", color: "red" }]]);
    expect(frame(state, 100, 40)).not.toContain("│ Plan v1");
  });

  it("degrades below 60 columns without going past the edge, and draws something even on a tiny terminal", () => {
    const narrow = frame(working(), 50, 24);
    expect(narrow.split("\n")[0]).toContain("openai:gpt-4.1 · suggest");
    expect(narrow.split("\n")[0]).not.toContain("session");
    expect(widest(narrow)).toBeLessThanOrEqual(50);
    expect(narrow.split("\n")[1]).toContain("p → ✓ t");
    const tiny = frame(working(), 20, 4);
    expect(tiny.split("\n").length).toBeLessThanOrEqual(4);
    expect(widest(tiny)).toBeLessThanOrEqual(20);
  });

  it("asks an approval with the edit as removed and added lines, and the four answers", () => {
    const request = { node: "programmer" as const, tool: "edit_file", input: { command: "str_replace", path: "slugs/core.py", old_str: "a", new_str: "b" }, reason: "edit_file changes files" };
    const state = apply(working(), [{ type: "dialog", dialog: { kind: "approval", request, preview: ["str_replace slugs/core.py", "-a", "+b"], guidance: null } }]);
    const lines = frame(state, 100, 30).split("\n");
    expect(lines.slice(-5)).toEqual([
      "programmer asks to use edit_file: edit_file changes files",
      "str_replace slugs/core.py",
      "-a",
      "+b",
      "y yes · a always allow edit_file this session · n no · g no, and say what to do instead",
    ]);
    const guiding = apply(state, [{ type: "dialog", dialog: { kind: "approval", request, preview: [], guidance: "use textwrap" } }]);
    expect(frame(guiding, 100, 30).split("\n").at(-1)).toBe("What should it do instead? use textwrap█");
  });

  it("shows the plan for review before any code changes", () => {
    const plan = { version: 2, summary: "Strip the text before joining.", steps: [{ owner: "programmer" as const, description: "split and join" }], files: ["slugs/core.py"] };
    const text = frame(apply(screen(), [{ type: "dialog", dialog: { kind: "plan", plan, feedback: null } }]), 100, 24);
    expect(text).toContain("Review the plan (v2) before any code changes");
    expect(text).toContain("1. [programmer] split and join");
    expect(text).toContain("files: slugs/core.py");
    expect(text).toContain("Enter or y accept · e edit (your words go back to the planner) · r reject");
  });

  it("folds a long tool output to a few lines and shows it whole with Ctrl-O", () => {
    const output = Array.from({ length: 12 }, (_, index) => `line ${index + 1}`).join("\n");
    const state = apply(screen(), events([
      { runId: "r", timestamp: "2025-03-14T09:30:01.000Z", type: "tool-call-start", callId: "t", node: "programmer", tool: "run_shell", input: { command: "cat log" } },
      { runId: "r", timestamp: "2025-03-14T09:30:02.000Z", type: "tool-call-end", callId: "t", node: "programmer", tool: "run_shell", ok: true, output, durationMs: 3 },
    ]));
    const folded = frame(state, 100, 30);
    expect(folded).toContain("│ line 3");
    expect(folded).not.toContain("│ line 4");
    expect(folded).toContain("… 9 more lines (Ctrl-O shows them)");
    const whole = frame({ ...state, expanded: true }, 100, 30);
    expect(whole).toContain("│ line 12");
  });

  it("shows where the transcript is scrolled to, and keeps the newest rows otherwise", () => {
    const many = apply(screen(), Array.from({ length: 60 }, (_, index): ScreenAction => ({ type: "notice", text: `note ${index}` })));
    expect(frame(many, 100, 20)).toContain("note 59");
    const scrolled = frame({ ...many, scroll: 10 }, 100, 20);
    expect(scrolled).toContain("↑ 10 lines up · PgDn to go back");
    expect(scrolled).not.toContain("note 59");
  });

  it("draws a multi-line prompt with the cursor, and the commands that complete a slash", () => {
    const typed = { ...screen(), input: { text: "/a", cursor: 2 } };
    const text = frame(typed, 100, 20);
    expect(text).toContain("/approval [suggest|auto-edit|full-auto] — switch the approval mode");
    expect(text).toContain("/apply — write the session's patch to your checkout");
    const multi = frame({ ...screen(), input: { text: "first\nsecond", cursor: 3 } }, 100, 20).split("\n");
    expect(multi.slice(-3, -1)).toEqual(["› first", "  second"]);
  });

  it("strips escape sequences and control characters a tool printed", () => {
    const state = apply(screen(), events([
      { runId: "r", timestamp: "2025-03-14T09:30:01.000Z", type: "tool-call-start", callId: "t", node: "programmer", tool: "run_shell", input: { command: "x" } },
      { runId: "r", timestamp: "2025-03-14T09:30:02.000Z", type: "tool-call-end", callId: "t", node: "programmer", tool: "run_shell", ok: true, output: "\u001b[2J\u001b[31mred\u001b[0m\u0007 done\rprogress 100%", durationMs: 3 },
    ]));
    const raw = frame(state, 100, 20, true);
    expect(raw).not.toContain("\u001b[2J");
    expect(raw).not.toContain("\u0007");
    // What follows the last carriage return is what a terminal would show of a progress line.
    expect(frame(state, 100, 20)).toContain("│ progress 100%");
  });
});
