import { AbortedError } from "../errors.js";
import type { GraphNodeName, PlannedStep } from "../events/agent-event.js";
import type { ApprovalMode } from "../tools/approval.js";

/** A plan shown to the person before any code changes. */
export interface PlanForReview {
  version: number;
  summary: string;
  steps: PlannedStep[];
  /** The files the plan's findings point at. */
  files: string[];
}

/** What the person said of a plan: go ahead, change it (their words go back to the planner), or stop. */
export type PlanReview = { action: "accept" } | { action: "revise"; feedback: string } | { action: "reject"; reason?: string };

/** What the person chose after a model error: try the same turn again (maybe with another model), or end the run. */
export type ModelErrorChoice = "retry" | "stop";

/** What the core lends the person while a run is prepared: the programmer's tree, to look at and to undo. */
export interface SteeredTree {
  /** The working tree's patch against the base commit, secrets removed. */
  patch(): Promise<string>;
  /** Reverts the programmer's last edit_file change; says what it did, or why it could not. */
  undoLastEdit(): Promise<string>;
}

/** What the person interacting with a run supplies: decisions the core cannot make alone. */
export interface SteeringDecisions {
  /** Shows the planner's plan and waits for the person's review; absent: every plan is accepted. */
  reviewPlan?: (plan: PlanForReview) => Promise<PlanReview>;
  /** Tells the person a model call failed and waits for their choice; absent: the error ends the run. */
  onModelError?: (failure: { node: GraphNodeName; message: string }) => Promise<ModelErrorChoice>;
}

/**
 * A person steering a run as it goes (the terminal session): the one object both sides hold.
 * The person's side interrupts the current model turn or tool call, types guidance for the
 * active role, switches the approval mode or the model for the next turns, and looks at or
 * undoes the programmer's edits; the agent loops read it before each model call and tool call.
 * Headless runs have none, and behave as they always did.
 */
export class RunSteering {
  private turn = new AbortController();
  private readonly guidance: string[] = [];
  private waiting: ((text: string) => void) | undefined;
  private mode: ApprovalMode | undefined;
  private model: string | undefined;
  private tree: SteeredTree | undefined;
  private readonly decisions: SteeringDecisions;

  constructor(decisions: SteeringDecisions = {}) {
    this.decisions = decisions;
  }

  // ---- The person's side ----------------------------------------------------------------

  /**
   * Stops the current model turn or tool call (its sandbox command is killed); the role then
   * waits for `guide` (or `continueWithout`). When no role is in a turn (the executor runs
   * tests), the next turn stops before it starts. Returns false when an interrupt is pending already.
   */
  interrupt(): boolean {
    if (this.turn.signal.aborted) return false;
    this.turn.abort(new AbortedError("Interrupted by the user."));
    return true;
  }

  /** Whether the agents stopped for the person's guidance, or will at their next turn. */
  isInterrupted(): boolean {
    return this.turn.signal.aborted;
  }

  /** Whether a role is waiting for guidance now (after an interrupt). */
  isWaitingForGuidance(): boolean {
    return this.waiting !== undefined;
  }

  /**
   * Gives the active role guidance as a user message: at once when it is waiting after an
   * interrupt, else before its next model call.
   */
  guide(text: string): void {
    const trimmed = text.trim();
    if (this.waiting) {
      const resume = this.waiting;
      this.waiting = undefined;
      this.turn = new AbortController();
      resume(trimmed);
      return;
    }
    if (trimmed) this.guidance.push(trimmed);
  }

  /** Lets a role that waits after an interrupt go on without guidance. */
  continueWithout(): void {
    this.guide("");
  }

  /** The approval mode for the next tool calls (the run's own until set). */
  setApprovalMode(mode: ApprovalMode): void {
    this.mode = mode;
  }

  /** The model (`provider:model`) for the next model calls of every role; the caller has checked that it can be built. */
  switchModel(model: string): void {
    this.model = model;
  }

  /** The programmer's current patch; empty before the run's trees exist. */
  async currentPatch(): Promise<string> {
    return this.tree ? this.tree.patch() : "";
  }

  /**
   * Reverts the programmer's last edit, only while the agents wait for guidance (so no tool
   * call races it); the role is told in its next message.
   */
  async undoLastEdit(): Promise<string> {
    if (!this.tree) return "There is no run with a working tree to undo in.";
    if (!this.waiting) return "Stop the agents first (Esc), then /undo: an edit cannot be undone while a role is working.";
    const said = await this.tree.undoLastEdit();
    this.guidance.push(`(The user ran /undo: ${said})`);
    return said;
  }

  // ---- The core's side ------------------------------------------------------------------

  /** The approval mode the person chose, if they changed it during the run. */
  approvalMode(): ApprovalMode | undefined {
    return this.mode;
  }

  /** The model the person switched to, if any. */
  modelOverride(): string | undefined {
    return this.model;
  }

  /** The signal of the current turn: aborted by `interrupt`, renewed once the role has the person's guidance. */
  turnSignal(): AbortSignal {
    return this.turn.signal;
  }

  /** Guidance typed while the role worked, oldest first; taken once. */
  takeGuidance(): string[] {
    return this.guidance.splice(0);
  }

  /** Waits for the person's guidance after an interrupt (possibly empty); rejects when the run is cancelled meanwhile. */
  waitForGuidance(runSignal?: AbortSignal): Promise<string> {
    if (runSignal?.aborted) return Promise.reject(new AbortedError("Interrupted.", { cause: runSignal.reason }));
    return new Promise<string>((resolve, reject) => {
      const onAbort = () => {
        this.waiting = undefined;
        reject(new AbortedError("Interrupted.", { cause: runSignal?.reason }));
      };
      runSignal?.addEventListener("abort", onAbort, { once: true });
      this.waiting = (text) => {
        runSignal?.removeEventListener("abort", onAbort);
        resolve(text);
      };
    });
  }

  /** Called by the run once its trees exist, and with undefined when they are gone. */
  attachTree(tree: SteeredTree | undefined): void {
    this.tree = tree;
  }

  /** Whether plans go to the person before any code changes. */
  reviewsPlans(): boolean {
    return this.decisions.reviewPlan !== undefined;
  }

  /** Asks the person about a plan (accepts it when nobody reviews plans). */
  reviewPlan(plan: PlanForReview): Promise<PlanReview> {
    return this.decisions.reviewPlan ? this.decisions.reviewPlan(plan) : Promise.resolve({ action: "accept" });
  }

  /** Asks the person what to do after a failed model call; "stop" when nobody is asked. */
  onModelError(failure: { node: GraphNodeName; message: string }): Promise<ModelErrorChoice> {
    return this.decisions.onModelError ? this.decisions.onModelError(failure) : Promise.resolve("stop");
  }
}
