import type { LocalServiceName } from "../local-services.js";

/**
 * The environment spec of one (repository, version) pair of SWE-bench: what the official harness
 * (`MAP_REPO_VERSION_TO_SPECS` in swebench/harness/constants/python.py) builds and runs. The fields
 * that come from the official table keep its snake_case names so the two can be compared line by
 * line; `debianSuite` is ours.
 */
export interface RepoVersionSpec {
  /** The Python version of the official conda environment, e.g. "3.9". */
  readonly python: string;
  /**
   * What the official env image installs first: conda packages ("numpy scipy"), or one of the
   * markers "requirements.txt" (the repository's requirements files at environment_setup_commit)
   * and "environment.yml" (its conda environment file).
   */
  readonly packages?: string;
  /** Extra `python -m pip install` arguments of the env image, in order. */
  readonly pip_packages?: readonly string[];
  /** Commands run in the repository before `install` when the instance image is built. */
  readonly pre_install?: readonly string[];
  /** Installs the repository; also re-run by every eval script before the tests. */
  readonly install?: string;
  /** Commands the eval script runs first, right after `cd /testbed` (e.g. locale exports). */
  readonly eval_commands?: readonly string[];
  /** The test command; the test directives are appended to a single command. */
  readonly test_cmd: string | readonly string[];
  /** Environment variables the official image sets (none of the Python specs sets any). */
  readonly env_vars?: Readonly<Record<string, string>>;
  /** xarray: `conda create` with the Python version, then `conda env update -f environment.yml`. */
  readonly no_use_env?: boolean;
  /** CPU limit of the official test container, in units of 1e-9 CPUs (pylint). */
  readonly nano_cpus?: number;
  /**
   * Per-instance exceptions of the v5 eval scripts: commands run after the test patch is applied
   * and before the start marker, keyed by instance id. Only two astropy 3.1 instances have any.
   */
  readonly instancePreTestCommands?: Readonly<Record<string, readonly string[]>>;
  /**
   * The Debian release our own (non-conda) environments are built on. Debian ships one Python per
   * release (bullseye 3.9, bookworm 3.11), so this is the closest release to `python`, as chosen
   * by `debianSuiteFor`; it is exact only for 3.9 and 3.11.
   */
  readonly debianSuite: DebianSuite;
  /**
   * Ours: why `debianSuite` is not the release nearest `python` — the nearer release's packages
   * cannot run this version (e.g. its Werkzeug is older than the version requires).
   */
  readonly debianSuiteReason?: string;
  /**
   * Ours: hosts the test suite reaches that get a local stand-in in the test container (see
   * local-services.ts), because our containers, unlike the official ones, are offline.
   */
  readonly localServices?: readonly LocalServiceName[];
  /** Ours: apt packages this version needs beyond its repository's list in debian-packages.ts. */
  readonly debianPackages?: readonly string[];
}

/** Debian releases our environments can be built on, each with the one Python it ships. */
export type DebianSuite = "bullseye" | "bookworm";

/** The Python version each supported Debian release ships (python3). */
export const DEBIAN_SUITE_PYTHON: Readonly<Record<DebianSuite, string>> = {
  bullseye: "3.9",
  bookworm: "3.11",
};

/** The specs of one repository, keyed by the instance `version` field ("3.0", "2022.06"...). */
export type RepoSpecTable = Readonly<Record<string, RepoVersionSpec>>;

/** Test commands of the official harness (constants/python.py, the values its scripts contain). */
export const TEST_PYTEST = "pytest -rA";
export const TEST_ASTROPY_PYTEST = "pytest -rA -vv -o console_output_style=classic --tb=no";
export const TEST_DJANGO = "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1";
export const TEST_SEABORN = "pytest --no-header -rA";
export const TEST_SPHINX = "tox --current-env -epy39 -v --";
export const TEST_SYMPY =
  "PYTHONWARNINGS='ignore::UserWarning,ignore::SyntaxWarning' bin/test -C --verbose";
