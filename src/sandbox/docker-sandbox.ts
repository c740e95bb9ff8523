import { access, lstat, lchown, readdir } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type Docker from "dockerode";
import { SandboxError } from "../errors.js";
import { createCommandWatch } from "./command-watch.js";
import { ContainerWarden } from "./container-warden.js";
import { trackContainer, untrackContainer } from "./live-sandboxes.js";
import type { ExecRequest, ExecResult, Sandbox } from "./sandbox.js";
import { baseSandboxEnvironment, CONTAINER_PATH, SANDBOX_DEFAULTS } from "./sandbox-environment.js";
import { ShellSession, type ShellHost, type ShellProcess } from "./shell-session.js";
import { WorkspaceFiles, workspaceFileMethods } from "./workspace-files.js";

/** Labels that mark a container as a sandbox of this tool, so crashed runs' containers can be pruned. */
export const SANDBOX_LABELS = {
  managed: "agent.managed",
  sandbox: "agent.sandbox",
  runId: "agent.run-id",
  pid: "agent.pid",
  host: "agent.host",
  createdAt: "agent.created-at",
} as const;

/** Settings of a Docker sandbox. */
export interface DockerSandboxOptions {
  docker: Docker;
  image: string;
  /** The run's workspace on the host (a self-contained git working tree). */
  hostWorkdir: string;
  /** Where the workspace appears in the container. */
  workdir?: string;
  runId: string;
  /** Network access; off unless the run opts in. */
  network?: boolean;
  memoryMb?: number;
  cpus?: number;
  pidsLimit?: number;
  /** Megabytes one command may write (to the workspace, the engine's storage), and the size of the container's /tmp and /var/tmp. */
  diskMb?: number;
  /** Extra environment variables, passed explicitly (the host's environment never is). */
  env?: Record<string, string>;
  commandTimeoutMs?: number;
  outputLimitBytes?: number;
  /** The uid:gid commands run as; by default the workspace owner's, or 1000:1000 when that is root. */
  user?: { uid: number; gid: number };
}

/** The user the image's sandbox account has (see images.ts). */
const IMAGE_USER = { uid: 1000, gid: 1000 };

/**
 * Chooses the container user: the owner of the workspace, so files written on either side stay
 * accessible; when the workspace belongs to root (CI, root daemons) the image's unprivileged user,
 * and the workspace is handed to that user. Commands never run as root.
 */
async function chooseUser(hostWorkdir: string, requested: DockerSandboxOptions["user"]): Promise<{ uid: number; gid: number }> {
  if (requested) {
    if (requested.uid === 0) throw new SandboxError("The sandbox never runs commands as root; choose a non-zero uid.");
    return requested;
  }
  const owner = await lstat(hostWorkdir).catch((error: unknown) => {
    throw new SandboxError(`The workspace ${hostWorkdir} cannot be read: ${(error as Error).message}`, { cause: error });
  });
  if (owner.uid !== 0) return { uid: owner.uid, gid: owner.gid };
  if (process.getuid?.() !== 0) {
    throw new SandboxError(`The workspace ${hostWorkdir} belongs to root; make it yours (chown) or run the sandbox with an explicit user.`);
  }
  await handOver(hostWorkdir, IMAGE_USER);
  return IMAGE_USER;
}

/**
 * Gives a tree to a user, skipping files with several hard links (objects shared with another
 * repository must not change owner there too; git never writes to existing objects).
 */
async function handOver(path: string, user: { uid: number; gid: number }): Promise<void> {
  const info = await lstat(path);
  if (info.isDirectory() || info.nlink === 1) await lchown(path, user.uid, user.gid);
  if (!info.isDirectory()) return;
  for (const entry of await readdir(path)) await handOver(join(path, entry), user);
}

