import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError, SandboxError } from "../../src/errors.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { chooseDebianMirror, DEFAULT_DEBIAN_MIRROR, parseDeb822Sources, parseOneLineSources, readHostDebianMirror } from "../../src/sandbox/image-apt-mirror.js";
import { LineCollector } from "../../src/sandbox/image-process.js";
import { provisioningScript } from "../../src/sandbox/image-provision.js";
import { assertDebootstrapUsable } from "../../src/sandbox/image-rootfs.js";
import {
  BUILT_IN_RECIPES,
  DEFAULT_RECIPE_NAME,
  ensureImage,
  findRecipe,
  IMAGE_LABELS,
  imageTag,
  listImages,
  type EnsuredImage,
  type ImageRecipe,
} from "../../src/sandbox/images.js";
import { createCliSandbox, runInProcess } from "../cli/cli-harness.js";
import { describeWithDocker } from "../support/require-docker.js";

const BUILD_TIMEOUT_MS = 20 * 60_000;

const debianDeb822 = `Types: deb
# http://snapshot.debian.org/archive/debian/20250520T000000Z
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security
Components: main
`;

describe("image tags", () => {
  const recipe = findRecipe("python3.11");

  it("are stable for equal recipes, whatever the order of their keys", () => {
    const reordered = { user: { ...recipe.user }, packages: [...recipe.packages], debianSuite: recipe.debianSuite, name: recipe.name };
    expect(imageTag(reordered)).toBe(imageTag(recipe));
  });

  it("have the form agent-sandbox:<name>-<12 hex digits>", () => {
    expect(imageTag(recipe)).toMatch(/^agent-sandbox:python3\.11-[0-9a-f]{12}$/);
  });

  it("change when the packages change", () => {
    expect(imageTag({ ...recipe, packages: [...recipe.packages, "jq"] })).not.toBe(imageTag(recipe));
  });

  it("differ between the built-in recipes", () => {
    expect(new Set(BUILT_IN_RECIPES.map(imageTag)).size).toBe(BUILT_IN_RECIPES.length);
  });
});

describe("recipes", () => {
  it("default to python3.11 on Debian bookworm", () => {
    expect(findRecipe(DEFAULT_RECIPE_NAME)).toMatchObject({ name: "python3.11", debianSuite: "bookworm" });
  });

  it("use Debian bullseye for python3.9", () => {
    expect(findRecipe("python3.9").debianSuite).toBe("bullseye");
  });

  it("give bookworm's image Debian's Node.js and TypeScript compiler, and leave bullseye's without", () => {
    expect(findRecipe("python3.11").packages).toEqual(expect.arrayContaining(["nodejs", "node-typescript"]));
    expect(findRecipe("python3.9").packages).not.toContain("nodejs");
  });

  it("reject an unknown name with a message that lists the known ones", () => {
    expect(() => findRecipe("python2.7")).toThrow(/Unknown image recipe "python2.7"; the recipes are: python3.11, python3.9/);
  });

  it("refuse package names that would inject shell", () => {
    expect(() => provisioningScript(["git; rm -rf /"], findRecipe("python3.11").user)).toThrow(SandboxError);
  });
});

describe("the Debian mirror of the host", () => {
  it("is the first deb822 URI that serves a Debian release, not its security archive", () => {
    expect(chooseDebianMirror(parseDeb822Sources(debianDeb822))).toBe("http://deb.debian.org/debian");
  });

  it("skips deb822 stanzas that are disabled or only for sources", () => {
    const text = `Types: deb-src\nURIs: http://src.example/debian\nSuites: bookworm\n\nTypes: deb\nEnabled: no\nURIs: http://off.example/debian\nSuites: bookworm\n\nTypes: deb\nURIs: http://on.example/debian/\nSuites: bookworm\n`;
    expect(chooseDebianMirror(parseDeb822Sources(text))).toBe("http://on.example/debian");
  });

  it("is read from one-line sources with options and comments", () => {
    const text = "# a comment\ndeb-src http://src.example/debian bookworm main\ndeb [arch=amd64 signed-by=/k.gpg] http://mirror.example/debian bullseye main # trailing\n";
    expect(chooseDebianMirror(parseOneLineSources(text))).toBe("http://mirror.example/debian");
  });

  it("falls back to deb.debian.org on a host whose sources are not Debian's", () => {
    expect(chooseDebianMirror(parseOneLineSources("deb http://archive.ubuntu.com/ubuntu noble main\n"))).toBe(DEFAULT_DEBIAN_MIRROR);
  });

  it("is found in an apt directory's sources.list.d", async () => {
    const aptDir = await mkdtemp(join(tmpdir(), "agent-apt-"));
    await mkdir(join(aptDir, "sources.list.d"));
    await writeFile(join(aptDir, "sources.list.d", "debian.sources"), debianDeb822.replaceAll("deb.debian.org", "mirror.internal"));
    expect(await readHostDebianMirror(aptDir)).toBe("http://mirror.internal/debian");
  });
});

