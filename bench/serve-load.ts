/**
 * bench/serve-load: the webhook server of `agent serve` under bursts of signed deliveries, with
 * the product's settings (default path, real signature check, the delivery log, a structured log
 * written to a file) on 127.0.0.1, once with the in-process queue and once with BullMQ on a
 * redis-server the bench starts on a free loopback port (skipped, saying so, without
 * redis-server). 200 deliveries over 5 repositories in 10 bursts of 20 concurrent requests, about
 * 10 % of them sent twice (half within their own burst, at the same time, half a burst later),
 * from a load generator in a worker thread (bench/support/serve/burst-client.ts); the jobs
 * simulate 2–50 ms of work and record how many of a repository run at once. The baseline is the
 * same bursts against a bare node:http server that answers 202; baseline, in-process and BullMQ
 * runs are interleaved over `--rounds` rounds (default 5). Per queue it prints the medians of
 * deliveries/s and p50/p99 time to acknowledge (target p99 <= 100 ms) with each round's figure,
 * the ratio of p99s to the baseline, lost jobs (queued and never processed), jobs processed
 * twice, and the most jobs of one repository at once against the limit. Exits 1 when a delivery
 * is lost, processed twice or answered wrongly, or a repository goes over its limit.
 * Run: npm run build && node dist/bench/serve-load.js [--deliveries N] [--bursts N] [--rounds N]
 */
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { sign } from "@octokit/webhooks-methods";
import {
  createInProcessQueue,
  createRedactor,
  createRedisQueue,
  createStructuredLog,
  openDeliveryLog,
  startWebhookServer,
  type JobQueue,
  type JobWorker,
  type ServeJob,
} from "../src/index.js";
import type { BurstAnswer, BurstOrder, BurstReport, BurstRequest } from "./support/serve/burst-client.js";
import { hasRedisServer, startLocalRedisServer, type LocalRedisServer } from "./support/serve/local-redis-server.js";
import { seededRandom } from "./support/seeded-random.js";

const SECRET = "bench-webhook-secret-0123456789";
const REPOSITORIES = ["acme/api", "acme/web", "acme/cli", "acme/docs", "acme/infra"];
const PER_REPOSITORY_LIMIT = 2;
const WORKER_CONCURRENCY = 8;
const ACK_TARGET_P99_MS = 100;
const PAUSE_BETWEEN_BURSTS_MS = 50;

function flag(name: string, fallback: number): number {
  const index = process.argv.indexOf(name);
  return index >= 0 ? Math.max(1, Math.floor(Number(process.argv[index + 1])) || fallback) : fallback;
}
const deliveryCount = flag("--deliveries", 200);
const burstCount = flag("--bursts", 10);
const roundCount = flag("--rounds", 5);

type Request = BurstRequest;


/** The bursts: each its unique deliveries plus about 10 % resent (one of its own, concurrently, and one of the burst before). */
async function buildBursts(): Promise<Request[][]> {
  const random = seededRandom(42);
  const perBurst = Math.ceil(deliveryCount / burstCount);
  const bursts: Request[][] = [];
  let made = 0;
  for (let burst = 0; burst < burstCount; burst += 1) {
    const unique: Request[] = [];
    for (let slot = 0; slot < perBurst && made < deliveryCount; slot += 1, made += 1) {
      const [owner, repo] = REPOSITORIES[made % REPOSITORIES.length]!.split("/") as [string, string];
      const isComment = random() < 0.2;
      const payload = isComment
        ? { action: "created", repository: { name: repo, owner: { login: owner } }, issue: { number: 1 + made }, comment: { id: 10_000 + made, body: "/agent triage\nplease", user: { login: "ada", type: "User" } }, sender: { login: "ada", type: "User" }, installation: { id: 7 } }
        : { action: "opened", repository: { name: repo, owner: { login: owner } }, issue: { number: 1 + made, title: `Issue ${made}`, body: "Steps to reproduce: ...".repeat(20) }, sender: { login: "ada", type: "User" }, installation: { id: 7 } };
      const body = JSON.stringify(payload);
      unique.push({ id: `00000000-0000-4000-8000-${String(made).padStart(12, "0")}`, event: isComment ? "issue_comment" : "issues", body, signature: await sign(SECRET, body), duplicate: false });
    }
    const resent: Request[] = [];
    const duplicates = Math.max(1, Math.round(unique.length * 0.1));
    for (let index = 0; index < duplicates; index += 1) {
      const fromPrevious = index % 2 === 1 && burst > 0;
      const source = fromPrevious ? bursts[burst - 1]!.filter((request) => !request.duplicate) : unique;
      resent.push({ ...source[Math.floor(random() * source.length)]!, duplicate: true });
    }
    bursts.push([...unique, ...resent]);
  }
  return bursts;
}

