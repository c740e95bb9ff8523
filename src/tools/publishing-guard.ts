/**
 * The guard behind the approval policy's one rule that holds in every mode: no command in the
 * sandbox may publish (push commits, post to GitHub). It reads the command as the shell would
 * (shell-words.ts), through wrappers, nested command strings and git's own options and aliases.
 * This is a guard against accidental publishing, not a sandbox against a model set on getting
 * round it: the sandbox has no network and the working tree has no remote.
 */
import { splitShellCommands, type ShellWord, type SimpleCommand } from "./shell-words.js";

/**
 * Why a shell command is denied in every mode: it pushes (`push`), defines a git alias that
 * pushes (`alias`), talks to GitHub (`post`, `api`), runs a program or git subcommand known
 * only at run time next to a publishing word (`dynamic`), or is too deep to check (`nesting`).
 */
type Rule = "push" | "alias" | "post" | "api" | "dynamic" | "nesting";

interface Finding {
  rule: Rule;
  /** The simple command that broke the rule, as the model wrote it (filled in by checkScript). */
  command: string;
}

interface Context {
  /** How many command strings deep the check is (`bash -c 'eval …'`). */
  depth: number;
  /** Whether the command's arguments also come from standard input (under `xargs`). */
  fromInput: boolean;
  /** xargs's replace string (`-I {}`): words holding it are only known at run time. */
  replace?: string;
  /** What a here-document or here-string feeds to the command being checked. */
  input?: string;
  /** How many shells of the current script read their script from standard input. */
  stdin: { shells: number };
  /**
   * Commands left to check for the whole decision, so that nested wrappers cannot blow up, and
   * how many checks of a command are under way, one inside the other (`sudo sudo … git push`).
   */
  budget: { steps: number; nested: number };
  /** The command strings being checked, outermost first: one fed back to itself is not read again. */
  scripts: readonly string[];
}

const PUBLISHING_ADVICE =
  "Publishing is done by agent, the program running you, and only when the user asks: --pr commits, pushes and opens a draft pull request; --comment posts the summary on the issue.";

const REASONS: Record<Rule, (command: string) => string> = {
  push: (command) => `\`${command}\` would push commits out of the sandbox. ${PUBLISHING_ADVICE} Leave your changes in the working tree and finish; they are collected from there.`,
  alias: (command) => `\`${command}\` defines a git alias that pushes, so a later command could publish. ${PUBLISHING_ADVICE} Leave your changes in the working tree and finish.`,
  post: (command) => `\`${command}\` talks to GitHub. ${PUBLISHING_ADVICE} Do not open, post or change anything on GitHub: put what you would post in your final answer.`,
  api: (command) =>
    `\`${command}\` addresses GitHub's API (api.github.com, uploads.github.com) directly. ${PUBLISHING_ADVICE} The issue's text is already in your task; put what you would post in your final answer.`,
  dynamic: (command) =>
    `\`${command}\` runs a program or git subcommand that is only known when it runs, and it may push or post. Spell the program and the subcommand out literally (for example \`git stash push\`). ${PUBLISHING_ADVICE}`,
  nesting: (command) => `\`${command}\` nests commands too deeply to check. Run the inner command directly.`,
};

const MAX_DEPTH = 16;
const MAX_STEPS = 5_000;
/** Commands checked one inside the other (wrappers of wrappers): each takes a few stack frames. */
const MAX_NESTED_COMMANDS = 200;
const MAX_SHOWN_CHARS = 120;

/** Hosts of GitHub's REST, GraphQL and upload APIs: any command mentioning them is denied. */
const GITHUB_API_HOST = /\b(?:api|uploads)\.github\.com\b/i;

/**
 * Git subcommands that send commits or patches out of the repository. `request-pull` only
 * prints a summary for an email, and `remote set-url --push` only writes local configuration
 * (the push itself stays denied in every spelling), so both are allowed.
 */
const GIT_PUBLISHING_SUBCOMMANDS = new Set(["push", "send-pack", "http-push", "send-email"]);

/**
 * Git's global options that take the next word as their value (`-C <path>`, `--git-dir <dir>`);
 * the others are flags. `--exec-path` alone prints a path, so the word after it is read both ways.
 */
const GIT_OPTIONS_WITH_VALUE = new Set(["-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--shallow-file", "--attr-source", "--super-prefix"]);

