import type { Command } from "commander";
import type * as Core from "../src/index.js";
import type { ConfigSource, LoadedConfig } from "../src/index.js";

let loadedCore: typeof Core | undefined;

/**
 * The core (src/index.js), imported on first use. It takes a second to load (LangChain, LangGraph,
 * dockerode, SQLite), so the CLI loads it only to run a command: never for --version or --help.
 */
export async function loadCore(): Promise<typeof Core> {
  loadedCore ??= await import("../src/index.js");
  return loadedCore;
}

/** The core if it has been loaded, for code that cannot wait (the process's exit handler); undefined before. */
export function coreIfLoaded(): typeof Core | undefined {
  return loadedCore;
}

/** Where the CLI writes: injected so commands run in tests without a terminal. */
export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown; isTTY?: boolean };
}

/** The process facts a command may use; nothing else of `process` reaches the commands. */
export interface CliContext {
  io: CliIo;
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  signal: AbortSignal;
  /** Sets the exit code for an outcome that is not an error (e.g. a task not solved). */
  setExitCode(code: number): void;
  /** Asks the person at the terminal a yes/no question; undefined when nobody can answer (no terminal). */
  confirm?: (question: string) => Promise<boolean>;
  /** The terminal progress is drawn on (stderr), when stderr is one; undefined otherwise. */
  terminal?: NodeJS.WriteStream;
  /** The terminal's keyboard (stdin), when stdin is a terminal: the interactive session reads keys from it. */
  stdin?: NodeJS.ReadStream;
}

/** The global flags of every command. */
export interface GlobalOptions {
  model?: string;
  config?: string;
  json?: boolean;
  verbose?: boolean;
}

/** The global flags as parsed by commander, from any subcommand. */
export function globalOptions(command: Command): GlobalOptions {
  return command.optsWithGlobals<GlobalOptions>();
}

/** Loads the effective configuration for a command: defaults < files < environment < flags. */
export async function loadCliConfig(context: CliContext, options: GlobalOptions): Promise<LoadedConfig> {
  const { loadConfig } = await loadCore();
  return loadConfig({
    cwd: context.cwd,
    env: context.env,
    homeDir: context.homeDir,
    ...(options.config ? { configFile: options.config } : {}),
    flags: options.model ? { model: options.model } : {},
    flagNames: { model: "--model" },
  });
}

/** Names a setting's origin for messages: "--model", "environment variable AGENT_MODEL", a file. */
export function describeSource(source: ConfigSource | undefined): string {
  if (!source) return "the configuration";
  switch (source.layer) {
    case "env":
      return `environment variable ${source.detail}`;
    case "flag":
      return source.detail;
    case "default":
      return "the built-in defaults";
    default:
      return source.detail;
  }
}

/** Writes a JSON document to stdout. */
export function printJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
