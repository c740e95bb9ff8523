/**
 * Text arbitraries for parsers that read untrusted input: fragments of what the parser looks for
 * mixed with what breaks naive parsers (ANSI escapes, NUL bytes, CR and CRLF, lone surrogates,
 * unbalanced brackets and quotes, long runs of one character), in short texts and in huge ones.
 */
import * as fc from "fast-check";

/** Characters and sequences that break parsers written for tidy input. */
const HOSTILE_FRAGMENTS: readonly string[] = [
  "\x1b[31m",
  "\x1b[0m",
  "\x1b[1;32m",
  "\x1b[?25l",
  "\x1b[2K",
  "\x1b]8;;http://x\x07",
  "\0",
  "\r\n",
  "\r",
  "\n",
  "\n\n",
  "\t",
  " ",
  "   ",
  "[",
  "]",
  "(",
  ")",
  "{",
  "}",
  "<",
  ">",
  '"',
  "'",
  "`",
  "\\",
  "\\\\",
  "$",
  "#",
  "|",
  ";",
  "&",
  "-",
  " - ",
  "::",
  ":",
  ".",
  "...",
  "/",
  "\u00a0",
  "\u2028",
  "\u2029",
  "\u0085",
  "\ufeff",
  "\u200b",
  "\ud800",
  "\udfff",
  "😀",
  "é",
  "e\u0301",
  "日本",
  "\x7f",
  "\x1c",
];

/** One fragment: from the parser's own vocabulary, from the hostile set, or a random string. */
function fragment(vocabulary: readonly string[]): fc.Arbitrary<string> {
  const arbitraries: Array<fc.WeightedArbitrary<string>> = [
    { arbitrary: fc.constantFrom(...HOSTILE_FRAGMENTS), weight: 4 },
    { arbitrary: fc.string({ maxLength: 12 }), weight: 2 },
    { arbitrary: fc.string({ unit: "binary", maxLength: 6 }), weight: 1 },
    { arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,10}$/), weight: 2 },
  ];
  if (vocabulary.length > 0) arbitraries.push({ arbitrary: fc.constantFrom(...vocabulary), weight: 6 });
  return fc.oneof(...arbitraries);
}

/** A short text (up to a few hundred characters) made of fragments. */
export function adversarialText(vocabulary: readonly string[] = [], maxFragments = 60): fc.Arbitrary<string> {
  return fc.array(fragment(vocabulary), { maxLength: maxFragments }).map((parts) => parts.join(""));
}

/** Text made of lines, each a mix of vocabulary and hostile fragments: what a log looks like to a fuzzer. */
export function adversarialLines(vocabulary: readonly string[] = [], maxLines = 30): fc.Arbitrary<string> {
  const newline = fc.constantFrom("\n", "\r\n", "\r", "\n\n");
  return fc
    .array(fc.tuple(adversarialText(vocabulary, 12), newline), { maxLength: maxLines })
    .map((lines) => lines.map(([line, end]) => `${line}${end}`).join(""));
}

/** How big a huge input is: 64 KB to 1 MB (UTF-16 code units). */
const HUGE_SIZES = fc.constantFrom(64 * 1024, 256 * 1024, 1024 * 1024);

/** How a huge text is made: its counterexample prints as this recipe, not as a megabyte of text. */
export interface HugeTextRecipe {
  shape: "one line" | "lines" | "run";
  /** The repeated chunk (its first character, for a run). */
  chunk: string;
  /** What comes before and after a run. */
  before: string;
  after: string;
  size: number;
}

/**
 * A huge text's recipe (64 KB – 1 MB): a short adversarial chunk repeated as one line (no line
 * breaks, the worst case for line-based regexes) or as many lines, or a fragment, a run of one
 * character and another fragment; repetition is what turns an expensive regex into a hang.
 */
export function hugeText(vocabulary: readonly string[] = []): fc.Arbitrary<HugeTextRecipe> {
  const pieces = adversarialText(vocabulary, 8);
  return fc.record({
    shape: fc.constantFrom<HugeTextRecipe["shape"]>("one line", "lines", "run"),
    chunk: pieces,
    before: pieces,
    after: pieces,
    size: HUGE_SIZES,
  });
}

/** The text of a recipe. */
export function buildHugeText({ shape, chunk, before, after, size }: HugeTextRecipe): string {
  if (shape === "run") {
    const character = [...chunk][0] ?? " ";
    return `${before}${character.repeat(Math.ceil(size / character.length))}${after}`;
  }
  const unit = (shape === "one line" ? chunk.replace(/[\r\n]/g, " ") : `${chunk}\n`) || "x";
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

/**
 * The most milliseconds a parser may take on `length` characters: linear in the input with a
 * generous constant (a 2-core machine running the suite in parallel), so only a super-linear
 * blow-up (a regex that backtracks, a quadratic loop) breaks it.
 */
export function timeLimitMs(length: number): number {
  return 1_500 + length / 200;
}

/** Runs `work` and returns its result with the milliseconds it took. */
export function timed<T>(work: () => T): { result: T; ms: number } {
  const started = performance.now();
  const result = work();
  return { result, ms: performance.now() - started };
}
