/**
 * A throwaway redis-server on a free loopback port (no persistence), for the serve tests and
 * bench/serve-load: started and stopped by whoever needs it, never a shared one.
 */
import { spawn, spawnSync } from "node:child_process";
import { createServer, createConnection } from "node:net";

/** A running redis-server; `stop` kills it and waits for it to exit. */
export interface LocalRedisServer {
  url: string;
  stop(): Promise<void>;
}

/** True when `redis-server` is on the PATH (`.ci/run` installs it). */
export function hasRedisServer(): boolean {
  return spawnSync("sh", ["-c", "command -v redis-server"]).status === 0;
}

/** Starts redis-server on 127.0.0.1 and a free port; resolves once it answers PING (within 10 s). */
export async function startLocalRedisServer(): Promise<LocalRedisServer> {
  const port = await freePort();
  const child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    await exited;
  };
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (await answersPing(port)) return { url: `redis://127.0.0.1:${port}`, stop };
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await stop();
  throw new Error(`redis-server did not answer on 127.0.0.1:${port} within 10 s`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket (no client library: this runs before any queue exists). */
async function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    let answer = "";
    const done = (value: boolean) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.on("data", (chunk) => {
      answer += chunk.toString("utf8");
      if (answer.includes("\r\n")) done(answer.startsWith("+PONG"));
    });
  });
}
