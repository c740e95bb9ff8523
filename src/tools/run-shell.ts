import { z } from "zod";
import type { ExecResult, Sandbox } from "../sandbox/sandbox.js";
import { defineTool, toolFailure, toolOk, type ToolResult } from "./agent-tool.js";

/** Output kept per stream for the model: the first and last 10 KB. */
const MODEL_OUTPUT_LIMIT_BYTES = 20_000;
const DEFAULT_TIMEOUT_SECONDS = 300;
const MAX_TIMEOUT_SECONDS = 1_800;

/** Programs that need a terminal, with what to do instead. */
const INTERACTIVE_PROGRAMS: Record<string, string> = {
  vi: "Use view_file to read and edit_file to change files.",
  vim: "Use view_file to read and edit_file to change files.",
  nvim: "Use view_file to read and edit_file to change files.",
  nano: "Use view_file to read and edit_file to change files.",
  emacs: "Use view_file to read and edit_file to change files.",
  less: "Output is not paged here: run the command directly, or use head/tail/sed -n.",
  more: "Output is not paged here: run the command directly, or use head/tail/sed -n.",
  top: "Use `ps aux` for a snapshot of processes.",
  htop: "Use `ps aux` for a snapshot of processes.",
  man: "Use `<command> --help` instead.",
  watch: "Run the command once; repeat it yourself if needed.",
  ssh: "There is no remote access from the sandbox.",
};

/** Programs that start an interactive REPL when given no arguments. */
const REPLS: Record<string, string> = {
  python: "Run a script (`python file.py`) or a snippet (`python -c '...'`).",
  python3: "Run a script (`python3 file.py`) or a snippet (`python3 -c '...'`).",
  ipython: "Run a script with `python file.py`, or a snippet with `python -c '...'`.",
  node: "Run a script (`node file.js`) or a snippet (`node -e '...'`).",
  irb: "Run a script with `ruby file.rb` or `ruby -e '...'`.",
  psql: "Pass the query with -c.",
  sqlite3: "Pass the database and the SQL as arguments.",
  bash: "Run the commands directly, or `bash script.sh`.",
  sh: "Run the commands directly, or `sh script.sh`.",
};

/**
 * Finds a program in the command that would wait for a terminal (an editor, a pager, a REPL)
 * and returns advice, or undefined when the command looks safe to run headless.
 */
export function findInteractiveProgram(command: string): string | undefined {
  const segments = command.split(/&&|\|\||[;|\n]/);
  for (const segment of segments) {
    const words = segment.trim().split(/\s+/).filter((word) => word && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(word));
    while (words[0] === "sudo" || words[0] === "exec" || words[0] === "command" || words[0] === "time") words.shift();
    const program = words[0]?.split("/").pop();
    if (!program) continue;
    if (INTERACTIVE_PROGRAMS[program]) return `\`${program}\` needs an interactive terminal, which the sandbox does not have. ${INTERACTIVE_PROGRAMS[program]}`;
    if (REPLS[program] && words.length === 1) {
      return `\`${program}\` with no arguments starts an interactive session, which the sandbox does not have. ${REPLS[program]}`;
    }
  }
  return undefined;
}

/** Formats a command's result for the model: status line, what the sandbox stopped and why, then stdout and stderr. */
export function formatExecResult(result: ExecResult, timeoutSeconds: number, workdir: string): string {
  const seconds = (result.durationMs / 1000).toFixed(1);
  const lines: string[] = [];
  if (result.stoppedBecause) {
    lines.push(`The sandbox stopped the command after ${seconds} s: ${result.stoppedBecause}. Its output so far is below.`);
  } else if (result.timedOut) {
    lines.push(
      `The command timed out after ${timeoutSeconds} s and was killed, with every process it started. The output so far is below. ` +
        `If it legitimately needs longer, pass a larger timeout_seconds (up to ${MAX_TIMEOUT_SECONDS}), or run it in the background with its output redirected to a file.`,
    );
  } else {
    lines.push(`exit code: ${result.exitCode ?? "none (the shell ended)"} (${seconds} s)`);
    if (result.exitCode === 137) {
      lines.push(
        "The command was killed with SIGKILL (exit code 137). In the sandbox that is most likely the out-of-memory killer: use less memory (smaller inputs, streaming instead of loading everything).",
      );
    }
  }
  if (result.strayProcessesStopped) {
    lines.push(
      `${result.strayProcessesStopped} process(es) the command left running were stopped when it returned. ` +
        "To keep a server or a watcher running, start it with background: true.",
    );
  }
  if (result.sessionRestarted) {
    lines.push(`The shell ended during this command, so a new one was started in ${workdir}: the working directory and exported variables were reset, and what the old shell had started (background jobs included) was stopped.`);
  }
  if (result.truncated) lines.push(`Long output was shortened: ${result.omittedBytes} bytes in the middle were omitted.`);
  if (result.stdout) lines.push(`stdout:\n${result.stdout.replace(/\n$/, "")}`);
  if (result.stderr) lines.push(`stderr:\n${result.stderr.replace(/\n$/, "")}`);
  if (!result.stdout && !result.stderr) lines.push("(no output)");
  return lines.join("\n");
}

/** `run_shell`: one command in the sandbox's persistent shell. */
export function createRunShellTool({ sandbox }: { sandbox: Sandbox }) {
  return defineTool({
    name: "run_shell",
    kind: "execute",
    description:
      "Run a bash command in the sandbox's persistent shell and return its exit code and output. The shell keeps its state " +
      "between calls: `cd` and `export` persist. There is no terminal and no stdin (commands that read input get end-of-file), " +
      "so do not start editors, pagers or interactive REPLs; use view_file/edit_file for files. Long output is shortened to its " +
      `first and last 10 KB. Each command has a time limit (default ${DEFAULT_TIMEOUT_SECONDS} s); on expiry it is killed with ` +
      "everything it started. Prefer quiet flags (e.g. `pytest -q`), and redirect huge output to a file you then search.",
    schema: z.object({
      command: z.string().min(1).describe("The bash command to run, e.g. `python -m pytest -q tests/test_x.py`."),
      background: z
        .boolean()
        .optional()
        .describe("Start the command as a background job that keeps running after this call (a server, a watcher); its output goes to a log file. List or stop such jobs with background_jobs. Anything else a command leaves running is stopped when it returns."),
      timeout_seconds: z
        .number()
        .int()
        .min(1)
        .max(MAX_TIMEOUT_SECONDS)
        .optional()
        .describe(`Time limit in seconds (default ${DEFAULT_TIMEOUT_SECONDS}, at most ${MAX_TIMEOUT_SECONDS}).`),
    }),
    async run(input, signal): Promise<ToolResult> {
      const advice = findInteractiveProgram(input.command);
      if (advice) return toolFailure(`Not run: ${advice}`);
      const timeoutSeconds = input.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS;
      const result = await sandbox.exec(
        { command: input.command, timeoutMs: timeoutSeconds * 1000, outputLimitBytes: MODEL_OUTPUT_LIMIT_BYTES, ...(input.background ? { background: true } : {}) },
        signal,
      );
      const output = formatExecResult(result, timeoutSeconds, sandbox.workdir);
      const ending = result.stoppedBecause ? "stopped by the sandbox" : result.timedOut ? "timed out" : `exit ${result.exitCode}`;
      const display = `$ ${input.command}  → ${ending} (${(result.durationMs / 1000).toFixed(1)} s)`;
      return result.timedOut || result.stoppedBecause || result.exitCode !== 0 ? toolFailure(output, display) : toolOk(output, display);
    },
  });
}
