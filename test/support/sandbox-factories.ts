import { SandboxError } from "../../src/errors.js";
import { createDockerClient, isDockerReachable } from "../../src/sandbox/docker-client.js";
import { createDockerSandbox } from "../../src/sandbox/docker-sandbox.js";
import { DEFAULT_RECIPE_NAME, ensureImage, findRecipe } from "../../src/sandbox/images.js";
import { createLocalSandbox } from "../../src/sandbox/local-sandbox.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { WorkspaceFiles, workspaceFileMethods } from "../../src/sandbox/workspace-files.js";

/** A way to make a sandbox over a host directory, for suites that must pass against every sandbox. */
export interface SandboxFactory {
  name: "local" | "docker";
  create(hostDir: string, options?: SandboxFactoryOptions): Promise<Sandbox>;
}

/** Settings every factory takes. */
export interface SandboxFactoryOptions {
  commandTimeoutMs?: number;
  env?: Record<string, string>;
  /** PATH of the local sandbox (the host's by default); the Docker sandbox keeps its image's. */
  path?: string;
}

/** A sandbox with real file operations and no command execution, for file-only unit tests. */
export function createFilesOnlySandbox(hostDir: string, workdir = "/workspace"): Sandbox {
  const files = new WorkspaceFiles({ hostRoot: hostDir, workdir });
  return {
    kind: "local",
    workdir,
    hostWorkdir: files.hostRoot,
    description: "a files-only test sandbox",
    exec: async () => {
      throw new SandboxError("this test sandbox cannot run commands");
    },
    ...workspaceFileMethods(files),
    dispose: async () => {},
  };
}

const docker = createDockerClient(process.env);
let image: Promise<string> | undefined;

/** The default sandbox image, built once per test process when missing (minutes on a fresh machine). */
export function sandboxImage(): Promise<string> {
  image ??= ensureImage(docker, findRecipe(DEFAULT_RECIPE_NAME)).then((ensured) => ensured.tag);
  return image;
}

const localFactory: SandboxFactory = {
  name: "local",
  create: (hostDir, { path, ...options } = {}) => createLocalSandbox({ hostWorkdir: hostDir, ...options, path: path ?? process.env["PATH"] ?? "/usr/bin:/bin" }),
};

const dockerFactory: SandboxFactory = {
  name: "docker",
  create: async (hostDir, { path: _localPath, ...options } = {}) =>
    createDockerSandbox({ docker, image: await sandboxImage(), hostWorkdir: hostDir, runId: "test", ...options }),
};

const isCi = process.env["CI"] === "true";
const dockerReachable = await isDockerReachable(docker, 5_000);
if (!dockerReachable && !isCi) {
  console.warn("[skipped] Docker sandbox suites: the Docker engine is not reachable (start it with `sudo dockerd &`).");
}

/**
 * The sandboxes the shared suites run against: always the local one; the Docker one when an
 * engine answers, and always in CI (where an unreachable engine then fails the suites loudly).
 */
export const sandboxFactories: SandboxFactory[] = [localFactory, ...(dockerReachable || isCi ? [dockerFactory] : [])];

/** The Docker factory alone, for Docker-only behaviour (non-root user, no network, labels). */
export const dockerFactories: SandboxFactory[] = sandboxFactories.filter((factory) => factory.name === "docker");

/** The Docker client the factories use. */
export const testDocker = docker;
