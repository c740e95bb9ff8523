import type { Sandbox } from "../sandbox/sandbox.js";
import { buildCodeIndex } from "./code-retrieval.js";
import { rankLocations, type Localisation } from "./rank-locations.js";
import { readSourceDocuments } from "./read-sources.js";

/** Files and functions shown to the planner. */
const SHOWN_FILES = 10;
const SHOWN_FUNCTIONS = 10;

/**
 * Ranks where the issue's code is in the sandbox's workspace (see rankLocations), from its
 * tracked source files. Null when the workspace is not a git repository or has no source file;
 * a failure is null too: localisation only helps, it never stops a run.
 */
export async function localiseIssue(sandbox: Sandbox, task: { title: string; body: string }, signal?: AbortSignal): Promise<Localisation | null> {
  try {
    const documents = await readSourceDocuments(sandbox, signal);
    if (!documents || documents.length === 0) return null;
    return rankLocations(task, buildCodeIndex(documents), { maxFiles: SHOWN_FILES, maxFunctions: SHOWN_FUNCTIONS });
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
}

/** The localisation as prompt text: the ranked files and functions, each with its evidence. */
export function formatLocalisation(localisation: Localisation): string {
  const lines = ["=== where to look: ranked from the issue's text before any model looked (stack frames, paths, definitions of its identifiers, word matches) ==="];
  if (localisation.files.length === 0) lines.push("(nothing in the repository matches the issue's text)");
  else {
    lines.push("Files:");
    localisation.files.forEach((file, index) => lines.push(`${index + 1}. ${file.path} — ${file.evidence.slice(0, 3).join("; ")}`));
  }
  if (localisation.functions.length > 0) {
    lines.push("Functions:");
    localisation.functions.forEach((fn, index) => lines.push(`${index + 1}. ${fn.path}:${fn.line} ${fn.name} — ${fn.evidence.slice(0, 2).join("; ")}`));
  }
  lines.push("These are leads, not conclusions: read the code before you rely on them.");
  return lines.join("\n");
}
