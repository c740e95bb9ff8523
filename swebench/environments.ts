/**
 * Evaluation environments built here, without any registry: a Debian image per (repository,
 * version) spec — the Debian release nearest the official Python and apt packages for the
 * dependencies — and on it an image per instance with the repository at /testbed at its
 * base_commit, installed. Both are cached by the hash of what went into them, so instances of
 * the same (repository, version) share one environment image and an instance is set up once.
 */
import { access } from "node:fs/promises";
import { hostname } from "node:os";
import { join } from "node:path";
import type Docker from "dockerode";
import { canonicalJson, ensureCachedClone, ensureImage, imageExists, imageTag, SANDBOX_LABELS, trackContainer, untrackContainer, withBuildLock, type ImageRecipe } from "../src/index.js";
import { createHash } from "node:crypto";
import { runScript } from "./container-exec.js";
import { debianEvalInstallCommand, debianInstallCommand, debianPackagesFor, debianPreInstallCommands } from "./debian-packages.js";
import { REPO_DIRECTORY } from "./eval-script.js";
import type { SweBenchInstance } from "./instance.js";
import { localServicePackages } from "./local-services.js";
import { scmVersionOf } from "./scm-version.js";
import { cachedSetupFailure, recordSetupFailure, type SetupFailureCache } from "./setup-failures.js";
import type { RepoVersionSpec } from "./specs/index.js";

/** Images of instances set up here. */
export const INSTANCE_IMAGE_REPO = "agent-swebench";

/** Labels on the harness's containers and images, for clean-up. */
export const HARNESS_LABEL = "agent.swebench";

/** Labels that let `agent sandbox prune` find a harness container whose process is gone. */
export function harnessContainerLabels(role: "setup" | "eval", runId: string): Record<string, string> {
  return {
    [HARNESS_LABEL]: role,
    [SANDBOX_LABELS.managed]: "true",
    [SANDBOX_LABELS.sandbox]: "true",
    [SANDBOX_LABELS.runId]: runId,
    [SANDBOX_LABELS.pid]: String(process.pid),
    [SANDBOX_LABELS.host]: hostname(),
    [SANDBOX_LABELS.createdAt]: new Date().toISOString(),
  };
}

/** Why an environment could not be made: reported per instance, never as a failure of the patch. */
export class EnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "EnvironmentError";
  }
}

/** The Debian environment of one (repository, version): its apt packages and install command. */
export interface DebianEnvironmentSpec {
  repo: string;
  version: string;
  spec: RepoVersionSpec;
  packages: string[];
  /** The install command of the instance image's set-up: pip without an index, build isolation or dependencies. */
  setupInstall: string | undefined;
  /** The spec the eval script is written from: `install` runs only when packaging files or compiled sources changed. */
  evalSpec: RepoVersionSpec;
}

/** The Debian environment spec of an instance, or an EnvironmentError saying what is missing. */
export function debianEnvironmentSpec(instance: Pick<SweBenchInstance, "repo" | "version">, spec: RepoVersionSpec, packages = debianPackagesFor(instance.repo)): DebianEnvironmentSpec {
  if (!packages) {
    throw new EnvironmentError(
      `No Debian package list for ${instance.repo}: its environment cannot be built here. Use the official images (a registry with swebench/sweb.eval.*), ` +
        "or add the repository to swebench/debian-packages.ts.",
    );
  }
  const evalInstall = debianEvalInstallCommand(spec.install);
  const evalSpec: RepoVersionSpec = { ...spec, ...(evalInstall !== undefined ? { install: evalInstall } : {}) };
  const allPackages = [...new Set([...packages, ...(spec.debianPackages ?? []), ...localServicePackages(spec.localServices)])];
  return { repo: instance.repo, version: instance.version, spec, packages: allPackages, setupInstall: debianInstallCommand(spec.install), evalSpec };
}

/**
 * The sandbox-image recipe of an environment, cached by its hash (`agent-sandbox:swebench-<repo>-<suite>-<hash>`):
 * versions of a repository on the same Debian release with the same packages share one image.
 */
