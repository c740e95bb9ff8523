/**
 * A small, pure reader of bash command lines for the approval policy: it finds the simple
 * commands a line would run and their words after quote removal. It is not a bash parser.
 *
 * What it does: splits on `;`, `&&`, `||`, `|`, `&`, newlines, `( )`, `{ }` and the keywords
 * (`if`, `then`, `while`, `do`, `!`, …) at the start of a command; honours single quotes,
 * double quotes, `$'…'` (decoded), backslash escapes and line continuations; drops comments
 * and redirections (`> file`, `2>&1`); yields the commands inside `$( … )`, backticks,
 * `<( … )` and `${ … }` as commands of their own, and those in the substitutions of a
 * here-document whose delimiter is unquoted; keeps what a here-document or here-string feeds
 * to a command as that command's `stdin`, unread (it is a script only if a shell reads it).
 *
 * What it does not do: expand anything. Variables, substitutions, globs and brace lists stay
 * as written and mark their word `dynamic`; aliases and functions are not followed. The words
 * after `for`, `select` and `case` up to the end of that clause, and `case` patterns, are not
 * commands and are dropped. Syntax errors are not reported: an unterminated quote or
 * substitution runs to the end of the text. Arithmetic (`$(( ))`, `(( ))`), `[[ ]]`, extglob,
 * `{fd}>` redirections, history expansion and other shells' own syntax (fish, zsh) are read
 * as plain words; a `{`, `}` or `(` inside a word (`a=(x y)`) splits it, as if it were a
 * separator. Reading too many commands is always the safe side for the approval policy.
 */

/** One word of a simple command, after quote removal. */
export interface ShellWord {
  /** The word after quotes and escapes are removed; expansions are kept as written (`$HOME`, `$(cmd)`). */
  text: string;
  /** Whether the word's value is only known when it runs: a variable, a substitution, a glob or a brace list. */
  dynamic: boolean;
}

/** A simple command: what one program would be run with. */
export interface SimpleCommand {
  /** Its words in order, leading `VAR=value` included, redirections left out. */
  words: ShellWord[];
  /** What its here-documents and here-strings feed to its standard input, if any. */
  stdin?: string;
  /**
   * Set on the one command made of the rest of the text when substitutions nest deeper than
   * `MAX_SUBSTITUTION_DEPTH`: that rest is left unread (its one word, dynamic), not scanned.
   */
  unread?: true;
}

/**
 * How deep `$( … )`, `<( … )`, `${ … }` and backticks may nest before the rest of the text is
 * left unread: every level is a few stack frames, and a hundred thousand of them (a 200 KB
 * command) would overflow the stack.
 */
export const MAX_SUBSTITUTION_DEPTH = 100;

/** Reserved words that begin, separate or end compound commands when they start a command. */
const KEYWORDS = new Set(["if", "then", "else", "elif", "fi", "while", "until", "do", "done", "for", "select", "case", "esac", "function", "coproc", "!"]);

/** Keywords whose clause (`for x in a b`, `case $x in`) is a list of words, not a command. */
const HEADER_KEYWORDS = new Set(["for", "select", "case"]);

const ANSI_C_ESCAPES: Record<string, string> = { a: "\x07", b: "\b", e: "\x1b", E: "\x1b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v" };

interface Scanner {
  src: string;
  pos: number;
  /** How many substitutions deep the scan is. */
  depth: number;
  commands: SimpleCommand[];
  heredocs: Array<{ delimiter: string; stripTabs: boolean; expands: boolean; command: SimpleCommand }>;
}

interface WordBuilder {
  text: string;
  dynamic: boolean;
  quoted: boolean;
  started: boolean;
  braceOpen: boolean;
  braceList: boolean;
  bracketOpen: boolean;
  /** The last two characters of `text`: reading them off `text`, which grows a character at a time, would copy it each time. */
  tail: string;
}

function createWord(): WordBuilder {
  return { text: "", dynamic: false, quoted: false, started: false, braceOpen: false, braceList: false, bracketOpen: false, tail: "" };
}

/** Adds text to a word as written, keeping its tail. */
function appendText(word: WordBuilder, text: string): void {
  word.text += text;
  word.tail = text.length >= 2 ? text.slice(-2) : (word.tail + text).slice(-2);
}

