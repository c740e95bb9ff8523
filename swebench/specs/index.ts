import { ConfigError } from "../../src/index.js";
import { astroidSpecs } from "./astroid.js";
import { astropySpecs } from "./astropy.js";
import { djangoSpecs } from "./django.js";
import { flaskSpecs } from "./flask.js";
import { marshmallowSpecs } from "./marshmallow.js";
import { matplotlibSpecs } from "./matplotlib.js";
import { pvlibSpecs } from "./pvlib.js";
import { pydicomSpecs } from "./pydicom.js";
import { pylintSpecs } from "./pylint.js";
import { pytestSpecs } from "./pytest.js";
import { pyvistaSpecs } from "./pyvista.js";
import type { RepoSpecTable, RepoVersionSpec } from "./repo-version-spec.js";
import { requestsSpecs } from "./requests.js";
import { scikitLearnSpecs } from "./scikit-learn.js";
import { seabornSpecs } from "./seaborn.js";
import { sphinxSpecs } from "./sphinx.js";
import { sqlfluffSpecs } from "./sqlfluff.js";
import { sympySpecs } from "./sympy.js";
import { xarraySpecs } from "./xarray.js";

export type { DebianSuite, RepoSpecTable, RepoVersionSpec } from "./repo-version-spec.js";
export { DEBIAN_SUITE_PYTHON } from "./repo-version-spec.js";
export { debianSuiteFor } from "./debian-suite.js";

/**
 * The project's own copy of the official spec table, for every (repository, version) of SWE-bench
 * Lite (dev and test) and Verified (test). Specs whose Python Debian cannot give exactly (all but
 * 3.9 and 3.11) are listed in the comment of each repository's module.
 */
const SPECS_BY_REPO: Readonly<Record<string, RepoSpecTable>> = {
  "astropy/astropy": astropySpecs,
  "django/django": djangoSpecs,
  "marshmallow-code/marshmallow": marshmallowSpecs,
  "matplotlib/matplotlib": matplotlibSpecs,
  "mwaskom/seaborn": seabornSpecs,
  "pallets/flask": flaskSpecs,
  "psf/requests": requestsSpecs,
  "pvlib/pvlib-python": pvlibSpecs,
  "pydata/xarray": xarraySpecs,
  "pydicom/pydicom": pydicomSpecs,
  "pylint-dev/astroid": astroidSpecs,
  "pylint-dev/pylint": pylintSpecs,
  "pytest-dev/pytest": pytestSpecs,
  "pyvista/pyvista": pyvistaSpecs,
  "scikit-learn/scikit-learn": scikitLearnSpecs,
  "sphinx-doc/sphinx": sphinxSpecs,
  "sqlfluff/sqlfluff": sqlfluffSpecs,
  "sympy/sympy": sympySpecs,
};

/** One row of the spec table. */
export interface RepoVersionSpecEntry {
  repo: string;
  version: string;
  spec: RepoVersionSpec;
}

/** The spec of a repository at a version; throws a ConfigError naming both when there is none. */
export function specFor(repo: string, version: string): RepoVersionSpec {
  const table = Object.hasOwn(SPECS_BY_REPO, repo) ? SPECS_BY_REPO[repo] : undefined;
  if (table === undefined) {
    throw new ConfigError(
      `No SWE-bench environment spec for repository ${repo} (version ${version}). ` +
        `Known repositories: ${Object.keys(SPECS_BY_REPO).join(", ")}. Add one under swebench/specs/.`,
      { code: "swebench-spec-missing" },
    );
  }
  const spec = Object.hasOwn(table, version) ? table[version] : undefined;
  if (spec === undefined) {
    throw new ConfigError(
      `No SWE-bench environment spec for ${repo} version ${version}. ` +
        `Known versions: ${Object.keys(table).join(", ")}. Add it to the module of ${repo} under swebench/specs/.`,
      { code: "swebench-spec-missing" },
    );
  }
  return spec;
}

/** Every (repository, version) the table covers, repositories and versions in table order. */
export function listSpecs(): RepoVersionSpecEntry[] {
  return Object.entries(SPECS_BY_REPO).flatMap(([repo, table]) =>
    Object.entries(table).map(([version, spec]) => ({ repo, version, spec })),
  );
}
