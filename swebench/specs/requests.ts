import { TEST_PYTEST, type RepoSpecTable, type RepoVersionSpec } from "./repo-version-spec.js";

/** Every version: Python 3.9 with conda's pytest, and a plain (not editable) install. */
const spec: RepoVersionSpec = {
  python: "3.9",
  packages: "pytest",
  install: "python -m pip install .",
  test_cmd: TEST_PYTEST,
  debianSuite: "bullseye",
  // Older test suites fetch httpbin.org itself (HTTPBIN_URL), not pytest-httpbin's local server,
  // and the timeout tests expect 10.255.255.1 to time out.
  localServices: ["httpbin", "tarpit"],
};

/**
 * psf/requests. Tests that call httpbin.org get a local httpbin (see local-services.ts). Because the install is not editable, the eval script's re-install is what puts a
 * patched `requests` into site-packages before the tests run.
 */
export const requestsSpecs: RepoSpecTable = {
  "0.14": spec,
  "1.1": spec,
  "2.0": spec,
  "2.3": spec,
  "2.4": spec,
  "2.7": spec,
  "2.9": spec,
  "2.10": spec,
  "2.26": spec,
  "2.27": spec,
};
