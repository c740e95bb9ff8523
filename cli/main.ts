import { homedir } from "node:os";
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { AbortedError, liveContainerIds } from "../src/index.js";
import { ExitCode } from "./exit-codes.js";
import { runCli } from "./run-cli.js";

/** Last-resort clean-up when the process must exit at once: `docker rm -f` the sandboxes still running. */
function removeLiveContainers(): void {
  const ids = liveContainerIds();
  if (ids.length > 0) spawnSync("docker", ["rm", "--force", ...ids], { stdio: "ignore", timeout: 15_000 });
}
process.on("exit", removeLiveContainers);

// The process boundary: signals become an AbortSignal, the returned code becomes the exit code.
const controller = new AbortController();
let interrupts = 0;
const onSignal = (signal: NodeJS.Signals): void => {
  interrupts += 1;
  if (interrupts > 1) {
    process.stderr.write("agent: interrupted again; removing sandbox containers and exiting now.\n");
    removeLiveContainers();
    process.exit(ExitCode.interrupted);
  }
  process.stderr.write(`agent: ${signal} received; stopping and cleaning up (press Ctrl-C again to force).\n`);
  controller.abort(new AbortedError(`Interrupted (${signal}).`));
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
  ...(process.stderr.isTTY ? { terminal: process.stderr } : {}),
});
process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
