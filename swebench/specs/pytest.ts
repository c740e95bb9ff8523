import { TEST_PYTEST, type RepoSpecTable, type RepoVersionSpec } from "./repo-version-spec.js";

/** Every version: Python 3.9, editable install, with the versions' own dependencies pinned. */
function spec(pipPackages: readonly string[], extra: Partial<RepoVersionSpec> = {}): RepoVersionSpec {
  return {
    python: "3.9",
    install: "python -m pip install -e .",
    pip_packages: pipPackages,
    test_cmd: TEST_PYTEST,
    debianSuite: "bullseye",
    ...extra,
  };
}

const v50 = [
  "atomicwrites==1.4.1",
  "attrs==23.1.0",
  "more-itertools==10.1.0",
  "packaging==23.1",
  "pluggy==0.13.1",
  "py==1.11.0",
  "wcwidth==0.2.6",
];
const v62 = [
  "attrs==23.1.0",
  "iniconfig==2.0.0",
  "packaging==23.1",
  "pluggy==0.13.1",
  "py==1.11.0",
  "toml==0.10.2",
];

/** 7.0 and later need tomli (and 8.0 exceptiongroup and pluggy 1.x) on Python 3.9, which bullseye lacks; bookworm's 3.11 needs neither. */
const onBookworm: Partial<RepoVersionSpec> = {
  debianSuite: "bookworm",
  // 7.0 imports tomli whatever the Python; 8.0 wants exceptiongroup before 3.11. Bookworm has both.
  debianPackages: ["python3-tomli", "python3-exceptiongroup"],
  debianSuiteReason: "pytest 7.0 and later need tomli on Python 3.9 and bullseye has no python3-tomli; on bookworm's 3.11 the standard library has tomllib",
};

/**
 * pytest-dev/pytest. 6.3's setup.cfg has a `>=>=` typo that the image fixes before installing.
 * 4.4 to 6.3 are met exactly (bullseye, 3.9); 7.0 and later run on bookworm's 3.11.
 */
export const pytestSpecs: RepoSpecTable = {
  "4.4": spec([
    "atomicwrites==1.4.1",
    "attrs==23.1.0",
    "more-itertools==10.1.0",
    "pluggy==0.13.1",
    "py==1.11.0",
    "setuptools==68.0.0",
    "six==1.16.0",
  ]),
  "4.5": spec([
    "atomicwrites==1.4.1",
    "attrs==23.1.0",
    "more-itertools==10.1.0",
    "pluggy==0.11.0",
    "py==1.11.0",
    "setuptools==68.0.0",
    "six==1.16.0",
    "wcwidth==0.2.6",
  ]),
  "4.6": spec([
    "atomicwrites==1.4.1",
    "attrs==23.1.0",
    "more-itertools==10.1.0",
    "packaging==23.1",
    "pluggy==0.13.1",
    "py==1.11.0",
    "six==1.16.0",
    "wcwidth==0.2.6",
  ]),
  "5.0": spec(v50),
  "5.1": spec(v50),
  "5.2": spec(v50),
  "5.4": spec([
    "py==1.11.0",
    "packaging==23.1",
    "attrs==23.1.0",
    "more-itertools==10.1.0",
    "pluggy==0.13.1",
  ]),
  "6.0": spec([
    "attrs==23.1.0",
    "iniconfig==2.0.0",
    "more-itertools==10.1.0",
    "packaging==23.1",
    "pluggy==0.13.1",
    "py==1.11.0",
    "toml==0.10.2",
  ]),
  "6.2": spec(v62),
  "6.3": spec(v62, { pre_install: ["sed -i 's/>=>=/>=/' setup.cfg"] }),
  "7.0": spec([
    "attrs==23.1.0",
    "iniconfig==2.0.0",
    "packaging==23.1",
    "pluggy==0.13.1",
    "py==1.11.0",
  ], onBookworm),
  "7.2": spec([
    "attrs==23.1.0",
    "iniconfig==2.0.0",
    "packaging==23.1",
    "pluggy==0.13.1",
    "py==1.11.0",
    "tomli==2.0.1",
  ], onBookworm),
  "8.0": spec([
    "iniconfig==2.0.0",
    "packaging==23.1",
    "pluggy==1.3.0",
    "exceptiongroup==1.1.3",
    "tomli==2.0.1",
  ], onBookworm),
};
