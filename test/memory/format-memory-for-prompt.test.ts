import { describe, expect, it } from "vitest";
import { formatMemoryForPrompt, type MemoryEntry, type MemoryKind, type MemoryValue, type RepositoryMemory } from "../../src/memory/long-term-store.js";

const repo = "github.com/owner/repo";
let nextId = 1;

/** An entry as the store would return it. */
function entry<K extends MemoryKind>(kind: K, value: MemoryValue<K>): MemoryEntry<K> {
  const stamp = "2025-01-01T00:00:00.000Z";
  return { kind, value, id: nextId++, repositoryKey: repo, createdAt: stamp, updatedAt: stamp } as MemoryEntry<K>;
}

function memory(overrides: Partial<RepositoryMemory> = {}): RepositoryMemory {
  return { repositoryKey: repo, setupCommands: [], conventions: [], fixSummaries: [], failedApproaches: [], ...overrides };
}

const full = memory({
  testCommand: entry("test-command", { command: "pytest -q", framework: "pytest", notes: "run from the root" }),
  setupCommands: [entry("setup-command", { command: "pip install -e .", purpose: "install the package" })],
  conventions: [entry("convention", "Docstrings in numpy style.")],
  fixSummaries: [entry("fix-summary", { task: "#7 crash on empty input", summary: "Returned early.", files: ["pkg/io.py"], status: "solved" })],
  failedApproaches: [entry("failed-approach", { task: "#7 crash on empty input", approach: "Wrapping in try/except", reason: "the test expects a ValueError" })],
});

describe("formatMemoryForPrompt", () => {
  it("renders every kind under its heading", () => {
    expect(formatMemoryForPrompt(full)).toBe(
      [
        "How to run the tests: `pytest -q` (pytest); run from the root",
        "Set-up that worked:",
        "- `pip install -e .`: install the package",
        "Conventions:",
        "- Docstrings in numpy style.",
        "Approaches that failed before (do not retry):",
        "- #7 crash on empty input: Wrapping in try/except. It failed because the test expects a ValueError",
        "Past fixes:",
        "- #7 crash on empty input (solved): Returned early. Files: pkg/io.py.",
      ].join("\n"),
    );
  });

  it("returns an empty string when nothing is remembered", () => {
    expect(formatMemoryForPrompt(memory())).toBe("");
  });

  it("leaves out whole items to stay within maxChars and says how many", () => {
    const conventions = Array.from({ length: 40 }, (_, index) => entry("convention", `Convention number ${index} of this repository.`));
    const text = formatMemoryForPrompt(memory({ conventions }), { maxChars: 300 });
    expect(text.length).toBeLessThanOrEqual(300);
    expect(text).toMatch(/^Conventions:\n- Convention number 0 of this repository\.\n/);
    expect(text).toMatch(/\(\d+ more remembered items left out to fit 300 characters\)$/);
  });

  it("keeps a later short item when an earlier long one does not fit", () => {
    const long = entry("convention", "x".repeat(400));
    const text = formatMemoryForPrompt(memory({ conventions: [long], failedApproaches: full.failedApproaches }), { maxChars: 300 });
    expect(text).toContain("Wrapping in try/except");
    expect(text).toContain("(1 more remembered item left out to fit 300 characters)");
  });
});
