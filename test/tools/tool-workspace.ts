import { mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import type { SandboxFactory } from "../support/sandbox-factories.js";

/** A temp directory on the host with a sandbox over it; the host side sets up files and checks exact bytes. */
export interface ToolWorkspace {
  hostDir: string;
  sandbox: Sandbox;
  /** Writes a file on the host, creating parent directories. */
  write(path: string, content: string | Uint8Array): Promise<void>;
  /** Reads a file's exact bytes on the host. */
  read(path: string): Promise<Buffer>;
  /** True when something is at the path on the host. */
  exists(path: string): Promise<boolean>;
  /** Makes a file outside the workspace and a symlink to it inside; returns the outside file's host path. */
  linkToOutsideFile(linkPath: string, content: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Creates a fresh workspace for one test, with a sandbox made by `factory`. */
export async function createToolWorkspace(factory: SandboxFactory): Promise<ToolWorkspace> {
  const hostDir = await mkdtemp(join(tmpdir(), "tool-workspace-"));
  const outsideDir = await mkdtemp(join(tmpdir(), "tool-outside-"));
  const sandbox = await factory.create(hostDir);
  return {
    hostDir,
    sandbox,
    async write(path, content) {
      await mkdir(dirname(join(hostDir, path)), { recursive: true });
      await writeFile(join(hostDir, path), content);
    },
    read: (path) => readFile(join(hostDir, path)),
    exists: (path) => stat(join(hostDir, path)).then(() => true, () => false),
    async linkToOutsideFile(linkPath, content) {
      const outsideFile = join(outsideDir, "secret.py");
      await writeFile(outsideFile, content);
      await symlink(outsideFile, join(hostDir, linkPath));
      return outsideFile;
    },
    async dispose() {
      await sandbox.dispose();
      await rm(hostDir, { recursive: true, force: true });
      await rm(outsideDir, { recursive: true, force: true });
    },
  };
}
