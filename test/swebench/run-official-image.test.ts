import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { COMMON_DEBIAN_PACKAGES } from "../../swebench/debian-packages.js";
import { debianEnvironmentSpec, ensureInstanceImage } from "../../swebench/environments.js";
import { officialImageName } from "../../swebench/image-names.js";
import type { InferenceResult, SweBenchInstance } from "../../swebench/instance.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { createCliSandbox, runInProcess, writeJson, type CliSandbox } from "../cli/cli-harness.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createSyntheticDataset, SYNTHETIC_SPEC } from "../../bench/support/synthetic-swebench.js";
import { calcSolveScript } from "./calc-script.js";

const docker = createDockerClient(process.env);

/**
 * What the stand-in adds to a Debian instance image to look like swebench/sweb.eval.x86_64.<id>:
 * an activation at /opt/miniconda3/bin/activate that puts the env testbed first on PATH (as
 * conda's does), a command found only there, and /testbed owned by root.
 */
const OFFICIAL_LAYOUT = [
  "set -e",
  "mkdir -p /opt/miniconda3/bin /opt/miniconda3/envs/testbed/bin",
  "cat > /opt/miniconda3/bin/activate <<'EOF'",
  'if [ -n "$1" ]; then',
  '  [ -d "/opt/miniconda3/envs/$1" ] || { echo "Could not find conda environment: $1" >&2; return 1; }',
  '  export CONDA_PREFIX="/opt/miniconda3/envs/$1" CONDA_DEFAULT_ENV="$1" PATH="/opt/miniconda3/envs/$1/bin:$PATH"',
  "fi",
  "conda() { :; }",
  "EOF",
  "printf '#!/bin/sh\\necho \"testbed env at $CONDA_PREFIX\"\\n' > /opt/miniconda3/envs/testbed/bin/testbed-marker",
  "chmod 755 /opt/miniconda3/envs/testbed/bin/testbed-marker",
  "chown -R root:root /testbed",
].join("\n");

/** Tags a stand-in official image of `instanceId`, made from the synthetic repository's Debian instance image. */
async function buildStandInOfficialImage(instanceId: string, reposDir: string, base: SweBenchInstance): Promise<string> {
  // acme__calc-1's image: the one the other SWE-bench tests build, so usually cached.
  const environment = debianEnvironmentSpec(base, SYNTHETIC_SPEC, [...COMMON_DEBIAN_PACKAGES]);
  const { tag } = await ensureInstanceImage({ docker, instance: base, environment, sourceRepo: join(reposDir, "acme", "calc") });
  const official = officialImageName(instanceId);
  const maker = await docker.createContainer({ Image: tag, Cmd: ["bash", "-c", OFFICIAL_LAYOUT], User: "root" });
  try {
    await maker.start();
    expect((await maker.wait()).StatusCode).toBe(0);
    const [repo, version] = official.split(":") as [string, string];
    await maker.commit({ repo, tag: version });
  } finally {
    await maker.remove({ force: true });
  }
  return official;
}

/** `agent swebench run --environment official` on one instance, in process; its results.jsonl line. */
async function runOfficial(home: CliSandbox, instance: SweBenchInstance, reposDir: string): Promise<{ result: InferenceResult; output: string; stderr: string }> {
  const dataset = join(home.home, "dataset.jsonl");
  await writeFile(dataset, `${JSON.stringify(instance)}\n`);
  const output = join(home.home, "out");
  // No --specs: the official image needs no spec of the Debian environment.
  const run = await runInProcess(
    ["--model", `scripted:${join(home.home, "script.json")}`, "swebench", "run", "--dataset", dataset, "--repos-dir", reposDir, "--output", output, "--environment", "official"],
    home,
  );
  expect(run.code, run.stderr).toBe(0);
  const [result] = (await readFile(join(output, "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as InferenceResult);
  return { result: result!, output, stderr: run.stderr };
}

describeWithDocker("agent swebench run --environment official (a stand-in official image)", () => {
  it("runs the agents in the official image with conda's env testbed on PATH, on a tree at /testbed they can write, and writes the prediction", async () => {
    const { reposDir, instances } = await createSyntheticDataset(1);
    const instance = { ...instances[0]!, instance_id: "acme__calc-conda" };
    const official = await buildStandInOfficialImage(instance.instance_id, reposDir, instances[0]!);
    try {
      const home = await createCliSandbox();
      await writeJson(join(home.home, "script.json"), calcSolveScript('testbed-marker && touch written-here && rm written-here && echo "wrote in $(pwd)"'));
      const { result, output, stderr } = await runOfficial(home, instance, reposDir);

      expect(result, stderr).toMatchObject({ instance_id: "acme__calc-conda", status: "solved" });
      expect(stderr).toContain(`acme__calc-conda: the official image ${official}`);
      const [prediction] = (await readFile(join(output, "predictions.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
      expect(prediction!.model_patch).toContain("+    if b == 0:");
      expect(prediction!.model_patch).not.toContain("written-here");
      const trajectory = await readFile(join(result.runDir!, "trajectory.jsonl"), "utf8");
      // Found through the env's bin on PATH, with the activation's CONDA_PREFIX; the sandbox's user wrote in /testbed.
      expect(trajectory).toContain("testbed env at /opt/miniconda3/envs/testbed");
      expect(trajectory).toContain("wrote in /testbed");
    } finally {
      await docker.getImage(official).remove({ force: true }).catch(() => undefined);
    }
  }, 600_000);

  it("gives an instance whose official image is absent and cannot be pulled an environment-error result that says what to do", async () => {
    const { reposDir, instances } = await createSyntheticDataset(1);
    const instance = { ...instances[0]!, instance_id: "acme__calc-no-image" };
    const home = await createCliSandbox();
    await writeJson(join(home.home, "script.json"), calcSolveScript());
    const { result, output } = await runOfficial(home, instance, reposDir);

    expect(result).toMatchObject({ instance_id: "acme__calc-no-image", status: "environment-error", runId: null });
    expect(result.error).toContain(`The official image ${officialImageName(instance.instance_id)} is not here and cannot be pulled`);
    expect(result.error).toContain("--environment debian");
    expect(await readFile(join(output, "predictions.jsonl"), "utf8").catch(() => "")).toBe("");
  }, 120_000);
});
