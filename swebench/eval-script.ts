import { parsePatch } from "diff";
import { AgentError } from "../src/index.js";
import type { SweBenchInstance } from "./instance.js";
import type { RepoVersionSpec } from "./specs/index.js";

/** The heredoc delimiter the official eval scripts put around the test patch. */
export const HEREDOC_DELIMITER = "EOF_114329324912";
/** Marks the start of the test output; log parsers read only what lies between the markers. */
export const START_TEST_OUTPUT = ">>>>> Start Test Output";
/** Marks the end of the test output. */
export const END_TEST_OUTPUT = ">>>>> End Test Output";

/** Where the repository is checked out, in the official images and in our Debian ones. */
export const REPO_DIRECTORY = "/testbed";

/**
 * Files whose changes are not tests to run. The official list has `csv` without its dot, so a
 * path like `data/testcsv` is excluded too.
 */
const NON_TEST_EXTENSIONS = [".json", ".png", "csv", ".txt", ".md", ".jpg", ".jpeg", ".pkl", ".yml", ".yaml", ".toml"];

/** The official harness's `diff_pat`, with `.` spelled `[^\n]` (Python's `.` also matches `\r`). */
const DIFF_TARGET_PATTERN = /diff --git a\/[^\n]* b\/([^\n]*)/g;

/** Which images an eval script is written for. */
export type EvalEnvironment = "conda" | "debian";

/**
 * Which official script generation to reproduce. "v5" (default): the `eval_script` column the
 * official datasets carry since 2026-08 (the *.harness.jsonl reference files), which is what
 * the conformance test checks. "v4.1": `make_eval_script_list_py` of the swebench 4.1.0 package, the
 * harness that graded the leaderboard's submissions until then. They differ on 31 of the 823
 * reference rows (3 Lite dev, 8 Lite test, 20 Verified): see `testFilesToReset` and the spec field
 * `instancePreTestCommands`.
 */
export type EvalHarness = "v5" | "v4.1";

export interface EvalScriptOptions {
  /**
   * "conda" (default): the official images, which activate the conda env `testbed` at
   * /opt/miniconda3 before anything else and again before the install. "debian": our Debian-built
   * images, which have no conda; every `source /opt/miniconda3/bin/activate` and
   * `conda activate testbed` line is left out and everything else is kept, with the repository at
   * /testbed as in the official images. Such an image must put the Python that has the
   * repository's dependencies first on PATH as `python` and let pip install into it (a venv, or
   * PIP_BREAK_SYSTEM_PACKAGES=1 where Debian marks its Python externally managed), because the
   * script still re-runs the spec's install command and then the test command.
   */
  environment?: EvalEnvironment;
  /** The script generation to reproduce; "v5" unless told. */
  harness?: EvalHarness;
}

/**
 * The test directives of an instance, as the official `get_test_directives` finds them: every
 * `b/<path>` of a `diff --git` line anywhere in the test patch, minus data files (see
 * NON_TEST_EXTENSIONS). For django each path becomes a test module: `.py` and a leading `tests/`
 * removed, `/` replaced by `.` (`tests/auth_tests/test_views.py` → `auth_tests.test_views`).
 * (Later harness revisions also drop django paths that do not look like tests; the reference
 * scripts keep them, e.g. `lookup.models`.)
 */
export function testDirectives(instance: Pick<SweBenchInstance, "repo" | "test_patch">): string[] {
  const paths = [...instance.test_patch.matchAll(DIFF_TARGET_PATTERN)]
    .map((match) => match[1] ?? "")
    .filter((path) => !NON_TEST_EXTENSIONS.some((extension) => path.endsWith(extension)));
  if (instance.repo !== "django/django") return paths;
  return paths.map((path) => {
    const withoutExtension = path.endsWith(".py") ? path.slice(0, -".py".length) : path;
    const withoutTestsDir = withoutExtension.startsWith("tests/")
      ? withoutExtension.slice("tests/".length)
      : withoutExtension;
    return withoutTestsDir.replaceAll("/", ".");
  });
}

/**
 * The files a patch modifies that exist before it applies, as swebench 4.1.0's
 * `get_modified_files` reads them: each file's source path (`a/<path>`, the old name of a rename),
 * skipping new files (source /dev/null).
 */
export function modifiedFiles(patch: string): string[] {
  return parsePatch(patch).flatMap((file) => {
    const source = file.isCreate ? "/dev/null" : file.oldFileName;
    if (source === undefined || source === "/dev/null" || !source.startsWith("a/")) return [];
    return [source.slice("a/".length)];
  });
}

