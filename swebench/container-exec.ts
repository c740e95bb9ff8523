/**
 * The few container operations the SWE-bench harness needs, on dockerode: run a bash script in
 * a running container with a deadline (its stdout and stderr interleaved, as the official
 * harness records them) and copy files in.
 */
import { Writable } from "node:stream";
import type Docker from "dockerode";
import { AbortedError, SandboxError } from "../src/index.js";

/** What a script printed and how it ended. */
export interface ScriptResult {
  /** null when it was stopped at its deadline. */
  exitCode: number | null;
  output: string;
  timedOut: boolean;
  durationMs: number;
  /** For each watched marker seen in the output: milliseconds from the start until it arrived. */
  markerTimes: Record<string, number>;
}

/**
 * Runs `script` with `/bin/bash -c` as root in `container` (cwd `workdir`). At the deadline the
 * container is killed: a test suite that hangs can leave children that a docker exec cannot
 * reach, and the container is disposable.
 */
export async function runScript(
  container: Docker.Container,
  script: string,
  options: { timeoutMs: number; workdir?: string; signal?: AbortSignal; watchMarkers?: readonly string[] },
): Promise<ScriptResult> {
  const started = Date.now();
  const exec = await container.exec({
    Cmd: ["/bin/bash", "-c", script],
    User: "root",
    WorkingDir: options.workdir ?? "/",
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  const markerTimes: Record<string, number> = {};
  const pending = new Set(options.watchMarkers ?? []);
  let tail = "";
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk);
      if (pending.size > 0) {
        // The tail of the previous chunk too, for a marker split across two chunks.
        const text = tail + chunk.toString("utf8");
        for (const marker of pending) {
          if (!text.includes(marker)) continue;
          markerTimes[marker] = Date.now() - started;
          pending.delete(marker);
        }
        tail = text.slice(-256);
      }
      callback();
    },
  });
  container.modem.demuxStream(stream, sink, sink);
  const ended = new Promise<void>((resolve) => {
    stream.on("end", () => resolve());
    stream.on("close", () => resolve());
    stream.on("error", () => resolve());
  });
  let stopped: "deadline" | "abort" | undefined;
  const stop = (reason: "deadline" | "abort") => {
    stopped ??= reason;
    void container.kill().catch(() => undefined);
    stream.destroy();
  };
  const onAbort = () => stop("abort");
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const timer = setTimeout(() => stop("deadline"), options.timeoutMs);
  try {
    await ended;
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", onAbort);
  }
  const output = Buffer.concat(chunks).toString("utf8");
  if (stopped === "abort") throw new AbortedError();
  if (stopped === "deadline") return { exitCode: null, output, timedOut: true, durationMs: Date.now() - started, markerTimes };
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? null, output, timedOut: false, durationMs: Date.now() - started, markerTimes };
}

/** A file to copy into a container. */
export interface ContainerFile {
  /** Absolute path in the container. */
  path: string;
  content: string | Buffer;
  mode?: number;
}

/** Copies files into the container (a tar archive extracted at /; parent directories must exist). */
export async function putFiles(container: Docker.Container, files: ContainerFile[]): Promise<void> {
  await container.putArchive(tarArchive(files), { path: "/" });
}

/** A ustar archive of regular files (names up to 100 bytes after the leading slash is dropped, or 255 with a prefix). */
export function tarArchive(files: ContainerFile[]): Buffer {
  const blocks: Buffer[] = [];
  for (const file of files) {
    const content = typeof file.content === "string" ? Buffer.from(file.content, "utf8") : file.content;
    const name = file.path.replace(/^\/+/, "");
    const [prefix, base] = splitName(name);
    const header = Buffer.alloc(512, 0);
    header.write(base, 0, 100, "utf8");
    header.write(octal(file.mode ?? 0o644, 8), 100, 8, "ascii");
    header.write(octal(0, 8), 108, 8, "ascii");
    header.write(octal(0, 8), 116, 8, "ascii");
    header.write(octal(content.length, 12), 124, 12, "ascii");
    header.write(octal(Math.floor(Date.now() / 1000), 12), 136, 12, "ascii");
    header.write("        ", 148, 8, "ascii");
    header.write("0", 156, 1, "ascii");
    header.write("ustar\u000000", 257, 8, "binary");
    header.write(prefix, 345, 155, "utf8");
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, "0")}\u0000 `, 148, 8, "ascii");
    blocks.push(header, content, Buffer.alloc((512 - (content.length % 512)) % 512, 0));
  }
  blocks.push(Buffer.alloc(1024, 0));
  return Buffer.concat(blocks);
}

function splitName(name: string): [string, string] {
  if (Buffer.byteLength(name) <= 100) return ["", name];
  const slash = name.lastIndexOf("/", name.length - 1);
  const prefix = name.slice(0, slash);
  const base = name.slice(slash + 1);
  if (slash < 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(base) > 100) {
    throw new SandboxError(`The path ${name} is too long for a tar header.`, { code: "tar-path" });
  }
  return [prefix, base];
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\u0000`;
}
