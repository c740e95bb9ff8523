import { join } from "node:path";
import type { ReactElement } from "react";
import {
  AbortedError,
  readTrajectory,
  RunSteering,
  type AgentEvent,
  type ApprovalAnswer,
  type ApprovalMode,
  type ApprovalRequest,
  type GraphNodeName,
  type ModelErrorChoice,
  type PlanForReview,
  type PlanReview,
  type RunLimits,
  type RunOutcome,
  type Session,
  type SessionRunOptions,
  type TaskSpec,
} from "../../../src/index.js";
import { BRACKETED_PASTE_OFF, BRACKETED_PASTE_ON, type Keyboard } from "../keys.js";
import { createScreenDriver, type ScreenMount } from "./screen-driver.js";
import type { ScreenEffect } from "./screen-keys.js";
import { initialScreen, previewToolCall, type ScreenAction } from "./screen-state.js";
import { nearestSlashCommand, parseSlashCommand, SESSION_KEYS, SLASH_COMMANDS } from "./slash-commands.js";

/** The terminal output: its size, resize events, and the escape sequences written around the session. */
export interface TerminalOutput {
  columns?: number;
  rows?: number;
  write(text: string): unknown;
  on?(event: "resize", listener: () => void): unknown;
  off?(event: "resize", listener: () => void): unknown;
}

/** Everything the session screen needs from the command that opens it. */
export interface SessionTuiOptions {
  session: Session;
  input: Keyboard;
  output: TerminalOutput;
  /** Draws the screen; ink's render on `output` unless a test gives another. */
  mount: (tree: ReactElement) => ScreenMount;
  /** What every task runs with (configuration, sandbox, runs directory, memory), without the per-task parts. */
  runOptions: Omit<SessionRunOptions, "approvalMode" | "limits" | "sink" | "steering" | "approver" | "signal" | "streamText" | "onProgress">;
  limits: Partial<RunLimits> & { maxCostUsd: number };
  approvalMode: ApprovalMode;
  /** The model tasks start with, as the user chose it. */
  model: string;
  /** Skip the plan review (--yes, tui.autoAcceptPlan). */
  autoAcceptPlan: boolean;
  /** Turns what was typed into a task: an issue URL or OWNER/REPO#N, a path to an issue file, or the words themselves. */
  resolveTask: (text: string) => Promise<{ task: TaskSpec; issue?: { reference: string; apiUrl?: string } }>;
  /** Throws, with a message that says why, when a model cannot be used. */
  checkModel: (model: string) => Promise<void>;
  /** Removes secrets from text the screen shows that did not come through the run's events (patches of the session). */
  redact: (text: string) => string;
  /** Continue the session's unfinished task at once (agent chat --resume). */
  resumeOnStart: boolean;
  /** Ends the session from outside (SIGTERM). */
  signal?: AbortSignal;
  now?: () => number;
}

/** How the session ended. */
export interface SessionTuiResult {
  /** A task was stopped by the quit (it can be resumed). */
  interruptedTask: boolean;
}

/** Turns the alternate screen on, hides the cursor, and asks for bracketed paste; `LEAVE` undoes it. */
const ENTER = `\u001b[?1049h\u001b[?25l${BRACKETED_PASTE_ON}`;
const LEAVE = `${BRACKETED_PASTE_OFF}\u001b[?25h\u001b[?1049l`;
/** Events of earlier tasks replayed into the transcript when a session is continued. */
const REPLAYED_EVENTS = 3_000;
/** How long a quit waits for the running task to write its record and remove its containers. */
const QUIT_WAIT_MS = 120_000;

/** A question waiting for the person, with how to answer it when the session ends first. */
interface Pending<T> {
  resolve: (value: T) => void;
  onQuit: T;
}

/**
 * Runs the interactive session on a terminal until the person ends it: keys go through the
 * pure key handler, the run's events through the pure screen reducer, and the screen is redrawn
 * at most every FRAME_MS. Tasks run one at a time on the session's tree, steered through a
 * RunSteering (interrupt, guidance, approval mode, model, undo); plan reviews, approvals and
 * model errors are asked as dialogs.
 */
