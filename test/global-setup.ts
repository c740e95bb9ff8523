import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createDockerClient, isDockerReachable } from "../src/sandbox/docker-client.js";
import { DEFAULT_RECIPE_NAME, ensureImage, findRecipe } from "../src/sandbox/images.js";

/**
 * Runs once before the suite: builds dist/ (with its prompt files) so tests that spawn bin/agent.js run the current
 * code, and builds the default sandbox image when Docker is reachable (minutes on a fresh
 * machine), so the test files that run in parallel never build it twice.
 */
export default async function setUpOnce(): Promise<void> {
  const root = join(dirname(fileURLToPath(import.meta.url)), "..");
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", join(root, "tsconfig.build.json")], {
    stdio: "inherit",
  });
  execFileSync(process.execPath, [join(root, "scripts/copy-prompts.js")], { stdio: "ignore" });
  const docker = createDockerClient(process.env);
  if (await isDockerReachable(docker, 5_000)) {
    const image = await ensureImage(docker, findRecipe(DEFAULT_RECIPE_NAME), {
      onProgress: (line) => process.stderr.write(`[sandbox image] ${line}\n`),
    });
    if (image.built) process.stderr.write(`[sandbox image] built ${image.tag}\n`);
  }
}
