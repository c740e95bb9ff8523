import { SandboxError } from "../../src/errors.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { WorkspaceFiles } from "../../src/sandbox/workspace-files.js";

/** A way to make a sandbox over a host directory, for suites that must pass against every sandbox. */
export interface SandboxFactory {
  name: string;
  create(hostDir: string): Promise<Sandbox>;
}

/** A sandbox with real file operations and no command execution, for file-only tool tests. */
export function createFilesOnlySandbox(hostDir: string, workdir = "/workspace"): Sandbox {
  const files = new WorkspaceFiles({ hostRoot: hostDir, workdir });
  return {
    kind: "local",
    workdir,
    hostWorkdir: files.hostRoot,
    description: "a files-only test sandbox",
    exec: async () => {
      throw new SandboxError("this test sandbox cannot run commands");
    },
    readFile: (path) => files.readFile(path),
    writeFile: (path, data) => files.writeFile(path, data),
    removeFile: (path) => files.removeFile(path),
    stat: (path) => files.stat(path),
    listDirectory: (path, depth) => files.listDirectory(path, depth),
    resolvePath: (path) => files.toSandboxPath(path),
    dispose: async () => {},
  };
}

/** The sandboxes the shared tool suites run against (the local and Docker sandboxes join as they land). */
export const sandboxFactories: SandboxFactory[] = [
  { name: "files-only", create: async (hostDir) => createFilesOnlySandbox(hostDir) },
];