/**
 * Every file a patch touches, in patch order, by its name after the patch (a deleted file by its
 * old name): new files and the new name of a rename included.
 */
export function patchedFiles(patch: string): string[] {
  return parsePatch(patch).flatMap((file) => {
    const name = file.isDelete || file.newFileName === "/dev/null" ? file.oldFileName : file.newFileName;
    if (name === undefined || name === "/dev/null") return [];
    return [name.replace(/^[ab]\//, "")];
  });
}

/**
 * The test files the eval script resets to the base commit before applying the test patch and
 * after the tests. v5 resets every file of the test patch (so a new test file is named too, and
 * git reports it unknown at the base commit); v4.1 only the files that exist at the base commit
 * (`modifiedFiles`). Where v4.1 finds none it wrote a bare `git checkout <base>`, which moves HEAD
 * off the image's setup commit (fixed upstream later, #518); here the line is left out instead.
 */
export function testFilesToReset(
  instance: Pick<SweBenchInstance, "instance_id" | "test_patch">,
  harness: EvalHarness = "v5",
): string[] {
  try {
    return harness === "v5" ? patchedFiles(instance.test_patch) : modifiedFiles(instance.test_patch);
  } catch (error) {
    throw new AgentError(
      "swebench-test-patch",
      `The test_patch of ${instance.instance_id} cannot be parsed as a patch: ${String(error)}`,
      { cause: error },
    );
  }
}

/**
 * The eval.sh of an instance, as the official harness writes it (joined by newlines after
 * `#!/bin/bash` and `set -uxo pipefail`, with a final newline): conda activation, the spec's
 * eval_commands, informational git status/show/diff, activation again, the spec's install, a
 * reset of the test files, the test patch in a quoted heredoc, (v5) the instance's pre-test
 * commands, the test command with the test directives between the start and end markers, and the
 * reset again. Like both harness versions the reference scripts come from, it records no test
 * exit code: the `SWEBENCH_TEST_EXIT_CODE` lines described for 5.x appear in none of the 823
 * reference scripts.
 */
export function makeEvalScript(
  instance: Pick<SweBenchInstance, "instance_id" | "repo" | "base_commit" | "test_patch">,
  spec: RepoVersionSpec,
  options: EvalScriptOptions = {},
): string {
  const harness = options.harness ?? "v5";
  const activate =
    (options.environment ?? "conda") === "conda"
      ? ["source /opt/miniconda3/bin/activate", "conda activate testbed"]
      : [];
  const filesToReset = testFilesToReset(instance, harness);
  const resetTestFiles =
    filesToReset.length > 0 ? [`git checkout ${instance.base_commit} ${filesToReset.join(" ")}`] : [];
  const preTestCommands = harness === "v5" ? instancePreTestCommands(spec, instance.instance_id) : [];
  const lines = [
    "#!/bin/bash",
    "set -uxo pipefail",
    ...activate,
    `cd ${REPO_DIRECTORY}`,
    ...(spec.eval_commands ?? []),
    `git config --global --add safe.directory ${REPO_DIRECTORY}`,
    `cd ${REPO_DIRECTORY}`,
    "git status",
    "git show",
    `git -c core.fileMode=false diff ${instance.base_commit}`,
    ...activate,
    ...(spec.install === undefined ? [] : [spec.install]),
    ...resetTestFiles,
    `git apply -v - <<'${HEREDOC_DELIMITER}'\n${instance.test_patch}\n${HEREDOC_DELIMITER}`,
    ...preTestCommands,
    `: '${START_TEST_OUTPUT}'`,
    ...testCommands(instance, spec),
    `: '${END_TEST_OUTPUT}'`,
    ...resetTestFiles,
  ];
  return `${lines.join("\n")}\n`;
}

/**
 * A single test command gets the directives appended; a list of commands (which no Python spec
 * uses) is run as given, one per line, like the official harness does for other languages.
 */
function testCommands(instance: Pick<SweBenchInstance, "repo" | "test_patch">, spec: RepoVersionSpec): string[] {
  if (typeof spec.test_cmd !== "string") return [...spec.test_cmd];
  return [[spec.test_cmd, ...testDirectives(instance)].join(" ")];
}

function instancePreTestCommands(spec: RepoVersionSpec, instanceId: string): readonly string[] {
  const commands = spec.instancePreTestCommands;
  if (commands === undefined || !Object.hasOwn(commands, instanceId)) return [];
  return commands[instanceId] ?? [];
}
