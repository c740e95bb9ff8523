/**
 * The instructions a repository gives to coding agents (AGENTS.md and its siblings), read
 * through an injected reader so that they come from the sandbox's copy of the repository.
 */

/** The files read, relative to the repository root, in the order they are put into prompts. */
export const PROJECT_INSTRUCTION_FILES = ["AGENTS.md", "AGENT.md", "CLAUDE.md", ".github/copilot-instructions.md"] as const;

/** Characters of project instructions put into a prompt when the caller does not say. */
export const DEFAULT_PROJECT_INSTRUCTIONS_CHARS = 8_000;

/** The instruction files found (even when the cap cut them out of the text), and the text with a header per file. */
export interface ProjectInstructions {
  sources: string[];
  text: string;
}

/** Reads a file relative to the repository root; undefined when it does not exist. */
export type ReadRepositoryFile = (path: string) => Promise<string | undefined>;

/**
 * Reads the project instruction files that exist, in the order of PROJECT_INSTRUCTION_FILES,
 * each under a `=== <file> ===` header. Empty files and files identical to one already read
 * (CLAUDE.md is often a copy or link of AGENTS.md) are skipped. The text is at most `maxChars`
 * long; when cut, its last line says what was left out.
 */
export async function readProjectInstructions(readFile: ReadRepositoryFile, options: { maxChars?: number } = {}): Promise<ProjectInstructions> {
  const maxChars = options.maxChars ?? DEFAULT_PROJECT_INSTRUCTIONS_CHARS;
  const found: Array<{ path: string; block: string }> = [];
  const seen = new Set<string>();
  for (const path of PROJECT_INSTRUCTION_FILES) {
    const content = (await readFile(path))?.replace(/\r\n/g, "\n").trim();
    if (!content || seen.has(content)) continue;
    seen.add(content);
    found.push({ path, block: `=== ${path} ===\n${content}` });
  }
  const sources = found.map((file) => file.path);
  const full = found.map((file) => file.block).join("\n\n");
  if (full.length <= maxChars) return { sources, text: full };

  const cutNote = (cut: string[]) => `[cut to fit ${maxChars} characters: ${cut.join(", ")}]`;
  const worstNote = cutNote(found.map((file) => `the rest of ${file.path} (${file.block.length} characters)`));
  let budget = Math.max(0, maxChars - worstNote.length - 2);
  const kept: string[] = [];
  const cut: string[] = [];
  for (const file of found) {
    const separator = kept.length > 0 ? 2 : 0;
    if (file.block.length + separator <= budget) {
      kept.push(file.block);
      budget -= file.block.length + separator;
    } else if (budget - separator > file.path.length + 8) {
      const head = file.block.slice(0, budget - separator);
      kept.push(head);
      cut.push(`the rest of ${file.path} (${file.block.length - head.length} characters)`);
      budget = 0;
    } else {
      cut.push(`all of ${file.path}`);
      budget = 0;
    }
  }
  const text = [...kept, cutNote(cut)].join("\n\n");
  return { sources, text: text.slice(0, maxChars) };
}
