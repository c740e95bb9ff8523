/**
 * The load generator of bench/serve-load, run in a worker thread so that sending the bursts and
 * timing the answers never shares an event loop with the server it measures (GitHub's side is
 * not in the server's process either). It takes `{ url, bursts, pauseMs }` and posts back one
 * answer per request, with the time from sending to the whole answer read.
 */
import { parentPort } from "node:worker_threads";

/** One signed delivery to send. */
export interface BurstRequest {
  id: string;
  event: string;
  body: string;
  signature: string;
  duplicate: boolean;
}

/** What was answered to one request, and how long it took. */
export interface BurstAnswer {
  id: string;
  duplicate: boolean;
  status: number;
  body: string;
  ackMs: number;
}

/** The message the bench posts to the thread. */
export interface BurstOrder {
  url: string;
  bursts: BurstRequest[][];
  pauseMs: number;
}

/** The message the thread posts back: the answers, and the wall time of the bursts alone (pauses left out). */
export interface BurstReport {
  answers: BurstAnswer[];
  busyMs: number;
}

async function sendBursts(order: BurstOrder): Promise<BurstReport> {
  const answers: BurstAnswer[] = [];
  let busyMs = 0;
  for (const burst of order.bursts) {
    const begun = performance.now();
    const results = await Promise.all(
      burst.map(async (request) => {
        const started = performance.now();
        const response = await fetch(order.url, {
          method: "POST",
          headers: { "content-type": "application/json", "x-github-event": request.event, "x-github-delivery": request.id, "x-hub-signature-256": request.signature, "user-agent": "GitHub-Hookshot/bench" },
          body: request.body,
        });
        const body = await response.text();
        return { id: request.id, duplicate: request.duplicate, status: response.status, body, ackMs: performance.now() - started };
      }),
    );
    busyMs += performance.now() - begun;
    answers.push(...results);
    await new Promise((resolve) => setTimeout(resolve, order.pauseMs));
  }
  return { answers, busyMs };
}

parentPort?.on("message", (order: BurstOrder) => {
  sendBursts(order).then(
    (report) => parentPort?.postMessage({ report }),
    (error: Error) => parentPort?.postMessage({ error: error.message }),
  );
});
