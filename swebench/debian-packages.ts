/**
 * What our Debian-built SWE-bench environments install with apt, per repository. There is no
 * PyPI here (nor behind many firewalls), so a repository's dependencies come from Debian's own
 * python3-* packages of the release `debianSuiteFor` picks. These are approximations of the
 * official conda environments: versions differ, so some tests may behave differently.
 *
 * Measured: sympy on bullseye (the gold patch resolves 76 of the 77 sympy instances of Lite).
 * The other lists are best effort and not measured here.
 */

/** Installed in every environment: git and patch for the harness, a compiler, pytest, and `python`. */
export const COMMON_DEBIAN_PACKAGES: readonly string[] = [
  "git",
  "patch",
  "ca-certificates",
  "build-essential",
  "python3",
  "python3-dev",
  "python3-pip",
  "python3-setuptools",
  "python3-wheel",
  "python-is-python3",
  "python3-pytest",
];

/** Extra Debian packages per repository (owner/name). */
export const DEBIAN_PACKAGES_BY_REPO: Readonly<Record<string, readonly string[]>> = {
  "sympy/sympy": ["python3-mpmath"],
  "psf/requests": ["python3-urllib3", "python3-chardet", "python3-idna", "python3-certifi", "python3-socks", "python3-pytest-httpbin", "python3-pytest-mock"],
  // python-dotenv: three PASS_TO_PASS tests of the CLI skip without it (a skip counts as a failure).
  "pallets/flask": ["python3-werkzeug", "python3-jinja2", "python3-itsdangerous", "python3-click", "python3-markupsafe", "python3-blinker", "python3-dotenv"],
  // setuptools-scm builds pytest's version at install; the rest are what its own tests import (testing extras of setup.cfg).
  "pytest-dev/pytest": [
    "python3-attr",
    "python3-pluggy",
    "python3-py",
    "python3-iniconfig",
    "python3-packaging",
    "python3-more-itertools",
    "python3-atomicwrites",
    "python3-wcwidth",
    "python3-six",
    "python3-toml",
    "python3-setuptools-scm",
    "python3-hypothesis",
    "python3-xmlschema",
    "python3-argcomplete",
    "python3-mock",
    "python3-nose",
    "python3-requests",
    "python3-pygments",
  ],
  // What django's tests/requirements/py3.txt asks for that its tests can use here, and `locales`
  // for the en_US.UTF-8 locale the eval scripts generate. Left out: what only serves tests that
  // skip without a service this offline container cannot have (selenium without a browser,
  // memcached, redis, watchman, GeoIP data) and what Debian lacks (black, pymemcache).
  "django/django": [
    "locales",
    "python3-asgiref",
    "python3-sqlparse",
    "python3-tz",
    "python3-aiosmtpd",
    "python3-argon2",
    "python3-bcrypt",
    "python3-colorama",
    "python3-docutils",
    "python3-jinja2",
    "python3-numpy",
    "python3-pil",
    "python3-yaml",
    "python3-tblib",
  ],
  "pylint-dev/astroid": ["python3-lazy-object-proxy", "python3-wrapt", "python3-typing-extensions"],
  "marshmallow-code/marshmallow": ["python3-simplejson", "python3-dateutil", "python3-tz"],
};

/** The apt packages of `repo`'s environment, or undefined when there is no list for it. */
export function debianPackagesFor(repo: string): string[] | undefined {
  const extra = DEBIAN_PACKAGES_BY_REPO[repo];
  return extra ? [...COMMON_DEBIAN_PACKAGES, ...extra] : undefined;
}

/**
 * `pre_install` commands for a Debian environment: the set-up container is offline and the
 * environment image already has the repository's apt packages, so an `apt-get update` or
 * `apt-get install` there (django 1.11 and 2.2 install `locales` this way) is left out.
 */
export function debianPreInstallCommands(commands: readonly string[] | undefined): string[] {
  return (commands ?? []).filter((command) => !/^\s*apt-get\s+(update|install)\b/.test(command));
}

/**
 * The install command for a Debian environment: pip must not reach an index or build in an
 * isolated environment (that downloads setuptools), and must not pull dependencies (apt has).
 */
export function debianInstallCommand(install: string | undefined): string | undefined {
  if (install === undefined) return undefined;
  return install.replace(/\bpython(3)? -m pip install\b/g, "python -m pip install --no-index --no-build-isolation --no-deps");
}

/** Files whose change means an installed checkout must be installed again: packaging and compiled sources. */
const REINSTALL_PATTERN = String.raw`\.(pyx|pxd|pxi|c|cc|cpp|cxx|h|hpp|f|f90)$|(^|/)(setup\.py|setup\.cfg|pyproject\.toml|meson\.build|MANIFEST\.in)$`;

/**
 * The eval script's install step in a Debian environment. The repository was installed
 * (editable) when the instance image was made, so a change to Python sources needs no new
 * install; the official script installs again anyway (about 2 s of pip per instance), this one
 * only when the working tree changes packaging files or compiled sources.
 */
export function debianEvalInstallCommand(install: string | undefined): string | undefined {
  const command = debianInstallCommand(install);
  if (command === undefined) return undefined;
  return `if git status --porcelain --untracked-files=all | cut -c4- | grep -qE '${REINSTALL_PATTERN}'; then ${command}; fi`;
}
