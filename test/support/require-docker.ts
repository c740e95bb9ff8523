import { describe, it } from "vitest";
import { createDockerClient, isDockerReachable } from "../../src/sandbox/docker-client.js";

/** True when the Docker engine named by DOCKER_HOST (or the default socket) answers a ping. */
export async function dockerAvailable(): Promise<boolean> {
  return isDockerReachable(createDockerClient(process.env), 5_000);
}

const isCi = process.env["CI"] === "true";
const reachable = await dockerAvailable();

/**
 * `describe` for suites that need a real Docker engine. Without one they are skipped with a
 * note, except in CI (CI=true), where a failing test says Docker is required.
 */
export function describeWithDocker(name: string, fn: () => void): void {
  if (reachable) {
    describe(name, fn);
    return;
  }
  const where = process.env["DOCKER_HOST"] ? `DOCKER_HOST=${process.env["DOCKER_HOST"]}` : "/var/run/docker.sock";
  if (isCi) {
    describe(name, () => {
      it("Docker is required in CI", () => {
        throw new Error(`The Docker engine at ${where} is not reachable, and CI must run the Docker tests: start it (bash scripts/start-docker.sh).`);
      });
    });
    return;
  }
  console.warn(`[skipped] ${name}: the Docker engine at ${where} is not reachable (start it with \`sudo dockerd &\` or \`systemctl start docker\`).`);
  describe.skip(name, fn);
}
