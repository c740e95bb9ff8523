import { spawnSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { hasRedisServer, startLocalRedisServer, type LocalRedisServer } from "../../bench/support/serve/local-redis-server.js";
import { createCliSandbox, spawnAgent, writeJson, type SpawnedCli } from "../cli/cli-harness.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createSyntheticDataset } from "../../bench/support/synthetic-swebench.js";
import { calcSolveScript, calcSpecs } from "./calc-script.js";

const script = calcSolveScript("sleep 5 && echo thought-about-it");

const redisServer = hasRedisServer();
const agents: SpawnedCli[] = [];
const redisServers: LocalRedisServer[] = [];

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.kill("SIGKILL");
  for (const redis of redisServers.splice(0)) await redis.stop();
});

async function startRedis(): Promise<string> {
  const redis = await startLocalRedisServer();
  redisServers.push(redis);
  return redis.url;
}

describeWithDocker("agent swebench run --queue with agent worker processes (BullMQ on a real redis-server)", () => {
  it.runIf(redisServer || process.env["CI"] === "true")(
    "loses no instance and finishes none twice, and gives a killed worker's instance to another worker",
    async () => {
      const home = await createCliSandbox();
      const { reposDir, instances } = await createSyntheticDataset(4);
      const dataset = join(home.home, "dataset.jsonl");
      await writeFile(dataset, instances.map((instance) => JSON.stringify(instance)).join("\n") + "\n");
      const specs = join(home.home, "specs.json");
      await writeJson(specs, calcSpecs);
      await writeJson(join(home.home, "script.json"), script);
      const queue = await startRedis();
      const model = ["--model", `scripted:${join(home.home, "script.json")}`];
      const env = { AGENT_QUEUE_LOCK_MS: "5000" };
      const worker = (name: string) => {
        const spawned = spawnAgent([...model, "worker", "--queue", queue, "--repos-dir", reposDir, "--specs", specs, "--output", join(home.home, name)], home, env);
        agents.push(spawned);
        return spawned;
      };
      const doomed = worker("worker-1");
      const survivor = worker("worker-2");
      const coordinator = spawnAgent([...model, "swebench", "run", "--queue", queue, "--dataset", dataset, "--output", join(home.home, "out"), "--model-name", "scripted-e2e"], home, env);
      agents.push(coordinator);

      // Kill worker 1 in the middle of its first instance (during the programmer's sleep).
      let killedInstance: string | undefined;
      for (let attempt = 0; attempt < 600 && !killedInstance; attempt += 1) {
        const runs = await readdir(join(home.home, "worker-1", "runs")).catch(() => [] as string[]);
        for (const run of runs.filter((name) => /^\d{8}-/.test(name))) {
          const trajectory = await readFile(join(home.home, "worker-1", "runs", run, "trajectory.jsonl"), "utf8").catch(() => "");
          if (trajectory.includes("thought-about-it") || trajectory.includes("sleep 5")) {
            killedInstance = (JSON.parse(await readFile(join(home.home, "worker-1", "runs", run, "run.json"), "utf8")) as { task: { source: string } }).task.source.replace("swebench:", "");
          }
        }
        if (!killedInstance) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(killedInstance, doomed.output()).toBeDefined();
      doomed.kill("SIGKILL");
      await doomed.result;
      // A killed process cannot remove its sandboxes (`agent sandbox prune` would); the test does.
      const leftovers = spawnSync("docker", ["ps", "-aq", "--filter", `label=agent.pid=${doomed.pid}`], { encoding: "utf8" }).stdout.split("\n").filter(Boolean);
      if (leftovers.length > 0) spawnSync("docker", ["rm", "-f", ...leftovers]);

      const done = await coordinator.result;
      expect(done.code, `${done.stdout}\n${done.stderr}\n--- survivor ---\n${survivor.output()}`).toBe(0);
      const predictions = (await readFile(join(home.home, "out", "predictions.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { instance_id: string; model_patch: string; model_name_or_path: string });
      expect(predictions.map((prediction) => prediction.instance_id).sort()).toEqual(instances.map((instance) => instance.instance_id).sort());
      for (const prediction of predictions) {
        expect(prediction.model_name_or_path).toBe("scripted-e2e");
        expect(prediction.model_patch).toContain("+    if b == 0:");
      }
      const results = (await readFile(join(home.home, "out", "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { instance_id: string; worker: string; status: string });
      expect(results).toHaveLength(4);
      expect(results.every((result) => result.status === "solved")).toBe(true);
      // The killed worker's instance was finished by the surviving worker.
      const rescued = results.find((result) => result.instance_id === killedInstance)!;
      expect(rescued.worker.endsWith(`:${survivor.pid}`)).toBe(true);
    },
    600_000,
  );
});
