/**
 * The sandbox containers this process has started and not yet removed. The CLI uses it as a
 * last resort when it must exit at once (a second Ctrl-C): normal paths dispose sandboxes in
 * `finally` blocks, and containers of a killed process are found by label (`agent sandbox prune`).
 */
const liveContainers = new Set<string>();

/** Records a started container. */
export function trackContainer(id: string): void {
  liveContainers.add(id);
}

/** Forgets a removed container. */
export function untrackContainer(id: string): void {
  liveContainers.delete(id);
}

/** The containers still running for this process. */
export function liveContainerIds(): string[] {
  return [...liveContainers];
}
