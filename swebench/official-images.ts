/**
 * The official SWE-bench instance images (`swebench/sweb.eval.x86_64.<id>`): Ubuntu, miniconda
 * at /opt/miniconda3 with the repository's dependencies in the conda env "testbed", the
 * repository at /testbed installed into it. Here: finding or pulling an instance's image,
 * choosing it over a Debian image built here (`--environment`), and the environment variables
 * the agents' commands need in it — what the official harness's
 * `source /opt/miniconda3/bin/activate testbed` sets.
 */
import type Docker from "dockerode";
import { imageExists, pullImage, trackContainer, untrackContainer } from "../src/index.js";
import { runScript } from "./container-exec.js";
import { EnvironmentError, harnessContainerLabels } from "./environments.js";
import { localImageName, officialImageName } from "./image-names.js";

/** Which images the instances run in: the official ones (a registry), ones built here from Debian, or official when one can be had. */
export type EnvironmentKind = "official" | "debian" | "auto";

/** conda's activation in the official images, and the env the repository is installed in. */
const CONDA_ACTIVATE = "/opt/miniconda3/bin/activate";
const CONDA_ENVIRONMENT = "testbed";

/** How long pulls are not tried again after the registry did not answer. */
const REGISTRY_RETRY_MS = 10 * 60_000;

/** Since when, and why, the registry is taken to be out of reach. */
let registryUnreachable: { until: number; reason: string } | undefined;

/**
 * The official image an instance runs in under `kind`, or undefined when it runs in a Debian
 * image built here: always with debian, and with auto when no official image can be had. With
 * official, an image that cannot be had is an EnvironmentError saying why and what to do.
 */
export async function chooseOfficialImage(
  docker: Docker,
  instanceId: string,
  kind: EnvironmentKind,
  options: { onProgress?: (line: string) => void; signal?: AbortSignal } = {},
): Promise<string | undefined> {
  if (kind === "debian") return undefined;
  const found = await findOfficialImage(docker, instanceId, options);
  if (found.image !== undefined) return found.image;
  if (kind === "official") {
    throw new EnvironmentError(
      `The official image ${officialImageName(instanceId)} is not here and cannot be pulled (${found.reason}). ` +
        "Pull or load it first (docker pull, docker load), or use --environment debian (or auto) to build an image here.",
    );
  }
  return undefined;
}

/**
 * The official image of an instance: the Docker Hub one or one the official harness built here
 * (`sweb.eval.x86_64.<id>`) when present, else the Docker Hub one pulled when a registry
 * answers; otherwise why it cannot be had.
 */
async function findOfficialImage(
  docker: Docker,
  instanceId: string,
  options: { onProgress?: (line: string) => void; signal?: AbortSignal },
): Promise<{ image: string; reason?: undefined } | { image?: undefined; reason: string }> {
  for (const name of [officialImageName(instanceId), localImageName(instanceId)]) {
    if (await imageExists(docker, name)) return { image: name };
  }
  const name = officialImageName(instanceId);
  if (registryUnreachable && Date.now() < registryUnreachable.until) return { reason: `the registry did not answer a pull in the last minutes: ${registryUnreachable.reason}` };
  const outcome = await pullImage(docker, name, options);
  if (outcome.pulled) return { image: name };
  // An image that does not exist says nothing about the registry; no answer does: stop asking for a while.
  if (!/manifest unknown|not found|pull access denied|repository does not exist/i.test(outcome.reason)) {
    registryUnreachable = { until: Date.now() + REGISTRY_RETRY_MS, reason: outcome.reason };
  }
  return { reason: `pulling it failed: ${outcome.reason}` };
}

/** Variables a shell sets for itself, never part of what an activation changes. */
const SHELL_OWN_VARIABLES = new Set(["_", "PS1", "SHLVL", "PWD", "OLDPWD"]);

/** Starts the line with the environment before and after the activation in the probe's output. */
const PROBE_MARKER = "__agent_conda_environment__";

/**
 * The variables the agents' commands need in an official image, read from the image in a
 * throw-away container: what `source /opt/miniconda3/bin/activate testbed` changes in the
 * image's environment (PATH with the env's bin first, CONDA_PREFIX, whatever the env's
 * activate.d scripts set), and the image's PATH, which the sandbox would otherwise replace with
 * its own. An image without conda gets its PATH alone; an activation that fails is an
 * EnvironmentError.
 */
export async function officialSandboxEnvironment(docker: Docker, image: string, signal?: AbortSignal): Promise<Record<string, string>> {
  const script = [
    "before=$(env -0 | base64 -w0)",
    `if [ -e ${CONDA_ACTIVATE} ]; then`,
    `  source ${CONDA_ACTIVATE} ${CONDA_ENVIRONMENT} > /tmp/activation.log 2>&1 || { tail -n 20 /tmp/activation.log; exit 3; }`,
    "fi",
    "after=$(env -0 | base64 -w0)",
    `printf '\\n%s %s %s\\n' ${PROBE_MARKER} "$before" "$after"`,
  ].join("\n");
  const container = await docker.createContainer({
    Image: image,
    Cmd: ["sleep", "infinity"],
    User: "root",
    Labels: harnessContainerLabels("setup", `conda-${image}`),
    HostConfig: { NetworkMode: "none", Init: true },
  });
  trackContainer(container.id);
  try {
    await container.start();
    const probe = await runScript(container, script, { timeoutMs: 120_000, ...(signal ? { signal } : {}) });
    const line = probe.output.split("\n").find((text) => text.startsWith(`${PROBE_MARKER} `));
    if (probe.exitCode !== 0 || !line) {
      throw new EnvironmentError(
        `Activating conda's env ${CONDA_ENVIRONMENT} in ${image} (source ${CONDA_ACTIVATE} ${CONDA_ENVIRONMENT}) failed ` +
          `(${probe.timedOut ? "timed out" : `exit ${probe.exitCode}`}): ${probe.output.trim().split("\n").slice(-5).join(" | ") || "no output"}. ` +
          "Check the image (docker run --rm -it <image> bash), or use --environment debian.",
      );
    }
    const [, before = "", after = ""] = line.split(" ");
    const original = parseEnvironment(before);
    const activated = parseEnvironment(after);
    const changed = Object.fromEntries(Object.entries(activated).filter(([name, value]) => !SHELL_OWN_VARIABLES.has(name) && original[name] !== value));
    return { ...changed, ...(activated["PATH"] !== undefined ? { PATH: activated["PATH"] } : {}) };
  } finally {
    await container.remove({ force: true }).catch(() => undefined);
    untrackContainer(container.id);
  }
}

/** `env -0` output, base64-encoded, as variables. */
function parseEnvironment(encoded: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const entry of Buffer.from(encoded, "base64").toString("utf8").split("\0")) {
    const equals = entry.indexOf("=");
    if (equals > 0) variables[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  return variables;
}
