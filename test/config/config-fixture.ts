import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

/** A throwaway home directory and project (marked by a `.git` directory) on the real file system. */
export interface ConfigFixture {
  root: string;
  homeDir: string;
  projectDir: string;
  userFile: string;
  /** Writes `content` (JSON-encoded unless a string) to a path relative to `root`; returns the absolute path. */
  write(relativePath: string, content: unknown): Promise<string>;
  dispose(): Promise<void>;
}

/** Creates the fixture; call `dispose` in afterEach. */
export async function createConfigFixture(): Promise<ConfigFixture> {
  const root = await mkdtemp(path.join(tmpdir(), "agent-config-"));
  const homeDir = path.join(root, "home");
  const projectDir = path.join(root, "project");
  await mkdir(path.join(projectDir, ".git"), { recursive: true });
  await mkdir(homeDir, { recursive: true });
  return {
    root,
    homeDir,
    projectDir,
    userFile: path.join(homeDir, ".config", "agent", "config.json"),
    async write(relativePath, content) {
      const file = path.join(root, relativePath);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, typeof content === "string" ? content : JSON.stringify(content, null, 2));
      return file;
    },
    async dispose() {
      await rm(root, { recursive: true, force: true });
    },
  };
}
