import { spawn } from "node:child_process";
import { hostname } from "node:os";
import { afterAll, expect, it } from "vitest";
import { SANDBOX_LABELS } from "../../src/sandbox/docker-sandbox.js";
import { listSandboxContainers, pruneSandboxes } from "../../src/sandbox/prune-sandboxes.js";
import { describeWithDocker } from "../support/require-docker.js";
import { sandboxImage, testDocker } from "../support/sandbox-factories.js";

/** The pid of a process that has certainly ended. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ["-e", ""]);
  await new Promise((resolve) => child.on("close", resolve));
  return child.pid!;
}

const created: string[] = [];

async function labelledContainer(runId: string, pid: number): Promise<string> {
  const container = await testDocker.createContainer({
    Image: await sandboxImage(),
    Cmd: ["sleep", "infinity"],
    Labels: {
      [SANDBOX_LABELS.managed]: "true",
      [SANDBOX_LABELS.sandbox]: "true",
      [SANDBOX_LABELS.runId]: runId,
      [SANDBOX_LABELS.pid]: String(pid),
      [SANDBOX_LABELS.host]: hostname(),
    },
    HostConfig: { NetworkMode: "none" },
  });
  created.push(container.id);
  return container.id;
}

afterAll(async () => {
  for (const id of created) await testDocker.getContainer(id).remove({ force: true }).catch(() => {});
});

describeWithDocker("pruning sandbox containers", () => {
  it("removes the container of a run whose process is gone and keeps the one of a live run", async () => {
    const crashed = await labelledContainer(`crashed-${Date.now()}`, await deadPid());
    const live = await labelledContainer(`live-${Date.now()}`, process.pid);

    const removed = await pruneSandboxes(testDocker);
    const remaining = (await listSandboxContainers(testDocker)).map((container) => container.id);

    expect(removed.map((container) => container.id)).toContain(crashed);
    expect(removed.map((container) => container.id)).not.toContain(live);
    expect(remaining).toContain(live);
    expect(remaining).not.toContain(crashed);
  }, 120_000);

  it("removes every container of one run with all, even a live one, and nothing else", async () => {
    const runId = `live-all-${Date.now()}`;
    const live = await labelledContainer(runId, process.pid);
    const other = await labelledContainer(`other-${Date.now()}`, process.pid);

    const removed = await pruneSandboxes(testDocker, { all: true, runId });

    expect(removed.map((container) => container.id)).toEqual([live]);
    expect((await listSandboxContainers(testDocker)).map((container) => container.id)).toContain(other);
  }, 120_000);
});
