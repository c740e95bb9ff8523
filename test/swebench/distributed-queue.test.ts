import { afterAll, beforeAll, expect, it } from "vitest";
import { startLocalRedisServer, type LocalRedisServer } from "../../bench/support/serve/local-redis-server.js";
import { describeWithRedis } from "../support/require-redis.js";
import { distributeInstances, startQueueWorker, type QueueSettings, type SolveJobResult } from "../../swebench/distributed.js";
import type { InferenceResult, SweBenchInstance } from "../../swebench/instance.js";

function instance(id: string): SweBenchInstance {
  return {
    repo: "acme/calc",
    instance_id: id,
    base_commit: "0".repeat(40),
    patch: "",
    test_patch: "",
    problem_statement: "",
    hints_text: "",
    created_at: "2026-01-01T00:00:00Z",
    version: "1.0",
    FAIL_TO_PASS: [],
    PASS_TO_PASS: [],
    environment_setup_commit: "0".repeat(40),
  };
}

function solved(id: string): SolveJobResult {
  return {
    result: { instance_id: id, status: "solved", runId: `run-${id}`, runDir: null, costUsd: 0, durationMs: 1, patchBytes: 10, worker: "test:1" },
    prediction: { instance_id: id, model_name_or_path: "scripted", model_patch: `patch of ${id}` },
  };
}

describeWithRedis("distributeInstances and startQueueWorker on a real redis-server", () => {
  let redis: LocalRedisServer;
  let queueCount = 0;

  beforeAll(async () => {
    redis = await startLocalRedisServer();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  const queue = (): QueueSettings => ({ url: redis.url, name: `distributed-${(queueCount += 1)}` });

  it("hands every result to onDone exactly once, however quickly the jobs finish between two polls", async () => {
    const settings = queue();
    const ids = Array.from({ length: 40 }, (_, index) => `acme__calc-${index}`);
    const worker = await startQueueWorker({
      queue: settings,
      concurrency: 8,
      // Finishing at random moments puts completions between the coordinator's reads of a job's state and its data.
      solve: async (data) => {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 600));
        return solved(data.instance.instance_id);
      },
    });
    const done: Array<{ result: InferenceResult; patch: string | null | undefined }> = [];
    try {
      await distributeInstances({
        queue: settings,
        instances: ids.map(instance),
        jobData: (item) => ({ instance: item, modelName: "scripted" }),
        onDone: async (result, prediction) => void done.push({ result, patch: prediction?.model_patch }),
        shouldStop: () => false,
      });
    } finally {
      await worker.close();
    }
    expect(done.map((entry) => entry.result.instance_id).sort()).toEqual([...ids].sort());
    for (const entry of done) {
      expect(entry.result.status).toBe("solved");
      expect(entry.patch).toBe(`patch of ${entry.result.instance_id}`);
    }
  }, 60_000);

  it("records a completed job that carries no result as an error for that instance and goes on with the others", async () => {
    const settings = queue();
    const worker = await startQueueWorker({
      queue: settings,
      concurrency: 2,
      solve: async (data) => (data.instance.instance_id === "acme__calc-empty" ? (null as unknown as SolveJobResult) : solved(data.instance.instance_id)),
    });
    const done: InferenceResult[] = [];
    try {
      await distributeInstances({
        queue: settings,
        instances: [instance("acme__calc-empty"), instance("acme__calc-fine")],
        jobData: (item) => ({ instance: item, modelName: "scripted" }),
        onDone: async (result) => void done.push(result),
        shouldStop: () => false,
      });
    } finally {
      await worker.close();
    }
    const byId = new Map(done.map((result) => [result.instance_id, result]));
    expect(done).toHaveLength(2);
    expect(byId.get("acme__calc-fine")?.status).toBe("solved");
    expect(byId.get("acme__calc-empty")).toMatchObject({ status: "error", patchBytes: 0 });
    expect(byId.get("acme__calc-empty")?.error).toMatch(/completed on a worker without a result.*another --queue-name/);
  }, 60_000);
});
