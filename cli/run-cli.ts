import { Command, CommanderError, Option } from "commander";
import { AgentError, ConfigError } from "../src/index.js";
import { type CliContext } from "./cli-context.js";
import { createConfigCommand } from "./commands/config-command.js";
import { createImagesCommand } from "./commands/images-command.js";
import { createMemoryCommand } from "./commands/memory-command.js";
import { createModelsCommand } from "./commands/models-command.js";
import { createReplayCommand } from "./commands/replay-command.js";
import { createRunsCommand } from "./commands/runs-command.js";
import { createSandboxCommand } from "./commands/sandbox-command.js";
import { createSolveCommands } from "./commands/solve-command.js";
import { createSwebenchCommand, createWorkerCommand } from "./commands/swebench-command.js";
import { describeError, describeErrorVerbose, ExitCode, exitCodeFor } from "./exit-codes.js";
import { packageVersion } from "./package-version.js";

/** Builds the `agent` program with its global flags and every command that works. */
export function createProgram(context: CliContext): Command {
  const program = new Command("agent")
    .description("A multi-agent coding system: planner, test designer, programmer and executor agents that turn an issue into a verified patch.")
    .version(packageVersion(), "-V, --version", "Print the version.")
    .addOption(new Option("-m, --model <provider:model>", "The model, e.g. openai:gpt-4.1, anthropic:claude-sonnet-4-5, ollama:qwen2.5-coder (env AGENT_MODEL)."))
    .addOption(new Option("-c, --config <file>", "Use this config file instead of the user config file (env AGENT_CONFIG)."))
    .option("--json", "Print machine-readable JSON instead of text.")
    .option("-v, --verbose", "Print more detail, including stack traces of errors.")
    .showHelpAfterError("(run agent --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.io.stdout.write(text),
      writeErr: (text) => context.io.stderr.write(text),
    });
  for (const command of createSolveCommands(context)) program.addCommand(command);
  program.addCommand(createConfigCommand(context));
  program.addCommand(createModelsCommand(context));
  program.addCommand(createSandboxCommand(context));
  program.addCommand(createImagesCommand(context));
  program.addCommand(createRunsCommand(context));
  program.addCommand(createReplayCommand(context));
  program.addCommand(createMemoryCommand(context));
  program.addCommand(createSwebenchCommand(context));
  program.addCommand(createWorkerCommand(context));
  inheritSettings(program);
  return program;
}

/** Gives every nested command the root's error handling and output (addCommand does not). */
function inheritSettings(parent: Command): void {
  for (const command of parent.commands) {
    command.copyInheritedSettings(parent);
    inheritSettings(command);
  }
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and returns the exit code:
 * 0 ok, 1 task not solved, 2 usage/config/auth, 130 interrupted. Errors print one actionable line.
 */
export async function runCli(argv: string[], context: Omit<CliContext, "setExitCode">): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const fullContext: CliContext = { ...context, setExitCode: (code) => (exitCode = code) };
  const program = createProgram(fullContext);
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  try {
    if (context.env["AGENT_CONFIG"] === "") throw new ConfigError("AGENT_CONFIG is set but empty; unset it or name a config file.");
    await program.parseAsync(argv, { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const quiet = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      return quiet || error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
    }
    const code = exitCodeFor(error);
    if (argv.includes("--json")) {
      const errorCode = error instanceof AgentError ? error.code : "internal";
      context.io.stderr.write(`${JSON.stringify({ error: { code: errorCode, message: describeError(error), exitCode: code } })}\n`);
    } else context.io.stderr.write(`agent: ${describeError(error)}\n`);
    if (verbose) context.io.stderr.write(`${describeErrorVerbose(error)}\n`);
    return code;
  }
}