describe("the debootstrap preflight", () => {
  it("tells a user without debootstrap to install it", () => {
    expect(() => assertDebootstrapUsable({ uid: 0, debootstrapPath: undefined }, "bookworm")).toThrow(/sudo apt-get install debootstrap/);
  });

  it("tells a user who is not root to run the build with sudo", () => {
    expect(() => assertDebootstrapUsable({ uid: 1000, debootstrapPath: "/usr/sbin/debootstrap" }, "bookworm")).toThrow(/sudo agent images build/);
  });
});

describe("the line collector", () => {
  it("keeps the last 20 lines of output split across chunks", () => {
    const collector = new LineCollector();
    const text = Array.from({ length: 30 }, (_, index) => `line ${index + 1}`).join("\n");
    for (let offset = 0; offset < text.length; offset += 7) collector.write(text.slice(offset, offset + 7));
    collector.end();
    expect(collector.tail()).toEqual(Array.from({ length: 20 }, (_, index) => `line ${index + 11}`));
  });
});

describe("agent images", () => {
  it("exits 2 and says how to start Docker when the engine cannot be reached", async () => {
    const sandbox = await createCliSandbox();
    const run = await runInProcess(["images", "list"], sandbox, { DOCKER_HOST: `unix://${join(sandbox.home, "missing.sock")}` });
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/Cannot reach the Docker engine .*systemctl start docker.*local sandbox/) });
  });

  it("exits 2 for an unknown recipe and lists the known ones", async () => {
    const run = await runInProcess(["images", "build", "--recipe", "python2.7"], await createCliSandbox());
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining("the recipes are: python3.11, python3.9") });
  });

  it("exits 2 when both --recipe and --all are given", async () => {
    const run = await runInProcess(["images", "build", "--recipe", "python3.11", "--all"], await createCliSandbox());
    expect(run.code).toBe(2);
  });
});

