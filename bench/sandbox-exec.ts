/**
 * bench/sandbox-exec: how fast the Docker sandbox runs commands and starts, against the plain
 * docker CLI measured in the same run on the same image.
 *   round trip: median of `ls /` through DockerSandbox's persistent shell vs `docker exec` as a
 *     subprocess (target ratio <= 0.1);
 *   start: create to first command completed vs `docker run --rm IMAGE ls /` (target <= 1.0).
 * Run: npm run build && node dist/bench/sandbox-exec.js [--rounds N]
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDockerClient, isDockerReachable } from "../src/sandbox/docker-client.js";
import { createDockerSandbox } from "../src/sandbox/docker-sandbox.js";
import { DEFAULT_RECIPE_NAME, ensureImage, findRecipe } from "../src/sandbox/images.js";

const rounds = Number(process.argv[process.argv.indexOf("--rounds") + 1]) || 30;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function run(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(performance.now() - started) : reject(new Error(`${command} ${args.join(" ")}: ${stderr}`))));
  });
}

const docker = createDockerClient(process.env);
if (!(await isDockerReachable(docker))) {
  process.stderr.write("bench/sandbox-exec: no Docker engine answers; start it first (bash scripts/start-docker.sh).\n");
  process.exit(2);
}
const { tag: image } = await ensureImage(docker, findRecipe(DEFAULT_RECIPE_NAME));
const workspace = await mkdtemp(join(tmpdir(), "bench-sandbox-"));

// Start: create to first command completed, against `docker run --rm`.
const startRounds = Math.max(3, Math.round(rounds / 6));
const sandboxStarts: number[] = [];
const dockerRunStarts: number[] = [];
for (let index = 0; index < startRounds; index += 1) {
  const started = performance.now();
  const sandbox = await createDockerSandbox({ docker, image, hostWorkdir: workspace, runId: "bench" });
  await sandbox.exec({ command: "ls /" });
  sandboxStarts.push(performance.now() - started);
  await sandbox.dispose();
  dockerRunStarts.push(await run("docker", ["run", "--rm", "--network", "none", image, "ls", "/"]));
}

// Round trip: `ls /` in a running sandbox, against `docker exec` into the same container.
const sandbox = await createDockerSandbox({ docker, image, hostWorkdir: workspace, runId: "bench" });
await sandbox.exec({ command: "true" });
const sandboxTrips: number[] = [];
for (let index = 0; index < rounds; index += 1) {
  const started = performance.now();
  await sandbox.exec({ command: "ls /" });
  sandboxTrips.push(performance.now() - started);
}
const [container] = await docker.listContainers({ filters: { label: ["agent.run-id=bench"] } });
const execTrips: number[] = [];
for (let index = 0; index < rounds; index += 1) execTrips.push(await run("docker", ["exec", container!.Id, "ls", "/"]));
await sandbox.dispose();
await rm(workspace, { recursive: true, force: true });

const tripRatio = median(sandboxTrips) / median(execTrips);
const startRatio = median(sandboxStarts) / median(dockerRunStarts);
const line = (label: string, ours: number, baseline: number, ratio: number, target: number): string =>
  `${label.padEnd(46)} ${ours.toFixed(1).padStart(8)} ms  vs ${baseline.toFixed(1).padStart(8)} ms  ratio ${ratio.toFixed(3)}  (target <= ${target}) ${ratio <= target ? "met" : "NOT met"}`;
process.stdout.write(`bench/sandbox-exec on ${image}, ${rounds} round trips, ${startRounds} starts\n`);
process.stdout.write(`${line("round trip `ls /` (vs docker exec)", median(sandboxTrips), median(execTrips), tripRatio, 0.1)}\n`);
process.stdout.write(`${line("create to first command (vs docker run --rm)", median(sandboxStarts), median(dockerRunStarts), startRatio, 1.0)}\n`);
