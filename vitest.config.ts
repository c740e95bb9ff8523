import { defineConfig } from "vitest/config";
import { SummaryReporter } from "./test/summary-reporter.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    // Two files at a time: most tests wait on git, Docker and child processes, not on this 2-core machine's CPUs (vitest's default here is one).
    maxWorkers: 2,
    reporters: ["default", new SummaryReporter()],
    // Tests must never read the developer's own config or keys.
    env: { AGENT_TEST: "1" },
  },
});
