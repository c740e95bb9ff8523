import { defineConfig } from "vitest/config";
import { SummaryReporter } from "./test/summary-reporter.js";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: "forks",
    reporters: ["default", new SummaryReporter()],
    // Tests must never read the developer's own config or keys.
    env: { AGENT_TEST: "1" },
  },
});