export function environmentRecipe(environment: DebianEnvironmentSpec): ImageRecipe {
  const name = `swebench-${environment.repo.replace(/[^a-zA-Z0-9]+/g, "-")}-${environment.spec.debianSuite}`.toLowerCase();
  return { name, debianSuite: environment.spec.debianSuite, packages: environment.packages, user: { name: "agent", uid: 1000, gid: 1000 } };
}

/**
 * Where the repository's history comes from: `reposDir/<owner>/<name>` (a clone or a bare
 * mirror; also `<owner>/<name>.git` and `<owner>__<name>`), else a mirror of GitHub's in the
 * clone cache.
 */
export async function repositorySource(repo: string, options: { reposDir?: string; cacheDir: string }): Promise<string> {
  if (options.reposDir) {
    const [owner, name] = repo.split("/") as [string, string];
    const candidates = [join(options.reposDir, owner, name), join(options.reposDir, owner, `${name}.git`), join(options.reposDir, `${owner}__${name}`)];
    for (const candidate of candidates) {
      if (await exists(candidate)) return candidate;
    }
    throw new EnvironmentError(`The repository ${repo} is not in --repos-dir ${options.reposDir} (looked for ${candidates.join(", ")}); add a clone or mirror there.`);
  }
  try {
    const clone = await ensureCachedClone({ cacheDir: options.cacheDir, key: `github.com/${repo}`, cloneUrl: `https://github.com/${repo}.git`, maxAgeMs: 7 * 24 * 3_600_000 });
    return clone.path;
  } catch (error) {
    throw new EnvironmentError(`Cannot clone ${repo} from GitHub (${(error as Error).message.split("\n")[0]}); without network, pass --repos-dir with local mirrors.`, { cause: error });
  }
}

/** The image of one instance: environment + repository at base_commit in /testbed, installed. */
export interface InstanceImage {
  tag: string;
  built: boolean;
}

/** Options of `ensureInstanceImage`. */
export interface InstanceImageOptions {
  docker: Docker;
  instance: SweBenchInstance;
  environment: DebianEnvironmentSpec;
  /** The repository (a clone or bare mirror on the host), mounted read-only while setting up. */
  sourceRepo: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Set-up time limit; default 30 minutes. */
  timeoutMs?: number;
  /** Failed set-ups are recorded here and not tried again until their recipe changes (or `retry`). */
  failures?: SetupFailureCache;
}

/**
 * Returns the instance's image, building it when missing: the environment image (built from
 * Debian when missing), then in a container without network the base commit is fetched from the
 * mounted repository into /testbed, `pre_install` and `install` run, and the result is committed.
 */
export async function ensureInstanceImage(options: InstanceImageOptions): Promise<InstanceImage> {
  const { docker, instance, environment } = options;
  const onProgress = options.onProgress ?? (() => {});
  const signal = options.signal ? { signal: options.signal } : {};
  const recipe = environmentRecipe(environment);
  const environmentTag = await withSetupFailureCache(options, imageTag(recipe), async () => {
    try {
      return (await ensureImage(docker, recipe, { onProgress, ...signal })).tag;
    } catch (error) {
      throw new EnvironmentError(`The environment of ${environment.repo} ${environment.version} could not be built: ${(error as Error).message}`, { cause: error });
    }
  });
  const version = await scmVersionOf(options.sourceRepo, instance.base_commit);
  const digest = createHash("sha256")
    .update(canonicalJson({ environmentTag, baseCommit: instance.base_commit, preInstall: environment.spec.pre_install ?? [], install: environment.setupInstall ?? null, version: version ?? null, format: INSTANCE_IMAGE_FORMAT }))
    .digest("hex")
    .slice(0, 12);
  const tag = `${INSTANCE_IMAGE_REPO}:${instance.instance_id.toLowerCase().replace(/[^a-z0-9_.-]+/g, "-")}-${digest}`;
  if (await imageExists(docker, tag)) return { tag, built: false };
  return withSetupFailureCache(options, tag, () =>
    withBuildLock(`instance-${tag}`, async () => {
      if (await imageExists(docker, tag)) return { tag, built: false };
      return buildInstanceImage(options, { environmentTag, tag, version }, onProgress);
    }, signal),
  );
}

/** Bumped whenever the set-up script changes, so instance images are made again. 2: the base commit's parent is fetched too. */
const INSTANCE_IMAGE_FORMAT = 2;

