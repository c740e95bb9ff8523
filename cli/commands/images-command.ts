import { Command } from "commander";
import type Docker from "dockerode";
import { BUILT_IN_RECIPES, ConfigError, createDockerClient, DEFAULT_DOCKER_SOCKET, ensureImage, findRecipe, imagesToPrune, imageTag, isDockerReachable, listImages, removeImages, SandboxError, UsageError, type ImageRecipe, type ImageSource, type ManagedImage } from "../../src/index.js";
import { INSTANCE_IMAGE_REPO } from "../../swebench/environments.js";
import { globalOptions, printJson, type CliContext } from "../cli-context.js";

/** One recipe's outcome, as `agent images build --json` prints it. */
export interface ImageBuildReport {
  recipe: string;
  tag: string;
  built: boolean;
  source: ImageSource;
  durationMs: number;
}

/** Connects to the Docker engine named by the context's DOCKER_HOST; a ConfigError that says how to start it otherwise. */
export async function connectDocker(context: CliContext): Promise<Docker> {
  const docker = createDockerClient(context.env);
  if (await isDockerReachable(docker, 5_000)) return docker;
  const where = context.env["DOCKER_HOST"] ? `DOCKER_HOST=${context.env["DOCKER_HOST"]}` : DEFAULT_DOCKER_SOCKET;
  throw new ConfigError(
    `Cannot reach the Docker engine at ${where}. Start it (\`sudo systemctl start docker\`, or \`sudo dockerd &\` where there is no systemd) ` +
      "and make sure your user may use it (the docker group), or run agents in the local sandbox, which needs no Docker.",
    { code: "docker-unreachable" },
  );
}

/** The recipes `--recipe` / `--all` select; all built-in recipes by default. */
function selectRecipes(options: { recipe?: string; all?: boolean }): readonly ImageRecipe[] {
  if (options.recipe !== undefined && options.all) throw new UsageError("Give either --recipe <name> or --all, not both.");
  if (options.recipe === undefined) return BUILT_IN_RECIPES;
  try {
    return [findRecipe(options.recipe)];
  } catch (error) {
    if (error instanceof SandboxError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** `agent images build|list`: the Docker images agents run in, built without a registry when there is none. */
export function createImagesCommand(context: CliContext): Command {
  const images = new Command("images").description("Build, list and prune the Docker images that sandboxes run agents in.");
  const recipeNames = BUILT_IN_RECIPES.map((recipe) => recipe.name).join(", ");

  images
    .command("build")
    .description(
      "Build the sandbox images, or reuse them when they exist. Without a registry the Debian base is built with debootstrap (needs root) from the host's apt mirror.",
    )
    .option("--recipe <name>", `build only this recipe (${recipeNames})`)
    .option("--all", "build every built-in recipe (the default)")
    .option("--force", "rebuild an image even when it exists")
    .action(async (options: { recipe?: string; all?: boolean; force?: boolean }, command: Command) => {
      const json = globalOptions(command).json === true;
      const recipes = selectRecipes(options);
      const docker = await connectDocker(context);
      const reports: ImageBuildReport[] = [];
      for (const recipe of recipes) {
        const started = Date.now();
        const onProgress = (line: string) => context.io.stderr.write(`[${recipe.name}] ${line}\n`);
        const result = await ensureImage(docker, recipe, { force: options.force === true, onProgress, signal: context.signal });
        const report = { recipe: recipe.name, ...result, durationMs: Date.now() - started };
        reports.push(report);
        const seconds = (report.durationMs / 1000).toFixed(1);
        onProgress(result.built ? `built ${result.tag} in ${seconds} s (base from ${result.source})` : `${result.tag} exists; reused`);
        if (!json) context.io.stdout.write(`${result.tag}\n`);
      }
      if (json) printJson(context.io, reports);
    });

  images
    .command("list")
    .description("List the images agent has built: sandbox images and their Debian bases.")
    .action(async (_options: unknown, command: Command) => {
      const json = globalOptions(command).json === true;
      const docker = await connectDocker(context);
      const managed = await listImages(docker);
      if (json) {
        printJson(context.io, managed);
        return;
      }
      if (!managed.length) {
        context.io.stdout.write("No images yet; run `agent images build`.\n");
        return;
      }
      const rows = managed.map((image) => [image.tag, image.recipeName ?? `(${image.kind})`, `${Math.round(image.sizeBytes / 1e6)} MB`, image.createdAt]);
      const header = ["TAG", "RECIPE", "SIZE", "CREATED"];
      const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
      for (const row of [header, ...rows]) {
        context.io.stdout.write(`${row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column]!))).join("  ")}\n`);
      }
    });
  images
    .command("prune")
    .description("Remove images an older recipe built and untagged leftovers; with --swebench also the SWE-bench environment and instance images.")
    .option("--swebench", "also remove SWE-bench environment images and instance images (rebuilt when needed)")
    .option("--dry-run", "only list what would be removed")
    .action(async (options: { swebench?: boolean; dryRun?: boolean }, command: Command) => {
      const json = globalOptions(command).json === true;
      const docker = await connectDocker(context);
      const selected = imagesToPrune(await listImages(docker), {
        currentTags: new Set(BUILT_IN_RECIPES.map((recipe) => imageTag(recipe))),
        builtInRecipeNames: new Set(BUILT_IN_RECIPES.map((recipe) => recipe.name)),
        ...(options.swebench ? { alsoRemove: (image: ManagedImage) => image.tag.startsWith(`${INSTANCE_IMAGE_REPO}:`) || (image.recipeName?.startsWith("swebench-") ?? false) } : {}),
      });
      if (options.dryRun) {
        if (json) printJson(context.io, selected);
        else context.io.stdout.write(selected.length ? `${selected.map((image) => `would remove ${image.tag}`).join("\n")}\n` : "Nothing to remove.\n");
        return;
      }
      const outcomes = await removeImages(docker, selected);
      if (json) printJson(context.io, outcomes);
      else {
        for (const outcome of outcomes) context.io.stdout.write(outcome.removed ? `removed ${outcome.tag}\n` : `kept ${outcome.tag}: ${outcome.reason}\n`);
        if (!outcomes.length) context.io.stdout.write("Nothing to remove.\n");
      }
    });
  return images;
}
