import { describe, expect, it } from "vitest";
import { MAX_SUBSTITUTION_DEPTH, splitShellCommands } from "../../src/tools/shell-words.js";

/** The words of each simple command, as plain strings. */
const wordsOf = (commandLine: string) => splitShellCommands(commandLine).map((command) => command.words.map((word) => word.text));

/** Whether each word of the last command is dynamic. */
const dynamicOf = (commandLine: string) => splitShellCommands(commandLine).at(-1)?.words.map((word) => word.dynamic);

describe("splitShellCommands", () => {
  it("splits a command into words on blanks", () => {
    expect(wordsOf("git  push\torigin main")).toEqual([["git", "push", "origin", "main"]]);
  });

  it.each([";", "&&", "||", "|", "&", "\n", "|&"])("splits commands on %j", (separator) => {
    expect(wordsOf(`make test${separator}git push`)).toEqual([
      ["make", "test"],
      ["git", "push"],
    ]);
  });

  it("splits on parentheses and braces of subshells and groups", () => {
    expect(wordsOf("(cd a && make) ; { git push; }")).toEqual([["cd", "a"], ["make"], ["git", "push"]]);
  });

  it("drops the keywords that start a command", () => {
    expect(wordsOf("if ! git diff --quiet; then git push; elif true; then :; else echo no; fi")).toEqual([
      ["git", "diff", "--quiet"],
      ["git", "push"],
      ["true"],
      [":"],
      ["echo", "no"],
    ]);
  });

  it("keeps a keyword that is an argument", () => {
    expect(wordsOf("echo done then fi")).toEqual([["echo", "done", "then", "fi"]]);
  });

  it("does not take a quoted keyword for a keyword", () => {
    expect(wordsOf("'if' x")).toEqual([["if", "x"]]);
  });

  it("drops the word lists of for and case clauses but keeps their bodies", () => {
    expect(wordsOf("for s in push pull; do echo $s; done; case $1 in push) echo p;; *) echo q;; esac")).toEqual([
      ["echo", "$s"],
      ["echo", "p"],
      ["echo", "q"],
    ]);
  });

  it("reads the body of a function as commands", () => {
    expect(wordsOf("function f { git push; }; g() { git status; }")).toEqual([["f"], ["git", "push"], ["g"], ["git", "status"]]);
  });

  it("keeps single-quoted text literally", () => {
    expect(wordsOf(`echo 'a  $b "c" \\d'`)).toEqual([["echo", 'a  $b "c" \\d']]);
  });

  it("removes double quotes and their escapes of $, backquote, quote and backslash only", () => {
    expect(wordsOf(`echo "a \\"b\\" \\$c \\n"`)).toEqual([["echo", 'a "b" $c \\n']]);
  });

  it("joins the quoted and unquoted parts of one word", () => {
    expect(wordsOf(`"git" 'pu'sh g""it`)).toEqual([["git", "push", "git"]]);
  });

  it("removes backslash escapes outside quotes", () => {
    expect(wordsOf("g\\it p\\ush a\\ b")).toEqual([["git", "push", "a b"]]);
  });

  it("joins lines continued with a backslash", () => {
    expect(wordsOf("gi\\\nt push \\\n origin")).toEqual([["git", "push", "origin"]]);
  });

  it("decodes ANSI-C quoting", () => {
    expect(wordsOf("$'\\x67it' $'\\160ush' $'a\\tb\\'c'")).toEqual([["git", "push", "a\tb'c"]]);
  });

  it("keeps an empty quoted word", () => {
    expect(wordsOf("printf '' \"\"")).toEqual([["printf", "", ""]]);
  });

  it("yields the commands inside $( ) before the command that holds them", () => {
    expect(wordsOf("echo $(which git) done")).toEqual([
      ["which", "git"],
      ["echo", "$(which git)", "done"],
    ]);
  });

  it("yields the commands inside backquotes", () => {
    expect(wordsOf("echo `git push`")).toEqual([["git", "push"], ["echo", "`git push`"]]);
  });

  it("yields the commands of substitutions nested inside double quotes and other substitutions", () => {
    expect(wordsOf('echo "x $(cat $(git push))"')).toEqual([["git", "push"], ["cat", "$(git push)"], ["echo", "x $(cat $(git push))"]]);
  });

  it("yields the commands inside a parameter expansion's default", () => {
    expect(wordsOf("echo ${X:-$(git push)}")).toEqual([["git", "push"], ["echo", "${X:-$(git push)}"]]);
  });

  it("yields the commands of process substitutions", () => {
    expect(wordsOf("diff <(git show HEAD:a) a")).toEqual([["git", "show", "HEAD:a"], ["diff", "<(git show HEAD:a)", "a"]]);
  });

  it("does not close a substitution on a case pattern's parenthesis", () => {
    expect(wordsOf('echo "$(case x in a) git push;; esac)"').slice(0, 1)).toEqual([["git", "push"]]);
  });

  it("marks words holding variables, substitutions, globs or brace lists as dynamic", () => {
    expect(dynamicOf("cmd $GIT ${G} $(x) `y` *.py {push,pull} {1..3} plain {} 'q*' \"$q\"")).toEqual([
      false, true, true, true, true, true, true, true, false, false, false, true,
    ]);
  });

  it("drops comments but not a # inside a word", () => {
    expect(wordsOf("echo a#b # git push\nls")).toEqual([["echo", "a#b"], ["ls"]]);
  });

  it("drops redirections and their targets", () => {
    expect(wordsOf("echo hi > out.txt 2>&1 </dev/null &>> log")).toEqual([["echo", "hi"]]);
  });

  it("keeps a here-document's body as the command's stdin without reading it as commands", () => {
    expect(splitShellCommands("cat <<'EOF' > notes.md\ngit push\nEOF\nls")).toEqual([
      { words: [{ text: "cat", dynamic: false }], stdin: "git push\n" },
      { words: [{ text: "ls", dynamic: false }] },
    ]);
  });

  it("strips leading tabs from a <<- here-document", () => {
    expect(splitShellCommands("cat <<-EOF\n\tx\n\tEOF")[0]?.stdin).toBe("x\n");
  });

  it("yields the substitutions of a here-document whose delimiter is unquoted", () => {
    expect(wordsOf("cat <<EOF\nnow: $(git push)\nEOF")).toEqual([["cat"], ["git", "push"]]);
  });

  it("keeps a here-string as the command's stdin", () => {
    expect(splitShellCommands("bash <<< 'git push'")[0]?.stdin).toBe("git push\n");
  });

  it("reads an unterminated quote to the end of the text", () => {
    expect(wordsOf("echo 'git push")).toEqual([["echo", "git push"]]);
  });

  it("leaves the rest unread, as one dynamic command, past MAX_SUBSTITUTION_DEPTH nested substitutions (found by test/fuzz: 100,000 overflowed the stack)", () => {
    const commands = splitShellCommands(`${"$(".repeat(100_000)}git push`);
    expect(commands.filter((command) => command.unread)).toEqual([
      { words: [{ text: `${"$(".repeat(100_000 - MAX_SUBSTITUTION_DEPTH)}git push`, dynamic: true }], unread: true },
    ]);
  });

  it("reads a 256 KB word in linear time (found by test/fuzz: 20 s, each character copied the word)", () => {
    const started = performance.now();
    expect(wordsOf(`{${".".repeat(256 * 1024)}`)).toEqual([[`{${".".repeat(256 * 1024)}`]]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("reads substitutions nested as deep as MAX_SUBSTITUTION_DEPTH", () => {
    const nested = `${"echo $(".repeat(MAX_SUBSTITUTION_DEPTH)}ls${")".repeat(MAX_SUBSTITUTION_DEPTH)}`;
    expect(wordsOf(nested)).toContainEqual(["ls"]);
    expect(splitShellCommands(nested).some((command) => command.unread)).toBe(false);
  });

  it("keeps find's placeholder and escaped terminator as words", () => {
    expect(wordsOf("find . -exec git {} \\;")).toEqual([["find", ".", "-exec", "git", "{}", ";"]]);
  });
});
