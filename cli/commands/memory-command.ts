import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { Command, InvalidArgumentError, Option } from "commander";
import { createLongTermStore, defaultMemoryPath, findRepositoryRoot, readOriginUrl, listMemoryEntries, memoryKinds, normalizeOriginUrl, repositoryKey, UsageError, type LongTermStore, type MemoryEntry, type MemoryKind, type RepositoryMemory } from "../../src/index.js";
import { globalOptions, printJson, type CliContext } from "../cli-context.js";
import { ExitCode } from "../exit-codes.js";

/** The memory database: `AGENT_MEMORY_PATH` (relative to the working directory) or the XDG data directory. */
export function memoryPath(context: CliContext): string {
  const fromEnv = context.env["AGENT_MEMORY_PATH"];
  return fromEnv ? resolve(context.cwd, fromEnv) : defaultMemoryPath(context.env, context.homeDir);
}

/** Runs `action` on the store at `path`, or on no store when the file does not exist yet (reading never creates it). */
function withExistingStore<T>(path: string, action: (store: LongTermStore | undefined) => T): T {
  if (!existsSync(path)) return action(undefined);
  const store = createLongTermStore(path);
  try {
    return action(store);
  } finally {
    store.close();
  }
}

/**
 * The key of a repository as the user wrote it: `local:<path>` as it is; a URL or
 * `host/owner/name` in any case normalised as origins are (`https://github.com/O/R.git` → `github.com/o/r`).
 */
export function parseRepositoryArgument(text: string): string {
  const trimmed = text.trim();
  if (trimmed === "") throw new UsageError("The repository key is empty; see `agent memory list` for the keys.");
  if (trimmed.startsWith("local:")) return trimmed;
  return normalizeOriginUrl(trimmed) ?? normalizeOriginUrl(`https://${trimmed}`) ?? trimmed;
}

/** The key of the git repository that holds the working directory; a UsageError outside one. */
async function currentRepositoryKey(context: CliContext): Promise<string> {
  const rootPath = await findRepositoryRoot(context.cwd);
  if (!rootPath) {
    throw new UsageError(`${context.cwd} is not inside a git repository; pass a repository key (see \`agent memory list\`), e.g. agent memory show github.com/owner/repo.`);
  }
  return repositoryKey({ originUrl: await readOriginUrl(rootPath), rootPath });
}

/** A positive integer option value, or commander's usage error. */
function parseEntryId(text: string): number {
  if (!/^[1-9][0-9]*$/.test(text)) throw new InvalidArgumentError("expected the id of an entry (a positive integer, see `agent memory show`).");
  return Number(text);
}

/** "1 entry", "3 entries". */
function countEntries(count: number): string {
  return `${count} ${count === 1 ? "entry" : "entries"}`;
}

/** One entry as a line of text. */
function describeEntry(entry: MemoryEntry): string {
  switch (entry.kind) {
    case "test-command":
      return `${entry.value.command}  (${entry.value.framework}${entry.value.notes ? `; ${entry.value.notes}` : ""})`;
    case "setup-command":
      return `${entry.value.command}  (${entry.value.purpose})`;
    case "convention":
      return entry.value;
    case "fix-summary":
      return `${entry.value.task} [${entry.value.status}]: ${entry.value.summary}${entry.value.files.length > 0 ? ` (files: ${entry.value.files.join(", ")})` : ""}`;
    case "failed-approach":
      return `${entry.value.task}: ${entry.value.approach} (failed: ${entry.value.reason})`;
  }
}

/** A repository's memory as text, with ids for `agent memory forget --id`. */
function writeMemory(context: CliContext, memory: RepositoryMemory): void {
  const entries = listMemoryEntries(memory);
  const out = context.io.stdout;
  if (entries.length === 0) {
    out.write(`Nothing remembered about ${memory.repositoryKey}.\n`);
    return;
  }
  out.write(`${memory.repositoryKey}\n`);
  for (const kind of memoryKinds) {
    const ofKind = entries.filter((entry) => entry.kind === kind);
    if (ofKind.length === 0) continue;
    out.write(`\n${kind}:\n`);
    for (const entry of ofKind) {
      out.write(`  #${entry.id}  ${describeEntry(entry)}\n        ${entry.updatedAt}${entry.source ? `, run ${entry.source}` : ""}\n`);
    }
  }
}

