import { hostname } from "node:os";
import type Docker from "dockerode";
import { SANDBOX_LABELS } from "./docker-sandbox.js";

/** A sandbox container found by its labels. */
export interface SandboxContainer {
  id: string;
  runId: string;
  state: string;
  createdAt: string;
  /** Why it is (or is not) considered left over. */
  reason: string;
  stale: boolean;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Lists the sandbox containers on the engine. A container is stale when the process that made
 * it, on this host, is gone (a crashed or killed run); containers of live runs, and of other
 * hosts sharing the engine, are not.
 */
export async function listSandboxContainers(docker: Docker): Promise<SandboxContainer[]> {
  const containers = await docker.listContainers({ all: true, filters: { label: [`${SANDBOX_LABELS.sandbox}=true`] } });
  const here = hostname();
  return containers.map((container) => {
    const labels = container.Labels ?? {};
    const pid = Number(labels[SANDBOX_LABELS.pid]);
    const host = labels[SANDBOX_LABELS.host];
    let stale = false;
    let reason: string;
    if (host !== here) reason = `made on another host (${host ?? "unknown"})`;
    else if (!Number.isInteger(pid) || pid <= 0) {
      stale = true;
      reason = "no owning process recorded";
    } else if (pid === process.pid) reason = "owned by this process";
    else if (isProcessAlive(pid)) reason = `its run (pid ${pid}) is still running`;
    else {
      stale = true;
      reason = `its run (pid ${pid}) is gone`;
    }
    return {
      id: container.Id,
      runId: labels[SANDBOX_LABELS.runId] ?? "unknown",
      state: container.State,
      createdAt: labels[SANDBOX_LABELS.createdAt] ?? new Date(container.Created * 1000).toISOString(),
      reason,
      stale,
    };
  });
}

/**
 * Removes stale sandbox containers, or with `all` every sandbox container (of one run when
 * `runId` is given), and returns what it removed.
 */
export async function pruneSandboxes(docker: Docker, options: { all?: boolean; runId?: string } = {}): Promise<SandboxContainer[]> {
  const targets = (await listSandboxContainers(docker)).filter(
    (container) => (options.runId === undefined || container.runId === options.runId) && (options.all || container.stale),
  );
  for (const target of targets) {
    await docker
      .getContainer(target.id)
      .remove({ force: true, v: true })
      .catch((error: unknown) => {
        if ((error as { statusCode?: number }).statusCode !== 404) throw error;
      });
  }
  return targets;
}
