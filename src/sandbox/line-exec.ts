import { PassThrough } from "node:stream";
import type Docker from "dockerode";

/** A process started in a container with `docker exec`, spoken to in lines over its stdin and stdout. */
export interface LineExec {
  /** Writes one line (a newline is added). */
  writeLine(line: string): void;
  /** Settles once the process's stream has ended (it exited, or the engine dropped it). */
  ended: Promise<void>;
  /** Closes its stdin. */
  end(): void;
}

/**
 * Starts `cmd` in the container as `user` with stdin attached, and calls `onLine` with each line
 * it writes on stdout (stderr is discarded). Used by long-lived helpers that answer requests
 * line by line: the sandbox's warden and the benchmark grader's driver.
 */
export async function startLineExec(docker: Docker, container: Docker.Container, cmd: string[], user: string, onLine: (line: string) => void): Promise<LineExec> {
  const exec = await container.exec({ Cmd: cmd, User: user, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: true });
  const stdout = new PassThrough();
  docker.modem.demuxStream(stream, stdout, new PassThrough().resume());
  let buffered = "";
  stdout.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    let newline: number;
    while ((newline = buffered.indexOf("\n")) >= 0) {
      const line = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      onLine(line);
    }
  });
  stream.on("error", () => {});
  const ended = new Promise<void>((resolve) => {
    stream.once("end", resolve);
    stream.once("close", resolve);
    stream.once("error", resolve);
  });
  return { writeLine: (line) => stream.write(`${line}\n`), ended, end: () => stream.end() };
}
