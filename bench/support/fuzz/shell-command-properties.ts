/**
 * Properties of `splitShellCommands` (src/tools/shell-words.ts) and `findPublishingCommand`
 * (src/tools/publishing-guard.ts), which read the shell commands a model writes.
 */
import * as fc from "fast-check";
import { findPublishingCommand } from "../../../src/tools/publishing-guard.js";
import { splitShellCommands, type SimpleCommand } from "../../../src/tools/shell-words.js";
import { adversarialText, buildHugeText, hugeText, timed, timeLimitMs } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

const VOCABULARY: readonly string[] = [
  "git", " push", "gh", " pr create", "bash -c ", "sh -c ", "eval ", "sudo ", "env ", "xargs ", "$(", ")", "`", "${", "}", "<(", "$((", "))",
  "'", '"', "$'", "\\", "\\\n", ";", "&&", "||", "|", "&", "\n", "<<EOF\n", "\nEOF\n", "<<-'E'\n", "<<<", "#", "if ", "then ", "fi", "case x in ", " esac",
  "for i in 1; do ", "done", "{ ", " }", "(", "X=", "-c", "alias.p=push", "api.github.com", "!",
];

const shellText = fc.oneof(adversarialText(VOCABULARY), fc.string({ unit: "binary", maxLength: 200 }));

/** Words that begin or end compound commands, which the splitter drops when they are unquoted at a command's start. */
const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "select", "case", "esac", "function", "coproc"]);

/** A word that needs no quoting (and is no keyword). */
const plainWord = fc.stringMatching(/^[A-Za-z0-9_./:+-]{1,8}$/).filter((word) => !KEYWORDS.has(word));

/** The ways a word may be quoted in bash; each must give the word back after quote removal. */
const QUOTINGS: ReadonlyArray<(word: string) => string> = [
  (word) => word,
  (word) => `'${word}'`,
  (word) => `"${word}"`,
  (word) => [...word].map((character) => `\\${character}`).join(""),
  (word) => `${word.slice(0, 1)}''${word.slice(1)}`,
  (word) => `"${word.slice(0, 1)}"${word.slice(1)}`,
  (word) => `$'${[...word].map((character) => `\\x${character.charCodeAt(0).toString(16).padStart(2, "0")}`).join("")}'`,
];

const quotedWord = (word: fc.Arbitrary<string>) => fc.tuple(word, fc.constantFrom(...QUOTINGS.keys())).map(([text, quoting]) => ({ text, written: (QUOTINGS[quoting] as (word: string) => string)(text) }));

/** Commands joined by bash's separators, each word quoted some way. */
const commandLine = fc.array(fc.tuple(fc.array(quotedWord(plainWord), { minLength: 1, maxLength: 4 }), fc.constantFrom("; ", " && ", " || ", " | ", "\n", " & ")), { minLength: 1, maxLength: 4 });

/** A command in single quotes, for `bash -c` and the like. */
function singleQuoted(command: string): string {
  return `'${command.replaceAll("'", "'\\''")}'`;
}

/** Ways to run a command without writing it as the first word of the line: wrappers, compounds, nested shells. */
const WRAPPINGS: ReadonlyArray<(command: string) => string> = [
  (command) => `sudo ${command}`,
  (command) => `sudo -u root -E ${command}`,
  (command) => `env ${command}`,
  (command) => `env A=1 ${command}`,
  (command) => `GIT_TRACE=1 ${command}`,
  (command) => `command ${command}`,
  (command) => `nohup ${command} &`,
  (command) => `time ${command}`,
  (command) => `nice -n 5 ${command}`,
  (command) => `timeout 30 ${command}`,
  (command) => `stdbuf -o0 ${command}`,
  (command) => `setsid ${command}`,
  (command) => `(${command})`,
  (command) => `{ ${command}; }`,
  (command) => `if true; then ${command}; fi`,
  (command) => `for i in 1; do ${command}; done`,
  (command) => `true && ${command}`,
  (command) => `false || ${command}`,
  (command) => `cd /tmp; ${command}`,
  (command) => `${command} | cat`,
  (command) => `x=$(${command})`,
  (command) => `echo "$(${command})"`,
  (command) => `cat <(${command})`,
  (command) => `bash -c ${singleQuoted(command)}`,
  (command) => `sh -c ${singleQuoted(command)}`,
  (command) => `bash -lc ${singleQuoted(command)}`,
  (command) => `eval ${singleQuoted(command)}`,
  (command) => `echo ${singleQuoted(command)} | bash`,
  (command) => `bash <<< ${singleQuoted(command)}`,
  (command) => `bash <<'EOF'\n${command}\nEOF`,
  (command) => `su -c ${singleQuoted(command)}`,
  (command) => `find . -maxdepth 0 -exec sh -c ${singleQuoted(command)} \\;`,
  (command) => `X=${singleQuoted(command)}; $X`,
];

