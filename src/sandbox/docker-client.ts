import { readFileSync } from "node:fs";
import { join } from "node:path";
import Docker from "dockerode";
import { ConfigError } from "../errors.js";

/** The Docker engine's socket when DOCKER_HOST is not set. */
export const DEFAULT_DOCKER_SOCKET = "/var/run/docker.sock";

/**
 * Creates a Dockerode client from the given environment (not `process.env`): DOCKER_HOST as
 * `unix://`, `npipe://`, `tcp://` (TLS when DOCKER_TLS_VERIFY is set, certificates from
 * DOCKER_CERT_PATH) or `ssh://`; the default socket when it is unset or empty.
 */
export function createDockerClient(env: Record<string, string | undefined>): Docker {
  const host = env["DOCKER_HOST"]?.trim();
  if (!host) return new Docker({ socketPath: DEFAULT_DOCKER_SOCKET });
  if (host.startsWith("unix://")) return new Docker({ socketPath: host.slice("unix://".length) });
  if (host.startsWith("npipe://")) return new Docker({ socketPath: host.slice("npipe://".length).replaceAll("/", "\\") });
  let url: URL;
  try {
    url = new URL(host);
  } catch (error) {
    throw new ConfigError(`DOCKER_HOST=${host} is not a valid address; use e.g. unix:///var/run/docker.sock or tcp://host:2376.`, { cause: error });
  }
  if (url.protocol === "ssh:") {
    return new Docker({ protocol: "ssh", host: url.hostname, port: url.port ? Number(url.port) : 22, ...(url.username ? { username: url.username } : {}) });
  }
  if (url.protocol !== "tcp:" && url.protocol !== "http:" && url.protocol !== "https:") {
    throw new ConfigError(`DOCKER_HOST=${host} uses an unsupported scheme; use unix://, tcp://, npipe:// or ssh://.`);
  }
  const tls = url.protocol === "https:" || Boolean(env["DOCKER_TLS_VERIFY"]);
  const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
  if (!tls) return new Docker({ protocol: "http", host: url.hostname, port });
  const certPath = env["DOCKER_CERT_PATH"] || join(env["HOME"] ?? "", ".docker");
  try {
    return new Docker({
      protocol: "https",
      host: url.hostname,
      port,
      ca: readFileSync(join(certPath, "ca.pem")),
      cert: readFileSync(join(certPath, "cert.pem")),
      key: readFileSync(join(certPath, "key.pem")),
    });
  } catch (error) {
    throw new ConfigError(`DOCKER_TLS_VERIFY is set but the certificates in ${certPath} (ca.pem, cert.pem, key.pem) cannot be read; set DOCKER_CERT_PATH.`, {
      cause: error,
    });
  }
}

/** True when the engine answers a ping within `timeoutMs`; never throws. */
export async function isDockerReachable(docker: Docker, timeoutMs = 3_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([docker.ping().then(() => true, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
