import { TEST_PYTEST, type RepoSpecTable } from "./repo-version-spec.js";

/**
 * pallets/flask (requirements from requirements/dev.txt). 2.3 is met exactly; 2.0 runs on
 * bookworm's Python 3.11, not 3.9, because bullseye's Werkzeug is too old for it.
 */
export const flaskSpecs: RepoSpecTable = {
  "2.0": {
    python: "3.9",
    packages: "requirements.txt",
    install: "python -m pip install -e .",
    pip_packages: [
      "setuptools==70.0.0",
      "Werkzeug==2.3.7",
      "Jinja2==3.0.1",
      "itsdangerous==2.1.2",
      "click==8.0.1",
      "MarkupSafe==2.1.3",
    ],
    test_cmd: TEST_PYTEST,
    debianSuite: "bookworm",
    debianSuiteReason: "flask 2.0 requires Werkzeug >= 2.0 and bullseye has 1.0.1 (ImportError at collection); bookworm has 2.2.2",
  },
  "2.3": {
    python: "3.11",
    packages: "requirements.txt",
    install: "python -m pip install -e .",
    pip_packages: [
      "setuptools==70.0.0",
      "click==8.1.3",
      "itsdangerous==2.1.2",
      "Jinja2==3.1.2",
      "MarkupSafe==2.1.1",
      "Werkzeug==2.3.7",
    ],
    test_cmd: TEST_PYTEST,
    debianSuite: "bookworm",
  },
};
