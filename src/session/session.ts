import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { AbortedError, GitError, UsageError } from "../errors.js";
import type { RunStatus } from "../events/agent-event.js";
import { newRunId } from "../events/run-recorder.js";
import { applyPatchToCheckout } from "../git/inspect-repository.js";
import { createSessionRepository, openSessionRepository, type SessionRepository } from "../git/session-repository.js";
import type { TaskSpec } from "../memory/blackboard.js";
import type { RunOutcome } from "../graph/finish-run.js";
import { resumeRun, runTask, type ResumeRunOptions, type RunTaskOptions } from "../graph/run-task.js";

/** One task of a session: its run, and how it ended ("running" until it does, or after a crash). */
export interface SessionTask {
  runId: string;
  title: string;
  source: string;
  status: RunStatus | "running";
  /** The session commit holding the task's patch, when it left one. */
  commit?: string;
}

/** What session.json keeps: enough to continue the session after the terminal closed. */
export interface SessionRecord {
  sessionId: string;
  /** The user's checkout the session works for (changed only by /apply). */
  checkoutRoot: string;
  /** The checkout's HEAD when the session began. */
  baseCommit: string;
  createdAt: string;
  updatedAt: string;
  tasks: SessionTask[];
  /** What the person typed, oldest first (the prompt's history). */
  history: string[];
}

/** What a task of a session needs beyond the task: the run environment, limits and approval mode. */
export type SessionRunOptions = Omit<RunTaskOptions, "task" | "repoPath" | "baseCommit" | "runId" | "branch">;

const RECORD_FILE = "session.json";
/** Task states a resume continues; their patch is committed only once they end. */
const RESUMABLE = new Set<SessionTask["status"]>(["running", "interrupted", "error"]);
const REPOSITORY_DIR = "repo.git";
/** Prompts kept in a session's history. */
const HISTORY_LIMIT = 500;

/**
 * A terminal session: a sequence of runs on one tree. Each task is a run (checkpointed,
 * resumable, with its record); a task that leaves a patch commits it in the session's own
 * repository, so the next task (a follow-up) starts from that tree. The user's checkout is
 * changed only by `applyToCheckout`.
 */
