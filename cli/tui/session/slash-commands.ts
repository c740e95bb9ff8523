/** A command typed at the session's prompt, starting with a slash. */
export interface SlashCommand {
  name: string;
  /** What follows the name, for /help (empty when it takes nothing). */
  argument: string;
  description: string;
}

/** Every slash command, in the order /help lists them. */
export const SLASH_COMMANDS: readonly SlashCommand[] = [
  { name: "help", argument: "", description: "list the commands and keys" },
  { name: "plan", argument: "", description: "show the current plan and each step's status" },
  { name: "diff", argument: "", description: "show the current changes (the running task's tree, or the whole session's patch)" },
  { name: "tests", argument: "", description: "show the test runs of the current task, before and after the change" },
  { name: "cost", argument: "", description: "show tokens and cost of this task and of the session, against the budget" },
  { name: "undo", argument: "", description: "revert the last edit (while the agents are stopped with Esc), or the last task's changes between tasks" },
  { name: "model", argument: "[provider:model]", description: "switch the model for the next turns (no argument: show it)" },
  { name: "approval", argument: "[suggest|auto-edit|full-auto]", description: "switch the approval mode (no argument: show it)" },
  { name: "apply", argument: "", description: "write the session's patch to your checkout, after confirmation" },
  { name: "resume", argument: "", description: "continue a task that was interrupted or stopped by an error" },
  { name: "clear", argument: "", description: "clear the transcript (the session and its runs are kept)" },
  { name: "quit", argument: "", description: "end the session (it is saved; agent chat --resume continues it)" },
];

/** The keys /help lists. */
export const SESSION_KEYS: ReadonlyArray<readonly [string, string]> = [
  ["Enter", "send (a task; while the agents work, a message to the active role)"],
  ["Esc", "stop the current model turn or tool call, then type guidance (Enter alone goes on)"],
  ["Ctrl-C", "as Esc; twice within 2 s ends the session"],
  ["Ctrl-J, \\ Enter", "new line · Up/Down history · Tab completes · Ctrl-O long output · PgUp/PgDn scroll"],
];

/** The commands whose names start with what was typed after the slash (all of them for a bare slash). */
export function completeSlashCommand(input: string): SlashCommand[] {
  const match = /^\/(\S*)$/.exec(input);
  if (!match) return [];
  const typed = match[1]!.toLowerCase();
  return SLASH_COMMANDS.filter((command) => command.name.startsWith(typed));
}

/** A typed slash command split into its name and argument, or undefined when the text is not one. */
export function parseSlashCommand(input: string): { name: string; argument: string } | undefined {
  const match = /^\/(\S+)\s*([\s\S]*)$/.exec(input.trim());
  return match ? { name: match[1]!.toLowerCase(), argument: match[2]!.trim() } : undefined;
}

/** The known command nearest to an unknown name (edit distance at most 3), for "did you mean". */
export function nearestSlashCommand(name: string): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const command of SLASH_COMMANDS) {
    const distance = editDistance(name.toLowerCase(), command.name);
    if (distance <= 3 && (!best || distance < best.distance)) best = { name: command.name, distance };
  }
  return best?.name;
}

/** Levenshtein distance. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
