/**
 * The previous states of edited files, newest last, so `edit_file undo` can restore them byte for
 * byte. Keys are sandbox-resolved paths (`sandbox.resolvePath`), so `a.py` and `/workspace/a.py`
 * share one stack. `null` records that the edit created the file.
 */
export class EditHistory {
  private readonly stacks = new Map<string, Array<Buffer | null>>();
  private readonly maxDepthPerPath: number;

  /** Keeps at most `maxDepthPerPath` states per file (oldest dropped first), bounding memory for files edited many times. */
  constructor(options: { maxDepthPerPath?: number } = {}) {
    this.maxDepthPerPath = options.maxDepthPerPath ?? 100;
  }

  /** Remembers the state of `path` before an edit: its bytes, or null when the edit creates it. */
  record(path: string, previous: Buffer | null): void {
    const stack = this.stacks.get(path) ?? [];
    stack.push(previous === null ? null : Buffer.from(previous));
    if (stack.length > this.maxDepthPerPath) stack.shift();
    this.stacks.set(path, stack);
  }

  /** Takes the most recent state of `path`; undefined when there is nothing to undo. */
  pop(path: string): Buffer | null | undefined {
    const stack = this.stacks.get(path);
    if (stack === undefined || stack.length === 0) return undefined;
    const previous = stack.pop();
    if (stack.length === 0) this.stacks.delete(path);
    return previous;
  }

  /** How many edits of `path` can be undone. */
  depth(path: string): number {
    return this.stacks.get(path)?.length ?? 0;
  }
}
