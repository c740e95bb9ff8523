import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import type { SandboxChoice } from "../../src/index.js";
import { globalOptions, loadCliConfig, loadCore, printJson, type CliContext } from "../cli-context.js";

/**
 * Gets the user's consent for the local sandbox: asks at a terminal, refuses without one. The
 * refusal says how to consent in advance.
 */
export async function confirmLocalSandbox(context: CliContext, choice: SandboxChoice): Promise<void> {
  if (choice.kind !== "local" || !choice.needsConsent) return;
  const { LOCAL_SANDBOX_WARNING, SandboxError } = await loadCore();
  const question = `${LOCAL_SANDBOX_WARNING} (${choice.reason}) Continue?`;
  if (!context.confirm) {
    throw new SandboxError(
      `${LOCAL_SANDBOX_WARNING} Not using it without consent, and there is no terminal to ask. ` +
        "Start Docker, or consent in advance with AGENT_SANDBOX=local and sandbox.allowLocal: true in your user config.",
      { code: "local-sandbox-refused" },
    );
  }
  if (!(await context.confirm(question))) {
    throw new SandboxError("Stopped: the local sandbox was not accepted.", { code: "local-sandbox-refused" });
  }
  context.io.stderr.write(`agent: warning: ${LOCAL_SANDBOX_WARNING}\n`);
}

interface CheckReport {
  sandbox: "docker" | "local";
  reason: string;
  description: string;
  user: string;
  network: string;
  tools: Record<string, string>;
  createToFirstCommandMs: number;
  medianRoundTripMs: number;
}

/** `agent sandbox check|list|prune`: see that sandboxes work, and clean up after crashed runs. */
export function createSandboxCommand(context: CliContext): Command {
  const sandbox = new Command("sandbox").description("Check the sandbox agents run in, and remove containers left by crashed runs.");

  sandbox
    .command("check")
    .description("Start a sandbox as a run would (Docker, or the local sandbox with consent) and report its user, network, tools and speed.")
    .action(async (_options: unknown, command: Command) => {
      const options = globalOptions(command);
      const [{ chooseSandbox, createDockerClient, createSandbox }, { ExitCode }] = await Promise.all([loadCore(), import("../exit-codes.js")]);
      const loaded = await loadCliConfig(context, options);
      const docker = createDockerClient(context.env);
      const choice = await chooseSandbox(loaded.config.sandbox, docker);
      await confirmLocalSandbox(context, choice);
      const workspace = await mkdtemp(join(tmpdir(), "agent-sandbox-check-"));
      const started = Date.now();
      const box = await createSandbox({
        choice,
        config: loaded.config.sandbox,
        docker,
        hostWorkdir: workspace,
        runId: `sandbox-check-${process.pid}`,
        hostPath: context.env["PATH"] ?? "/usr/bin:/bin",
        onProgress: (line) => context.io.stderr.write(`[image] ${line}\n`),
        signal: context.signal,
      });
      try {
        const first = await box.exec({ command: "id -un 2>/dev/null || id -u" }, context.signal);
        const createToFirstCommandMs = Date.now() - started;
        const network = await box.exec({ command: "ls /sys/class/net 2>/dev/null | tr '\\n' ' '" }, context.signal);
        const tools: Record<string, string> = {};
        for (const [name, probe] of Object.entries({ git: "git --version", rg: "rg --version | head -1", python3: "python3 --version", gcc: "gcc --version | head -1" })) {
          const result = await box.exec({ command: probe }, context.signal);
          tools[name] = result.exitCode === 0 ? result.stdout.trim() : "missing";
        }
        const times: number[] = [];
        for (let index = 0; index < 21; index += 1) {
          const tick = performance.now();
          await box.exec({ command: "true" }, context.signal);
          times.push(performance.now() - tick);
        }
        const report: CheckReport = {
          sandbox: choice.kind,
          reason: choice.reason,
          description: box.description,
          user: first.stdout.trim(),
          network: network.stdout.trim() === "lo" ? "off (loopback only)" : `interfaces: ${network.stdout.trim() || "unknown"}`,
          tools,
          createToFirstCommandMs,
          medianRoundTripMs: Number(times.sort((a, b) => a - b)[10]!.toFixed(2)),
        };
        if (options.json) printJson(context.io, report);
        else {
          const out = context.io.stdout;
          out.write(`sandbox:   ${report.sandbox} (${report.reason})\n${report.description}\n`);
          out.write(`user:      ${report.user}\nnetwork:   ${report.network}\n`);
          for (const [name, version] of Object.entries(tools)) out.write(`${name.padEnd(10)} ${version}\n`);
          out.write(`start:     ${report.createToFirstCommandMs} ms to the first command\nround trip: ${report.medianRoundTripMs} ms (median of 21)\n`);
        }
        if (Object.values(tools).includes("missing")) context.setExitCode(ExitCode.notSolved);
      } finally {
        await box.dispose();
        await rm(workspace, { recursive: true, force: true });
      }
    });

  sandbox
    .command("list")
    .description("List the sandbox containers on the Docker engine, and which are left over from runs that are gone.")
    .action(async (_options: unknown, command: Command) => {
      const [{ listSandboxContainers }, { connectDocker }] = await Promise.all([loadCore(), import("./images-command.js")]);
      const docker = await connectDocker(context);
      const containers = await listSandboxContainers(docker);
      if (globalOptions(command).json) return printJson(context.io, containers);
      if (containers.length === 0) context.io.stdout.write("No sandbox containers.\n");
      for (const container of containers) {
        context.io.stdout.write(`${container.id.slice(0, 12)}  run ${container.runId}  ${container.state}  ${container.stale ? "LEFT OVER" : "in use"}: ${container.reason}\n`);
      }
    });

  sandbox
    .command("prune")
    .description("Remove sandbox containers left by crashed or killed runs (found by their labels); --all removes every sandbox container.")
    .option("--all", "remove every sandbox container, including those of runs still going")
    .option("--run <run-id>", "only the containers of this run")
    .action(async (options: { all?: boolean; run?: string }, command: Command) => {
      const [{ pruneSandboxes }, { connectDocker }] = await Promise.all([loadCore(), import("./images-command.js")]);
      const docker = await connectDocker(context);
      const removed = await pruneSandboxes(docker, { all: options.all === true, ...(options.run ? { runId: options.run } : {}) });
      if (globalOptions(command).json) return printJson(context.io, removed);
      context.io.stdout.write(removed.length === 0 ? "Nothing to remove.\n" : `Removed ${removed.length} container(s):\n`);
      for (const container of removed) context.io.stdout.write(`  ${container.id.slice(0, 12)}  run ${container.runId}: ${container.reason}\n`);
    });
  return sandbox;
}
