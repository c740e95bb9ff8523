import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { AbortedError, SANDBOX_LABELS, SandboxError, trackContainer, untrackContainer } from "../src/index.js";
import { GRADER_DRIVER } from "./grader-driver.js";

/** The verdict on one program. */
export interface GradeOutcome {
  status: "passed" | "failed" | "timeout" | "error";
  exitCode: number | null;
  /** The tail of its stderr (the assertion or exception), empty when it passed. */
  error: string;
  durationMs: number;
}

/** Settings of a grader pool. */
export interface GraderOptions {
  docker: Docker;
  /** An image with python3 and the unprivileged user (a sandbox image). */
  image: string;
  /** Containers, each grading one program at a time. */
  workers: number;
  /** Per container. */
  memoryMb?: number;
  pidsLimit?: number;
  /** The uid and gid programs run as (the sandbox image's user). */
  user?: { uid: number; gid: number };
}

/** The run id in a grading container's labels (with the sandbox labels, so `agent sandbox prune` finds those of a crashed run). */
const GRADER_RUN_ID = "funcbench-grader";

interface Worker {
  container: Docker.Container;
  stdin: NodeJS.WritableStream;
  pending: Map<string, (outcome: GradeOutcome) => void>;
  ended: Promise<void>;
}

/**
 * A pool of long-lived grading containers (no network, a read-only root file system, memory and
 * process limits), each running GRADER_DRIVER: a program costs a fresh Python process in the
 * container, not a new container. Programs are queued to the first idle container. A container
 * whose driver ends (the engine dropped it) is replaced for the next program.
 */
export class GraderPool {
  private readonly workers: (Worker | undefined)[];
  /** Indexes of the containers grading a program now. */
  private readonly busy = new Set<number>();
  private readonly waiting: (() => void)[] = [];
  private disposed = false;

  private constructor(private readonly options: GraderOptions) {
    this.workers = Array.from({ length: Math.max(1, options.workers) }, () => undefined);
  }

  /** Starts the pool's containers. */
  static async start(options: GraderOptions): Promise<GraderPool> {
    const pool = new GraderPool(options);
    try {
      await Promise.all(pool.workers.map(async (_, index) => (pool.workers[index] = await pool.launch())));
    } catch (error) {
      await pool.dispose();
      throw error;
    }
    return pool;
  }

  /**
   * Grades one program within `timeoutSec` (wall clock, as the official harnesses count it).
   * Once `signal` is aborted, a program still waiting for a container is not graded (AbortedError).
   */
  async grade(program: string, timeoutSec: number, signal?: AbortSignal): Promise<GradeOutcome> {
    if (this.disposed) throw new SandboxError("The grader has been disposed.");
    const index = await this.acquire();
    try {
      if (signal?.aborted) throw new AbortedError("Grading was interrupted.");
      let worker = this.workers[index];
      if (!worker) worker = this.workers[index] = await this.launch();
      const id = randomBytes(6).toString("hex");
      const answered = new Promise<GradeOutcome>((resolve) => worker!.pending.set(id, resolve));
      worker.stdin.write(`${JSON.stringify({ id, program, timeout: timeoutSec })}\n`);
      const lost = worker.ended.then((): GradeOutcome => ({ status: "error", exitCode: null, error: "the grading container ended before it answered", durationMs: 0 }));
      const outcome = await Promise.race([answered, lost]);
      worker.pending.delete(id);
      return outcome;
    } finally {
      this.release(index);
    }
  }

  /** Removes the pool's containers. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.all(
      this.workers.map(async (worker) => {
        if (!worker) return;
        worker.stdin.end();
        await worker.container.remove({ force: true }).catch(() => {});
        untrackContainer(worker.container.id);
      }),
    );
  }

  private async acquire(): Promise<number> {
    for (;;) {
      const index = this.workers.findIndex((_, position) => !this.busy.has(position));
      if (index >= 0) {
        this.busy.add(index);
        return index;
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(index: number): void {
    this.busy.delete(index);
    this.waiting.shift()?.();
  }

  private async launch(): Promise<Worker> {
    const { docker } = this.options;
    const user = this.options.user ?? { uid: 1000, gid: 1000 };
    const container = await docker.createContainer({
      Image: this.options.image,
      Cmd: ["sleep", "infinity"],
      User: "0:0",
      WorkingDir: "/",
      Labels: {
        [SANDBOX_LABELS.managed]: "true",
        [SANDBOX_LABELS.sandbox]: "true",
        [SANDBOX_LABELS.runId]: GRADER_RUN_ID,
        [SANDBOX_LABELS.pid]: String(process.pid),
        [SANDBOX_LABELS.host]: hostname(),
        [SANDBOX_LABELS.createdAt]: new Date().toISOString(),
      },
      HostConfig: {
        NetworkMode: "none",
        ReadonlyRootfs: true,
        Tmpfs: { "/work": "rw,nosuid,nodev,size=256m,mode=755" },
        Memory: (this.options.memoryMb ?? 1024) * 1024 * 1024,
        PidsLimit: this.options.pidsLimit ?? 256,
        CapDrop: ["ALL"],
        CapAdd: ["SETUID", "SETGID", "KILL", "CHOWN", "DAC_OVERRIDE", "FOWNER"],
        SecurityOpt: ["no-new-privileges"],
        Init: true,
      },
    });
    trackContainer(container.id);
    try {
      await container.start();
      const exec = await container.exec({
        Cmd: ["python3", "-u", "-c", GRADER_DRIVER, String(user.uid), String(user.gid), "/work"],
        User: "0:0",
        AttachStdin: true,
        AttachStdout: true,
        AttachStderr: true,
        Tty: false,
      });
      const stream = await exec.start({ hijack: true, stdin: true });
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      docker.modem.demuxStream(stream, stdout, stderr);
      stderr.resume();
      const pending = new Map<string, (outcome: GradeOutcome) => void>();
      let buffered = "";
      stdout.on("data", (chunk: Buffer) => {
        buffered += chunk.toString();
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          const line = buffered.slice(0, newline);
          buffered = buffered.slice(newline + 1);
          let answer: GradeOutcome & { id: string };
          try {
            answer = JSON.parse(line) as typeof answer;
          } catch {
            // Not the driver's answer: the engine's own message (the container went away before the driver started).
            continue;
          }
          pending.get(answer.id)?.({ status: answer.status, exitCode: answer.exitCode, error: answer.error, durationMs: answer.durationMs });
        }
      });
      const ended = new Promise<void>((resolve) => {
        const end = (): void => {
          // The next program gets a new container in this one's place.
          const index = this.workers.indexOf(worker);
          if (index >= 0) this.workers[index] = undefined;
          void container.remove({ force: true }).catch(() => {}).then(() => untrackContainer(container.id));
          resolve();
        };
        stream.once("end", end);
        stream.once("close", end);
        stream.once("error", end);
      });
      stream.on("error", () => {});
      const worker: Worker = { container, stdin: stream, pending, ended };
      return worker;
    } catch (error) {
      await container.remove({ force: true }).catch(() => {});
      untrackContainer(container.id);
      throw new SandboxError(`Could not start a grading container from ${this.options.image}: ${(error as Error).message}`, { cause: error });
    }
  }
}
