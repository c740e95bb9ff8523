import { Writable } from "node:stream";
import type Docker from "dockerode";
import { AbortedError, SandboxError, throwIfAborted } from "../errors.js";
import { LineCollector } from "./image-process.js";
import { messageOf, splitReference } from "./image-rootfs.js";

/** The account the sandbox's commands run as. */
export interface ImageUser {
  name: string;
  uid: number;
  gid: number;
}

/** What provisioning a base image into a sandbox image needs. */
export interface ProvisionRequest {
  baseImage: string;
  /** `repo:tag` of the image to commit. */
  reference: string;
  packages: string[];
  user: ImageUser;
  /** Labels of the provisioning container and of the committed image. */
  labels: Record<string, string>;
  /** Dockerfile instructions applied at commit (USER, WORKDIR, ENV, CMD). */
  changes: string[];
  onProgress: (line: string) => void;
  signal?: AbortSignal;
}

/** The prefix of the lines that mark each provisioning step in the container's output. */
export const STEP_MARKER = "==> ";

/** How long to wait for the last output of an exited container to arrive. */
const OUTPUT_DRAIN_MS = 10_000;

const PACKAGE_NAME = /^[a-z0-9][a-z0-9+.-]+$/;
const USER_NAME = /^[a-z_][a-z0-9_-]*$/;

/** The root shell script that turns a Debian base into a sandbox image; each step prints a `==> ` marker. */
export function provisioningScript(packages: string[], user: ImageUser): string {
  const invalid = packages.filter((name) => !PACKAGE_NAME.test(name));
  if (invalid.length) throw new SandboxError(`Invalid Debian package names in the image recipe: ${invalid.join(", ")}.`, { code: "sandbox-image" });
  if (!USER_NAME.test(user.name)) throw new SandboxError(`Invalid user name in the image recipe: ${user.name}.`, { code: "sandbox-image" });
  const home = `/home/${user.name}`;
  return [
    "set -eu",
    `step() { printf '${STEP_MARKER}%s\\n' "$*"; }`,
    'step "apt-get update"',
    "apt-get -q -o Acquire::Retries=3 update",
    `step "apt-get install ${packages.join(" ")}"`,
    `DEBIAN_FRONTEND=noninteractive apt-get -q -o Acquire::Retries=3 -o Dpkg::Use-Pty=0 install -y --no-install-recommends ${packages.join(" ")}`,
    // bullseye's python3-pytest installs only `pytest-3`; test suites and agents call `pytest`.
    'step "pytest on PATH"',
    "if ! command -v pytest >/dev/null && command -v pytest-3 >/dev/null; then ln -s \"$(command -v pytest-3)\" /usr/local/bin/pytest; fi",
    'step "apt-get clean"',
    "apt-get clean",
    "rm -rf /var/lib/apt/lists/*",
    `step "create the user ${user.name} (${user.uid}:${user.gid}) and /workspace"`,
    `groupadd --gid ${user.gid} ${user.name}`,
    `useradd --uid ${user.uid} --gid ${user.gid} --home-dir ${home} --create-home --shell /bin/bash ${user.name}`,
    "mkdir -p /workspace",
    `chown ${user.uid}:${user.gid} /workspace`,
    `step "git config --system safe.directory '*'"`,
    "git config --system --add safe.directory '*'",
    'step "done"',
  ].join("\n");
}

/**
 * Runs the provisioning script as root in a container of the base image (on the default bridge
 * network, to reach the apt mirror), streams its output lines to `onProgress`, and commits the
 * result as `reference`. The container is removed afterwards, also on failure and on abort.
 */
export async function provisionImage(docker: Docker, request: ProvisionRequest): Promise<void> {
  const { onProgress, signal } = request;
  const script = provisioningScript(request.packages, request.user);
  throwIfAborted(signal);
  const container = await docker.createContainer({
    Image: request.baseImage,
    Cmd: ["bash", "-c", script],
    User: "root",
    Labels: request.labels,
    Tty: false,
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: "bridge" },
  });
  try {
    let step = "start";
    const output = new LineCollector((line) => {
      if (line.startsWith(STEP_MARKER)) step = line.slice(STEP_MARKER.length);
      onProgress(line);
    });
    const stream = await container.attach({ stream: true, stdout: true, stderr: true });
    const drained = new Promise<void>((resolve) => {
      stream.on("end", () => resolve());
      stream.on("close", () => resolve());
      stream.on("error", () => resolve());
    });
    const sink = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        output.write(chunk);
        callback();
      },
    });
    docker.modem.demuxStream(stream, sink, sink);
    await container.start();
    const exit = (await untilAborted(container.wait() as Promise<{ StatusCode: number }>, signal)).StatusCode;
    await untilAborted(withDeadline(drained, OUTPUT_DRAIN_MS), signal);
    output.end();
    if (exit !== 0) {
      throw new SandboxError(
        `Provisioning the sandbox image ${request.reference} failed at "${step}" (exit ${exit}). ` +
          `Check that the container can reach the apt mirror (it runs on Docker's default bridge network). Its last lines:\n${output.tail().join("\n")}`,
        { code: "sandbox-image" },
      );
    }
    const [repo, tag] = splitReference(request.reference);
    onProgress(`committing ${request.reference}`);
    await untilAborted(container.commit({ repo, tag, changes: request.changes }), signal);
  } catch (error) {
    if (signal?.aborted) throw new AbortedError("Interrupted.", { cause: signal.reason });
    if (error instanceof SandboxError) throw error;
    throw new SandboxError(`Provisioning the sandbox image ${request.reference} failed: ${messageOf(error)}`, { code: "sandbox-image", cause: error });
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** Settles like `promise`, or rejects with AbortedError as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(new AbortedError("Interrupted.", { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(new AbortedError("Interrupted.", { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** Resolves when `promise` does or after `ms`, whichever is first. */
function withDeadline(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}
