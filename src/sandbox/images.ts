import { createHash } from "node:crypto";
import type Docker from "dockerode";
import { AbortedError, SandboxError, throwIfAborted } from "../errors.js";
import { withBuildLock } from "./build-lock.js";
import { readHostDebianMirror } from "./image-apt-mirror.js";
import { provisionImage, type ImageUser } from "./image-provision.js";
import { buildRootfsImage, followDockerProgress, inspectDebootstrapHost, messageOf, type DebootstrapHost } from "./image-rootfs.js";

/** Bumped whenever the way an image is built changes, so every tag changes with it. */
export const RECIPE_FORMAT_VERSION = 2;

/**
 * Bumped whenever the provisioning script changes (not the Debian base), so sandbox images get a
 * new tag while the debootstrapped bases, which take minutes to build, are kept.
 */
const PROVISIONING_VERSION = 2;

/** The repository of the sandbox images. */
export const SANDBOX_IMAGE_REPO = "agent-sandbox";

/** The repository of the Debian base images built with debootstrap. */
export const BASE_IMAGE_REPO = "agent-base";

/** Labels on every image and container the builder creates. */
export const IMAGE_LABELS = {
  managed: "agent.managed",
  recipeHash: "agent.recipe-hash",
  recipeName: "agent.recipe-name",
  baseSuite: "agent.base-suite",
} as const;

/** The PATH of every image: `docker import` sets none, and commands must not depend on the engine's default. */
export const IMAGE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/** How long a registry may take to answer a pull before the builder falls back to debootstrap. */
export const REGISTRY_PULL_TIMEOUT_MS = 20_000;

/** The Debian releases a recipe can build on. */
export type DebianSuite = "bookworm" | "bullseye";

/** What goes into a sandbox image: a Debian release, its packages and the unprivileged user. */
export interface ImageRecipe {
  /** The recipe's name, e.g. "python3.11"; part of the image tag. */
  name: string;
  debianSuite: DebianSuite;
  packages: string[];
  user: ImageUser & { name: "agent"; uid: 1000; gid: 1000 };
}

/** The packages of every built-in image: the tools agents and test suites expect. */
export const SANDBOX_PACKAGES: readonly string[] = [
  "git",
  "ripgrep",
  "build-essential",
  "python3",
  "python3-dev",
  "python3-venv",
  "python3-pip",
  "python3-pytest",
  "ca-certificates",
  "curl",
  "procps",
  "patch",
  "less",
  "file",
  "xz-utils",
  "unzip",
];

/**
 * Node.js 18 and the TypeScript compiler (`tsc` 4.8) from Debian bookworm's own archive, so
 * TypeScript repositories can be built and tested with `node --test` without a network.
 */
export const BOOKWORM_NODE_PACKAGES: readonly string[] = ["nodejs", "node-typescript"];

const AGENT_USER = { name: "agent", uid: 1000, gid: 1000 } as const;

/** The built-in recipes: Python 3.11 with Node.js 18 and tsc on Debian bookworm, and Python 3.9 on Debian bullseye. */
export const BUILT_IN_RECIPES: readonly ImageRecipe[] = [
  { name: "python3.11", debianSuite: "bookworm", packages: [...SANDBOX_PACKAGES, ...BOOKWORM_NODE_PACKAGES], user: { ...AGENT_USER } },
  { name: "python3.9", debianSuite: "bullseye", packages: [...SANDBOX_PACKAGES], user: { ...AGENT_USER } },
];

/** The recipe used when none is named. */
export const DEFAULT_RECIPE_NAME = "python3.11";

