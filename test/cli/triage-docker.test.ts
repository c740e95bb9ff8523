import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { TriageResult } from "../../src/index.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createCliSandbox, runInProcess, writeJson, type CliSandbox } from "./cli-harness.js";
import { writeSlugsRepository } from "./solve-fixture.js";

const reproduction = "import unittest\nfrom slugs import slugify\n\n\nclass Repro(unittest.TestCase):\n    def test_tabs(self):\n        self.assertEqual(slugify('a\\tb'), 'a-b')\n";

describeWithDocker("agent triage in the Docker sandbox", () => {
  let github: FakeGitHubServer;
  let home: CliSandbox;

  beforeAll(async () => {
    home = await createCliSandbox();
    const origin = join(home.home, "origin");
    await writeSlugsRepository(origin);
    github = await startFakeGitHubServer();
    github.addRepository("acme", "slugs", { cloneUrl: origin });
    github.setLabels("acme", "slugs", ["bug", "confirmed"]);
    github.addIssue("acme", "slugs", 7, { title: "Tabs are kept in slugs", body: "slugs 1.2, Python 3.11: `slugify('a\\tb')` should be `a-b`, but I get `a\\tb`." });
    await writeJson(join(home.home, "classify.json"), {
      turns: [{ toolCalls: [{ name: "submit_triage", args: { kind: "bug", confidence: 0.9, reason: "tabs", language: "en", area_labels: [], missing_information: [], information_request: "", difficulty: "easy", difficulty_reason: "one line" } }] }],
    });
    await writeJson(join(home.home, "designer.json"), {
      turns: [
        { toolCalls: [{ name: "edit_file", args: { command: "create", path: "tests/test_issue_repro.py", file_text: reproduction } }] },
        { toolCalls: [{ name: "submit_tests", args: { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "tabs" }] } }] },
      ],
    });
    await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "docker" }, models: { testDesigner: `scripted:${join(home.home, "designer.json")}` } });
  });
  afterAll(async () => github?.close());

  it("reproduces a bug in a container on the default branch and reports it without the host's paths", async () => {
    const run = await runInProcess(["--model", `scripted:${join(home.home, "classify.json")}`, "triage", "acme/slugs#7", "--api-url", github.apiUrl, "--apply"], home, {
      GITHUB_TOKEN: "ghp_dockerTriageToken00000000000000000000",
    });
    expect(run.code, run.stderr).toBe(0);
    const reportFile = /; report (.+)$/m.exec(run.stderr)![1]!.trim();
    const result = JSON.parse(await readFile(join(dirname(reportFile), "result.json"), "utf8")) as TriageResult;
    expect(result.reproduction.status).toBe("reproduced");
    expect(result.reproduction.log).toContain("FAIL: test_tabs");
    expect(result.reproduction.log).not.toContain(home.home);
    expect(github.addedLabels).toEqual([{ owner: "acme", repo: "slugs", number: 7, labels: ["bug", "confirmed"] }]);
    expect(github.comments.at(-1)!.body).toContain("**Reproduced:**");
    expect(github.comments.at(-1)!.body).not.toContain(home.home);
  }, 180_000);
});
