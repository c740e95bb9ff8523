import type { ServeJob } from "../../src/serve/job-queue.js";

/** A triage job of `repository` ("owner/repo") with the given id. */
export function triageJob(id: string, repository = "acme/widgets"): ServeJob {
  const [owner, repo] = repository.split("/") as [string, string];
  return { type: "triage", repository: { owner, repo }, issueNumber: 1, sender: "ada", id, receivedAt: new Date().toISOString() };
}

/** Resolves once `predicate` holds (polled every 10 ms); throws with `what` after `timeoutMs`. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A promise with its resolve function, for handlers that block until a test releases them. */
export function gate(): { promise: Promise<void>; release: () => void } {
  let release: () => void = () => {};
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** Counts the jobs running at once, per repository and in all, and the highest counts seen. */
export function createConcurrencyRecorder() {
  const running = new Map<string, number>();
  const maxByRepository = new Map<string, number>();
  let total = 0;
  let maxTotal = 0;
  return {
    enter(repository: string): void {
      const now = (running.get(repository) ?? 0) + 1;
      running.set(repository, now);
      maxByRepository.set(repository, Math.max(maxByRepository.get(repository) ?? 0, now));
      total += 1;
      maxTotal = Math.max(maxTotal, total);
    },
    leave(repository: string): void {
      running.set(repository, (running.get(repository) ?? 1) - 1);
      total -= 1;
    },
    maxByRepository,
    maxTotal: () => maxTotal,
  };
}
