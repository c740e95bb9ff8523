import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { COMMON_DEBIAN_PACKAGES } from "../../swebench/debian-packages.js";
import { debianEnvironmentSpec, ensureInstanceImage, HARNESS_LABEL, repositorySource } from "../../swebench/environments.js";
import { AbortedError, SANDBOX_LABELS } from "../../src/index.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createSyntheticDataset, SYNTHETIC_SPEC } from "../../bench/support/synthetic-swebench.js";

const docker = createDockerClient(process.env);

describeWithDocker("interrupting an instance's set-up", () => {
  it("stops within 5 s, removes the set-up container and records no failure", async () => {
    const { reposDir, instances: [base] } = await createSyntheticDataset(1);
    // An instance of its own (a pre_install that takes long), so no cached image answers at once.
    const instance = { ...base!, instance_id: "acme__calc-abort" };
    const spec = { ...SYNTHETIC_SPEC, pre_install: ["sleep 120"] };
    const environment = debianEnvironmentSpec(instance, spec, [...COMMON_DEBIAN_PACKAGES]);
    const cacheDir = await mkdtemp(join(tmpdir(), "swebench-abort-"));
    const sourceRepo = await repositorySource(instance.repo, { reposDir, cacheDir });
    const failures = { dir: join(cacheDir, "failures"), retry: false };
    const controller = new AbortController();
    let abortedAt = 0;
    const setUp = ensureInstanceImage({
      docker,
      instance,
      environment,
      sourceRepo,
      failures,
      signal: controller.signal,
      onProgress: (line) => {
        if (!line.startsWith("setting up")) return;
        // The set-up container is started just after this line; give it time to reach the sleep.
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort();
        }, 3_000);
      },
    });
    await expect(setUp).rejects.toBeInstanceOf(AbortedError);
    expect(Date.now() - abortedAt).toBeLessThan(5_000);
    const left = await docker.listContainers({ all: true, filters: { label: [`${HARNESS_LABEL}=setup`, `${SANDBOX_LABELS.runId}=setup-acme__calc-abort`] } });
    expect(left).toEqual([]);
    // An interruption says nothing about the recipe: no failure is recorded, the next try builds again.
    expect(await readdir(failures.dir).catch(() => [])).toEqual([]);
  }, 300_000);
});