/** `agent memory list|show|forget`: what agent remembers about each repository. */
export function createMemoryCommand(context: CliContext): Command {
  const memory = new Command("memory").description(
    "Show and forget what agent learned about each repository (test commands, set-up, conventions, past fixes, failed approaches).",
  );

  memory
    .command("list")
    .description("List the repositories agent remembers something about, with their number of entries.")
    .action((_options: unknown, command: Command) => {
      const path = memoryPath(context);
      const repositories = withExistingStore(path, (store) => store?.listRepositories() ?? []);
      if (globalOptions(command).json) return printJson(context.io, { path, repositories });
      const out = context.io.stdout;
      if (repositories.length === 0) return void out.write(`Nothing remembered yet (${path}).\n`);
      out.write(`memory: ${path}\n`);
      for (const repository of repositories) {
        out.write(`  ${repository.key}  ${countEntries(repository.entries)}, updated ${repository.updatedAt}\n`);
      }
    });

  memory
    .command("show")
    .description("Show what agent remembers about a repository (by default the git repository of the current directory).")
    .argument("[repo]", "a repository key as `agent memory list` prints it (github.com/owner/repo, local:/path), or an origin URL")
    .action(async (repo: string | undefined, _options: unknown, command: Command) => {
      const key = repo === undefined ? await currentRepositoryKey(context) : parseRepositoryArgument(repo);
      const path = memoryPath(context);
      const remembered = withExistingStore(path, (store): RepositoryMemory =>
        store ? store.recall(key) : { repositoryKey: key, setupCommands: [], conventions: [], fixSummaries: [], failedApproaches: [] },
      );
      if (globalOptions(command).json) printJson(context.io, { path, ...remembered });
      else writeMemory(context, remembered);
    });

  memory
    .command("forget")
    .description("Forget what agent remembers about a repository: everything, one kind of entry, or one entry. Asks first unless --yes.")
    .argument("<repo>", "a repository key as `agent memory list` prints it, or an origin URL")
    .addOption(new Option("--kind <kind>", "only entries of this kind").choices(memoryKinds))
    .addOption(new Option("--id <id>", "only the entry with this id (see `agent memory show`)").argParser(parseEntryId))
    .option("--yes", "do not ask for confirmation")
    .action(async (repo: string, options: { kind?: MemoryKind; id?: number; yes?: boolean }, command: Command) => {
      const json = globalOptions(command).json === true;
      const key = parseRepositoryArgument(repo);
      const path = memoryPath(context);
      const selection = { ...(options.kind ? { kind: options.kind } : {}), ...(options.id !== undefined ? { id: options.id } : {}) };
      const matching = withExistingStore(path, (store) =>
        store
          ? listMemoryEntries(store.recall(key)).filter(
              (entry) => (selection.kind === undefined || entry.kind === selection.kind) && (selection.id === undefined || entry.id === selection.id),
            ).length
          : 0,
      );
      const what = `${countEntries(matching)}${selection.kind ? ` of kind ${selection.kind}` : ""} about ${key}`;
      if (matching === 0) {
        if (json) return printJson(context.io, { path, repository: key, removed: 0 });
        return void context.io.stdout.write(`Nothing to forget: no ${selection.id !== undefined ? `entry #${selection.id}` : "entries"}${selection.kind ? ` of kind ${selection.kind}` : ""} about ${key}.\n`);
      }
      if (!options.yes) {
        if (!context.confirm) throw new UsageError(`Forgetting ${what} cannot be undone, and there is no terminal to confirm it; pass --yes.`);
        if (!(await context.confirm(`Forget ${what}? This cannot be undone.`))) {
          context.io.stderr.write("agent: nothing was forgotten.\n");
          context.setExitCode(ExitCode.notSolved);
          return;
        }
      }
      const removed = withExistingStore(path, (store) => store?.forget(key, selection) ?? 0);
      if (json) printJson(context.io, { path, repository: key, removed });
      else context.io.stdout.write(`Forgot ${countEntries(removed)} about ${key}.\n`);
    });
  return memory;
}
