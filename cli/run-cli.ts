import { Command, CommanderError, Help, Option } from "commander";
import { loadCore, type CliContext } from "./cli-context.js";
import type { ExitCode } from "./exit-codes.js";
import { packageVersion } from "./package-version.js";

// ExitCode.ok and ExitCode.usage, written out: exit-codes.js imports the core's error classes, and
// --version, --help and commander's usage errors must not load the core. `satisfies` keeps them equal.
const OK = 0 satisfies typeof ExitCode.ok;
const USAGE = 2 satisfies typeof ExitCode.usage;

/** A command of `agent` as `agent --help` lists it, and how to load its module to run it. */
interface CommandEntry {
  name: string;
  /** What follows the name in the list of commands, as commander writes it for the real command. */
  usage: string;
  description: string;
  load: (context: CliContext) => Promise<Command>;
}

/** The command named `name` of those a module builds. */
function named(commands: Command[], name: string): Command {
  const command = commands.find((candidate) => candidate.name() === name);
  if (!command) throw new Error(`The module of \`agent ${name}\` does not define it.`);
  return command;
}

/**
 * Every command, in the order of `agent --help`. A command's module (and with it the core, and ink
 * for `solve`) is imported only when that command is run or asked for its help; the names and
 * descriptions here must match the modules' (test/cli/run-cli.test.ts checks them).
 */
const COMMANDS: readonly CommandEntry[] = [
  {
    name: "solve",
    usage: "[options] [issue]",
    description: "Solve a task in the repository: plan, write reproduction tests, patch, and verify, in a sandbox. Your checkout is changed only with --apply.",
    load: async (context) => named((await import("./commands/solve-command.js")).createSolveCommands(context), "solve"),
  },
  {
    name: "chat",
    usage: "[options]",
    description:
      "Open an interactive session in this repository (also `agent` alone): type tasks, review the plan, approve steps and steer the agents; your checkout changes only with /apply.",
    load: async (context) => (await import("./commands/chat-command.js")).createChatCommand(context),
  },
  {
    name: "resume",
    usage: "[options] [run-id]",
    description:
      "Continue a run that was interrupted or killed, from its last checkpoint, with the run's own model unless --model is given. Limits and --approval given here replace the run's own.",
    load: async (context) => named((await import("./commands/solve-command.js")).createSolveCommands(context), "resume"),
  },
  {
    name: "triage",
    usage: "[options] <issue>",
    description:
      "Triage an issue: classify it, pick labels from the repository's own, ask for what a bug report lacks, find likely duplicates, try to reproduce a bug in the sandbox, and recommend actions. Only --apply changes anything on GitHub (labels and at most one comment; never a close).",
    load: async (context) => (await import("./commands/triage-command.js")).createTriageCommand(context),
  },
  {
    name: "serve",
    usage: "[options]",
    description:
      "Run the issue-triage bot: a webhook server for a GitHub App (or one repository's token) that triages new and edited issues and obeys /agent triage and /agent solve from people with write access. It never closes, locks or deletes.",
    load: async (context) => (await import("./commands/serve-command.js")).createServeCommand(context),
  },
  {
    name: "config",
    usage: "",
    description: "Inspect the configuration.",
    load: async (context) => (await import("./commands/config-command.js")).createConfigCommand(context),
  },
  {
    name: "models",
    usage: "",
    description: "List model providers and check the configured model.",
    load: async (context) => (await import("./commands/models-command.js")).createModelsCommand(context),
  },
  {
    name: "sandbox",
    usage: "",
    description: "Check the sandbox agents run in, and remove containers left by crashed runs.",
    load: async (context) => (await import("./commands/sandbox-command.js")).createSandboxCommand(context),
  },
  {
    name: "images",
    usage: "",
    description: "Build, list and prune the Docker images that sandboxes run agents in.",
    load: async (context) => (await import("./commands/images-command.js")).createImagesCommand(context),
  },
  {
    name: "runs",
    usage: "[options]",
    description: "List the runs in the runs directory, newest first, with their status (unfinished: running, or killed; resume it with `agent resume <run-id>`).",
    load: async (context) => (await import("./commands/runs-command.js")).createRunsCommand(context),
  },
  {
    name: "replay",
    usage: "<run>",
    description:
      "Show a recorded run: its events one per line, then its report (status, cost, tests). --json prints the stored JSONL events. " +
      "This only views a run; to run the agents again with the recorded model replies, use --model replay:<run-dir>.",
    load: async (context) => (await import("./commands/replay-command.js")).createReplayCommand(context),
  },
  {
    name: "memory",
    usage: "",
    description: "Show and forget what agent learned about each repository (test commands, set-up, conventions, past fixes, failed approaches).",
    load: async (context) => (await import("./commands/memory-command.js")).createMemoryCommand(context),
  },
  {
    name: "swebench",
    usage: "",
    description: "SWE-bench: build environments (prepare), solve instances with the agents (run) and evaluate predictions with a faithful harness (eval).",
    load: async (context) => (await import("./commands/swebench-command.js")).createSwebenchCommand(context),
  },
  {
    name: "bench",
    usage: "",
    description: "AgentCoder's function-level benchmarks, HumanEval and MBPP: grade samples like the official harnesses (eval), with --oracle and --empty checks.",
    load: async (context) => (await import("./commands/bench-command.js")).createBenchCommand(context),
  },
  {
    name: "worker",
    usage: "[options]",
    description:
      "Take SWE-bench instances from a Redis (BullMQ) queue filled by `agent swebench run --queue` and solve them here, or with --bot the triage bot's jobs queued by `agent serve --queue`, until stopped (Ctrl-C).",
    load: async (context) => (await import("./commands/swebench-command.js")).createWorkerCommand(context),
  },
];