function describeDockerError(error: unknown, action: string, image: string): SandboxError {
  const status = (error as { statusCode?: number }).statusCode;
  const message = (error as Error).message ?? String(error);
  if (status === 404 && /image/i.test(message)) {
    return new SandboxError(`The sandbox image ${image} is not present; build it with \`agent images build\`.`, { cause: error, code: "image-missing" });
  }
  if (status === 404 && /container/i.test(message)) {
    return new SandboxError(`The sandbox container is gone (removed outside this run, or the Docker engine restarted), so the agent could not ${action}; resume the run to work in a new one.`, { cause: error, code: "container-gone" });
  }
  if (/ENOENT|ECONNREFUSED|connect/i.test(message)) {
    return new SandboxError(`Cannot reach the Docker engine to ${action}: ${message}. Start Docker, or use the local sandbox.`, { cause: error, code: "docker-unreachable" });
  }
  return new SandboxError(`Docker could not ${action}: ${message}`, { cause: error });
}

/** The processes in the container, from the engine's one-shot statistics (cgroup v1 and v2 alike). */
async function containerProcesses(container: Docker.Container): Promise<number | undefined> {
  const stats = (await (container.stats as (options: Record<string, unknown>) => Promise<unknown>).call(container, { stream: false, "one-shot": true })) as {
    pids_stats?: { current?: number };
  };
  return stats.pids_stats?.current;
}

let dockerRoot: Promise<string | undefined> | undefined;

/** The engine's storage directory when it is on this machine (a container's writes outside the mounts land there), once per process. */
function dockerRootDirectory(docker: Docker): Promise<string | undefined> {
  dockerRoot ??= docker.info().then(
    async (info: { DockerRootDir?: string }) => (info.DockerRootDir && (await access(info.DockerRootDir).then(() => true, () => false)) ? info.DockerRootDir : undefined),
    () => undefined,
  );
  return dockerRoot;
}

async function startContainerShell(docker: Docker, container: Docker.Container, workdir: string, user: string): Promise<ShellProcess> {
  const exec = await container.exec({
    Cmd: ["bash", "--noprofile", "--norc"],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
    User: user,
    WorkingDir: workdir,
  });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  docker.modem.demuxStream(stream, stdout, stderr);
  const exited = new Promise<number | null>((resolve) => {
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      stdout.end();
      stderr.end();
      exec.inspect().then(
        (info) => resolve(info.Running ? null : (info.ExitCode ?? null)),
        () => resolve(null),
      );
    };
    stream.once("end", finish);
    stream.once("close", finish);
    stream.once("error", finish);
  });
  stream.on("error", () => {});
  return {
    stdin: stream,
    stdout,
    stderr,
    exited,
    kill: async () => {
      stream.destroy();
      await exited;
    },
    poll: () => exec.inspect().then((info) => (info.Running ? "running" : (info.ExitCode ?? null)), () => null),
  };
}

/**
 * The default sandbox: a container from a sandbox image, with the run's workspace bind-mounted
 * at /workspace, commands as an unprivileged user, no network unless asked, memory/CPU/pid
 * limits, no capability for commands (the container keeps KILL only for the root warden that stops
 * runaway ones), and labels that identify the run.
 *
 * Why a bind-mounted workspace rather than copying the repository in: the workspace is already
 * a throw-away, self-contained clone made for this run (never the user's checkout), so mounting
 * it costs nothing at start, file reads and edits are plain host file operations (exact bytes,
 * no tar round trip), git and the patch are computed on the host with simple-git, and a run
 * that is resumed after a crash finds its files where it left them.
 */