/** The load generator's thread (bench/support/serve/burst-client.ts); one for the whole run, so its connections stay warm. */
const client = new Worker(new URL("./support/serve/burst-client.js", import.meta.url));

/** Sends the bursts one after another (each burst's requests at once) from the client thread. */
async function sendBursts(url: string, bursts: Request[][]): Promise<BurstReport> {
  const order: BurstOrder = { url, bursts, pauseMs: PAUSE_BETWEEN_BURSTS_MS };
  const reply = new Promise<{ report?: BurstReport; error?: string }>((resolve) => client.once("message", resolve));
  client.postMessage(order);
  const { report, error } = await reply;
  if (!report) throw new Error(`the load generator failed: ${error}`);
  return report;
}

function timing(answers: BurstAnswer[], busyMs: number): Timing {
  const acks = answers.map((answer) => answer.ackMs);
  return { perSecond: answers.length / (busyMs / 1000), p50: percentile(acks, 0.5), p99: percentile(acks, 0.99) };
}

function percentile(values: number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}

/** The same bursts against a bare node:http server that reads the body and answers 202. */
async function measureBaseline(bursts: Request[][]): Promise<Timing> {
  const server = createServer((request, response) => {
    request.resume();
    request.on("end", () => {
      response.writeHead(202, { "content-type": "application/json" });
      response.end('{"queued":true}');
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const { answers, busyMs } = await sendBursts(`http://127.0.0.1:${port}/api/github/webhooks`, bursts);
  server.close();
  server.closeIdleConnections();
  return timing(answers, busyMs);
}

/** Throughput and time to acknowledge of one round. */
interface Timing {
  perSecond: number;
  p50: number;
  p99: number;
}

interface QueueResult extends Timing {
  lost: string[];
  processedTwice: string[];
  wrongAnswers: string[];
  maxByRepository: Map<string, number>;
  drainMs: number;
}

/** Runs the bursts through the real server on `queue`, with `workers` processing; waits until every queued job is done. */
async function measureQueue(label: string, bursts: Request[][], openQueue: (log: ReturnType<typeof createStructuredLog>) => Promise<{ queue: JobQueue; workerQueues: JobQueue[]; close: () => Promise<void> }>, stateDir: string): Promise<QueueResult> {
  const logStream = createWriteStream(join(stateDir, `${label}.log.jsonl`));
  const log = createStructuredLog((line) => logStream.write(line + "\n"), { redact: createRedactor([SECRET]) });
  const { queue, workerQueues, close } = await openQueue(log);
  const deliveries = openDeliveryLog(join(stateDir, `${label}-deliveries.db`));
  const server = await startWebhookServer({ secret: SECRET, queue, deliveries, log });

  const random = seededRandom(7);
  const timesProcessed = new Map<string, number>();
  const running = new Map<string, number>();
  const maxByRepository = new Map<string, number>();
  let lastProcessedAt = 0;
  const handler = async (job: ServeJob) => {
    const repository = `${job.repository.owner}/${job.repository.repo}`;
    const now = (running.get(repository) ?? 0) + 1;
    running.set(repository, now);
    maxByRepository.set(repository, Math.max(maxByRepository.get(repository) ?? 0, now));
    await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(random() * 49)));
    running.set(repository, (running.get(repository) ?? 1) - 1);
    timesProcessed.set(job.id, (timesProcessed.get(job.id) ?? 0) + 1);
    lastProcessedAt = performance.now();
  };
  const workers: JobWorker[] = [];
  const perWorker = Math.max(1, Math.floor(WORKER_CONCURRENCY / workerQueues.length));
  for (const workerQueue of workerQueues) workers.push(await workerQueue.process(handler, { concurrency: perWorker, concurrencyPerRepository: () => PER_REPOSITORY_LIMIT }));

  const started = performance.now();
  const { answers, busyMs } = await sendBursts(server.url, bursts);
  const queuedIds = new Set<string>();
  const wrongAnswers: string[] = [];
  const answered = new Map<string, string[]>();
  for (const answer of answers) answered.set(answer.id, [...(answered.get(answer.id) ?? []), `${answer.status} ${answer.body}`]);
  for (const [id, replies] of answered) {
    const queued = replies.filter((reply) => reply.startsWith("202 ") && reply.includes('"queued"'));
    const duplicates = replies.filter((reply) => reply === '200 {"duplicate":true}');
    if (queued.length === 1) queuedIds.add(id);
    if (queued.length !== 1 || duplicates.length !== replies.length - 1) wrongAnswers.push(`${id}: ${replies.join(" | ")}`);
  }

  // Wait until every queued job ran and the queue is idle, then a little longer for any second run.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const counts = await queue.counts();
    const done = [...queuedIds].every((id) => timesProcessed.has(id));
    if ((done && counts.waiting + counts.active + counts.delayed === 0) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  const drainMs = lastProcessedAt - started;

  await server.close();
  for (const worker of workers) await worker.close();
  await close();
  deliveries.close();
  logStream.end();
  await once(logStream, "close");

  return {
    ...timing(answers, busyMs),
    lost: [...queuedIds].filter((id) => !timesProcessed.has(id)),
    processedTwice: [...timesProcessed].filter(([, times]) => times > 1).map(([id]) => id),
    wrongAnswers,
    maxByRepository,
    drainMs,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** The medians over the rounds, each round's figures beside them, and the sums of what went wrong. */
function report(label: string, rounds: QueueResult[], baselines: Timing[]): void {
  const p99 = median(rounds.map((round) => round.p99));
  const baselineP99 = median(baselines.map((round) => round.p99));
  const lost = rounds.flatMap((round) => round.lost);
  const twice = rounds.flatMap((round) => round.processedTwice);
  const wrong = rounds.flatMap((round) => round.wrongAnswers);
  const maxByRepository = new Map<string, number>();
  for (const round of rounds) for (const [repository, count] of round.maxByRepository) maxByRepository.set(repository, Math.max(maxByRepository.get(repository) ?? 0, count));
  const max = Math.max(...maxByRepository.values());
  const perRepository = [...maxByRepository].sort(([a], [b]) => a.localeCompare(b)).map(([repository, count]) => `${repository} ${count}`).join(", ");
  const each = (pick: (round: QueueResult) => string) => rounds.map(pick).join(" / ");
  process.stdout.write(
    [
      `${label} (median of ${rounds.length} rounds; each round in brackets):`,
      `  deliveries/s       ${median(rounds.map((round) => round.perSecond)).toFixed(0)} [${each((round) => round.perSecond.toFixed(0))}]`,
      `  acknowledge p50    ${ms(median(rounds.map((round) => round.p50)))} [${each((round) => round.p50.toFixed(1))}]`,
      `  acknowledge p99    ${ms(p99)} [${each((round) => round.p99.toFixed(1))}]; target <= ${ACK_TARGET_P99_MS} ms: ${p99 <= ACK_TARGET_P99_MS ? "met" : "NOT met"}; ratio to the bare server's p99 ${(p99 / baselineP99).toFixed(2)}`,
      `  lost               ${lost.length}${lost.length ? ` (${lost.slice(0, 5).join(", ")})` : ""}`,
      `  processed twice    ${twice.length}${twice.length ? ` (${twice.slice(0, 5).join(", ")})` : ""}`,
      `  wrong answers      ${wrong.length}${wrong.length ? ` (${wrong.slice(0, 3).join("; ")})` : ""}`,
      `  max per repository ${max} (limit ${PER_REPOSITORY_LIMIT}: ${max <= PER_REPOSITORY_LIMIT ? "respected" : "EXCEEDED"}); ${perRepository}`,
      `  all jobs done      ${ms(median(rounds.map((round) => round.drainMs)))} after the first delivery`,
      "",
    ].join("\n"),
  );
}

const bursts = await buildBursts();
const requestCount = bursts.reduce((sum, burst) => sum + burst.length, 0);
process.stdout.write(
  `bench/serve-load: ${deliveryCount} deliveries (+${requestCount - deliveryCount} sent twice) in ${burstCount} bursts, ${REPOSITORIES.length} repositories, limit ${PER_REPOSITORY_LIMIT} per repository, ${WORKER_CONCURRENCY} jobs at once, ${roundCount} interleaved rounds; node ${process.version}\n`,
);
const stateDir = await mkdtemp(join(tmpdir(), "serve-load-"));
const redis: LocalRedisServer | undefined = hasRedisServer() ? await startLocalRedisServer() : undefined;
const baselines: Timing[] = [];
const inProcess: QueueResult[] = [];
const bullmq: QueueResult[] = [];
try {
  // A warm-up of the client thread and of a bare server, so that no measurement pays for the first connections.
  await measureBaseline(bursts.slice(0, 2));
  for (let round = 0; round < roundCount; round += 1) {
    baselines.push(await measureBaseline(bursts));
    inProcess.push(
      await measureQueue(
        `in-process-${round}`,
        bursts,
        async (log) => {
          const queue = createInProcessQueue({ file: join(stateDir, `jobs-${round}.db`), log });
          return { queue, workerQueues: [queue], close: () => queue.close() };
        },
        stateDir,
      ),
    );
    if (redis) {
      const name = `serve-load-${round}`;
      bullmq.push(
        await measureQueue(
          `bullmq-${round}`,
          bursts,
          async (log) => {
            const queue = await createRedisQueue({ url: redis.url, name, log });
            const workers = [await createRedisQueue({ url: redis.url, name, log, repositoryBusyDelayMs: 50 }), await createRedisQueue({ url: redis.url, name, log, repositoryBusyDelayMs: 50 })];
            return { queue, workerQueues: workers, close: async () => void (await Promise.all([queue, ...workers].map((each) => each.close()))) };
          },
          stateDir,
        ),
      );
    }
  }
} finally {
  await client.terminate();
  await redis?.stop();
  await rm(stateDir, { recursive: true, force: true });
}

const each = (values: number[]) => values.map((value) => value.toFixed(1)).join(" / ");
process.stdout.write(
  `baseline, bare node:http answering 202 (median of ${baselines.length} rounds): ${median(baselines.map((round) => round.perSecond)).toFixed(0)} deliveries/s, p50 ${ms(median(baselines.map((round) => round.p50)))} [${each(baselines.map((round) => round.p50))}], p99 ${ms(median(baselines.map((round) => round.p99)))} [${each(baselines.map((round) => round.p99))}]\n\n`,
);
report("in-process queue (SQLite)", inProcess, baselines);
if (redis) report("BullMQ queue (local redis-server; the server's connection and two worker connections)", bullmq, baselines);
else process.stdout.write("BullMQ queue: SKIPPED, redis-server is not on the PATH (apt-get install redis-server, as .ci/run does).\n");

const failed = [...inProcess, ...bullmq].some((result) => result.lost.length > 0 || result.processedTwice.length > 0 || result.wrongAnswers.length > 0 || Math.max(...result.maxByRepository.values()) > PER_REPOSITORY_LIMIT);
if (failed) {
  process.stdout.write("FAILED: a delivery was lost, processed twice or answered wrongly, or a repository went over its limit.\n");
  process.exitCode = 1;
}
