import type { ApprovalAnswer, PlanReview } from "../../../src/index.js";
import type { Key } from "../keys.js";
import type { PromptInput, SessionScreenState } from "./screen-state.js";
import { completeSlashCommand } from "./slash-commands.js";

/** What a key asks the controller to do; the screen's own changes are in the returned state. */
export type ScreenEffect =
  /** The prompt's text was sent: a task, a slash command, or (while the agents work) a message for them. */
  | { type: "submit"; text: string }
  /** Stop the current model turn or tool call. */
  | { type: "interrupt" }
  /** Let the stopped role go on without guidance. */
  | { type: "continue" }
  | { type: "quit" }
  /** The answer to an approval dialog; `alwaysTool` when the person allowed that tool for the rest of the session. */
  | { type: "approval"; answer: ApprovalAnswer; alwaysTool?: string }
  | { type: "plan-review"; review: PlanReview }
  | { type: "model-error"; choice: "retry" | "stop" }
  | { type: "confirm-apply"; yes: boolean };

/** The result of one key: the new screen and what the controller must do. */
export interface KeyOutcome {
  state: SessionScreenState;
  effects: ScreenEffect[];
}

/** How long after a Ctrl-C a second one ends the session. */
export const DOUBLE_CTRL_C_MS = 2_000;
/** Lines one PgUp or PgDn scrolls. */
const PAGE_LINES = 10;

const none = (state: SessionScreenState): KeyOutcome => ({ state, effects: [] });

/** Handles one key: the dialog gets it first, then Ctrl-C and Esc, then the prompt. Pure. */
export function handleKey(state: SessionScreenState, key: Key, nowMs: number): KeyOutcome {
  if (key.name === "ctrl" && key.letter === "c") return handleCtrlC(state, nowMs);
  if (state.dialog && key.name === "text" && [...key.text].length > 1) {
    // Letters typed fast arrive together: a dialog takes them one by one (`g`, then the guidance).
    let outcome: KeyOutcome = { state, effects: [] };
    for (const char of key.text) {
      const next = handleKey(outcome.state, { name: "text", text: char }, nowMs);
      outcome = { state: next.state, effects: [...outcome.effects, ...next.effects] };
    }
    return outcome;
  }
  if (state.dialog) return handleDialogKey(state, key);
  if (key.name === "escape") {
    if (state.running && !state.paused) return { state: { ...state, status: "Stopping the agents…" }, effects: [{ type: "interrupt" }] };
    return none({ ...state, status: null });
  }
  if (key.name === "ctrl" && key.letter === "o") return none({ ...state, expanded: !state.expanded });
  if (key.name === "pageup") return none({ ...state, scroll: state.scroll + PAGE_LINES });
  if (key.name === "pagedown") return none({ ...state, scroll: Math.max(0, state.scroll - PAGE_LINES) });
  return handlePromptKey(state, key);
}

function handleCtrlC(state: SessionScreenState, nowMs: number): KeyOutcome {
  if (state.lastCtrlC !== null && nowMs - state.lastCtrlC <= DOUBLE_CTRL_C_MS) return { state: { ...state, status: "Ending the session…" }, effects: [{ type: "quit" }] };
  const armed = { ...state, lastCtrlC: nowMs };
  // A dialog's question is answered "no" (or "stop"), as Esc would.
  if (state.dialog) {
    const closed = handleDialogKey(armed, { name: "escape" });
    return { state: { ...closed.state, status: "Press Ctrl-C again to end the session." }, effects: closed.effects };
  }
  if (state.running && !state.paused) return { state: { ...armed, status: "Stopping the agents… press Ctrl-C again to end the session." }, effects: [{ type: "interrupt" }] };
  return none({ ...armed, input: { text: "", cursor: 0 }, historyIndex: null, status: "Press Ctrl-C again to end the session." });
}