export async function createDockerSandbox(options: DockerSandboxOptions): Promise<Sandbox> {
  const { docker } = options;
  const workdir = options.workdir ?? "/workspace";
  const user = await chooseUser(options.hostWorkdir, options.user);
  const userSpec = `${user.uid}:${user.gid}`;
  const home = "/tmp/agent-home";
  const env = { ...baseSandboxEnvironment(home, CONTAINER_PATH), ...options.env };
  const pidsLimit = options.pidsLimit ?? 1024;
  const diskMb = options.diskMb ?? 2048;
  let container: Docker.Container;
  try {
    container = await docker.createContainer({
      Image: options.image,
      Cmd: ["sleep", "infinity"],
      // The container's own processes (init, the warden) are root's, out of the commands' reach;
      // every command runs as the unprivileged user (each exec names it).
      User: "0:0",
      WorkingDir: workdir,
      Env: Object.entries(env).map(([key, value]) => `${key}=${value}`),
      Labels: {
        [SANDBOX_LABELS.managed]: "true",
        [SANDBOX_LABELS.sandbox]: "true",
        [SANDBOX_LABELS.runId]: options.runId,
        [SANDBOX_LABELS.pid]: String(process.pid),
        [SANDBOX_LABELS.host]: hostname(),
        [SANDBOX_LABELS.createdAt]: new Date().toISOString(),
      },
      HostConfig: {
        Binds: [`${options.hostWorkdir}:${workdir}`],
        NetworkMode: options.network ? "bridge" : "none",
        Memory: (options.memoryMb ?? 4096) * 1024 * 1024,
        NanoCpus: Math.round((options.cpus ?? 2) * 1e9),
        PidsLimit: pidsLimit,
        // /tmp (and the home directory in it) and /var/tmp in memory, of a bounded size, so a command cannot fill the host's disk there.
        Tmpfs: { "/tmp": `rw,nosuid,nodev,size=${diskMb}m,mode=1777`, "/var/tmp": `rw,nosuid,nodev,size=${diskMb}m,mode=1777` },
        // KILL only for root's warden (see ContainerWarden); the commands' user gets no capability.
        CapDrop: ["ALL"],
        CapAdd: ["KILL"],
        SecurityOpt: ["no-new-privileges"],
        Init: true,
      },
    });
    trackContainer(container.id);
    await container.start();
  } catch (error) {
    throw describeDockerError(error, "start the sandbox container", options.image);
  }

  const files = new WorkspaceFiles({
    hostRoot: options.hostWorkdir,
    workdir,
    onCreate: process.getuid?.() === user.uid ? undefined : (hostPath) => lchown(hostPath, user.uid, user.gid),
  });
  const warden = new ContainerWarden(docker, container);
  try {
    await warden.start();
  } catch (error) {
    await container.remove({ force: true, v: true }).catch(() => {});
    untrackContainer(container.id);
    throw describeDockerError(error, "start the sandbox's process warden", options.image);
  }
  const host: ShellHost = {
    startShell: () => startContainerShell(docker, container, workdir, userSpec).catch((error: unknown) => {
      throw describeDockerError(error, "start a shell in it", options.image);
    }),
    killCommandTree: async (shellPid) => void (await warden.stop(shellPid, "command")),
    killShell: async (shellPid) => void (await warden.stop(shellPid, "shell")),
  };
  const dockerRoot = await dockerRootDirectory(docker);
  const session = new ShellSession(host, {
    workdir,
    isolated: true,
    watch: createCommandWatch(
      {
        countProcesses: () => containerProcesses(container),
        diskPaths: [options.hostWorkdir, ...(dockerRoot ? [dockerRoot] : [])],
      },
      { processes: Math.max(16, Math.floor(pidsLimit / 2)), diskMb },
    ),
    defaultTimeoutMs: options.commandTimeoutMs ?? SANDBOX_DEFAULTS.commandTimeoutMs,
    outputLimitBytes: options.outputLimitBytes ?? SANDBOX_DEFAULTS.outputLimitBytes,
  });
  let disposed: Promise<void> | undefined;
  const network = options.network ? "network on" : "no network";
  return {
    kind: "docker",
    workdir,
    hostWorkdir: files.hostRoot,
    description:
      `A Docker container (image ${options.image}, Debian Linux) with the repository at ${workdir}, running as an ` +
      `unprivileged user (uid ${user.uid}) with ${network}. Commands run in one persistent bash session (cd and export ` +
      "persist), with a time limit per command and long output shortened to its head and tail. There is no terminal: " +
      "interactive programs (editors, pagers, REPLs) cannot be used.",
    exec: (request: ExecRequest, signal?: AbortSignal): Promise<ExecResult> => session.run(request, signal),
    ...workspaceFileMethods(files),
    dispose: () =>
      (disposed ??= (async () => {
        await session.dispose();
        await warden.dispose();
        await container.remove({ force: true, v: true }).catch((error: unknown) => {
          if ((error as { statusCode?: number }).statusCode !== 404) throw describeDockerError(error, "remove the sandbox container", options.image);
        });
        untrackContainer(container.id);
      })()),
  };
}
