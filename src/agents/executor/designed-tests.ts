import { createHash } from "node:crypto";
import type { DesignedTest } from "../../memory/blackboard.js";
import type { Workbench } from "../graph-runtime.js";

/** Lines shorter than this are not hidden: they would match ordinary output (`pass`, `}`). */
const MIN_HIDDEN_LINE_CHARS = 8;
const HIDDEN_LINE = "[line of a designed test hidden]";

/** The files a test command runs: every designed test but the support files (conftest.py, fixture data) they need. */
export function runnableTestPaths(tests: readonly DesignedTest[]): string[] {
  return tests.filter((test) => test.kind !== "support").map((test) => test.path);
}

/** A digest of the designed tests' paths and content, so a run on the base commit is reused only for the same tests. */
export function designedTestsDigest(tests: readonly DesignedTest[]): string {
  const hash = createHash("sha256");
  for (const test of [...tests].sort((a, b) => a.path.localeCompare(b.path))) hash.update(`${test.path}\0${test.content}\0`);
  return hash.digest("hex").slice(0, 16);
}

/**
 * Returns a function that replaces, in a test run's output, every line that quotes a designed
 * test's source (tracebacks print it), keeping its indentation. AgentCoder's programmer sees the
 * tests' results, not their code: tests it could read would shape its fix to them instead of
 * to the issue.
 */
export function createTestSourceHider(tests: readonly DesignedTest[]): (text: string) => string {
  const sourceLines = new Set(
    tests.flatMap((test) => test.content.split("\n").map((line) => line.trim()).filter((line) => line.length >= MIN_HIDDEN_LINE_CHARS)),
  );
  if (sourceLines.size === 0) return (text) => text;
  return (text) =>
    text
      .split("\n")
      .map((line) => {
        const trimmed = line.trim();
        return sourceLines.has(trimmed) ? `${line.slice(0, line.length - line.trimStart().length)}${HIDDEN_LINE}` : line;
      })
      .join("\n");
}

/**
 * Puts the designed tests into a working tree for one action and takes them out again, so they
 * never become part of the patch (a file of the same name is restored byte for byte).
 */
export async function withDesignedTests<T>(bench: Workbench, tests: readonly DesignedTest[], action: () => Promise<T>): Promise<T> {
  const saved = new Map<string, Buffer | null>();
  try {
    for (const test of tests) {
      const existing = await bench.sandbox.stat(test.path);
      saved.set(test.path, existing?.type === "file" ? await bench.sandbox.readFile(test.path) : null);
      await bench.sandbox.writeFile(test.path, test.content);
    }
    return await action();
  } finally {
    for (const [path, previous] of saved) {
      if (previous === null) await bench.sandbox.removeFile(path);
      else await bench.sandbox.writeFile(path, previous);
    }
  }
}