/** hub subcommands that publish whatever follows them; git has none of them, but hub is often aliased as git (`hub alias`). */
const HUB_PUBLISHING_SUBCOMMANDS = new Set(["pull-request", "fork", "create", "delete", "api", "gist"]);

/** hub subcommands that publish with one of these verbs (`hub issue create`) and only list or show without. */
const HUB_PUBLISHING_VERBS = new Map([
  ["issue", new Set(["create", "update", "transfer"])],
  ["release", new Set(["create", "edit", "delete"])],
]);

/** Arguments that, after a program named by a variable or substitution (`$GIT push`), suggest it publishes. */
const PUBLISHING_WORDS = new Set([...GIT_PUBLISHING_SUBCOMMANDS, "pull-request", "pr", "issue", "release", "api", "gist"]);

const SHELLS = new Set(["sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "fish"]);

/** Builtins whose `NAME=value` arguments are assignments (`export X='git push'`). */
const DECLARATION_BUILTINS = new Set(["export", "declare", "typeset", "local", "readonly", "alias"]);

interface WrapperSpec {
  /** Short options (letters) that take a value, attached (`-uNAME`) or as the next word. */
  short: string;
  /** Long options that take a value, without their dashes (`--unset NAME`, `--unset=NAME`). */
  long: string[];
  /** Words between the options and the command (timeout's duration). */
  operands?: number;
  /** Whether the rest is one command line, joined with spaces and run by a shell (watch). */
  joined?: boolean;
}

/** Programs that run the command that follows their options. */
const WRAPPERS = new Map<string, WrapperSpec>([
  ["env", { short: "uCS", long: ["unset", "chdir", "split-string"] }],
  ["command", { short: "", long: [] }],
  ["builtin", { short: "", long: [] }],
  ["exec", { short: "a", long: [] }],
  ["sudo", { short: "acCDgpRrtTUu", long: ["close-from", "chdir", "group", "host", "prompt", "chroot", "role", "type", "command-timeout", "other-user", "user", "login-class"] }],
  ["doas", { short: "Cu", long: [] }],
  ["nohup", { short: "", long: [] }],
  ["time", { short: "fo", long: ["format", "output"] }],
  ["nice", { short: "n", long: ["adjustment"] }],
  ["timeout", { short: "sk", long: ["signal", "kill-after"], operands: 1 }],
  ["stdbuf", { short: "ioe", long: ["input", "output", "error"] }],
  ["setsid", { short: "", long: [] }],
  ["xargs", { short: "adEILnPs", long: ["arg-file", "delimiter", "max-args", "max-procs", "max-chars", "process-slot-var", "max-lines"] }],
  ["busybox", { short: "", long: [] }],
  ["watch", { short: "nq", long: ["interval", "equexit"], joined: true }],
]);


/** Checks every simple command of a command line, and the text fed to a shell that reads standard input. */
function checkScript(script: string, outer: Context): Finding | undefined {
  // `x=$(bash <<< ls)` feeds its own text to the shell it holds; reading it again finds nothing new.
  if (outer.scripts.includes(script)) return undefined;
  const ctx: Context = { depth: outer.depth + 1, fromInput: false, replace: outer.replace, stdin: { shells: 0 }, budget: outer.budget, scripts: [...outer.scripts, script] };
  if (ctx.depth > MAX_DEPTH) return { rule: "nesting", command: shorten(script) };
  const commands = splitShellCommands(script);
  const stdinShells = new Set<SimpleCommand>();
  for (const command of commands) {
    if (command.unread) return { rule: "nesting", command: shorten(script) };
    const shellsBefore = ctx.stdin.shells;
    const found = checkCommand(command.words, { ...ctx, input: command.stdin });
    if (found) return found.command ? found : { ...found, command: shorten(joinWords(command.words)) };
    if (ctx.stdin.shells > shellsBefore) stdinShells.add(command);
  }
  if (stdinShells.size > 0) {
    // Each word (`echo 'git push' | sh`), the arguments as one line (`echo git push | sh`), and what the command is fed.
    const fed = commands
      .filter((command) => !stdinShells.has(command))
      .flatMap((command) => [...command.words.map((word) => word.text), joinWords(command.words.slice(1)), command.stdin ?? ""]);
    // Read as written and, for echo -e and printf, with `\n` as a line break.
    const found = findFirst(fed, (text) => checkScript(text, ctx) ?? (text.includes("\\n") ? checkScript(text.replaceAll("\\n", "\n"), ctx) : undefined));
    if (found) return found;
  }
  if (GITHUB_API_HOST.test(script)) return { rule: "api", command: shorten(script) };
  return undefined;
}

/** Checks one simple command: strips assignments and wrappers, then applies the rules of its program. */
function checkCommand(input: ShellWord[], ctx: Context): Finding | undefined {
  if (isOverBudget(ctx) || ctx.budget.nested >= MAX_NESTED_COMMANDS) return { rule: "nesting", command: "" };
  ctx.budget.nested += 1;
  try {
    return checkProgram(input, ctx);
  } finally {
    ctx.budget.nested -= 1;
  }
}

/** The rules of a simple command's program, after its assignments and wrappers. */
function checkProgram(input: ShellWord[], ctx: Context): Finding | undefined {
  const { replace } = ctx;
  const words = replace ? input.map((word) => (word.text.includes(replace) ? { text: word.text, dynamic: true } : word)) : input;
  if (words.some((word) => GITHUB_API_HOST.test(word.text))) return { rule: "api", command: "" };
  let start = 0;
  for (; start < words.length && isAssignment(words[start] as ShellWord); start += 1) {
    const found = checkAssignment(words[start] as ShellWord, ctx);
    if (found) return found;
  }
  const program = words[start];
  if (!program) return undefined;
  const args = words.slice(start + 1);
  if (program.dynamic) return args.some((word) => PUBLISHING_WORDS.has(word.text)) ? { rule: "dynamic", command: "" } : undefined;
  const name = program.text.slice(program.text.lastIndexOf("/") + 1);
  const wrapper = WRAPPERS.get(name);
  if (wrapper) return checkWrapper(name, words.slice(start), wrapper, ctx);
  if (name === "git" || name === "hub" || name.startsWith("git-")) return checkGit(words.slice(start), ctx, new Map());
  if (name === "gh") return checkGh(args, ctx);
  if (SHELLS.has(name)) return checkShell(args, ctx);
  if (DECLARATION_BUILTINS.has(name)) return findFirst(args.filter(isAssignment), (word) => checkAssignment(word, ctx));
  if (name === "eval") return checkScript(joinWords(args), ctx);
  if (name === "su" || name === "runuser") {
    const script = findSuScript(args);
    return script === undefined ? undefined : checkScript(script, ctx);
  }
  if (name === "find") return checkFindExec(args, ctx);
  return undefined;
}

/** Counts one step of the decision's budget and tells whether it is spent. */
function isOverBudget(ctx: Context): boolean {
  ctx.budget.steps -= 1;
  return ctx.budget.steps < 0;
}

/** Whether a word is a `NAME=value` assignment (also `NAME+=value`, `NAME[i]=value`). */
function isAssignment(word: ShellWord): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=/.test(word.text);
}

/** An assigned value may be run later (`X='git push'; $X`, `GIT_PAGER=…`), so it is checked as a command line. */
function checkAssignment(word: ShellWord, ctx: Context): Finding | undefined {
  const value = word.text.slice(word.text.indexOf("=") + 1);
  return value ? checkScript(value, ctx) : undefined;
}

/** Strips a wrapper and its options, then checks the command it runs; an option not known to take a value is read both ways. */
function checkWrapper(name: string, words: ShellWord[], spec: WrapperSpec, ctx: Context): Finding | undefined {
  const parsed = parseWrapperOptions(words, spec);
  const assignments = words.slice(1, parsed.start).filter(isAssignment);
  const assigned = findFirst(assignments, (word) => checkAssignment(word, ctx));
  if (assigned) return assigned;
  const splitString = parsed.options.find((option) => name === "env" && (option.name === "S" || option.name === "split-string"));
  if (splitString?.value !== undefined) return checkScript(`${splitString.value} ${joinWords(words.slice(parsed.start))}`, ctx);
  const inner = name === "xargs" ? { ...ctx, fromInput: true, replace: findReplaceString(parsed.options) } : ctx;
  const starts = parsed.alternative === undefined ? [parsed.start] : [parsed.start, parsed.alternative];
  return findFirst(starts, (start) => (spec.joined ? checkScript(joinWords(words.slice(start)), ctx) : checkCommand(words.slice(start), inner)));
}

interface WrapperOptions {
  /** Where the wrapped command starts. */
  start: number;
  /** Where it starts if the last option, not known to take a value, took one. */
  alternative?: number;
  options: Array<{ name: string; value?: string }>;
}

/** Reads a wrapper's options (`sudo -u root -E`, `timeout -s KILL 30`) up to the command it runs. */
function parseWrapperOptions(words: ShellWord[], spec: WrapperSpec): WrapperOptions {
  const options: WrapperOptions["options"] = [];
  let index = 1;
  let ambiguous = false;
  while (index < words.length) {
    const text = (words[index] as ShellWord).text;
    if (text === "--") {
      index += 1;
      ambiguous = false;
      break;
    }
    if (isAssignment(words[index] as ShellWord)) {
      index += 1;
      ambiguous = false;
      continue;
    }
    if (!text.startsWith("-")) break;
    index += 1;
    if (text.startsWith("--")) {
      const equals = text.indexOf("=");
      const optionName = text.slice(2, equals === -1 ? undefined : equals);
      const takesValue = equals === -1 && spec.long.includes(optionName);
      options.push({ name: optionName, value: equals !== -1 ? text.slice(equals + 1) : takesValue ? words[index]?.text : undefined });
      if (takesValue) index += 1;
      ambiguous = equals === -1 && !takesValue;
      continue;
    }
    ambiguous = true;
    for (let letter = 1; letter < text.length; letter += 1) {
      const optionName = text[letter] as string;
      if (!spec.short.includes(optionName)) {
        options.push({ name: optionName });
        continue;
      }
      const attached = text.slice(letter + 1);
      options.push({ name: optionName, value: attached || words[index]?.text });
      if (!attached) index += 1;
      ambiguous = false;
      break;
    }
  }
  const start = index + (spec.operands ?? 0);
  return ambiguous ? { start, alternative: start + 1, options } : { start, options };
}

/** xargs's replace string: `-I R`, `--replace=R`, or `{}` for `-i` and `--replace`. */
function findReplaceString(options: WrapperOptions["options"]): string | undefined {
  const option = options.find((candidate) => ["I", "i", "replace"].includes(candidate.name));
  return option ? option.value || "{}" : undefined;
}

/** Checks the script of `bash -c '…'` (also `-lc`, `-ec`, fish's `--command`); a shell that reads standard input is noted. */
function checkShell(args: ShellWord[], ctx: Context): Finding | undefined {
  let commandFlag = false;
  let readsStdin = false;
  let index = 0;
  for (; index < args.length; index += 1) {
    const text = (args[index] as ShellWord).text;
    if (text === "--" || text === "-") {
      index += 1;
      break;
    }
    if (text.startsWith("--command=")) return checkScript(text.slice("--command=".length), ctx);
    if (text === "--command") commandFlag = true;
    if (text === "--rcfile" || text === "--init-file") index += 1;
    if (text.startsWith("--")) continue;
    if (!/^[-+][A-Za-z]+$/.test(text)) break;
    if (text.startsWith("-") && text.includes("c")) commandFlag = true;
    if (text.startsWith("-") && text.includes("s")) readsStdin = true;
    index += (text.match(/[oO]/g) ?? []).length;
  }
  if (commandFlag) return args[index] ? checkScript((args[index] as ShellWord).text, ctx) : undefined;
  if (!readsStdin && index < args.length) return undefined;
  ctx.stdin.shells += 1;
  return ctx.input ? checkScript(ctx.input, ctx) : undefined;
}

/** The command of `su -c '…'`, `su --command=…` or `su -lc '…'`, if any. */
function findSuScript(args: ShellWord[]): string | undefined {
  for (const [index, word] of args.entries()) {
    const text = word.text;
    if (text === "-c" || text === "--command" || text === "--session-command") return args[index + 1]?.text;
    const long = /^--(?:session-)?command=(.*)$/s.exec(text);
    if (long) return long[1];
    const short = /^-[A-Za-z]*c(.*)$/s.exec(text);
    if (short && !text.startsWith("--")) return short[1] || args[index + 1]?.text;
  }
  return undefined;
}

/** Checks the commands of `find … -exec|-execdir|-ok|-okdir … ;`. */
function checkFindExec(args: ShellWord[], ctx: Context): Finding | undefined {
  for (let index = 0; index < args.length; index += 1) {
    if (!["-exec", "-execdir", "-ok", "-okdir"].includes((args[index] as ShellWord).text)) continue;
    const end = args.findIndex((word, position) => position > index && (word.text === ";" || word.text === "+"));
    const found = checkCommand(args.slice(index + 1, end === -1 ? undefined : end), ctx);
    if (found) return found;
    if (end === -1) break;
    index = end;
  }
  return undefined;
}

/**
 * Checks git (or `git-push`, or hub, which wraps git): skips the global options, noting
 * `-c alias.*=…`, then denies the publishing subcommands and aliases that expand to them.
 */
function checkGit(words: ShellWord[], ctx: Context, aliases: Map<string, ShellWord>): Finding | undefined {
  if (isOverBudget(ctx)) return { rule: "nesting", command: "" };
  const program = words[0] as ShellWord;
  const direct = /^git-(.+)$/.exec(program.text.slice(program.text.lastIndexOf("/") + 1));
  if (direct) return checkGitSubcommand({ text: direct[1] as string, dynamic: false }, words.slice(1), ctx, aliases);
  let index = 1;
  while (index < words.length) {
    const word = words[index] as ShellWord;
    if (word.dynamic || !word.text.startsWith("-")) break;
    const equals = word.text.startsWith("--") ? word.text.indexOf("=") : -1;
    const option = equals === -1 ? word.text : word.text.slice(0, equals);
    if (option === "--exec-path" && equals === -1) {
      const asValue = checkGit([program, ...words.slice(index + 2)], ctx, new Map(aliases));
      if (asValue) return asValue;
    }
    const separate = equals === -1 && GIT_OPTIONS_WITH_VALUE.has(option);
    const value = equals === -1 ? (separate ? words[index + 1] : undefined) : { text: word.text.slice(equals + 1), dynamic: word.dynamic };
    if (option === "-c" && value) {
      const found = noteGitConfig(value, aliases, ctx);
      if (found) return found;
    }
    if (option === "--config-env" && value) {
      const key = value.text.slice(0, value.text.indexOf("=")).toLowerCase();
      if (key.startsWith("alias.")) aliases.set(key.slice("alias.".length), { text: "", dynamic: true });
    }
    index += separate ? 2 : 1;
  }
  const subcommand = words[index];
  if (!subcommand) return ctx.fromInput ? { rule: "dynamic", command: "" } : undefined;
  return checkGitSubcommand(subcommand, words.slice(index + 1), ctx, aliases);
}

/** Records `-c alias.NAME=VALUE`; any other `-c` value may be run by git (`core.pager`, `core.sshCommand`), so it is checked. */
function noteGitConfig(setting: ShellWord, aliases: Map<string, ShellWord>, ctx: Context): Finding | undefined {
  const equals = setting.text.indexOf("=");
  if (equals === -1) return undefined;
  const key = setting.text.slice(0, equals).toLowerCase();
  const value = { text: setting.text.slice(equals + 1), dynamic: setting.dynamic };
  if (!key.startsWith("alias.")) return checkScript(value.text, ctx);
  aliases.set(key.slice("alias.".length), value);
  return undefined;
}

/** Checks git's subcommand and what follows it: publishing subcommands, commands run by git, and inline aliases. */
function checkGitSubcommand(subcommand: ShellWord, rest: ShellWord[], ctx: Context, aliases: Map<string, ShellWord>): Finding | undefined {
  if (subcommand.dynamic) return { rule: "dynamic", command: "" };
  const name = subcommand.text;
  if (GIT_PUBLISHING_SUBCOMMANDS.has(name)) return asksGitForHelp(rest) ? undefined : { rule: "push", command: "" };
  if (HUB_PUBLISHING_SUBCOMMANDS.has(name) || rest.some((word) => HUB_PUBLISHING_VERBS.get(name)?.has(word.text))) return { rule: "post", command: "" };
  if (name === "config") return checkGitConfigAlias(rest, ctx);
  if (name === "submodule") return checkSubmoduleForeach(rest, ctx);
  if (name === "rebase") return findFirst(findRebaseExecs(rest), (script) => checkScript(script, ctx));
  if (name === "bisect" && rest[0]?.text === "run") return checkCommand(rest.slice(1), ctx);
  if (name === "lfs" && rest.find((word) => !word.text.startsWith("-"))?.text === "push") return { rule: "push", command: "" };
  const alias = aliases.get(name.toLowerCase());
  if (!alias) return undefined;
  if (alias.dynamic) return { rule: "dynamic", command: "" };
  const others = new Map(aliases);
  others.delete(name.toLowerCase());
  if (alias.text.startsWith("!")) return checkScript(`${alias.text.slice(1)} ${joinWords(rest)}`, ctx);
  const expansion = splitShellCommands(alias.text)[0]?.words ?? [];
  return checkGit([{ text: "git", dynamic: false }, ...expansion, ...rest], ctx, others);
}

/** `git push --help` and `git push -h` only print help. */
function asksGitForHelp(rest: ShellWord[]): boolean {
  return rest[0]?.text === "--help" || (rest.length === 1 && rest[0]?.text === "-h");
}

/** `git config [--global] alias.NAME VALUE` is denied when VALUE pushes: it would arm a later `git NAME`. */
function checkGitConfigAlias(rest: ShellWord[], ctx: Context): Finding | undefined {
  const key = rest.findIndex((word) => /^alias\./i.test(word.text));
  const value = rest[key + 1];
  if (key === -1 || !value) return undefined;
  if (value.dynamic) return { rule: "alias", command: "" };
  const found = value.text.startsWith("!")
    ? checkScript(value.text.slice(1), ctx)
    : checkGit([{ text: "git", dynamic: false }, ...(splitShellCommands(value.text)[0]?.words ?? [])], ctx, new Map());
  return found ? { rule: "alias", command: "" } : undefined;
}

/** Checks the command of `git submodule [--quiet] foreach [--recursive] '…'`. */
function checkSubmoduleForeach(rest: ShellWord[], ctx: Context): Finding | undefined {
  let index = rest.findIndex((word) => !word.text.startsWith("-"));
  if (index === -1 || rest[index]?.text !== "foreach") return undefined;
  index += 1;
  while (rest[index]?.text.startsWith("-")) index += 1;
  return checkScript(joinWords(rest.slice(index)), ctx);
}

/** The commands of `git rebase -x|--exec '…'`. */
function findRebaseExecs(rest: ShellWord[]): string[] {
  const scripts: string[] = [];
  for (const [index, word] of rest.entries()) {
    const attached = /^(?:--exec=|-x)(.+)$/s.exec(word.text);
    if (attached) scripts.push(attached[1] as string);
    else if ((word.text === "-x" || word.text === "--exec") && rest[index + 1]) scripts.push((rest[index + 1] as ShellWord).text);
  }
  return scripts;
}

/**
 * gh talks to GitHub in nearly every form: only `gh`, `gh --version`, `gh version`, `gh help …`
 * and `gh … --help` (not as the value of a preceding option) are allowed.
 */
function checkGh(args: ShellWord[], ctx: Context): Finding | undefined {
  const denied: Finding = { rule: "post", command: "" };
  const first = args[0]?.text;
  if (first === undefined) return ctx.fromInput ? denied : undefined;
  if (first === "version" || first === "help" || (first === "--version" && args.length === 1)) return undefined;
  const help = args.findIndex((word) => word.text === "--help");
  const end = args.findIndex((word) => word.text === "--");
  const previous = args[help - 1];
  if (help !== -1 && (end === -1 || help < end) && !previous?.text.startsWith("-")) return undefined;
  return denied;
}

/** Returns the first finding of a check over some items. */
function findFirst<T>(items: readonly T[], check: (item: T) => Finding | undefined): Finding | undefined {
  for (const item of items) {
    const found = check(item);
    if (found) return found;
  }
  return undefined;
}

/** Joins words back into a command line (quotes are lost: the result is checked, never run). */
function joinWords(words: ShellWord[]): string {
  return words.map((word) => word.text).join(" ");
}

/** Puts a command on one line, cut to a length fit for a reason message. */
function shorten(text: string): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length > MAX_SHOWN_CHARS ? `${line.slice(0, MAX_SHOWN_CHARS - 1)}…` : line;
}

/** Why a shell command is denied because it would publish, or undefined when it would not. */
export function findPublishingCommand(command: string): string | undefined {
  const found = checkScript(command, { depth: 0, fromInput: false, stdin: { shells: 0 }, budget: { steps: MAX_STEPS, nested: 0 }, scripts: [] });
  return found ? REASONS[found.rule](found.command) : undefined;
}
