import type { AgentStateValue } from "../memory/blackboard.js";
import type { MemoryEntryInput } from "../memory/long-term-store.js";

/** What a finished run teaches the long-term memory, given its final state. */
export interface RunLessonsInput {
  state: Pick<AgentStateValue, "status" | "testCommand" | "testRuns" | "verdict" | "notes" | "learned" | "patch" | "task">;
  /** The files the final patch changes. */
  changedFiles: string[];
  runId: string;
}

/**
 * The entries worth remembering from a run, and only what the run showed to be true: the test
 * command when the designed tests really ran (the runner reported tests); set-up commands and
 * conventions only from a solved run; a fix summary with its files when the run kept a patch;
 * a failed approach only when the executor judged the change and it failed (a loop-control
 * redirection or tests that could not judge it say nothing about the approach).
 */
export function lessonsOfRun(input: RunLessonsInput): MemoryEntryInput[] {
  const { state, changedFiles, runId } = input;
  const source = runId;
  const lessons: MemoryEntryInput[] = [];
  const designedRan = state.testRuns.some((run) => run.scope === "designed" && run.outcomes.length > 0);
  if (state.testCommand && designedRan) {
    lessons.push({ kind: "test-command", value: { command: state.testCommand.selectTemplate, framework: state.testCommand.framework }, source });
  }
  const solved = state.status === "solved";
  if (solved) {
    for (const setup of state.learned.setupCommands) lessons.push({ kind: "setup-command", value: { command: setup.command, purpose: setup.purpose }, source });
    for (const convention of state.learned.conventions) lessons.push({ kind: "convention", value: convention, source });
  }
  const summary = state.notes.filter((note) => note.role === "programmer").at(-1)?.text;
  if (state.patch.trim() !== "" && state.status) {
    lessons.push({
      kind: "fix-summary",
      value: { task: state.task.title, summary: summary ?? "(the programmer gave no summary)", files: changedFiles, status: state.status },
      source,
    });
  }
  const verdict = state.verdict;
  const judgedFailed = !solved && verdict !== null && !verdict.testProblem && state.patch.trim() !== "" && (verdict.notFixed.length > 0 || verdict.regressions.length > 0);
  if (judgedFailed && verdict) {
    const reasons = [
      verdict.notFixed.length ? `${verdict.notFixed.length} reproduction test(s) still failed (${verdict.notFixed.slice(0, 3).join(", ")})` : "",
      verdict.regressions.length ? `${verdict.regressions.length} test(s) regressed (${verdict.regressions.slice(0, 3).join(", ")})` : "",
    ].filter(Boolean);
    lessons.push({
      kind: "failed-approach",
      value: {
        task: state.task.title,
        approach: `${summary ?? "a change"}${changedFiles.length ? ` (changed ${changedFiles.join(", ")})` : ""}`,
        reason: `the executor judged it: ${reasons.join("; ")}`,
      },
      source,
    });
  }
  return lessons;
}