/**
 * Splits a bash command line into the simple commands it would run, each a list of words,
 * including those inside substitutions and here-documents (which come before the command
 * that holds them).
 */
export function splitShellCommands(commandLine: string): SimpleCommand[] {
  return splitAtDepth(commandLine, 0);
}

function splitAtDepth(commandLine: string, depth: number): SimpleCommand[] {
  const scanner: Scanner = { src: commandLine, pos: 0, depth, commands: [], heredocs: [] };
  scanList(scanner, false);
  return scanner.commands;
}

/**
 * Enters one more level of substitution; past `MAX_SUBSTITUTION_DEPTH` it instead ends the
 * scan: the rest of the text becomes the word's tail and one unread command, and false is returned.
 */
function enterSubstitution(s: Scanner, word: WordBuilder): boolean {
  if (s.depth < MAX_SUBSTITUTION_DEPTH) {
    s.depth += 1;
    return true;
  }
  const rest = s.src.slice(s.pos);
  s.commands.push({ words: [{ text: rest, dynamic: true }], unread: true });
  word.started = true;
  word.dynamic = true;
  appendText(word, rest);
  s.pos = s.src.length;
  return false;
}

/** Reads commands until the end of the text or, inside `$(`, the `)` that closes it. */
function scanList(s: Scanner, closeOnParen: boolean): void {
  let command: SimpleCommand = { words: [] };
  let word = createWord();
  let header = false;
  let redirect: "file" | "heredoc" | "heredoc-tabs" | "herestring" | undefined;
  let parens = 0;
  let cases = 0;

  const endWord = (): void => {
    if (!word.started) return;
    const finished = word;
    word = createWord();
    if (redirect) {
      if (redirect === "herestring") command.stdin = `${command.stdin ?? ""}${finished.text}\n`;
      else if (redirect !== "file") s.heredocs.push({ delimiter: finished.text, stripTabs: redirect === "heredoc-tabs", expands: !finished.quoted, command });
      redirect = undefined;
    } else if (!finished.quoted && (finished.text === "{" || finished.text === "}")) {
      endCommand();
    } else if (command.words.length === 0 && !finished.quoted && KEYWORDS.has(finished.text)) {
      if (HEADER_KEYWORDS.has(finished.text)) header = true;
      if (finished.text === "case") cases += 1;
      if (finished.text === "esac") cases = Math.max(0, cases - 1);
    } else {
      command.words.push({ text: finished.text, dynamic: finished.dynamic });
    }
  };
  const endCommand = (): void => {
    endWord();
    if (command.words.length > 0 && !header) s.commands.push(command);
    command = { words: [] };
    header = false;
    redirect = undefined;
  };

  while (s.pos < s.src.length) {
    const c = s.src[s.pos] as string;
    const next = s.src[s.pos + 1];
    if (c === "\\") {
      if (next !== "\n" && next !== undefined) appendLiteral(word, next, true);
      s.pos += 2;
    } else if (c === "'") {
      const end = indexOrEnd(s.src, "'", s.pos + 1);
      appendLiteral(word, s.src.slice(s.pos + 1, end), true);
      s.pos = end + 1;
    } else if (c === '"') {
      readDoubleQuoted(s, word);
    } else if (c === "$") {
      readDollar(s, word, false);
    } else if (c === "`") {
      readBackticks(s, word);
    } else if (c === " " || c === "\t" || c === "\r") {
      endWord();
      s.pos += 1;
    } else if (c === "\n") {
      endCommand();
      s.pos += 1;
      readHeredocBodies(s);
    } else if (c === "#" && !word.started) {
      s.pos = indexOrEnd(s.src, "\n", s.pos);
    } else if ((c === "<" || c === ">") && next === "(") {
      readSubstitution(s, word, 2);
    } else if (c === "<" || c === ">" || (c === "&" && next === ">")) {
      if (word.started && !word.quoted && /^\d+$/.test(word.text)) word = createWord();
      endWord();
      const operator = /^(<<<|<<-|<<|&>>|&>|>>|>&|>\||<&|<>|>|<)/.exec(s.src.slice(s.pos))?.[0] ?? c;
      redirect = operator === "<<<" ? "herestring" : operator === "<<" ? "heredoc" : operator === "<<-" ? "heredoc-tabs" : "file";
      s.pos += operator.length;
    } else if (c === ";" && cases > 0 && (next === ";" || next === "&")) {
      endCommand();
      header = true;
      s.pos += s.src.startsWith(";;&", s.pos) ? 3 : 2;
    } else if (c === ";" || c === "&" || c === "|") {
      endCommand();
      s.pos += 1;
    } else if (c === "(") {
      endCommand();
      parens += 1;
      s.pos += 1;
    } else if (c === ")") {
      endCommand();
      if (parens > 0) parens -= 1;
      else if (cases === 0 && closeOnParen) return;
      s.pos += 1;
    } else {
      appendLiteral(word, c, false);
      s.pos += 1;
    }
  }
  endCommand();
}