/** Keys while a question is on the screen. */
function handleDialogKey(state: SessionScreenState, key: Key): KeyOutcome {
  const dialog = state.dialog!;
  const close = (effects: ScreenEffect[], status: string | null = null): KeyOutcome => ({ state: { ...state, dialog: null, status }, effects });
  const letter = key.name === "text" ? key.text.toLowerCase() : undefined;
  switch (dialog.kind) {
    case "approval": {
      if (dialog.guidance !== null) {
        const edit = editLine(dialog.guidance, key);
        if (edit === "submit") return close([{ type: "approval", answer: { allowed: false, ...(dialog.guidance.trim() ? { guidance: dialog.guidance.trim() } : {}) } }]);
        if (edit === "cancel") return none({ ...state, dialog: { ...dialog, guidance: null } });
        return none({ ...state, dialog: { ...dialog, guidance: edit } });
      }
      if (letter === "y" || key.name === "enter") return close([{ type: "approval", answer: { allowed: true } }]);
      if (letter === "a") return close([{ type: "approval", answer: { allowed: true, note: `${dialog.request.tool} allowed for the rest of the session` }, alwaysTool: dialog.request.tool }]);
      if (letter === "n" || key.name === "escape") return close([{ type: "approval", answer: { allowed: false } }]);
      if (letter === "g") return none({ ...state, dialog: { ...dialog, guidance: "" } });
      return none({ ...state, status: "y yes · a always (this session) · n no · g no, and say what to do instead" });
    }
    case "plan": {
      if (dialog.feedback !== null) {
        const edit = editLine(dialog.feedback.text, key);
        if (edit === "cancel") return none({ ...state, dialog: { ...dialog, feedback: null } });
        if (edit === "submit") {
          const text = dialog.feedback.text.trim();
          if (dialog.feedback.action === "reject") return close([{ type: "plan-review", review: text ? { action: "reject", reason: text } : { action: "reject" } }]);
          if (!text) return none({ ...state, status: "Say what to change in the plan, or Esc to go back." });
          return close([{ type: "plan-review", review: { action: "revise", feedback: text } }]);
        }
        return none({ ...state, dialog: { ...dialog, feedback: { ...dialog.feedback, text: edit } } });
      }
      if (letter === "y" || key.name === "enter") return close([{ type: "plan-review", review: { action: "accept" } }]);
      if (letter === "e") return none({ ...state, dialog: { ...dialog, feedback: { action: "revise", text: "" } } });
      if (letter === "r") return none({ ...state, dialog: { ...dialog, feedback: { action: "reject", text: "" } } });
      if (key.name === "escape") return none({ ...state, status: "Enter accepts the plan · e edit it · r reject it" });
      return none({ ...state, status: "Enter or y accept · e edit (your words go to the planner) · r reject" });
    }
    case "model-error": {
      if (letter === "r" || key.name === "enter") return close([{ type: "model-error", choice: "retry" }], "Trying the model again…");
      if (letter === "s" || key.name === "escape") return close([{ type: "model-error", choice: "stop" }]);
      if (letter === "m") {
        // The error stays unanswered until /model switches (then the turn is tried again) or the person stops.
        const input = { text: "/model ", cursor: 7 };
        return none({ ...state, dialog: null, input, retryAfterModelSwitch: true, status: "Type the model to switch to (provider:model) and Enter; the turn is then tried again." });
      }
      return none({ ...state, status: "r retry · m switch model · s stop the task" });
    }
    case "confirm-apply": {
      if (letter === "y") return close([{ type: "confirm-apply", yes: true }]);
      if (letter === "n" || key.name === "escape" || key.name === "enter") return close([{ type: "confirm-apply", yes: false }], "Not applied.");
      return none({ ...state, status: "y apply · n cancel" });
    }
  }
}

/** One key for a one-line text field inside a dialog: the new text, or what the key ends. */
function editLine(text: string, key: Key): string | "submit" | "cancel" {
  if (key.name === "enter") return "submit";
  if (key.name === "escape") return "cancel";
  if (key.name === "backspace") return text.slice(0, -1);
  if (key.name === "text" || key.name === "paste") return text + key.text.replace(/\n/g, " ");
  if (key.name === "ctrl" && key.letter === "u") return "";
  return text;
}

function setInput(state: SessionScreenState, input: PromptInput): SessionScreenState {
  return { ...state, input, status: null };
}

function insert(input: PromptInput, text: string): PromptInput {
  return { text: input.text.slice(0, input.cursor) + text + input.text.slice(input.cursor), cursor: input.cursor + text.length };
}

/** The start and end of the line the cursor is on. */
function lineBounds(input: PromptInput): { start: number; end: number } {
  const start = input.text.lastIndexOf("\n", input.cursor - 1) + 1;
  const next = input.text.indexOf("\n", input.cursor);
  return { start, end: next === -1 ? input.text.length : next };
}

