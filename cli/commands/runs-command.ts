import { Command } from "commander";
import { globalOptions, loadCore, printJson, type CliContext } from "../cli-context.js";

/** `agent runs`: the runs in the runs directory, newest first, with their status, so a killed one can be resumed. */
export function createRunsCommand(context: CliContext): Command {
  return new Command("runs")
    .description("List the runs in the runs directory, newest first, with their status (unfinished: running, or killed; resume it with `agent resume <run-id>`).")
    .option("--runs-dir <dir>", "where run directories are (env AGENT_RUNS_DIR; default ~/.local/state/agent/runs)")
    .action(async (options: { runsDir?: string }, command: Command) => {
      const [{ listRuns }, { runsDirectory }] = await Promise.all([loadCore(), import("./solve-command.js")]);
      const runsDir = runsDirectory(context, options.runsDir);
      const runs = await listRuns(runsDir);
      if (globalOptions(command).json) {
        printJson(context.io, { runsDir, runs });
        return;
      }
      if (runs.length === 0) {
        context.io.stdout.write(`No runs in ${runsDir}.\n`);
        return;
      }
      const width = Math.max(...runs.map((run) => run.status.length));
      for (const run of runs) context.io.stdout.write(`${run.runId}  ${run.status.padEnd(width)}  ${run.title}\n`);
    });
}
