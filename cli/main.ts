import { homedir } from "node:os";
import { createInterface } from "node:readline/promises";
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./run-cli.js";

// The process boundary: signals become an AbortSignal, the returned code becomes the exit code.
const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) {
    process.stderr.write("agent: interrupted again; exiting now without cleaning up.\n");
    process.exit(ExitCode.interrupted);
  }
  process.stderr.write(`agent: ${signal} received; stopping and cleaning up (press Ctrl-C again to force).\n`);
  controller.abort(new Error(signal));
};
process.on("SIGINT", onSignal);
process.on("SIGTERM", onSignal);

/** Asks a yes/no question at the terminal; only offered when stdin and stderr are terminals. */
async function confirm(question: string): Promise<boolean> {
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${question} [y/N] `, { signal: controller.signal });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    return false;
  } finally {
    prompt.close();
  }
}

const code = await runCli(process.argv.slice(2), {
  io: { stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  signal: controller.signal,
  ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm } : {}),
});
process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