/** Keys for the prompt: editing, history, completion and Enter. */
function handlePromptKey(state: SessionScreenState, key: Key): KeyOutcome {
  const { input } = state;
  switch (key.name) {
    case "text":
      return none(setInput(state, insert(input, key.text)));
    case "paste":
      return none(setInput(state, insert(input, key.text.replace(/\t/g, "    "))));
    case "enter": {
      // A backslash before the cursor, or Alt-Enter, makes a line break instead of sending.
      if (key.meta) return none(setInput(state, insert(input, "\n")));
      if (input.cursor > 0 && input.text[input.cursor - 1] === "\\") {
        const text = `${input.text.slice(0, input.cursor - 1)}\n${input.text.slice(input.cursor)}`;
        return none(setInput(state, { text, cursor: input.cursor }));
      }
      const text = input.text.trim();
      const cleared = { ...state, input: { text: "", cursor: 0 }, historyIndex: null, draft: "", status: null };
      if (!text) return { state: cleared, effects: state.paused ? [{ type: "continue" }] : [] };
      return { state: cleared, effects: [{ type: "submit", text }] };
    }
    case "backspace": {
      if (input.cursor === 0) return none(state);
      return none(setInput(state, { text: input.text.slice(0, input.cursor - 1) + input.text.slice(input.cursor), cursor: input.cursor - 1 }));
    }
    case "delete":
      return none(setInput(state, { text: input.text.slice(0, input.cursor) + input.text.slice(input.cursor + 1), cursor: input.cursor }));
    case "left":
      return none({ ...state, input: { ...input, cursor: Math.max(0, input.cursor - 1) } });
    case "right":
      return none({ ...state, input: { ...input, cursor: Math.min(input.text.length, input.cursor + 1) } });
    case "home":
      return none({ ...state, input: { ...input, cursor: lineBounds(input).start } });
    case "end":
      return none({ ...state, input: { ...input, cursor: lineBounds(input).end } });
    case "up":
    case "down":
      return none(moveInHistoryOrLines(state, key.name));
    case "tab": {
      const matches = completeSlashCommand(input.text);
      if (matches.length === 0) return none(state);
      const text = matches.length === 1 ? `/${matches[0]!.name} ` : `/${commonPrefix(matches.map((match) => match.name))}`;
      return none(setInput(state, { text, cursor: text.length }));
    }
    case "ctrl":
      return none(handleCtrlLetter(state, key.letter));
    default:
      return none(state);
  }
}

function handleCtrlLetter(state: SessionScreenState, letter: string): SessionScreenState {
  const { input } = state;
  switch (letter) {
    case "j":
      return setInput(state, insert(input, "\n"));
    case "a":
      return { ...state, input: { ...input, cursor: lineBounds(input).start } };
    case "e":
      return { ...state, input: { ...input, cursor: lineBounds(input).end } };
    case "u":
      return setInput(state, { text: input.text.slice(input.cursor), cursor: 0 });
    case "k":
      return setInput(state, { text: input.text.slice(0, input.cursor), cursor: input.cursor });
    case "w": {
      const before = input.text.slice(0, input.cursor).replace(/\S+\s*$/, "");
      return setInput(state, { text: before + input.text.slice(input.cursor), cursor: before.length });
    }
    case "l":
      return { ...state, scroll: 0 };
    default:
      return state;
  }
}

/** Up and Down: between the lines of a multi-line prompt, else through the history (the draft is kept). */
function moveInHistoryOrLines(state: SessionScreenState, direction: "up" | "down"): SessionScreenState {
  const { input } = state;
  const { start, end } = lineBounds(input);
  if (direction === "up" && start > 0) {
    const previousStart = input.text.lastIndexOf("\n", start - 2) + 1;
    return { ...state, input: { ...input, cursor: Math.min(previousStart + (input.cursor - start), start - 1) } };
  }
  if (direction === "down" && end < input.text.length) {
    const nextEnd = input.text.indexOf("\n", end + 1);
    return { ...state, input: { ...input, cursor: Math.min(end + 1 + (input.cursor - start), nextEnd === -1 ? input.text.length : nextEnd) } };
  }
  const { history } = state;
  if (history.length === 0) return state;
  if (direction === "up") {
    const index = state.historyIndex === null ? history.length - 1 : Math.max(0, state.historyIndex - 1);
    const text = history[index]!;
    return { ...state, historyIndex: index, draft: state.historyIndex === null ? input.text : state.draft, input: { text, cursor: text.length } };
  }
  if (state.historyIndex === null) return state;
  if (state.historyIndex >= history.length - 1) return { ...state, historyIndex: null, input: { text: state.draft, cursor: state.draft.length } };
  const text = history[state.historyIndex + 1]!;
  return { ...state, historyIndex: state.historyIndex + 1, input: { text, cursor: text.length } };
}

function commonPrefix(names: string[]): string {
  let prefix = names[0] ?? "";
  for (const name of names) while (!name.startsWith(prefix)) prefix = prefix.slice(0, -1);
  return prefix;
}
