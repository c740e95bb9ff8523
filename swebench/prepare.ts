/**
 * `agent swebench prepare`: the Debian environment image of every (repository, release) the
 * selected instances need, and with a repository source each instance's image, built ahead of
 * a run; what cannot be built is reported with its reason.
 */
import type Docker from "dockerode";
import { ensureImage } from "../src/index.js";
import { debianEnvironmentSpec, ensureInstanceImage, environmentRecipe, repositorySource } from "./environments.js";
import type { SweBenchInstance } from "./instance.js";
import { specFor, type RepoVersionSpec } from "./specs/index.js";

/** One environment or instance image, ready or not. */
export type PrepareOutcome = { subject: string; ok: true; image: string; built: boolean } | { subject: string; ok: false; reason: string };

/** Builds what the instances need, one image at a time; never throws for an image that cannot be built. */
export async function prepareEnvironments(options: {
  docker: Docker;
  instances: readonly SweBenchInstance[];
  reposDir?: string;
  cacheDir: string;
  specLookup?: (repo: string, version: string) => RepoVersionSpec;
  debianPackages?: (repo: string) => string[] | undefined;
  onProgress?: (line: string) => void;
  onOutcome?: (outcome: PrepareOutcome) => void;
  signal?: AbortSignal;
}): Promise<PrepareOutcome[]> {
  const outcomes: PrepareOutcome[] = [];
  const report = (outcome: PrepareOutcome) => {
    outcomes.push(outcome);
    options.onOutcome?.(outcome);
  };
  const common = { ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) };
  const environments = new Map<string, PrepareOutcome>();
  for (const instance of options.instances) {
    let environment;
    try {
      environment = debianEnvironmentSpec(instance, (options.specLookup ?? specFor)(instance.repo, instance.version), options.debianPackages?.(instance.repo));
    } catch (error) {
      report({ subject: `${instance.instance_id} (${instance.repo} ${instance.version})`, ok: false, reason: (error as Error).message });
      continue;
    }
    const recipe = environmentRecipe(environment);
    let built = environments.get(recipe.name);
    if (!built) {
      try {
        const image = await ensureImage(options.docker, recipe, common);
        built = { subject: `environment ${recipe.name}`, ok: true, image: image.tag, built: image.built };
      } catch (error) {
        if (options.signal?.aborted) throw error;
        built = { subject: `environment ${recipe.name}`, ok: false, reason: (error as Error).message.split("\n")[0]! };
      }
      environments.set(recipe.name, built);
      report(built);
    }
    if (!built.ok || !options.reposDir) continue;
    try {
      const sourceRepo = await repositorySource(instance.repo, { reposDir: options.reposDir, cacheDir: options.cacheDir });
      const image = await ensureInstanceImage({ docker: options.docker, instance, environment, sourceRepo, ...common });
      report({ subject: instance.instance_id, ok: true, image: image.tag, built: image.built });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      report({ subject: instance.instance_id, ok: false, reason: (error as Error).message.split("\n")[0]! });
    }
  }
  return outcomes;
}