describeWithDocker("sandbox images on the real Docker engine", () => {
  const docker = createDockerClient(process.env);
  const testRecipeNames = ["test-images-small", "test-images-cancel"];
  let python311: EnsuredImage;

  /** Runs a command in a new container of the image and returns its exit code and output. */
  async function runInImage(tag: string, command: string): Promise<{ exitCode: number; output: string }> {
    const container = await docker.createContainer({ Image: tag, Cmd: ["bash", "-c", command], Tty: true, Labels: { [IMAGE_LABELS.managed]: "true" } });
    try {
      await container.start();
      const { StatusCode } = (await container.wait()) as { StatusCode: number };
      const logs = await container.logs({ stdout: true, stderr: true });
      return { exitCode: StatusCode, output: logs.toString().trim() };
    } finally {
      await container.remove({ force: true });
    }
  }

  /** A small recipe on the bookworm base, so a forced build runs the whole pipeline in seconds once the base is cached. */
  function smallRecipe(name: string): ImageRecipe {
    return { ...findRecipe("python3.11"), name, packages: ["git"] };
  }

  /** DOCKER_HOST of this process, for CLI runs that otherwise get a clean environment. */
  function hostDockerEnv(): Record<string, string> {
    return process.env["DOCKER_HOST"] ? { DOCKER_HOST: process.env["DOCKER_HOST"] } : {};
  }

  async function containersOf(recipeName: string): Promise<number> {
    const containers = await docker.listContainers({ all: true, filters: { label: [`${IMAGE_LABELS.recipeName}=${recipeName}`] } });
    return containers.length;
  }

  beforeAll(async () => {
    python311 = await ensureImage(docker, findRecipe("python3.11"));
  }, BUILD_TIMEOUT_MS);

  afterAll(async () => {
    for (const name of testRecipeNames) await docker.getImage(imageTag(smallRecipe(name))).remove({ force: true }).catch(() => undefined);
  });

  it("gives python3.11 its recipe's tag", () => {
    expect(python311.tag).toBe(imageTag(findRecipe("python3.11")));
  });

  it("returns the cached image quickly on a second call", async () => {
    const started = Date.now();
    const again = await ensureImage(docker, findRecipe("python3.11"));
    expect(again).toEqual({ tag: python311.tag, built: false, source: "cache" });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it("runs commands as uid 1000 in /workspace", async () => {
    expect(await runInImage(python311.tag, "echo $(id -u):$(id -g) $(pwd)")).toEqual({ exitCode: 0, output: "1000:1000 /workspace" });
  });

  it("has Python 3.11, git, ripgrep and gcc", async () => {
    const result = await runInImage(python311.tag, "python3 --version && git --version && rg --version | head -1 && gcc --version | head -1");
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/^Python 3\.11\.\d+[\s\S]*git version[\s\S]*ripgrep[\s\S]*gcc/);
  });

  it("lets the agent user work in repositories it does not own", async () => {
    const result = await runInImage(python311.tag, "git config --system --get-all safe.directory");
    expect(result.output).toBe("*");
  });

  it("labels the image as managed, with its recipe", async () => {
    const info = await docker.getImage(python311.tag).inspect();
    expect(info.Config.Labels).toMatchObject({ [IMAGE_LABELS.managed]: "true", [IMAGE_LABELS.recipeName]: "python3.11" });
  });

  it("lists the image among the managed images", async () => {
    const images = await listImages(docker);
    expect(images.find((image) => image.tag === python311.tag)).toMatchObject({ kind: "sandbox", recipeName: "python3.11" });
  });

  it("prints the tag of a reused image as JSON from agent images build", async () => {
    const run = await runInProcess(["images", "build", "--recipe", "python3.11", "--json"], await createCliSandbox(), hostDockerEnv());
    expect(JSON.parse(run.stdout)).toEqual([expect.objectContaining({ recipe: "python3.11", tag: python311.tag, built: false, source: "cache" })]);
  });

  it("shows the image in agent images list", async () => {
    const run = await runInProcess(["images", "list"], await createCliSandbox(), hostDockerEnv());
    expect(run.stdout).toContain(python311.tag);
  });

  it(
    "rebuilds a forced recipe and removes the image it replaced and its provisioning container",
    async () => {
      const recipe = smallRecipe("test-images-small");
      const first = await ensureImage(docker, recipe);
      const firstId = (await docker.getImage(first.tag).inspect()).Id;
      const forced = await ensureImage(docker, recipe, { force: true });
      expect(forced).toMatchObject({ tag: first.tag, built: true });
      await expect(docker.getImage(firstId).inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect(await containersOf(recipe.name)).toBe(0);
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    "stops a build on abort and removes its provisioning container",
    async () => {
      const recipe = smallRecipe("test-images-cancel");
      const controller = new AbortController();
      const onProgress = (line: string) => {
        if (line.startsWith("==> apt-get update")) controller.abort();
      };
      await expect(ensureImage(docker, recipe, { force: true, onProgress, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
      expect(await containersOf(recipe.name)).toBe(0);
      await expect(docker.getImage(imageTag(recipe)).inspect()).rejects.toMatchObject({ statusCode: 404 });
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    "stops a base image build on abort and removes the root file system",
    async () => {
      const workDir = await mkdtemp(join(tmpdir(), "agent-images-"));
      const controller = new AbortController();
      const onProgress = (line: string) => {
        if (line.startsWith("I: ") || line.includes("Pulling from")) controller.abort();
      };
      // A mirror spelled with a trailing slash has a base tag of its own, so no cached base is reused.
      const mirror = `${await readHostDebianMirror()}/`;
      const build = ensureImage(docker, smallRecipe("test-images-cancel"), { force: true, onProgress, signal: controller.signal, workDir, mirror });
      await expect(build).rejects.toBeInstanceOf(AbortedError);
      expect(await readdir(workDir)).toEqual([]);
      await rm(workDir, { recursive: true, force: true });
    },
    BUILD_TIMEOUT_MS,
  );

  it(
    "builds python3.9 on Debian bullseye",
    async () => {
      const python39 = await ensureImage(docker, findRecipe("python3.9"));
      const result = await runInImage(python39.tag, "python3 --version");
      expect(result.output).toMatch(/^Python 3\.9\.\d+$/);
    },
    BUILD_TIMEOUT_MS,
  );
});