/** Adds text to a word; unquoted text is watched for globs (`*`, `?`, `[…]`) and brace lists (`{a,b}`, `{1..3}`). */
function appendLiteral(word: WordBuilder, text: string, quoted: boolean): void {
  word.started = true;
  appendText(word, text);
  if (quoted) {
    word.quoted = true;
    return;
  }
  if (text === "*" || text === "?") word.dynamic = true;
  else if (text === "[") word.bracketOpen = true;
  else if (text === "]" && word.bracketOpen) word.dynamic = true;
  else if (text === "{") word.braceOpen = true;
  else if ((text === "," || word.tail === "..") && word.braceOpen) word.braceList = true;
  else if (text === "}" && word.braceList) word.dynamic = true;
}

function indexOrEnd(text: string, search: string, from: number): number {
  const index = text.indexOf(search, from);
  return index === -1 ? text.length : index;
}

/** Reads `"…"`: backslash escapes only `$`, `` ` ``, `"`, `\` and newline; `$` and backticks expand. */
function readDoubleQuoted(s: Scanner, word: WordBuilder): void {
  word.started = true;
  word.quoted = true;
  s.pos += 1;
  while (s.pos < s.src.length && s.src[s.pos] !== '"') {
    const c = s.src[s.pos] as string;
    const next = s.src[s.pos + 1];
    if (c === "\\" && next !== undefined && '$`"\\\n'.includes(next)) {
      if (next !== "\n") appendText(word, next);
      s.pos += 2;
    } else if (c === "$") {
      readDollar(s, word, true);
    } else if (c === "`") {
      readBackticks(s, word);
    } else {
      appendText(word, c);
      s.pos += 1;
    }
  }
  s.pos += 1;
}

/** Reads what follows a `$`: a substitution, a parameter, `$'…'`, `$"…"`, or a plain dollar sign. */
function readDollar(s: Scanner, word: WordBuilder, inDoubleQuotes: boolean): void {
  const next = s.src[s.pos + 1] ?? "";
  if (next === "(") {
    readSubstitution(s, word, 2);
  } else if (next === "{") {
    readBracedParameter(s, word);
  } else if (next === "'" && !inDoubleQuotes) {
    let end = s.pos + 2;
    while (end < s.src.length && s.src[end] !== "'") end += s.src[end] === "\\" ? 2 : 1;
    appendLiteral(word, decodeAnsiC(s.src.slice(s.pos + 2, Math.min(end, s.src.length))), true);
    s.pos = end + 1;
  } else if (next === '"' && !inDoubleQuotes) {
    s.pos += 1;
    readDoubleQuoted(s, word);
  } else {
    const name = /^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])/.exec(s.src.slice(s.pos + 1))?.[0];
    word.started = true;
    appendText(word, `$${name ?? ""}`);
    if (name) word.dynamic = true;
    s.pos += 1 + (name?.length ?? 0);
  }
}

/** Reads `$( … )` or `<( … )`/`>( … )`: its commands are scanned, and the word keeps the raw text. */
function readSubstitution(s: Scanner, word: WordBuilder, openerLength: number): void {
  if (!enterSubstitution(s, word)) return;
  const start = s.pos;
  s.pos += openerLength;
  scanList(s, true);
  s.depth -= 1;
  s.pos += 1;
  word.started = true;
  word.dynamic = true;
  appendText(word, s.src.slice(start, Math.min(s.pos, s.src.length)));
}

