/**
 * What the benches that drive the real graph share: the two working trees with local sandboxes,
 * and a check that a program the scenario needs is installed.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import type { Workbench } from "../../src/agents/graph-runtime.js";
import { createWorkspace } from "../../src/git/create-workspace.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { createLocalSandbox } from "../../src/sandbox/local-sandbox.js";
import { createToolset } from "../../src/tools/registry.js";

/** Exits 2 with what to install when `program` is missing or does not run. */
export function requireProgram(bench: string, program: string, args: string[], purpose: string): void {
  const result = spawnSync(program, args, { stdio: "ignore" });
  if (result.error || result.status !== 0) {
    process.stderr.write(`${bench}: \`${program}\` is missing or does not run; install it first (${purpose}).\n`);
    process.exit(2);
  }
}

/** A programmer tree and a test-designer tree cloned from the source at its commit under `root`, each with a local sandbox and tools. */
export async function createWorkbenches(root: string, source: { path: string; commit: string }): Promise<Record<"programmer" | "testDesigner", Workbench>> {
  const create = async (name: string): Promise<Workbench> => {
    const workspace = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: join(root, name) });
    const sandbox = await createLocalSandbox({ hostWorkdir: workspace.workdir, path: process.env["PATH"] ?? "/usr/bin:/bin", commandTimeoutMs: 120_000 });
    const git = createWorkspaceGit({ workdir: workspace.workdir, baseCommit: workspace.baseCommit });
    return { sandbox, git, tools: createToolset({ sandbox, git }) };
  };
  return { programmer: await create("programmer"), testDesigner: await create("test-designer") };
}
