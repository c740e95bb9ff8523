import { spawn } from "node:child_process";
import { constants } from "node:fs";
import { access, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import type Docker from "dockerode";
import { AbortedError, SandboxError, throwIfAborted } from "../errors.js";
import { runHostProcess } from "./image-process.js";

/** What building a base image from a Debian root file system needs. */
export interface RootfsImageRequest {
  suite: string;
  mirror: string;
  /** `repo:tag` of the image to create. */
  reference: string;
  /** Labels of the image. */
  labels: Record<string, string>;
  /** Further Dockerfile instructions applied at import (ENV, CMD). */
  changes: string[];
  /** Directory under which the temporary root file system is made. */
  workDir?: string;
  onProgress: (line: string) => void;
  signal?: AbortSignal;
}

/** The facts of the host that decide whether debootstrap can run; injected in tests. */
export interface DebootstrapHost {
  /** The effective user id (0 is root). */
  uid: number;
  /** Where debootstrap is, or undefined when it is not installed. */
  debootstrapPath: string | undefined;
}

/** Looks up the host's user id and debootstrap (on PATH, or in /usr/sbin and /sbin, which a user's PATH may lack). */
export async function inspectDebootstrapHost(env: Record<string, string | undefined> = process.env): Promise<DebootstrapHost> {
  const directories = [...(env["PATH"] ?? "").split(delimiter).filter(Boolean), "/usr/sbin", "/sbin"];
  let debootstrapPath: string | undefined;
  for (const directory of directories) {
    const candidate = join(directory, "debootstrap");
    if (await access(candidate, constants.X_OK).then(() => true, () => false)) {
      debootstrapPath = candidate;
      break;
    }
  }
  return { uid: process.getuid?.() ?? -1, debootstrapPath };
}

/** Throws a SandboxError that says what to install or run when debootstrap cannot build a root file system here. */
export function assertDebootstrapUsable(host: DebootstrapHost, suite: string): asserts host is DebootstrapHost & { debootstrapPath: string } {
  const fallback = `(or, on a machine that can reach Docker Hub, run \`docker pull debian:${suite}-slim\` and move it here with \`docker save\` / \`docker load\`)`;
  if (!host.debootstrapPath) {
    throw new SandboxError(
      `No container registry is reachable, so the sandbox base image must be built with debootstrap, which is not installed: run \`sudo apt-get install debootstrap\` and then \`agent images build\` again ${fallback}.`,
      { code: "sandbox-image" },
    );
  }
  if (host.uid !== 0) {
    throw new SandboxError(
      `No container registry is reachable, so the sandbox base image must be built with debootstrap, which needs root: run \`sudo agent images build\` once ${fallback}.`,
      { code: "sandbox-image" },
    );
  }
}

/**
 * Builds a Debian root file system with `debootstrap --variant=minbase` from `mirror` and
 * imports it as the image `reference`. The root file system is removed afterwards, also on
 * failure and on abort.
 */
export async function buildRootfsImage(docker: Docker, host: DebootstrapHost, request: RootfsImageRequest): Promise<void> {
  assertDebootstrapUsable(host, request.suite);
  const { onProgress, signal } = request;
  throwIfAborted(signal);
  const rootfs = await mkdtemp(join(request.workDir ?? tmpdir(), `agent-rootfs-${request.suite}-`));
  try {
    onProgress(`debootstrap --variant=minbase ${request.suite} ${rootfs} ${request.mirror}`);
    const bootstrap = await runHostProcess(host.debootstrapPath, ["--variant=minbase", request.suite, rootfs, request.mirror], {
      onLine: onProgress,
      ...(signal ? { signal } : {}),
    });
    if (bootstrap.exitCode !== 0) {
      throw new SandboxError(
        `debootstrap of Debian ${request.suite} from ${request.mirror} failed (exit ${bootstrap.exitCode}); check that the mirror is reachable and serves ${request.suite}. Its last lines:\n${bootstrap.tail.join("\n")}`,
        { code: "sandbox-image" },
      );
    }
    onProgress(`importing the root file system as ${request.reference}`);
    await importRootfs(docker, rootfs, request);
  } finally {
    await removeRootfs(rootfs).catch((error: unknown) => onProgress(`warning: ${messageOf(error)}`));
  }
}

/** Streams `tar -c` of the root file system into `docker import`, with the labels as `LABEL` changes. */
async function importRootfs(docker: Docker, rootfs: string, request: RootfsImageRequest): Promise<void> {
  const [repo, tag] = splitReference(request.reference);
  const tar = spawn("tar", ["--numeric-owner", "--exclude=./var/cache/apt/archives/*.deb", "--exclude=./var/lib/apt/lists/*", "-C", rootfs, "-c", "."], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let tarErrors = "";
  tar.stderr.on("data", (chunk: Buffer) => (tarErrors += chunk.toString()));
  const tarDone = new Promise<number | null>((resolveExit, reject) => {
    tar.on("error", reject);
    tar.on("close", resolveExit);
  });
  const onAbort = () => tar.kill("SIGKILL");
  request.signal?.addEventListener("abort", onAbort, { once: true });
  try {
    const labels = Object.entries(request.labels).map(([key, value]) => `${key}=${JSON.stringify(value)}`);
    const stream = await docker.importImage(tar.stdout, {
      repo,
      tag,
      changes: [`LABEL ${labels.join(" ")}`, ...request.changes],
      ...(request.signal ? { abortSignal: request.signal } : {}),
    });
    await followDockerProgress(docker, stream, () => {});
    const tarExit = await tarDone;
    throwIfAborted(request.signal);
    if (tarExit !== 0) throw new SandboxError(`tar of the root file system failed (exit ${tarExit}): ${tarErrors.trim()}`, { code: "sandbox-image" });
  } catch (error) {
    tar.kill("SIGKILL");
    if (request.signal?.aborted) throw new AbortedError("Interrupted.", { cause: request.signal.reason });
    throw error instanceof SandboxError ? error : new SandboxError(`docker import of the Debian root file system failed: ${messageOf(error)}`, { code: "sandbox-image", cause: error });
  } finally {
    request.signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Removes a root file system made by debootstrap: first unmounts anything left mounted inside
 * it (an interrupted debootstrap leaves /proc and /sys mounted), then `rm -rf --one-file-system`,
 * so a leftover mount can never take host files with it.
 */
export async function removeRootfs(rootfs: string): Promise<void> {
  const root = resolve(rootfs);
  const mounts = await readFile("/proc/self/mounts", "utf8").catch(() => "");
  const inside = mounts
    .split("\n")
    .map((line) => line.split(" ")[1]?.replace(/\\040/g, " "))
    .filter((mountPoint): mountPoint is string => Boolean(mountPoint?.startsWith(`${root}/`)))
    .sort((a, b) => b.length - a.length);
  for (const mountPoint of inside) await runHostProcess("umount", ["-l", mountPoint], {}).catch(() => undefined);
  const removal = await runHostProcess("rm", ["-rf", "--one-file-system", root], {});
  if (removal.exitCode !== 0) {
    throw new SandboxError(`Could not remove the temporary root file system ${root}; remove it with \`sudo rm -rf --one-file-system ${root}\`. ${removal.tail.join(" ")}`, {
      code: "sandbox-image",
    });
  }
}

/** Waits for a Docker progress stream (pull, import) to end; rejects when the stream fails or carries an error message. */
export function followDockerProgress(docker: Docker, stream: NodeJS.ReadableStream, onEvent: (event: DockerProgressEvent) => void): Promise<void> {
  return new Promise((resolveDone, reject) => {
    let reported: string | undefined;
    docker.modem.followProgress(
      stream,
      (error: Error | null) => {
        if (error) reject(error);
        else if (reported !== undefined) reject(new SandboxError(`Docker reported: ${reported}`, { code: "docker-progress" }));
        else resolveDone();
      },
      (event: DockerProgressEvent) => {
        if (event.error !== undefined) reported ??= event.error;
        onEvent(event);
      },
    );
  });
}

/** One message of a Docker progress stream. */
export interface DockerProgressEvent {
  status?: string;
  id?: string;
  progressDetail?: { current?: number; total?: number };
  error?: string;
}

/** Splits `repo:tag` at the last colon that is not part of a registry host:port. */
export function splitReference(reference: string): [string, string] {
  const colon = reference.lastIndexOf(":");
  if (colon <= reference.lastIndexOf("/")) return [reference, "latest"];
  return [reference.slice(0, colon), reference.slice(colon + 1)];
}

/** The message of any thrown value. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
