import type Docker from "dockerode";
import type { SandboxConfig } from "../config/schema.js";
import { SandboxError } from "../errors.js";
import { isDockerReachable } from "./docker-client.js";
import { createDockerSandbox } from "./docker-sandbox.js";
import { ensureImage, findRecipe } from "./images.js";
import { createLocalSandbox } from "./local-sandbox.js";
import type { Sandbox } from "./sandbox.js";

/** Which sandbox a run gets, and whether the user must agree first. */
export interface SandboxChoice {
  kind: "docker" | "local";
  reason: string;
  /** The local sandbox is not isolated: the user must agree unless `sandbox.allowLocal` is set. */
  needsConsent: boolean;
}

/** The warning shown before the local sandbox is used. */
export const LOCAL_SANDBOX_WARNING =
  "The local sandbox is NOT isolated: the agent's commands will run on this machine as you, with your files and your network.";

/**
 * Chooses the sandbox: Docker when configured or, in `auto`, when an engine answers; the local
 * sandbox otherwise, which needs the user's consent unless configured.
 */
export async function chooseSandbox(config: SandboxConfig, docker: Docker): Promise<SandboxChoice> {
  if (config.kind === "local") return { kind: "local", reason: "sandbox.kind is local", needsConsent: !config.allowLocal };
  const reachable = await isDockerReachable(docker, 5_000);
  if (reachable) return { kind: "docker", reason: "a Docker engine answers", needsConsent: false };
  if (config.kind === "docker") {
    throw new SandboxError(
      "sandbox.kind is docker but no Docker engine answers. Start Docker (`sudo systemctl start docker` or `sudo dockerd &`), " +
        "or set sandbox.kind to auto or local (AGENT_SANDBOX=local).",
      { code: "docker-unreachable" },
    );
  }
  return { kind: "local", reason: "no Docker engine answers", needsConsent: !config.allowLocal };
}

/** What a sandbox of either kind is made from. */
export interface CreateSandboxOptions {
  choice: SandboxChoice;
  config: SandboxConfig;
  docker: Docker;
  hostWorkdir: string;
  /** Where the workspace appears in a Docker sandbox (default /workspace), e.g. /testbed over an image's own copy. */
  workdir?: string;
  runId: string;
  /** PATH for the local sandbox (the host's). */
  hostPath: string;
  env?: Record<string, string>;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** Creates the chosen sandbox; for Docker, builds the configured image first when it is missing. */
export async function createSandbox(options: CreateSandboxOptions): Promise<Sandbox> {
  const { config } = options;
  const common = {
    hostWorkdir: options.hostWorkdir,
    commandTimeoutMs: config.commandTimeoutSec * 1000,
    diskMb: config.diskMb,
    ...(options.env ? { env: options.env } : {}),
  };
  if (options.choice.kind === "local") return createLocalSandbox({ ...common, path: options.hostPath, processesPerCommand: Math.max(16, Math.floor(config.pidsLimit / 2)) });
  const image =
    config.image ??
    (await ensureImage(options.docker, findRecipe(config.recipe), {
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    })).tag;
  return createDockerSandbox({
    ...common,
    ...(options.workdir ? { workdir: options.workdir } : {}),
    docker: options.docker,
    image,
    runId: options.runId,
    network: config.network,
    memoryMb: config.memoryMb,
    cpus: config.cpus,
    pidsLimit: config.pidsLimit,
  });
}
