/**
 * The instructions a repository gives to coding agents (AGENTS.md and its siblings), read
 * through an injected reader so that they come from the sandbox's copy of the repository.
 */

/** The files read, relative to the repository root, in the order they are put into prompts. */
export const PROJECT_INSTRUCTION_FILES = ["AGENTS.md", "AGENT.md", "CLAUDE.md", ".github/copilot-instructions.md"] as const;

/** The files read in a directory below the root: instructions for the files under it. */
const NESTED_INSTRUCTION_FILES = ["AGENTS.md", "AGENT.md", "CLAUDE.md"] as const;

/** Characters of one directory's instructions shown when a role first touches a file under it. */
const NESTED_INSTRUCTIONS_CHARS = 4_000;

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
export async function readProjectInstructions(readFile: ReadRepositoryFile, options: { maxChars?: number; directory?: string } = {}): Promise<ProjectInstructions> {
  const maxChars = options.maxChars ?? DEFAULT_PROJECT_INSTRUCTIONS_CHARS;
  const found: Array<{ path: string; block: string }> = [];
  const seen = new Set<string>();
  const paths = options.directory ? NESTED_INSTRUCTION_FILES.map((file) => `${options.directory}/${file}`) : PROJECT_INSTRUCTION_FILES;
  for (const path of paths) {
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

/**
 * Returns a finder of the instructions that apply to a path below the root: the AGENTS.md (and
 * siblings) of each directory between the root and the path, each given once per finder (one
 * per role visit), nearest last. The root's own files are in every prompt already. `workdir` is
 * stripped from absolute paths; paths outside it find nothing.
 */
export function createNestedInstructionsFinder(readFile: ReadRepositoryFile, workdir: string): (path: string) => Promise<string | undefined> {
  const shown = new Set<string>();
  return async (path) => {
    const relative = path.startsWith(`${workdir}/`) ? path.slice(workdir.length + 1) : path.startsWith("/") ? undefined : path.replace(/^(\.\/)+/, "");
    if (relative === undefined || relative.split("/").includes("..")) return undefined;
    const parts = relative.split("/").filter((part) => part !== "" && part !== ".");
    const blocks: string[] = [];
    for (let depth = 1; depth <= parts.length; depth += 1) {
      const directory = parts.slice(0, depth).join("/");
      if (shown.has(directory)) continue;
      shown.add(directory);
      const found = await readProjectInstructions(readFile, { directory, maxChars: NESTED_INSTRUCTIONS_CHARS });
      if (found.text) blocks.push(`Instructions for the files under ${directory}/:\n${found.text}`);
    }
    return blocks.length > 0 ? blocks.join("\n\n") : undefined;
  };
}