/** Reads `${ … }` up to its matching brace, scanning the substitutions inside it. */
function readBracedParameter(s: Scanner, word: WordBuilder): void {
  if (!enterSubstitution(s, word)) return;
  const start = s.pos;
  const inner = createWord();
  let depth = 0;
  s.pos += 2;
  while (s.pos < s.src.length) {
    const c = s.src[s.pos];
    if (c === "}" && depth === 0) break;
    if (c === "\\") s.pos += 2;
    else if (c === "'") s.pos = indexOrEnd(s.src, "'", s.pos + 1) + 1;
    else if (c === '"') readDoubleQuoted(s, inner);
    else if (c === "$") readDollar(s, inner, true);
    else if (c === "`") readBackticks(s, inner);
    else {
      if (c === "{") depth += 1;
      if (c === "}") depth -= 1;
      s.pos += 1;
    }
  }
  s.depth -= 1;
  s.pos += 1;
  word.started = true;
  word.dynamic = true;
  appendText(word, s.src.slice(start, Math.min(s.pos, s.src.length)));
}

/** Reads `` `…` ``: inside, backslash escapes only `` ` ``, `$` and `\`; the text between is scanned as commands. */
function readBackticks(s: Scanner, word: WordBuilder): void {
  let inner = "";
  s.pos += 1;
  while (s.pos < s.src.length && s.src[s.pos] !== "`") {
    const c = s.src[s.pos] as string;
    const next = s.src[s.pos + 1];
    if (c === "\\" && next !== undefined && "`$\\".includes(next)) {
      inner += next;
      s.pos += 2;
    } else {
      inner += c;
      s.pos += 1;
    }
  }
  s.pos += 1;
  s.commands.push(...splitAtDepth(inner, s.depth + 1));
  word.started = true;
  word.dynamic = true;
  appendText(word, `\`${inner}\``);
}

/**
 * After a newline, reads the bodies of the here-documents opened on that line into their
 * commands' `stdin`; an unquoted delimiter makes the body expand, so its substitutions are scanned.
 */
function readHeredocBodies(s: Scanner): void {
  for (const { delimiter, stripTabs, expands, command } of s.heredocs.splice(0)) {
    let body = "";
    while (s.pos < s.src.length) {
      const end = indexOrEnd(s.src, "\n", s.pos);
      const line = stripTabs ? s.src.slice(s.pos, end).replace(/^\t+/, "") : s.src.slice(s.pos, end);
      s.pos = end + 1;
      if (line === delimiter) break;
      body += `${line}\n`;
    }
    command.stdin = `${command.stdin ?? ""}${body}`;
    if (expands) scanExpansions(s, body);
  }
}

/** Scans the substitutions of an expanding here-document body, as in double quotes. */
function scanExpansions(outer: Scanner, body: string): void {
  const s: Scanner = { src: body, pos: 0, depth: outer.depth, commands: outer.commands, heredocs: [] };
  const scratch = createWord();
  while (s.pos < body.length) {
    const c = body[s.pos];
    if (c === "$") readDollar(s, scratch, true);
    else if (c === "`") readBackticks(s, scratch);
    else s.pos += c === "\\" ? 2 : 1;
  }
}

/** Decodes the body of `$'…'`: `\n`, `\t`, `\xHH`, `\NNN`, `\uHHHH`, `\cX` and the like. */
function decodeAnsiC(body: string): string {
  return body.replace(/\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)/gs, (_, escape: string) => {
    const kind = escape[0] as string;
    if (kind === "x" || kind === "u" || kind === "U") {
      const codePoint = Number.parseInt(escape.slice(1), 16);
      return codePoint <= 0x10ffff ? String.fromCodePoint(codePoint) : "";
    }
    if (/[0-7]/.test(kind)) return String.fromCharCode(Number.parseInt(escape, 8));
    if (kind === "c" && escape.length === 2) return String.fromCharCode(escape.charCodeAt(1) & 0x1f);
    return ANSI_C_ESCAPES[escape] ?? escape;
  });
}