/** The built-in recipe with this name; a SandboxError listing the known names otherwise. */
export function findRecipe(name: string): ImageRecipe {
  const recipe = BUILT_IN_RECIPES.find((candidate) => candidate.name === name);
  if (recipe) return recipe;
  const names = BUILT_IN_RECIPES.map((candidate) => candidate.name).join(", ");
  throw new SandboxError(`Unknown image recipe "${name}"; the recipes are: ${names}.`, { code: "sandbox-image-recipe" });
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value).filter(([, item]) => item !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The first 12 hex digits of the SHA-256 of the recipe's canonical JSON and the format version. */
export function recipeHash(recipe: ImageRecipe): string {
  return hash12({ formatVersion: RECIPE_FORMAT_VERSION, provisioning: PROVISIONING_VERSION, recipe });
}

/** `agent-sandbox:<name>-<recipe hash>`: equal recipes share a tag, any change gives a new one. */
export function imageTag(recipe: ImageRecipe): string {
  return `${SANDBOX_IMAGE_REPO}:${recipe.name}-${recipeHash(recipe)}`;
}

/** `agent-base:<suite>-<hash>` of a debootstrapped base image; the mirror is part of the hash because it ends up in the image's apt sources. */
export function baseImageTag(suite: DebianSuite, mirror: string): string {
  return `${BASE_IMAGE_REPO}:${suite}-${hash12({ formatVersion: RECIPE_FORMAT_VERSION, suite, mirror, variant: "minbase" })}`;
}

/** Where `ensureImage`'s image came from: already built, built on a registry's Debian image, or built on a debootstrapped one. */
export type ImageSource = "cache" | "registry" | "debootstrap";

/** The outcome of `ensureImage`. */
export interface EnsuredImage {
  tag: string;
  /** False when an existing image was reused. */
  built: boolean;
  source: ImageSource;
}

/** Options of `ensureImage`. */
export interface EnsureImageOptions {
  /** Rebuild the sandbox image even when it exists (a cached debootstrapped base is still reused). */
  force?: boolean;
  /** Receives every progress line (debootstrap, apt, docker). */
  onProgress?: (line: string) => void;
  /** Stops the build and removes the temporary container and root file system. */
  signal?: AbortSignal;
  /** Directory for the temporary root file system; default `os.tmpdir()`. */
  workDir?: string;
  /** The Debian mirror for debootstrap; default: the host's apt sources, else deb.debian.org. */
  mirror?: string;
  /** The host facts debootstrap needs; default: looked up. Injected in tests. */
  debootstrapHost?: DebootstrapHost;
}

/**
 * Returns the tag of the recipe's sandbox image, building it when it is missing (or `force`):
 * on `debian:<suite>-slim` when a registry answers, else on a Debian root file system made with
 * debootstrap from the host's apt mirror (cached as `agent-base:<suite>-<hash>`); then apt
 * packages, the user `agent` (1000:1000) and `/workspace` are added in a provisioning container
 * and committed. Needs no registry.
 */
export async function ensureImage(docker: Docker, recipe: ImageRecipe, options: EnsureImageOptions = {}): Promise<EnsuredImage> {
  const onProgress = options.onProgress ?? (() => {});
  const { signal } = options;
  const tag = imageTag(recipe);
  throwIfAborted(signal);
  if (!options.force && (await imageId(docker, tag))) return { tag, built: false, source: "cache" };
  // One build per tag on this machine: a second process waits for the first, then finds the image.
  return withBuildLock(`image-${tag}`, () => buildImage(docker, recipe, tag, { ...options, onProgress }), signal ? { signal } : {});
}

async function buildImage(docker: Docker, recipe: ImageRecipe, tag: string, options: EnsureImageOptions & { onProgress: (line: string) => void }): Promise<EnsuredImage> {
  const { onProgress, signal } = options;
  const previousId = await imageId(docker, tag);
  if (previousId && !options.force) return { tag, built: false, source: "cache" };
  const base = await withBuildLock(`base-${recipe.debianSuite}`, () => ensureBaseImage(docker, recipe.debianSuite, options), signal ? { signal } : {});
  onProgress(`provisioning ${tag} on ${base.reference}`);
  const hash = recipeHash(recipe);
  const labels = {
    [IMAGE_LABELS.managed]: "true",
    [IMAGE_LABELS.recipeHash]: hash,
    [IMAGE_LABELS.recipeName]: recipe.name,
    [IMAGE_LABELS.baseSuite]: recipe.debianSuite,
  };
  await provisionImage(docker, {
    baseImage: base.reference,
    reference: tag,
    packages: recipe.packages,
    user: recipe.user,
    labels,
    changes: [
      `USER ${recipe.user.name}`,
      "WORKDIR /workspace",
      `ENV PATH=${IMAGE_PATH}`,
      "ENV LANG=C.UTF-8 PYTHONUNBUFFERED=1 PIP_NO_INPUT=1 PIP_BREAK_SYSTEM_PACKAGES=1 PIP_DISABLE_PIP_VERSION_CHECK=1 GIT_TERMINAL_PROMPT=0 PAGER=cat GIT_PAGER=cat",
      'CMD ["sleep", "infinity"]',
      `LABEL ${Object.entries(labels)
        .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
        .join(" ")}`,
    ],
    onProgress,
    ...(signal ? { signal } : {}),
  });
  if (previousId) await removeReplacedImage(docker, previousId, onProgress);
  return { tag, built: true, source: base.source };
}

/** The Debian base of a build and where it came from. */
interface BaseImage {
  reference: string;
  source: "registry" | "debootstrap";
}

/** A cached debootstrapped base, else a pulled `debian:<suite>-slim`, else a fresh debootstrapped base. */
async function ensureBaseImage(
  docker: Docker,
  suite: DebianSuite,
  options: EnsureImageOptions & { onProgress: (line: string) => void },
): Promise<BaseImage> {
  const { onProgress, signal } = options;
  const mirror = options.mirror ?? (await readHostDebianMirror());
  const baseTag = baseImageTag(suite, mirror);
  if (await imageExists(docker, baseTag)) {
    onProgress(`using the cached base image ${baseTag}`);
    return { reference: baseTag, source: "debootstrap" };
  }
  const registryImage = `debian:${suite}-slim`;
  if (await tryPull(docker, registryImage, onProgress, signal)) return { reference: registryImage, source: "registry" };
  onProgress(`building the base image ${baseTag} with debootstrap from ${mirror}`);
  await buildRootfsImage(docker, options.debootstrapHost ?? (await inspectDebootstrapHost()), {
    suite,
    mirror,
    reference: baseTag,
    labels: { [IMAGE_LABELS.managed]: "true", [IMAGE_LABELS.baseSuite]: suite },
    changes: [`ENV PATH=${IMAGE_PATH}`, 'CMD ["bash"]'],
    onProgress,
    ...(options.workDir ? { workDir: options.workDir } : {}),
    ...(signal ? { signal } : {}),
  });
  return { reference: baseTag, source: "debootstrap" };
}

/**
 * Pulls `reference`, giving the registry `REGISTRY_PULL_TIMEOUT_MS` to start answering; a
 * failure (no registry, no such image) is returned with its reason, an abort is thrown.
 */
export async function pullImage(
  docker: Docker,
  reference: string,
  options: { onProgress?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<{ pulled: true } | { pulled: false; reason: string }> {
  const { signal } = options;
  const onProgress = options.onProgress ?? (() => {});
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error(`no answer within ${REGISTRY_PULL_TIMEOUT_MS / 1000} s`)), REGISTRY_PULL_TIMEOUT_MS);
  const abortSignal = signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal;
  onProgress(`pulling ${reference}`);
  try {
    const stream = (await docker.pull(reference, { abortSignal })) as NodeJS.ReadableStream;
    await followDockerProgress(docker, stream, (event) => {
      clearTimeout(timer);
      if (event.status && !event.progressDetail?.current) onProgress(`${event.id ? `${event.id}: ` : ""}${event.status}`);
    });
    return { pulled: true };
  } catch (error) {
    if (signal?.aborted) throw new AbortedError("Interrupted.", { cause: signal.reason });
    return { pulled: false, reason: (timeout.signal.aborted ? messageOf(timeout.signal.reason) : messageOf(error)).split("\n")[0]! };
  } finally {
    clearTimeout(timer);
  }
}

/** Pulls a base image when a registry answers; false (reported through `onProgress`) otherwise. */
async function tryPull(docker: Docker, reference: string, onProgress: (line: string) => void, signal: AbortSignal | undefined): Promise<boolean> {
  const outcome = await pullImage(docker, reference, { onProgress, ...(signal ? { signal } : {}) });
  if (!outcome.pulled) onProgress(`no registry: pulling ${reference} failed (${outcome.reason})`);
  return outcome.pulled;
}

/** The id of the local image with this reference, or undefined when there is none. */
async function imageId(docker: Docker, reference: string): Promise<string | undefined> {
  try {
    return (await docker.getImage(reference).inspect()).Id;
  } catch (error) {
    if ((error as { statusCode?: number }).statusCode === 404) return undefined;
    throw new SandboxError(`Could not inspect the image ${reference}: ${messageOf(error)}`, { code: "sandbox-image", cause: error });
  }
}

/** True when an image with this reference exists locally. */
export async function imageExists(docker: Docker, reference: string): Promise<boolean> {
  return (await imageId(docker, reference)) !== undefined;
}

/** Removes the image a forced rebuild untagged, unless a container still uses it (then it stays, untagged). */
async function removeReplacedImage(docker: Docker, id: string, onProgress: (line: string) => void): Promise<void> {
  try {
    await docker.getImage(id).remove();
    onProgress(`removed the replaced image ${id.slice(0, 19)}`);
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status !== 404) onProgress(`kept the replaced image ${id.slice(0, 19)}: ${messageOf(error).split("\n")[0]}`);
  }
}

