import { describe, expect, it } from "vitest";
import { createNestedInstructionsFinder, readProjectInstructions } from "../../src/memory/project-instructions.js";

/** A reader over an in-memory repository that records the paths asked for. */
function readerOf(files: Record<string, string>) {
  const asked: string[] = [];
  const read = async (path: string) => {
    asked.push(path);
    return files[path];
  };
  return { read, asked };
}

describe("readProjectInstructions", () => {
  it("puts each file under a header in the order AGENTS.md, AGENT.md, CLAUDE.md, copilot instructions", async () => {
    const { read } = readerOf({
      ".github/copilot-instructions.md": "Copilot says.",
      "CLAUDE.md": "Claude says.",
      "AGENT.md": "Agent says.",
      "AGENTS.md": "Agents say.",
    });
    expect(await readProjectInstructions(read)).toEqual({
      sources: ["AGENTS.md", "AGENT.md", "CLAUDE.md", ".github/copilot-instructions.md"],
      text: [
        "=== AGENTS.md ===\nAgents say.",
        "=== AGENT.md ===\nAgent says.",
        "=== CLAUDE.md ===\nClaude says.",
        "=== .github/copilot-instructions.md ===\nCopilot says.",
      ].join("\n\n"),
    });
  });

  it("skips missing and empty files", async () => {
    const { read, asked } = readerOf({ "CLAUDE.md": "Run make test.\n", "AGENTS.md": "  \n" });
    expect(await readProjectInstructions(read)).toEqual({ sources: ["CLAUDE.md"], text: "=== CLAUDE.md ===\nRun make test." });
    expect(asked).toHaveLength(4);
  });

  it("returns nothing when the repository has no instruction file", async () => {
    expect(await readProjectInstructions(readerOf({}).read)).toEqual({ sources: [], text: "" });
  });

  it("skips a file identical to one already read", async () => {
    const { read } = readerOf({ "AGENTS.md": "Same.", "CLAUDE.md": "Same.\r\n" });
    expect((await readProjectInstructions(read)).sources).toEqual(["AGENTS.md"]);
  });

  it("cuts the text to maxChars and names what was cut", async () => {
    const { read } = readerOf({ "AGENTS.md": "a".repeat(500), "CLAUDE.md": "c".repeat(500) });
    const { text } = await readProjectInstructions(read, { maxChars: 400 });
    expect(text.length).toBeLessThanOrEqual(400);
    expect(text).toMatch(/^=== AGENTS\.md ===\naaa/);
    expect(text).toMatch(/\[cut to fit 400 characters: the rest of AGENTS\.md \(\d+ characters\), all of CLAUDE\.md\]$/);
  });

  it("caps at 8000 characters by default", async () => {
    const { read } = readerOf({ "AGENTS.md": "a".repeat(20_000) });
    expect((await readProjectInstructions(read)).text.length).toBeLessThanOrEqual(8000);
  });
});

describe("createNestedInstructionsFinder", () => {
  const files: Record<string, string> = {
    "pkg/AGENTS.md": "Use absolute imports in pkg.",
    "pkg/sub/AGENTS.md": "sub is generated: edit templates/ instead.",
    "other/CLAUDE.md": "Other rules.",
  };
  const read = async (path: string) => files[path];

  it("gives the instructions of every directory between the root and a path, nearest last", async () => {
    const find = createNestedInstructionsFinder(read, "/workspace");
    const text = await find("pkg/sub/module.py");
    expect(text).toBe(
      "Instructions for the files under pkg/:\n=== pkg/AGENTS.md ===\nUse absolute imports in pkg.\n\n" +
        "Instructions for the files under pkg/sub/:\n=== pkg/sub/AGENTS.md ===\nsub is generated: edit templates/ instead.",
    );
  });

  it("gives each directory's instructions once, and reads absolute paths under the workdir", async () => {
    const find = createNestedInstructionsFinder(read, "/workspace");
    await find("pkg/a.py");
    expect(await find("/workspace/pkg/b.py")).toBeUndefined();
    expect(await find("/workspace/other/c.py")).toContain("Other rules.");
  });

  it("finds nothing for a path outside the workdir or climbing out of it", async () => {
    const find = createNestedInstructionsFinder(read, "/workspace");
    expect(await find("/etc/passwd")).toBeUndefined();
    expect(await find("../pkg/a.py")).toBeUndefined();
  });
});
