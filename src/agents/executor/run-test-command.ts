import type { TestOutcome } from "../../events/agent-event.js";
import type { Sandbox } from "../../sandbox/sandbox.js";
import { parseTestOutput } from "./parse-test-output.js";

/** Time limit of one test run unless the caller says otherwise. */
export const TEST_RUN_TIMEOUT_MS = 15 * 60_000;
/** Output kept from a test run for parsing (the executor reads it, not a model). */
const TEST_OUTPUT_LIMIT_BYTES = 2 * 1024 * 1024;
/** Characters of the output's tail kept with the run. */
const OUTPUT_TAIL_CHARS = 3_000;

/** What one run of a test command did: parsed outcomes, exit, time-out, and the output's tail. */
export interface TestCommandRun {
  command: string;
  outcomes: TestOutcome[];
  exitCode: number | null;
  timedOut: boolean;
  /** The last characters of stdout and stderr together. */
  output: string;
  durationMs: number;
}

/** Runs a test command in the sandbox's working directory and parses its outcomes with the framework's parser. */
export async function runTestCommand(
  sandbox: Sandbox,
  request: { command: string; framework: string; timeoutMs?: number },
  signal?: AbortSignal,
): Promise<TestCommandRun> {
  const started = Date.now();
  const result = await sandbox.exec(
    { command: request.command, cwd: sandbox.workdir, timeoutMs: request.timeoutMs ?? TEST_RUN_TIMEOUT_MS, outputLimitBytes: TEST_OUTPUT_LIMIT_BYTES },
    signal,
  );
  const output = `${result.stdout}\n${result.stderr}`;
  return {
    command: request.command,
    outcomes: parseTestOutput(request.framework, output),
    exitCode: result.exitCode,
    timedOut: result.timedOut,
    output: output.slice(-OUTPUT_TAIL_CHARS),
    durationMs: Date.now() - started,
  };
}
