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

const PASS_TO_PASS = ["test_httpbin_answers", "test_httpbin_answers_over_https", "test_other_host_name_unreachable", "test_private_address_unreachable", "test_private_address_times_out", "test_public_address_unreachable"].map((name) => `tests/test_network.py::${name}`);

async function evaluateWithout(spec: RepoVersionSpec) {
  const { reposDir, instances: [base] } = await createSyntheticDataset(1);
  const instance: SweBenchInstance = {
    ...base!,
    instance_id: "acme__calc-network",
    test_patch: newFilePatch("tests/test_network.py", NETWORK_TESTS),
    FAIL_TO_PASS: JSON.stringify(["tests/test_network.py::test_needs_the_fix"]),
    PASS_TO_PASS: JSON.stringify(PASS_TO_PASS),
  };
  const logRoot = await mkdtemp(join(tmpdir(), "swebench-services-"));
  const run = await evaluatePredictions({
    docker,
    instances: [instance],
    predictions: [{ instance_id: instance.instance_id, model_name_or_path: "empty", model_patch: "" }],
    runId: "services",
    logRoot,
    reportDir: logRoot,
    environment: "debian",
    reposDir,
    cacheDir: join(logRoot, "cache"),
    workers: 1,
    timeoutSec: 300,
    evaluateEmptyPatches: true,
    specLookup: (repo, version) => {
      if (repo === SYNTHETIC_REPO && version === "1.0") return spec;
      throw new Error(`no spec for ${repo} ${version}`);
    },
    debianPackages: (repo) => (repo === SYNTHETIC_REPO ? [...COMMON_DEBIAN_PACKAGES] : undefined),
    parserNames: new Map([[instance.instance_id, "parse_log_pytest"]]),
  });
  return run.results[0]!;
}

describeWithDocker("local stand-ins for the hosts test suites reach (networking off)", () => {
  it("serves http:// and https://httpbin.org inside the test container, private addresses time out, and every other host stays unreachable", async () => {
    const result = await evaluateWithout({ ...SYNTHETIC_SPEC, localServices: ["httpbin", "tarpit"] });
    expect(result.outcome.kind).toBe("graded");
    if (result.outcome.kind !== "graded") return;
    expect(result.outcome.grade.testsStatus.PASS_TO_PASS).toEqual({ success: PASS_TO_PASS, failure: [] });
    expect(result.outcome.grade.testsStatus.FAIL_TO_PASS.failure).toEqual(["tests/test_network.py::test_needs_the_fix"]);
    expect(environmentVerdict(result, "empty")).toEqual({ instanceId: "acme__calc-network", valid: true });
  }, 600_000);

  it("without the stand-in, the httpbin test fails like any other host", async () => {
    const result = await evaluateWithout(SYNTHETIC_SPEC);
    expect(result.outcome.kind).toBe("graded");
    if (result.outcome.kind !== "graded") return;
    // Without the tarpit, a private address fails at once ("Network is unreachable"), not by timing out.
    expect(result.outcome.grade.testsStatus.PASS_TO_PASS.failure).toEqual([
      "tests/test_network.py::test_httpbin_answers",
      "tests/test_network.py::test_httpbin_answers_over_https",
      "tests/test_network.py::test_private_address_times_out",
    ]);
    const verdict = environmentVerdict(result, "empty");
    expect(verdict).toMatchObject({ valid: false, problem: "tests" });
    expect(verdict.reason).toContain("PASS_TO_PASS failing: tests/test_network.py::test_httpbin_answers, tests/test_network.py::test_httpbin_answers_over_https");
  }, 600_000);
});
