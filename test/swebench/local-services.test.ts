import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { COMMON_DEBIAN_PACKAGES } from "../../swebench/debian-packages.js";
import { environmentVerdict } from "../../swebench/environment-check.js";
import { evaluatePredictions } from "../../swebench/evaluate.js";
import type { SweBenchInstance } from "../../swebench/instance.js";
import type { RepoVersionSpec } from "../../swebench/specs/index.js";
import { createDockerClient } from "../../src/sandbox/docker-client.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createSyntheticDataset, SYNTHETIC_REPO, SYNTHETIC_SPEC } from "../../bench/support/synthetic-swebench.js";

const docker = createDockerClient(process.env);

/** Tests that reach httpbin.org, a public host, a private address and a public address. */
const NETWORK_TESTS = `import json
import socket
import time
import urllib.request

import pytest

from calc import divide


def test_httpbin_answers():
    with urllib.request.urlopen("http://httpbin.org/get?probe=1", timeout=10) as response:
        body = json.load(response)
    assert body["args"] == {"probe": "1"}


def test_httpbin_answers_over_https():
    with urllib.request.urlopen("https://httpbin.org/get?probe=2", timeout=10) as response:
        body = json.load(response)
    assert body["args"] == {"probe": "2"}


def test_redirect_target_page_answers():
    with urllib.request.urlopen("http://www.google.co.uk/", timeout=10) as response:
        assert response.status == 200


def test_unknown_subdomain_unresolved():
    with pytest.raises(OSError):
        urllib.request.urlopen("http://doesnotexist.google.com/", timeout=3)


def test_other_host_name_unreachable():
    with pytest.raises(OSError):
        urllib.request.urlopen("http://example.com/", timeout=3)


def test_private_address_unreachable():
    with pytest.raises(OSError):
        urllib.request.urlopen("http://10.0.0.1/", timeout=3)


def test_private_address_times_out():
    started = time.monotonic()
    with pytest.raises(socket.timeout):
        socket.create_connection(("10.255.255.1", 80), timeout=1)
    assert time.monotonic() - started >= 0.9


def test_public_address_unreachable():
    with pytest.raises(OSError):
        urllib.request.urlopen("http://93.184.215.14/", timeout=3)


def test_needs_the_fix():
    assert divide(1, 0) is None
`;

function newFilePatch(path: string, content: string): string {
  const lines = content.split("\n").slice(0, -1);
  return `diff --git a/${path} b/${path}\nnew file mode 100644\n--- /dev/null\n+++ b/${path}\n@@ -0,0 +1,${lines.length} @@\n${lines.map((line) => `+${line}`).join("\n")}\n`;
}

const PASS_TO_PASS = ["test_httpbin_answers", "test_httpbin_answers_over_https", "test_redirect_target_page_answers", "test_unknown_subdomain_unresolved", "test_other_host_name_unreachable", "test_private_address_unreachable", "test_private_address_times_out", "test_public_address_unreachable"].map((name) => `tests/test_network.py::${name}`);

/**
 * The same tests in two instances evaluated side by side: version "1.0" with the stand-ins,
 * "1.1" without (both without a patch, so FAIL_TO_PASS fails and PASS_TO_PASS must pass).
 */
async function evaluateWithAndWithoutStandIns() {
  const { reposDir, instances: [base] } = await createSyntheticDataset(1);
  const instance = (id: string, version: string): SweBenchInstance => ({
    ...base!,
    instance_id: id,
    version,
    test_patch: newFilePatch("tests/test_network.py", NETWORK_TESTS),
    FAIL_TO_PASS: JSON.stringify(["tests/test_network.py::test_needs_the_fix"]),
    PASS_TO_PASS: JSON.stringify(PASS_TO_PASS),
  });
  const instances = [instance("acme__calc-network", "1.0"), instance("acme__calc-offline", "1.1")];
  const specs: Record<string, RepoVersionSpec> = { "1.0": { ...SYNTHETIC_SPEC, localServices: ["httpbin", "tarpit"] }, "1.1": SYNTHETIC_SPEC };
  const logRoot = await mkdtemp(join(tmpdir(), "swebench-services-"));
  const run = await evaluatePredictions({
    docker,
    instances,
    predictions: instances.map((item) => ({ instance_id: item.instance_id, model_name_or_path: "empty", model_patch: "" })),
    runId: "services",
    logRoot,
    reportDir: logRoot,
    environment: "debian",
    reposDir,
    cacheDir: join(logRoot, "cache"),
    workers: 2,
    timeoutSec: 300,
    evaluateEmptyPatches: true,
    specLookup: (repo, version) => {
      const spec = repo === SYNTHETIC_REPO ? specs[version] : undefined;
      if (!spec) throw new Error(`no spec for ${repo} ${version}`);
      return spec;
    },
    debianPackages: (repo) => (repo === SYNTHETIC_REPO ? [...COMMON_DEBIAN_PACKAGES] : undefined),
    parserNames: new Map(instances.map((item) => [item.instance_id, "parse_log_pytest"])),
  });
  const byId = new Map(run.results.map((result) => [result.instanceId, result]));
  return { withStandIns: byId.get("acme__calc-network")!, without: byId.get("acme__calc-offline")! };
}

describeWithDocker("local stand-ins for the hosts test suites reach (networking off)", () => {
  it("serves http:// and https://httpbin.org inside the test container and private addresses time out, while every other host stays unreachable; without them httpbin fails like any host", async () => {
    const { withStandIns, without } = await evaluateWithAndWithoutStandIns();
    expect(withStandIns.outcome.kind).toBe("graded");
    if (withStandIns.outcome.kind !== "graded") return;
    expect(withStandIns.outcome.grade.testsStatus.PASS_TO_PASS).toEqual({ success: PASS_TO_PASS, failure: [] });
    expect(withStandIns.outcome.grade.testsStatus.FAIL_TO_PASS.failure).toEqual(["tests/test_network.py::test_needs_the_fix"]);
    expect(environmentVerdict(withStandIns, "empty")).toEqual({ instanceId: "acme__calc-network", valid: true });

    expect(without.outcome.kind).toBe("graded");
    if (without.outcome.kind !== "graded") return;
    // Without the tarpit, a private address fails at once ("Network is unreachable"), not by timing out.
    expect(without.outcome.grade.testsStatus.PASS_TO_PASS.failure).toEqual([
      "tests/test_network.py::test_httpbin_answers",
      "tests/test_network.py::test_httpbin_answers_over_https",
      "tests/test_network.py::test_redirect_target_page_answers",
      "tests/test_network.py::test_private_address_times_out",
    ]);
    const verdict = environmentVerdict(without, "empty");
    expect(verdict).toMatchObject({ valid: false, problem: "tests" });
    expect(verdict.reason).toContain("PASS_TO_PASS failing: tests/test_network.py::test_httpbin_answers, tests/test_network.py::test_httpbin_answers_over_https");
  }, 600_000);
});