/**
 * Runs `build` unless a failure of `key` is recorded (then fails at once with the recorded
 * reason); records an environment failure of `build`. An abort is not a failure of the recipe.
 */
async function withSetupFailureCache<T>(options: Pick<InstanceImageOptions, "failures" | "signal">, key: string, build: () => Promise<T>): Promise<T> {
  const cached = await cachedSetupFailure(options.failures, key);
  if (cached !== undefined) throw new EnvironmentError(cached);
  try {
    return await build();
  } catch (error) {
    if (error instanceof EnvironmentError && !options.signal?.aborted) await recordSetupFailure(options.failures, key, error.message);
    throw error;
  }
}

async function buildInstanceImage(
  options: InstanceImageOptions,
  { environmentTag, tag, version }: { environmentTag: string; tag: string; version: string | undefined },
  onProgress: (line: string) => void,
): Promise<InstanceImage> {
  const { docker, instance, environment } = options;

  onProgress(`setting up ${instance.instance_id} on ${environmentTag}`);
  const container = await docker.createContainer({
    Image: environmentTag,
    Cmd: ["sleep", "infinity"],
    User: "root",
    WorkingDir: "/",
    Labels: harnessContainerLabels("setup", `setup-${instance.instance_id}`),
    HostConfig: { NetworkMode: "none", Binds: [`${options.sourceRepo}:/mirror:ro`], Init: true },
  });
  trackContainer(container.id);
  try {
    await container.start();
    const result = await runScript(container, setupScript(instance, environment, version), { timeoutMs: options.timeoutMs ?? 30 * 60_000, ...(options.signal ? { signal: options.signal } : {}) });
    if (result.timedOut || result.exitCode !== 0) {
      throw new EnvironmentError(
        `Setting up ${instance.instance_id} failed (${result.timedOut ? "timed out" : `exit ${result.exitCode}`}). Its last lines:\n${result.output.split("\n").slice(-15).join("\n")}`,
      );
    }
    const [imageRepo, imageVersion] = tag.split(":") as [string, string];
    await container.commit({ repo: imageRepo, tag: imageVersion, changes: [`WORKDIR ${REPO_DIRECTORY}`, "USER root", `LABEL ${HARNESS_LABEL}=instance`] });
    return { tag, built: true };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    untrackContainer(container.id);
  }
}

/**
 * The set-up script: the base commit and its parents (depth 2) fetched from /mirror, checked
 * out, installed. With the parent there, the eval script's `git show` prints the base commit's
 * own change, as it does officially, instead of the whole repository as one commit.
 */
export function setupScript(instance: Pick<SweBenchInstance, "base_commit">, environment: DebianEnvironmentSpec, scmVersion?: string): string {
  const commit = instance.base_commit;
  if (!/^[0-9a-f]{7,40}$/.test(commit)) throw new EnvironmentError(`base_commit ${JSON.stringify(commit)} is not a commit sha.`);
  if (scmVersion !== undefined && !/^[0-9A-Za-z.+!-]+$/.test(scmVersion)) throw new EnvironmentError(`Not a version: ${JSON.stringify(scmVersion)}.`);
  return [
    "set -euxo pipefail",
    // The history here is shallow and has no tags: the version comes from the full history (see scm-version.ts).
    ...(scmVersion !== undefined ? [`export SETUPTOOLS_SCM_PRETEND_VERSION=${scmVersion}`] : []),
    "git config --global --add safe.directory '*'",
    `git init -q ${REPO_DIRECTORY}`,
    `cd ${REPO_DIRECTORY}`,
    `git fetch -q --depth 2 --upload-pack 'git -c uploadpack.allowAnySHA1InWant=true upload-pack' /mirror ${commit}`,
    `git checkout -q ${commit}`,
    "git config user.email swebench@localhost && git config user.name swebench",
    ...debianPreInstallCommands(environment.spec.pre_install),
    ...(environment.setupInstall ? [environment.setupInstall] : []),
    // What the install left behind (egg-info, build/) must not show up as the model's changes.
    "git status --porcelain --ignored | head -n 50",
  ].join("\n");
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(() => true, () => false);
}