export class Session {
  private saving: Promise<void> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private record: SessionRecord,
    readonly repository: SessionRepository,
  ) {}

  /** Starts a session for the checkout at `checkoutRoot`, in a new directory under `sessionsDir`. */
  static async start(options: { sessionsDir: string; checkoutRoot: string; now?: () => Date }): Promise<Session> {
    const now = options.now?.() ?? new Date();
    const sessionId = newRunId(now);
    const dir = join(resolve(options.sessionsDir), sessionId);
    await mkdir(dir, { recursive: true });
    const repository = await createSessionRepository(options.checkoutRoot, join(dir, REPOSITORY_DIR));
    const record: SessionRecord = {
      sessionId,
      checkoutRoot: resolve(options.checkoutRoot),
      baseCommit: repository.baseCommit,
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      tasks: [],
      history: [],
    };
    const session = new Session(dir, record, repository);
    await session.save();
    return session;
  }

  /** Opens a session by id; an unknown id is a usage error that says where sessions are. */
  static async open(sessionsDir: string, sessionId: string): Promise<Session> {
    const dir = join(resolve(sessionsDir), sessionId);
    const record = await readRecord(dir);
    if (!record) throw new UsageError(`No session ${sessionId} in ${sessionsDir}; \`agent chat --resume\` continues the last session of this repository.`);
    return new Session(dir, record, openSessionRepository(join(dir, REPOSITORY_DIR), record.baseCommit));
  }

  /** The newest session of a checkout, or undefined when it has none. */
  static async latest(sessionsDir: string, checkoutRoot: string): Promise<Session | undefined> {
    const root = resolve(checkoutRoot);
    const names = (await readdir(resolve(sessionsDir)).catch(() => [] as string[])).sort().reverse();
    for (const name of names) {
      const record = await readRecord(join(resolve(sessionsDir), name));
      if (record?.checkoutRoot === root) return Session.open(sessionsDir, name);
    }
    return undefined;
  }

  get id(): string {
    return this.record.sessionId;
  }

  get checkoutRoot(): string {
    return this.record.checkoutRoot;
  }

  get tasks(): readonly SessionTask[] {
    return this.record.tasks;
  }

  get history(): readonly string[] {
    return this.record.history;
  }

  /** The last task when it did not end well (interrupted, stopped by an error, or the process died): it can be resumed. */
  get unfinishedTask(): SessionTask | undefined {
    const last = this.record.tasks.at(-1);
    return last && RESUMABLE.has(last.status) ? last : undefined;
  }

  /** Remembers a prompt for the history (consecutive repeats once). */
  async remember(prompt: string): Promise<void> {
    const text = prompt.trim();
    if (!text || this.record.history.at(-1) === text) return;
    this.record.history = [...this.record.history, text].slice(-HISTORY_LIMIT);
    await this.save();
  }

  /**
   * Runs a task on the session's tree (where the last task left it). A follow-up is told what
   * the session did before, so the model knows the tree is not the repository's HEAD.
   */
  async runTask(task: TaskSpec, options: SessionRunOptions): Promise<RunOutcome> {
    const runId = newRunId();
    const earlier = this.record.tasks.filter((done) => done.commit !== undefined);
    const body = earlier.length === 0 ? task.body : `${task.body}\n\n${describeEarlierTasks(earlier)}`;
    this.record.tasks = [...this.record.tasks, { runId, title: task.title, source: task.source, status: "running" }];
    await this.save();
    const outcome = await this.settle(runId, () =>
      runTask({ ...options, runId, task: { ...task, body }, repoPath: this.repository.path }),
    );
    return outcome;
  }

  /** Continues the session's unfinished task from its last checkpoint. */
  async resumeTask(runId: string, options: Omit<ResumeRunOptions, "runId">): Promise<RunOutcome> {
    if (!this.record.tasks.some((task) => task.runId === runId)) throw new UsageError(`Run ${runId} is not a task of session ${this.id}.`);
    return this.settle(runId, () => resumeRun({ ...options, runId }));
  }

  /** The whole patch of the session: every task's changes since the checkout's HEAD. */
  patch(): Promise<string> {
    return this.repository.patch();
  }

  /** Drops the last task's changes from the session's tree (the checkout is not touched); says what was undone. */
  async undoLastTask(): Promise<string> {
    const subject = await this.repository.undoLastCommit();
    if (subject === undefined) return "Nothing to undo: no task of this session has changed the tree.";
    const last = [...this.record.tasks].reverse().find((task) => task.commit !== undefined);
    if (last) {
      const { commit: _dropped, ...rest } = last;
      this.record.tasks = this.record.tasks.map((task) => (task === last ? rest : task));
      await this.save();
    }
    return `Undid "${subject}": the next task starts from the tree before it.`;
  }

  /** Writes the session's patch to session.diff and applies it to the checkout; the file is kept if it does not apply. */
  async applyToCheckout(): Promise<{ patchFile: string; applied: boolean; files: number }> {
    const patch = await this.patch();
    const patchFile = join(this.dir, "session.diff");
    await writeFile(patchFile, patch);
    if (patch.trim() === "") return { patchFile, applied: false, files: 0 };
    await applyPatchToCheckout(this.checkoutRoot, patchFile);
    return { patchFile, applied: true, files: patch.split("\n").filter((line) => line.startsWith("diff --git ")).length };
  }

  /** Runs one task's run, then records how it ended and commits its patch unless it can be resumed (the resume will). */
  private async settle(runId: string, run: () => Promise<RunOutcome>): Promise<RunOutcome> {
    let outcome: RunOutcome;
    try {
      outcome = await run();
    } catch (error) {
      // Interrupted: resumable from its checkpoint. Anything else (a sandbox that cannot start) is an error, not resumed on its own.
      await this.update(runId, { status: error instanceof AbortedError ? "interrupted" : "error" });
      throw error;
    }
    const status = outcome.status ?? "failed";
    const usable = outcome.patch.trim() !== "" && !RESUMABLE.has(status);
    const task = this.record.tasks.find((candidate) => candidate.runId === runId);
    try {
      const commit = usable ? await this.repository.commitPatch(outcome.patch, `${task?.title ?? "task"} (agent run ${runId}, ${outcome.status})`) : undefined;
      await this.update(runId, { status, ...(commit ? { commit } : {}) });
    } catch (error) {
      // The run ended and kept its record; only the session's tree did not take its patch.
      await this.update(runId, { status });
      throw new GitError(`The task ended ${status}, but its patch could not be added to the session's tree (${(error as Error).message}); it is kept in ${join(outcome.runDir, "patch.diff")}.`, { cause: error });
    }
    return outcome;
  }

  private async update(runId: string, change: Partial<SessionTask>): Promise<void> {
    this.record.tasks = this.record.tasks.map((task) => (task.runId === runId ? { ...task, ...change } : task));
    await this.save();
  }

  /** Writes session.json; saves are queued one after the other, so the file always holds the latest record whole. */
  private save(): Promise<void> {
    this.record = { ...this.record, updatedAt: new Date().toISOString() };
    const text = `${JSON.stringify(this.record, null, 2)}\n`;
    const file = join(this.dir, RECORD_FILE);
    const write = this.saving.then(async () => {
      const temporary = `${file}.${process.pid}.tmp`;
      await writeFile(temporary, text);
      await rename(temporary, file);
    });
    this.saving = write.catch(() => {});
    return write;
  }
}

/** What a follow-up is told of the session's earlier tasks. */
function describeEarlierTasks(tasks: SessionTask[]): string {
  const lines = tasks.map((task, index) => `${index + 1}. ${task.title} (${task.status})`);
  return `This continues an interactive session. The repository already holds the changes of these earlier tasks (committed on the session's branch; they are the base of this task):\n${lines.join("\n")}`;
}

async function readRecord(dir: string): Promise<SessionRecord | undefined> {
  return readFile(join(dir, RECORD_FILE), "utf8").then(
    (text) => JSON.parse(text) as SessionRecord,
    () => undefined,
  );
}
