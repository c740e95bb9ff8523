/**
 * Agents on SWE-bench work in the instance's own image, with the run's working tree mounted over
 * /testbed, where the image installed the repository (editable: the installed package points at
 * /testbed). The mount hides what the install built inside /testbed — compiled extensions,
 * egg-info, generated files — so before the sandbox starts, those untracked files are copied
 * from the image into the working tree and listed in its .git/info/exclude: the code imports
 * and runs as in the image, and none of it becomes part of the patch.
 */
import { spawn } from "node:child_process";
import { appendFile, mkdir } from "node:fs/promises";
import { join } from "node:path";
import type Docker from "dockerode";
import { runScript } from "./container-exec.js";
import { REPO_DIRECTORY } from "./eval-script.js";
import { SandboxError } from "../src/index.js";

/** Copies the untracked files of the image's /testbed into `hostWorkdir` and excludes them from git; returns how many. */
export async function seedBuildArtifacts(docker: Docker, image: string, hostWorkdir: string, signal?: AbortSignal): Promise<number> {
  const container = await docker.createContainer({ Image: image, Cmd: ["sleep", "infinity"], User: "root", HostConfig: { NetworkMode: "none", Init: true } });
  try {
    await container.start();
    const listing = await runScript(container, `cd ${REPO_DIRECTORY} && git ls-files --others -z > /tmp/artifacts.list && tar --null -T /tmp/artifacts.list -cf /tmp/artifacts.tar && tr '\\0' '\\n' < /tmp/artifacts.list`, {
      timeoutMs: 10 * 60_000,
      ...(signal ? { signal } : {}),
    });
    if (listing.exitCode !== 0) throw new SandboxError(`Listing the build artifacts of ${image} failed: ${listing.output.slice(-500)}`, { code: "artifacts" });
    const paths = listing.output.split("\n").filter((path) => path !== "");
    if (paths.length === 0) return 0;
    const archive = (await container.getArchive({ path: "/tmp/artifacts.tar" })) as NodeJS.ReadableStream;
    await extractInnerTar(archive, hostWorkdir);
    await mkdir(join(hostWorkdir, ".git", "info"), { recursive: true });
    await appendFile(join(hostWorkdir, ".git", "info", "exclude"), `\n# build artifacts of ${image} (agent)\n${paths.map(excludePattern).join("\n")}\n`);
    return paths.length;
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
  }
}

/** getArchive wraps the file in a tar of its own: unpack artifacts.tar from it and that into `directory`. */
function extractInnerTar(archive: NodeJS.ReadableStream, directory: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", 'tar -xOf - artifacts.tar | tar -x -C "$1"', "sh", directory], { stdio: ["pipe", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new SandboxError(`Unpacking the build artifacts failed: ${stderr.trim()}`, { code: "artifacts" }))));
    archive.pipe(child.stdin);
  });
}

/** A .gitignore pattern that matches exactly this path from the top of the tree. */
function excludePattern(path: string): string {
  return `/${path.replace(/[\\*?[\]!#]/g, (char) => `\\${char}`).replace(/ $/, "\\ ")}`;
}