const wrappings = fc.array(fc.constantFrom(...WRAPPINGS.keys()), { maxLength: 3 });

function wrap(command: string, chosen: readonly number[]): string {
  return chosen.reduce((inner, index) => (WRAPPINGS[index] as (command: string) => string)(inner), command);
}

/** `git [global options] push [arguments]`, every word quoted some way. */
const gitPush = fc
  .record({
    program: fc.constantFrom("git", "/usr/bin/git", "hub"),
    options: fc.subarray([["-C", "."], ["-c", "user.name=x"], ["--no-pager"], ["--git-dir=.git"], ["-c", "core.pager=cat"]]),
    arguments: fc.subarray(["origin", "main", "--force", "-u", "HEAD:refs/heads/x", "--tags"]),
    quotings: fc.array(fc.constantFrom(...QUOTINGS.keys()), { minLength: 16, maxLength: 16 }),
  })
  .map(({ program, options, arguments: args, quotings }) =>
    [program, ...options.flat(), "push", ...args].map((word, index) => (QUOTINGS[quotings[index] ?? 0] as (word: string) => string)(word)).join(" "),
  );

/** Commands that publish nothing, in the same spellings. */
const harmless = fc.constantFrom("git status", "git log --oneline -5", "git diff HEAD", "git commit -m 'push the fix'", "git stash push", "ls -la", "python -m pytest -q tests", "echo pushed", "npm test");

function wordsOf(commands: SimpleCommand[]): string[][] {
  return commands.map((command) => command.words.map((word) => word.text));
}

export const shellCommandProperties: FuzzPropertyGroup = {
  subject: "splitShellCommands and findPublishingCommand",
  properties: [
    {
      name: "never throw on any text, and give commands of non-empty words",
      prepare: () => ({
        property: fc.asyncProperty(shellText, async (text) => {
          const commands = splitShellCommands(text);
          findPublishingCommand(text);
          return commands.every((command) => command.words.length > 0);
        }),
      }),
    },
    {
      name: "splitShellCommands reads commands of quoted words back as exactly their words, whatever the quoting and the separators",
      prepare: () => ({
        property: fc.asyncProperty(commandLine, async (commands) => {
          const line = commands.map(([words, separator]) => `${words.map((word) => word.written).join(" ")}${separator}`).join("");
          return JSON.stringify(wordsOf(splitShellCommands(line))) === JSON.stringify(commands.map(([words]) => words.map((word) => word.text)));
        }),
      }),
    },
    {
      name: "findPublishingCommand denies git push in any quoting, with any global options, inside up to three wrappers from a fixed set",
      prepare: () => ({
        property: fc.asyncProperty(gitPush, wrappings, async (push, chosen) => findPublishingCommand(wrap(push, chosen)) !== undefined),
      }),
    },
    {
      name: "findPublishingCommand allows commands that publish nothing inside the same wrappers",
      prepare: () => ({
        property: fc.asyncProperty(harmless, wrappings, async (command, chosen) => findPublishingCommand(wrap(command, chosen)) === undefined),
      }),
    },
    {
      name: "read 64 KB to 1 MB of repeated hostile shell text within a time linear in its size",
      weight: 0.05,
      prepare: () => ({
        property: fc.asyncProperty(hugeText(VOCABULARY), async (recipe) => {
          const text = buildHugeText(recipe);
          const split = timed(() => splitShellCommands(text));
          const guard = timed(() => findPublishingCommand(text));
          const limit = timeLimitMs(text.length);
          if (split.ms > limit || guard.ms > limit) throw new Error(`on ${text.length} characters, splitShellCommands took ${split.ms.toFixed(0)} ms, findPublishingCommand ${guard.ms.toFixed(0)} ms`);
          return true;
        }),
      }),
    },
  ],
};
