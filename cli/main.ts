import { homedir } from "node:os";
import { spawnSync } from "node:child_process";
import { createInterface } from "node:readline/promises";
import { coreIfLoaded, loadCore } from "./cli-context.js";
import type { ExitCode } from "./exit-codes.js";
import { runCli } from "./run-cli.js";

// ExitCode.interrupted, written out: exit-codes.js loads the core, which --version and --help never
// load and a second Ctrl-C cannot wait for. `satisfies` keeps it equal.
const INTERRUPTED = 130 satisfies typeof ExitCode.interrupted;
/** How long the process may linger after its command has ended (pipes draining) before it exits anyway. */
const LINGER_MS = 10_000;

/**
 * Last-resort clean-up when the process must exit at once: `docker rm -f` the sandboxes still
 * running. Only a command loads the core, and it does before its action starts any container.
 */
function removeLiveContainers(): void {
  const ids = coreIfLoaded()?.liveContainerIds() ?? [];
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
    process.exit(INTERRUPTED);
  }
  process.stderr.write(`agent: ${signal} received; stopping and cleaning up (press Ctrl-C again to force).\n`);
  void loadCore().then(({ AbortedError }) => controller.abort(new AbortedError(`Interrupted (${signal}).`)));
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
  ...(process.stdin.isTTY ? { stdin: process.stdin } : {}),
});
process.exitCode = controller.signal.aborted ? INTERRUPTED : code;
// The command has ended and written its record: nothing it left open (a socket to an engine whose
// container vanished, a stray timer) may keep the process alive. A clean process exits before this
// timer fires; it only ends one that would otherwise hang, with the command's exit code.
setTimeout(() => process.exit(), LINGER_MS).unref();
