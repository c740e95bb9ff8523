import { join } from "node:path";
import { loadConfig, type LoadedConfig } from "../../src/config/load-config.js";
import type { RunEnvironment } from "../../src/graph/prepare-run.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { writeJson } from "../cli/cli-harness.js";

/** What runs of a test need to run locally (no Docker): the environment, the loaded configuration and the script's path. */
export interface LocalRunFixture {
  environment: Pick<RunEnvironment, "runsDir" | "config" | "userConfigPath" | "cwd" | "env" | "docker" | "confirmSandbox" | "memoryPath">;
  loaded: LoadedConfig;
  scriptFile: string;
}

/**
 * Writes `script` (a scripted model) and a user config that consents to the local sandbox under
 * `root`, and returns the environment of runs on `checkout` whose runs, memory and home are in `root`.
 */
export async function localRunFixture(root: string, checkout: string, script: unknown, env: Record<string, string> = {}): Promise<LocalRunFixture> {
  const scriptFile = join(root, `script-${Math.random().toString(36).slice(2)}.json`);
  await writeJson(scriptFile, script);
  const home = join(root, "home");
  await writeJson(join(home, ".config/agent/config.json"), { sandbox: { kind: "local", allowLocal: true } });
  const fullEnv = { HOME: home, PATH: process.env["PATH"] ?? "", ...env };
  const loaded = await loadConfig({ cwd: checkout, env: fullEnv, homeDir: home, flags: { model: `scripted:${scriptFile}` } });
  return {
    scriptFile,
    loaded,
    environment: {
      runsDir: join(root, "runs"),
      config: loaded.config,
      userConfigPath: loaded.files.user,
      cwd: checkout,
      env: fullEnv,
      docker: createDockerClient(fullEnv),
      confirmSandbox: async () => {},
      memoryPath: join(root, "memory.sqlite"),
    },
  };
}