/** One image built by agent (a sandbox image or a debootstrapped base). */
export interface ManagedImage {
  tag: string;
  id: string;
  kind: "sandbox" | "base";
  /** The recipe of a sandbox image; undefined for a base image. */
  recipeName: string | undefined;
  sizeBytes: number;
  createdAt: string;
}

/** The images labelled `agent.managed=true`, newest first, one entry per tag (`<none>` for an untagged one). */
export async function listImages(docker: Docker): Promise<ManagedImage[]> {
  const images = await docker.listImages({ filters: { label: [`${IMAGE_LABELS.managed}=true`] } });
  const managed: ManagedImage[] = [];
  for (const image of images) {
    const labels = image.Labels ?? {};
    const recipeName = labels[IMAGE_LABELS.recipeName];
    const tags = (image.RepoTags ?? []).filter((tag) => tag !== "<none>:<none>");
    for (const tag of tags.length ? tags : ["<none>"]) {
      managed.push({
        tag,
        id: image.Id,
        kind: recipeName ? "sandbox" : "base",
        recipeName,
        sizeBytes: image.Size,
        createdAt: new Date(image.Created * 1000).toISOString(),
      });
    }
  }
  return managed.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.tag.localeCompare(b.tag));
}

function hash12(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex").slice(0, 12);
}
