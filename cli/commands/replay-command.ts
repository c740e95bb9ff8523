import { readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { Command } from "commander";
import { buildRunReport, createEventRenderer, readTrajectory, renderReportText, RUN_FILES, UsageError } from "../../src/index.js";
import { globalOptions, type CliContext } from "../cli-context.js";

const EXPECTED = `a run directory (runs/<run-id>) or its ${RUN_FILES.trajectory}`;

/** Finds the trajectory file of a run directory or trajectory path, or explains what was expected. */
async function findTrajectory(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info) throw new UsageError(`Nothing at ${path}: agent replay expects ${EXPECTED}.`);
  if (!info.isDirectory()) return path;
  const file = join(path, RUN_FILES.trajectory);
  if (!(await stat(file).catch(() => undefined))?.isFile()) {
    throw new UsageError(`${path} has no ${RUN_FILES.trajectory}: agent replay expects ${EXPECTED}.`);
  }
  return file;
}

/** `agent replay <run>`: prints a recorded run's events and its report, or the raw JSONL with --json. */
export function createReplayCommand(context: CliContext): Command {
  return new Command("replay")
    .description(
      "Show a recorded run: its events one per line, then its report (status, cost, tests). --json prints the stored JSONL events. " +
        "This only views a run; to run the agents again with the recorded model replies, use --model replay:<run-dir>.",
    )
    .argument("<run>", `${EXPECTED}`)
    .action(async (run: string, _options: unknown, command: Command) => {
      const options = globalOptions(command);
      const file = await findTrajectory(resolve(context.cwd, run));
      const trajectory = await readTrajectory(file);
      if (trajectory.truncated) {
        context.io.stderr.write(`agent: warning: the last line of ${file} is incomplete (the run was killed while writing it); it is left out.\n`);
      }
      if (trajectory.damagedLines.length > 0) {
        context.io.stderr.write(`agent: warning: ${file} lines ${trajectory.damagedLines.join(", ")} are not events; they are left out.\n`);
      }
      if (trajectory.events.length === 0) context.io.stderr.write(`agent: warning: ${file} holds no events.\n`);
      if (options.json) {
        context.io.stdout.write(trajectory.lines.map((line) => `${line}\n`).join(""));
        return;
      }
      const render = createEventRenderer({ verbose: options.verbose ?? false });
      for (const event of trajectory.events) {
        const line = render(event);
        if (line !== undefined) context.io.stdout.write(`${line}\n`);
      }
      const end = trajectory.events.findLast((event) => event.type === "run-end");
      const patchFile = join(dirname(file), RUN_FILES.patch);
      // A run that ended without a patch file changed nothing; otherwise the patch may just be missing.
      const patch = await readFile(patchFile, "utf8").catch(() => (end && !end.patchFile ? "" : undefined));
      const report = buildRunReport(trajectory.events, {
        trajectoryTruncated: trajectory.truncated,
        ...(patch === undefined ? {} : { patch }),
      });
      context.io.stdout.write(`\n${renderReportText(report)}`);
    });
}
