import { homedir } from "node:os";
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

const code = await runCli(process.argv.slice(2), {
  io: { stdout: process.stdout, stderr: process.stderr },
  env: process.env,
  cwd: process.cwd(),
  homeDir: homedir(),
  signal: controller.signal,
});
process.exitCode = controller.signal.aborted ? ExitCode.interrupted : code;
