import type { ExecResult, Sandbox } from "../sandbox/sandbox.js";

/** Applies a patch to the working tree through the sandbox's git (a resumed run, a rollback). */
export async function applyPatchInTree(sandbox: Sandbox, patch: string): Promise<ExecResult> {
  const file = ".agent-apply.patch";
  await sandbox.writeFile(file, patch);
  return sandbox.exec({ command: `git apply --whitespace=nowarn ${file}; status=$?; rm -f ${file}; exit $status`, cwd: sandbox.workdir });
}
