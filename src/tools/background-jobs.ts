import { z } from "zod";
import type { Sandbox } from "../sandbox/sandbox.js";
import { defineTool, toolFailure, toolOk } from "./agent-tool.js";

/**
 * `background_jobs`: lists the background jobs started with `run_shell` and `background: true`
 * (process group, running or ended, log file, command), or stops one with its whole process
 * group. Everything else a command leaves running is stopped when it returns.
 */
export function createBackgroundJobsTool({ sandbox }: { sandbox: Sandbox }) {
  return defineTool({
    name: "background_jobs",
    kind: "execute",
    description:
      "List the background jobs you started with run_shell and background: true (process group, running or ended, log file, command), " +
      "or stop one (with every process it started) by its process group. Read a job's output with view_file or `tail` on its log file.",
    schema: z.object({
      action: z.enum(["list", "stop"]).describe("list the jobs, or stop one"),
      group: z.number().int().positive().optional().describe("stop only: the job's process group, as list shows it"),
    }),
    async run(input, signal) {
      if (input.action === "stop" && input.group === undefined) return toolFailure("Give the process group of the job to stop (see action: list).");
      const command = input.action === "list" ? "__agent_jobs" : `__agent_jobs_stop ${input.group}`;
      const result = await sandbox.exec({ command, timeoutMs: 30_000 }, signal);
      const output = `${result.stdout}${result.stderr}`.trim() || "(no output)";
      return result.exitCode === 0 ? toolOk(output) : toolFailure(output);
    },
  });
}