export async function runSessionTui(options: SessionTuiOptions): Promise<SessionTuiResult> {
  const { session, input, output } = options;
  const now = options.now ?? Date.now;
  const initial = initialScreen({
    sessionId: session.id,
    repository: session.checkoutRoot.split("/").filter(Boolean).at(-1) ?? session.checkoutRoot,
    model: options.model,
    approvalMode: options.approvalMode,
    maxCostUsd: options.limits.maxCostUsd,
    history: [...session.history],
  });
  let model = options.model;
  let approvalMode = options.approvalMode;
  const alwaysAllowed = new Set<string>();
  let steering: RunSteering | undefined;
  let runController: AbortController | undefined;
  let task: Promise<void> | undefined;
  let interruptedTask = false;
  let quitting = false;
  let pendingApproval: Pending<ApprovalAnswer> | undefined;
  let pendingPlan: Pending<PlanReview> | undefined;
  let pendingModelError: Pending<ModelErrorChoice> | undefined;
  let finish!: (result: SessionTuiResult) => void;
  const finished = new Promise<SessionTuiResult>((resolve) => (finish = resolve));

  // ---- drawing -------------------------------------------------------------------------
  output.write(ENTER);
  const screen = createScreenDriver({ initial, mount: options.mount, size: () => ({ columns: output.columns, rows: output.rows }), now });
  const dispatch = (action: ScreenAction) => screen.dispatch(action);
  const notice = (text: string, tone: "info" | "warn" | "error" | "success" = "info") => dispatch({ type: "notice", text, tone });

  // ---- the run's side --------------------------------------------------------------------
  let diffTimer: NodeJS.Timeout | undefined;
  const refreshTaskDiff = () => {
    diffTimer ??= setTimeout(() => {
      diffTimer = undefined;
      void steering?.currentPatch().then((diff) => dispatch({ type: "diff", diff }), () => {});
    }, 200);
  };
  const refreshSessionDiff = async () => {
    const diff = await session.patch().catch(() => "");
    dispatch({ type: "diff", diff: options.redact(diff) });
  };
  const sink = (event: AgentEvent) => {
    dispatch({ type: "event", event });
    if (event.type === "tool-call-end" && event.node === "programmer" && event.tool !== "view_file" && event.tool !== "search" && event.tool !== "find_files") refreshTaskDiff();
    if (event.type === "node-end" && event.node === "programmer") refreshTaskDiff();
  };
  const ask = <T>(dialog: ScreenAction & { type: "dialog" }, onQuit: T, set: (pending: Pending<T> | undefined) => void): Promise<T> => {
    if (quitting) return Promise.resolve(onQuit);
    return new Promise<T>((resolve) => {
      set({
        resolve: (value) => {
          set(undefined);
          resolve(value);
        },
        onQuit,
      });
      dispatch(dialog);
    });
  };
  const approver = async (request: ApprovalRequest): Promise<ApprovalAnswer> => {
    if (alwaysAllowed.has(request.tool)) return { allowed: true, note: `${request.tool} allowed for the rest of the session` };
    return ask<ApprovalAnswer>({ type: "dialog", dialog: { kind: "approval", request, preview: previewToolCall(request), guidance: null } }, { allowed: false }, (pending) => (pendingApproval = pending));
  };
  const reviewPlan = (plan: PlanForReview): Promise<PlanReview> =>
    ask<PlanReview>({ type: "dialog", dialog: { kind: "plan", plan, feedback: null } }, { action: "reject", reason: "the session ended" }, (pending) => (pendingPlan = pending));
  let lastModelError: { node: GraphNodeName; message: string } | undefined;
  const onModelError = (failure: { node: GraphNodeName; message: string }): Promise<ModelErrorChoice> => {
    lastModelError = { node: failure.node, message: options.redact(failure.message) };
    return ask<ModelErrorChoice>({ type: "dialog", dialog: { kind: "model-error", ...lastModelError } }, "stop", (pending) => (pendingModelError = pending));
  };

  /** Runs a task (or resumes one) to its end, with the screen following it; never throws. */
  /** Shows the failed model call's choices again (the person pressed m, then did not switch). */
  const askModelErrorAgain = () => {
    const last = lastModelError;
    dispatch({ type: "retry-after-model-switch", value: false });
    if (last) dispatch({ type: "dialog", dialog: { kind: "model-error", ...last } });
  };
  const startTask = (run: (taskOptions: SessionRunOptions) => Promise<RunOutcome>, resumed = false) => {
    steering = new RunSteering({ ...(options.autoAcceptPlan ? {} : { reviewPlan }), onModelError });
    runController = new AbortController();
    const current = steering;
    const config = model === options.model ? options.runOptions.config : { ...options.runOptions.config, model, models: {} };
    dispatch({ type: "task-started", resumed });
    task = (async () => {
      try {
        const outcome = await run({
          ...options.runOptions,
          config,
          approvalMode,
          limits: options.limits,
          sink,
          steering: current,
          approver,
          streamText: true,
          // A sandbox image built on first use takes minutes: its progress shows in the transcript.
          onProgress: (line) => notice(`[image] ${line}`),
          signal: runController!.signal,
        });
        const next = outcome.patch.trim() ? "/diff shows the changes · /apply writes them to your checkout · type a follow-up to go on from here" : "type another task, or /help";
        if (outcome.error) notice(`The task stopped: ${options.redact(describe(outcome.error))}. Its record is in ${outcome.runDir}; /resume continues it.`, "error");
        else notice(next, outcome.status === "solved" ? "success" : "info");
      } catch (error) {
        if (error instanceof AbortedError || runController?.signal.aborted) {
          interruptedTask = true;
          notice(`The task was interrupted; its record is kept and /resume (or agent chat --resume) continues it.`, "warn");
        } else notice(`The task failed: ${options.redact(describe(error))}`, "error");
      } finally {
        steering = undefined;
        runController = undefined;
        dispatch({ type: "task-ended" });
        await refreshSessionDiff();
      }
    })();
  };

  // ---- what the person asks --------------------------------------------------------------
  const submit = async (text: string) => {
    void session.remember(text).catch(() => {});
    dispatch({ type: "remember", text });
    const command = parseSlashCommand(text);
    if (command && text.startsWith("/")) {
      await runSlashCommand(command.name, command.argument);
      // Left to switch models (m), the person did something else, or the model was refused: the failed turn asks again.
      if (pendingModelError && screen.state.retryAfterModelSwitch && screen.state.dialog === null) askModelErrorAgain();
      return;
    }
    if (pendingModelError && screen.state.retryAfterModelSwitch) {
      askModelErrorAgain();
      return;
    }
    if (steering && screen.state.running) {
      dispatch({ type: "guidance", text, queued: true });
      steering.guide(text);
      if (screen.state.paused) dispatch({ type: "paused", paused: false });
      return;
    }
    dispatch({ type: "user", text });
    let resolved: Awaited<ReturnType<SessionTuiOptions["resolveTask"]>>;
    try {
      resolved = await options.resolveTask(text);
    } catch (error) {
      notice(`${options.redact(describe(error))} Type the task again, or describe it in words.`, "error");
      return;
    }
    startTask((taskOptions) => session.runTask(resolved.task, { ...taskOptions, ...(resolved.issue ? { issue: resolved.issue } : {}) }));
  };

  const runSlashCommand = async (name: string, argument: string) => {
    switch (name) {
      case "help":
        dispatch({
          type: "entry",
          entry: {
            kind: "lines",
            title: "Commands",
            lines: [
              ...SLASH_COMMANDS.map((command) => `/${command.name}${command.argument ? ` ${command.argument}` : ""} — ${command.description}`),
              "",
              "Keys",
              ...SESSION_KEYS.map(([key, what]) => `${key} — ${what}`),
            ],
          },
        });
        return;
      case "plan": {
        const plan = screen.state.run.plan;
        if (!plan) return notice("There is no plan yet: the planner writes one at the start of each task.");
        dispatch({ type: "entry", entry: { kind: "plan", version: plan.version, summary: plan.summary, steps: plan.steps, files: plan.files } });
        return;
      }
      case "diff": {
        // A task that has ended but still removes its sandbox has its patch on the session's tree once it is done.
        if (steering && screen.state.run.end && task) await task;
        const patch = steering ? await steering.currentPatch() : options.redact(await session.patch());
        dispatch({ type: "diff", diff: patch });
        dispatch({ type: "entry", entry: { kind: "diff", title: steering ? "Changes of the running task" : "Changes of this session (not in your checkout until /apply)", patch } });
        return;
      }
      case "tests": {
        const runs = screen.state.run.testRuns;
        if (runs.length === 0) return notice("No tests have run in this task yet.");
        dispatch({
          type: "entry",
          entry: {
            kind: "lines",
            title: "Test runs of this task",
            lines: runs.map((run) => `${run.scope ?? ""} ${run.phase}: ${run.passed} passed, ${run.failed} failed, ${run.errors} errors, ${run.skipped} skipped (exit ${run.exitCode ?? "none"}) $ ${run.command}`.trim()),
          },
        });
        return;
      }
      case "cost": {
        const { run, sessionTotals } = screen.state;
        const cost = (usd: number | null) => (usd === null ? "unknown" : `$${usd.toFixed(4)}`);
        dispatch({
          type: "entry",
          entry: {
            kind: "lines",
            title: "Cost",
            lines: [
              `this task: ${run.usage.inputTokens} input and ${run.usage.outputTokens} output tokens, ${cost(run.costUsd)} of the $${options.limits.maxCostUsd} a task may spend`,
              `finished tasks of this session (${sessionTotals.tasks}): ${sessionTotals.inputTokens} input and ${sessionTotals.outputTokens} output tokens, ${cost(sessionTotals.costUsd)}`,
              `model: ${model}`,
            ],
          },
        });
        return;
      }
      case "undo": {
        if (steering) return notice(await steering.undoLastEdit(), steering.isWaitingForGuidance() ? "info" : "warn");
        notice(await session.undoLastTask());
        await refreshSessionDiff();
        return;
      }
      case "model": {
        if (!argument) return notice(`The model is ${model}. /model provider:model switches it for the next turns.`);
        try {
          await options.checkModel(argument);
        } catch (error) {
          notice(`Cannot use ${argument}: ${options.redact(describe(error))}`, "error");
          return;
        }
        model = argument;
        steering?.switchModel(argument);
        dispatch({ type: "model", model: argument });
        notice(`Switched to ${argument}${steering ? " for the next model calls of this task and the next tasks" : " for the next tasks"}.`, "success");
        if (screen.state.retryAfterModelSwitch && pendingModelError) {
          dispatch({ type: "retry-after-model-switch", value: false });
          pendingModelError.resolve("retry");
        }
        return;
      }
      case "approval": {
        const modes: ApprovalMode[] = ["suggest", "auto-edit", "full-auto"];
        if (!argument) return notice(`The approval mode is ${approvalMode}: suggest asks before every edit and command, auto-edit before commands, full-auto never (the sandbox has no network).`);
        if (!modes.includes(argument as ApprovalMode)) return notice(`Unknown approval mode ${argument}; use suggest, auto-edit or full-auto.`, "error");
        approvalMode = argument as ApprovalMode;
        steering?.setApprovalMode(approvalMode);
        dispatch({ type: "approval-mode", mode: approvalMode });
        notice(`Approval mode: ${approvalMode}.`, "success");
        return;
      }
      case "apply": {
        if (steering) return notice("A task is running; /apply once it has ended (or Esc, then /quit and agent chat --resume).", "warn");
        const patch = await session.patch();
        const files = patch.split("\n").filter((line) => line.startsWith("diff --git ")).length;
        if (files === 0) return notice("Nothing to apply: no task of this session has changed anything.");
        dispatch({ type: "dialog", dialog: { kind: "confirm-apply", files, checkout: session.checkoutRoot } });
        return;
      }
      case "resume": {
        if (steering) return notice("A task is running already.", "warn");
        const unfinished = session.unfinishedTask;
        if (!unfinished) return notice("There is no unfinished task in this session to resume.");
        notice(`Resuming ${unfinished.runId} (${unfinished.title}) from its last checkpoint.`);
        startTask((taskOptions) => session.resumeTask(unfinished.runId, { ...taskOptions, modelGiven: model !== options.model }), true);
        return;
      }
      case "clear":
        dispatch({ type: "clear" });
        return;
      case "quit":
        await quit();
        return;
      default: {
        const nearest = nearestSlashCommand(name);
        notice(`Unknown command /${name}.${nearest ? ` Did you mean /${nearest}?` : ""} /help lists the commands.`, "error");
      }
    }
  };

  const runEffect = async (effect: ScreenEffect) => {
    switch (effect.type) {
      case "submit":
        return submit(effect.text);
      case "interrupt":
        if (steering?.interrupt()) dispatch({ type: "interrupt-pending" });
        return;
      case "continue":
        steering?.continueWithout();
        dispatch({ type: "paused", paused: false });
        return;
      case "quit":
        return quit();
      case "approval":
        pendingApproval?.resolve(effect.answer);
        return;
      case "plan-review":
        pendingPlan?.resolve(effect.review);
        return;
      case "model-error":
        dispatch({ type: "retry-after-model-switch", value: false });
        pendingModelError?.resolve(effect.choice);
        return;
      case "confirm-apply": {
        if (!effect.yes) return;
        try {
          const applied = await session.applyToCheckout();
          notice(`Applied ${applied.files} file${applied.files === 1 ? "" : "s"} to ${session.checkoutRoot} (the patch is kept in ${applied.patchFile}).`, "success");
        } catch (error) {
          notice(`${options.redact(describe(error))}`, "error");
        }
      }
    }
  };

  // ---- keys ------------------------------------------------------------------------------
  let firstChunk = true;
  const onData = (chunk: Buffer | string) => {
    let text = chunk.toString();
    // What was typed before the screen opened came through the terminal's line mode: its Enter is a line feed.
    if (firstChunk && text.endsWith("\n") && !text.includes("\r")) text = `${text.slice(0, -1)}\r`;
    firstChunk = false;
    for (const effect of screen.input(text)) {
      if (effect.type === "approval" && effect.alwaysTool) alwaysAllowed.add(effect.alwaysTool);
      void runEffect(effect).catch((error: unknown) => notice(options.redact(describe(error)), "error"));
    }
  };
  const onResize = () => screen.drawNow();
  input.setRawMode?.(true);
  input.on("data", onData);
  input.resume?.();
  output.on?.("resize", onResize);

  // ---- the end ---------------------------------------------------------------------------
  const quit = async () => {
    if (quitting) return;
    quitting = true;
    dispatch({ type: "status", text: "Ending the session: stopping the task and removing its sandbox…" });
    pendingApproval?.resolve(pendingApproval.onQuit);
    pendingPlan?.resolve(pendingPlan.onQuit);
    pendingModelError?.resolve(pendingModelError.onQuit);
    if (task) {
      runController?.abort(new AbortedError("The session ended."));
      await Promise.race([task, new Promise((resolve) => setTimeout(resolve, QUIT_WAIT_MS).unref?.())]);
    }
    clearTimeout(diffTimer);
    input.off("data", onData);
    input.setRawMode?.(false);
    input.pause?.();
    output.off?.("resize", onResize);
    screen.close();
    output.write(LEAVE);
    finish({ interruptedTask });
  };
  options.signal?.addEventListener("abort", () => void quit(), { once: true });

  // ---- the start -------------------------------------------------------------------------
  const unfinished = session.unfinishedTask;
  if (session.tasks.length > 0) {
    const events: AgentEvent[] = [];
    for (const done of session.tasks) {
      const trajectory = await readTrajectory(join(options.runOptions.runsDir, done.runId)).catch(() => undefined);
      events.push(...(trajectory?.events ?? []));
    }
    for (const event of events.slice(-REPLAYED_EVENTS)) dispatch({ type: "event", event });
    if (events.length > 0) dispatch({ type: "replayed", events: Math.min(events.length, REPLAYED_EVENTS) });
    notice(`Session ${session.id}: ${session.tasks.length} task${session.tasks.length === 1 ? "" : "s"} so far (${session.tasks.map((done) => `${done.title} — ${done.status}`).join("; ")}).`);
    await refreshSessionDiff();
  } else notice(`Session ${session.id} on ${session.checkoutRoot}. Your checkout is changed only by /apply. Type a task, or /help.`);
  if (unfinished && options.resumeOnStart && unfinished.status !== "error") {
    notice(`Resuming the unfinished task ${unfinished.runId} (${unfinished.title}).`);
    startTask((taskOptions) => session.resumeTask(unfinished.runId, taskOptions), true);
  } else if (unfinished) notice(`The last task (${unfinished.title}) did not finish (${unfinished.status}); /resume continues it.`, "warn");
  screen.drawNow();
  return finished;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
