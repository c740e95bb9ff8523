import { describe, expect, it } from "vitest";
import { readProjectInstructions } from "../../src/memory/project-instructions.js";

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
