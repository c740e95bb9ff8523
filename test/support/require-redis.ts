import { describe, it } from "vitest";
import { hasRedisServer } from "../../bench/support/serve/local-redis-server.js";

const isCi = process.env["CI"] === "true";

/** `describe` for suites that need redis-server: skipped with a note without it, a failing test in CI (CI=true). */
export function describeWithRedis(name: string, fn: () => void): void {
  if (hasRedisServer()) {
    describe(name, fn);
    return;
  }
  if (isCi) {
    describe(name, () => {
      it("redis-server is required in CI", () => {
        throw new Error("redis-server is not on the PATH, and CI must run the Redis queue tests: install it (.ci/run does: apt-get install redis-server).");
      });
    });
    return;
  }
  console.warn(`[skipped] ${name}: redis-server is not on the PATH (apt-get install redis-server).`);
  describe.skip(name, fn);
}