/**
 * How commander reads `arg`, a flag of the root: a switch, one whose value is the next argument,
 * or --version; undefined when the root does not know it. Short flags may be grouped (-vm VALUE)
 * and take their value attached (-mVALUE), long ones as --flag=VALUE.
 */
function flagKind(arg: string, program: Command): "switch" | "value-follows" | "version" | undefined {
  const option = (flag: string) => program.options.find((candidate) => candidate.short === flag || candidate.long === flag);
  const classify = (known: Option, valueAttached: boolean) => {
    if (known.long === "--version") return "version";
    return known.isBoolean() || valueAttached ? "switch" : "value-follows";
  };
  const assigned = /^(--[^=]+)=/.exec(arg);
  if (assigned) return option(assigned[1]!)?.isBoolean() === false ? "switch" : undefined;
  if (arg.startsWith("--")) {
    const known = option(arg);
    return known && classify(known, false);
  }
  for (let rest = arg.slice(1); rest.length > 0; rest = rest.slice(1)) {
    const known = option(`-${rest[0]}`);
    if (!known) return undefined;
    if (!known.isBoolean() || known.long === "--version") return classify(known, rest.length > 1);
  }
  return "switch";
}

/**
 * The name of the command `argv` runs, found as commander finds it: the first operand after the
 * root's flags and their values (after `--`, the next argument; after `help`, the command asked
 * about). Undefined when there is none, or when a flag the root does not know, or --version,
 * comes first: commander then reports the flag, or prints the version, and runs no command.
 */
function commandNameIn(argv: readonly string[], program: Command): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index]!;
    if (arg === "--") return argv[index + 1];
    if (arg.length < 2 || !arg.startsWith("-")) return arg === "help" ? commandNameIn(argv.slice(index + 1), program) : arg;
    const kind = flagKind(arg, program);
    if (kind === undefined || kind === "version") return undefined;
    if (kind === "value-follows") index += 1;
  }
  return undefined;
}

/**
 * The arguments as commander must see them: `agent` with no command (only flags, such as
 * --model or the session's own --approval) opens the interactive session, so `chat` is put
 * first. Help, version, a command named anywhere, and a root flag missing its value are left
 * for commander to answer.
 */
export function withDefaultCommand(argv: readonly string[], program: Command): string[] {
  if (commandNameIn(argv, program) !== undefined) return [...argv];
  if (argv.some((arg) => ["-h", "--help", "-V", "--version"].includes(arg) || COMMANDS.some((entry) => entry.name === arg))) return [...argv];
  const last = argv.at(-1);
  if (last !== undefined && flagKind(last, program) === "value-follows") return [...argv];
  return ["chat", ...argv];
}

/** Builds the `agent` program with its global flags and every command: the one `argv` runs loaded, the others listed only. */
export async function createProgram(context: CliContext, argv: readonly string[] = []): Promise<Command> {
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
  const wanted = commandNameIn(withDefaultCommand(argv, program), program);
  const listedOnly = new Map<Command, string>();
  for (const entry of COMMANDS) {
    if (entry.name === wanted) program.addCommand(await entry.load(context));
    else {
      const listed = new Command(entry.name).description(entry.description);
      listedOnly.set(listed, entry.usage ? `${entry.name} ${entry.usage}` : entry.name);
      program.addCommand(listed);
    }
  }
  program.configureHelp({ subcommandTerm: (command) => listedOnly.get(command) ?? new Help().subcommandTerm(command) });
  // Whatever a command's module imports, the core is loaded before any action runs, so the exit handler finds it.
  program.hook("preAction", async () => {
    await loadCore();
  });
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

/** Prints an error as one line (one JSON line with --json; the stack too with --verbose) and returns its exit code. */
async function reportError(error: unknown, argv: string[], context: Omit<CliContext, "setExitCode">): Promise<number> {
  const [{ AgentError }, { describeError, describeErrorVerbose, exitCodeFor }] = await Promise.all([loadCore(), import("./exit-codes.js")]);
  const code = exitCodeFor(error);
  if (argv.includes("--json")) {
    const errorCode = error instanceof AgentError ? error.code : "internal";
    context.io.stderr.write(`${JSON.stringify({ error: { code: errorCode, message: describeError(error), exitCode: code } })}\n`);
  } else context.io.stderr.write(`agent: ${describeError(error)}\n`);
  if (argv.includes("--verbose") || argv.includes("-v")) context.io.stderr.write(`${describeErrorVerbose(error)}\n`);
  return code;
}

/**
 * Runs the CLI on `argv` (without the node and script entries) and returns the exit code:
 * 0 ok, 1 task not solved, 2 usage/config/auth, 130 interrupted. Errors print one actionable line.
 */
export async function runCli(argv: string[], context: Omit<CliContext, "setExitCode">): Promise<number> {
  let exitCode: number = OK;
  const fullContext: CliContext = { ...context, setExitCode: (code) => (exitCode = code) };
  try {
    if (context.env["AGENT_CONFIG"] === "") {
      const { ConfigError } = await loadCore();
      throw new ConfigError("AGENT_CONFIG is set but empty; unset it or name a config file.");
    }
    const program = await createProgram(fullContext, argv);
    await program.parseAsync(withDefaultCommand(argv, program), { from: "user" });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const quiet = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
      return quiet || error.exitCode === 0 ? OK : USAGE;
    }
    return reportError(error, argv, context);
  }
}
