import { execFileSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TriageResult } from "../../src/index.js";
import { createCliSandbox, runInProcess, writeJson, type CliSandbox } from "../cli/cli-harness.js";
import { writeSlugsRepository } from "../cli/solve-fixture.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

/**
 * The acceptance scenarios of `agent triage --apply`: the real CLI, the real triage, duplicate
 * index and reproduction (the test designer in a local sandbox), a scripted model, and the
 * local fake GitHub. Each scenario checks the report and exactly the write calls made.
 */
const LABELS = ["bug", "enhancement", "question", "documentation", "possible-duplicate", "needs-info", "confirmed", "area: text", "area: packaging"];

/** Older issues of the repository: the duplicate index searches them. */
const HISTORY: Array<[number, string, string]> = [
  [1, "slugify keeps leading and trailing spaces as dashes", "Calling `slugify(' Hello World ')` returns `-hello-world-` but the leading and trailing spaces should be dropped, giving `hello-world`."],
  [2, "Allow a custom separator", "It would be nice to pass `sep='_'` to slugify to get `hello_world` instead of dashes."],
  [3, "How do I install from source?", "What is the recommended way to install the package from a git checkout?"],
  [4, "slugify raises AttributeError on None", "slugify(None) raises `AttributeError: 'NoneType' object has no attribute 'lower'`; an empty string would be better."],
  [5, "README example prints the wrong result", "The README says slugify('A B') gives 'A-B' but it gives 'a-b'."],
  [6, "Support Python 3.13", "Please add 3.13 to the classifiers and the CI matrix."],
  [7, "Publish wheels", "Only an sdist is on PyPI; wheels would speed up installs."],
  [8, "Transliterate German umlauts", "slugify('Über') should give 'ueber' like other slug libraries do."],
];

const classify = (submission: Record<string, unknown>) => ({
  turns: [
    {
      toolCalls: [
        {
          name: "submit_triage",
          args: { confidence: 0.9, language: "en", area_labels: [], missing_information: [], information_request: "", difficulty: "easy", difficulty_reason: "one function", ...submission },
        },
      ],
      usage: { input: 800, output: 60 },
    },
  ],
});

const designer = (test: string) => ({
  turns: [
    { toolCalls: [{ name: "edit_file", args: { command: "create", path: "tests/test_issue_repro.py", file_text: test } }] },
    { toolCalls: [{ name: "submit_tests", args: { framework: "unittest", command_template: "python3 -m unittest -v {tests}", tests: [{ path: "tests/test_issue_repro.py", kind: "basic", description: "the issue's example" }] } }] },
  ],
});

const unittestOf = (call: string, expected: string) =>
  `import unittest\nfrom slugs import slugify\n\n\nclass Repro(unittest.TestCase):\n    def test_issue(self):\n        self.assertEqual(${call}, ${JSON.stringify(expected)})\n`;

describe("agent triage --apply against the fake GitHub", () => {
  let github: FakeGitHubServer;
  let home: CliSandbox;
  let origin: string;

  beforeAll(async () => {
    home = await createCliSandbox();
    origin = join(home.home, "origin");
    await writeSlugsRepository(origin);
    github = await startFakeGitHubServer();
    github.addRepository("acme", "slugs", { cloneUrl: origin });
    github.setLabels("acme", "slugs", LABELS);
    for (const [number, title, body] of HISTORY) github.addIssue("acme", "slugs", number, { title, body, labels: [] });
  });
  afterAll(async () => github?.close());

  /** Runs `agent triage acme/slugs#N --apply` with a scripted classifier (and test designer); returns the result and the write calls it made. */
  async function triage(number: number, classifier: unknown, testDesigner?: unknown, extra: string[] = [], token = "ghp_triageTestToken000000000000000000000") {
    const dir = join(home.home, `scenario-${number}-${Math.random().toString(36).slice(2, 8)}`);
    await writeJson(join(dir, "classify.json"), classifier);
    if (testDesigner) await writeJson(join(dir, "designer.json"), testDesigner);
    await writeJson(join(home.home, ".config/agent/config.json"), {
      sandbox: { kind: "local", allowLocal: true },
      ...(testDesigner ? { models: { testDesigner: `scripted:${join(dir, "designer.json")}` } } : {}),
    });
    const before = github.requests.length;
    const run = await runInProcess(["--model", `scripted:${join(dir, "classify.json")}`, "triage", `acme/slugs#${number}`, "--api-url", github.apiUrl, "--apply", ...extra], home, {
      GITHUB_TOKEN: token,
    });
    const writes = github.requests.slice(before).filter((request) => request.method !== "GET").map((request) => ({ method: request.method, path: request.path, body: request.body }));
    const reportFile = /^\[triage\] acme\/slugs#\d+: .*; report (.+)$/m.exec(run.stderr)?.[1];
    const result = reportFile ? (JSON.parse(await readFile(join(dirname(reportFile.trim()), "result.json"), "utf8")) as TriageResult) : undefined;
    return { run, writes, result: result! };
  }

  it("labels and confirms a bug whose reproduction fails on the default branch, and comments with the test", async () => {
    github.addIssue("acme", "slugs", 21, {
      title: "Tabs are kept in slugs",
      body: "With slugs 1.2 on Python 3.11:\n\n```python\nslugify('a\\tb')\n```\n\nI expected `a-b` but got `a\\tb` instead.",
    });
    const { run, writes, result } = await triage(21, classify({ kind: "bug", reason: "wrong output for tabs", area_labels: ["area: text"] }), designer(unittestOf("slugify('a\\tb')", "a-b")));
    expect(run.code, run.stderr).toBe(0);
    expect(result.classification.kind).toBe("bug");
    expect(result.reproduction.status).toBe("reproduced");
    expect(result.reproduction.tests.map((test) => test.path)).toEqual(["tests/test_issue_repro.py"]);
    expect(result.reproduction.log).toContain("FAIL");
    // One classification call, and the test designer's two turns in the reproduction run.
    expect(result.usage.modelCalls).toBe(3);
    expect(result.actions.find((action) => action.type === "hand-off")).toMatchObject({ command: expect.stringContaining("agent solve") });
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/21/labels", "POST /repos/acme/slugs/issues/21/comments"]);
    expect(writes[0]!.body).toEqual({ labels: ["bug", "area: text", "confirmed"] });
    expect(github.comments.at(-1)!.body).toContain("**Reproduced:**");
    expect(run.stdout).toContain("## Reproduction");
  }, 120_000);

  it("reuses the reproduction when the issue is triaged again with unchanged text, and changes nothing on GitHub", async () => {
    // No test designer is scripted: a second reproduction would have no model turns to play.
    const { run, writes, result } = await triage(21, classify({ kind: "bug", reason: "wrong output for tabs", area_labels: ["area: text"] }));
    expect(run.code, run.stderr).toBe(0);
    expect(result.reproduction).toMatchObject({ status: "reproduced", reusedFrom: expect.any(String) });
    expect(result.applied?.comment?.action).toBe("unchanged");
    expect(writes).toEqual([]);
  });

  it("labels a bug whose reproduction passes as a bug only, with no comment", async () => {
    github.addIssue("acme", "slugs", 22, { title: "Spaces between words are not replaced", body: "slugs 1.2, Python 3.11: `slugify('a b')` should be `a-b`, but I get `a b`." });
    const { writes, result } = await triage(22, classify({ kind: "bug", reason: "claims spaces are kept" }), designer(unittestOf("slugify('a b')", "a-b")));
    expect(result.reproduction.status).toBe("not-reproduced");
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/22/labels"]);
    expect(writes[0]!.body).toEqual({ labels: ["bug"] });
  }, 120_000);

  describe("with reproduction turned off by the repository's .github/agent.yml", () => {
    beforeAll(() => github.setFile("acme", "slugs", ".github/agent.yml", "triage:\n  reproduce: false\n  labels:\n    deny: [confirmed]\n"));

    it("suggests an older issue as the original of a duplicate, with its passage, and labels it possible-duplicate", async () => {
      github.addIssue("acme", "slugs", 23, { title: "Leading and trailing spaces become dashes in the slug", body: "slugify(' Hello World ') returns '-hello-world-': the leading and trailing spaces turn into dashes. They should be dropped, giving 'hello-world'." });
      const { writes, result } = await triage(23, classify({ kind: "bug", reason: "surrounding spaces" }));
      const suggested = result.duplicates.candidates.filter((candidate) => candidate.suggested);
      expect(suggested.map((candidate) => candidate.number)).toEqual([1]);
      expect(suggested[0]!.passages.length).toBeGreaterThan(0);
      expect(result.reproduction.status).toBe("skipped");
      expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/23/labels", "POST /repos/acme/slugs/issues/23/comments"]);
      expect(writes[0]!.body).toEqual({ labels: ["bug", "possible-duplicate"] });
      expect(github.comments.at(-1)!.body).toContain("Possibly a duplicate of #1");
    });

    it("edits nothing and posts nothing new when the same issue is triaged again", async () => {
      const { writes, result } = await triage(23, classify({ kind: "bug", reason: "surrounding spaces" }));
      expect(result.applied?.comment?.action).toBe("unchanged");
      // The labels are on the issue already, so none is added again.
      expect(writes).toEqual([]);
    });

    it("shows a near-duplicate below the threshold without suggesting it", async () => {
      github.addIssue("acme", "slugs", 24, { title: "slugify raises TypeError on an integer", body: "slugs 1.2: slugify(5) raises `TypeError`. Numbers should be converted with str() first." });
      const { writes, result } = await triage(24, classify({ kind: "bug", reason: "crash on int" }));
      expect(result.duplicates.candidates.map((candidate) => candidate.number)).toContain(4);
      expect(result.duplicates.candidates.every((candidate) => !candidate.suggested && candidate.confidence < result.duplicates.threshold)).toBe(true);
      expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/24/labels"]);
      expect(writes[0]!.body).toEqual({ labels: ["bug"] });
    });

    it("labels a question and leaves it without a comment", async () => {
      github.addIssue("acme", "slugs", 25, { title: "Can I keep underscores?", body: "Is there a way to keep `_` in the slug instead of removing it?" });
      const { writes, result } = await triage(25, classify({ kind: "question", reason: "asks how to", difficulty: "easy" }));
      expect(result.classification.kind).toBe("question");
      expect(result.reproduction.status).toBe("skipped");
      expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/25/labels"]);
      expect(writes[0]!.body).toEqual({ labels: ["question"] });
    });

    it("asks for a description of an empty issue without calling the model", async () => {
      github.addIssue("acme", "slugs", 26, { title: "bug", body: "" });
      const { writes, result } = await triage(26, classify({ kind: "feature", reason: "must not be asked" }));
      expect(result.classification.empty).toBe(true);
      expect(result.usage.modelCalls).toBe(0);
      expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/26/labels", "POST /repos/acme/slugs/issues/26/comments"]);
      expect(writes[0]!.body).toEqual({ labels: ["needs-info"] });
      expect(github.comments.at(-1)!.body).toContain("no description");
    });

    it("asks in the reporter's language for what a bug report in another language lacks", async () => {
      github.addIssue("acme", "slugs", 27, { title: "slugify no quita los acentos", body: "Cuando llamo:\n\n```python\nslugify('canción')\n```\n\nobtengo 'canción' y esperaba 'cancion'." });
      const request = "¡Gracias por el reporte! ¿Podrías indicar la versión de slugs y de Python que usas?";
      const { writes, result } = await triage(
        27,
        classify({ kind: "bug", language: "es", reason: "accents kept", area_labels: ["area: text", "area: unicode"], missing_information: ["versions", "steps-to-reproduce"], information_request: request }),
      );
      expect(result.classification.language).toBe("es");
      // The code block shows the steps: only the versions are asked for.
      expect(result.missingInformation.items).toEqual(["versions"]);
      expect(result.labels.rejected).toContainEqual({ name: "area: unicode", reason: "not among the repository's labels" });
      expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/27/labels", "POST /repos/acme/slugs/issues/27/comments"]);
      expect(writes[0]!.body).toEqual({ labels: ["bug", "area: text", "needs-info"] });
      expect(github.comments.at(-1)!.body).toContain(request);
    });
  });

  it("never edits someone else's comment that carries its hidden marker: it posts its own", async () => {
    github.addIssue("acme", "slugs", 28, { title: "crash", body: "", comments: [{ author: "mallory", body: "<!-- agent-triage --> I pasted the bot's marker" }] });
    const { writes } = await triage(28, classify({ kind: "bug", reason: "unused" }));
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/28/labels", "POST /repos/acme/slugs/issues/28/comments"]);
  });

  it("never closes, locks or deletes anything", () => {
    expect(github.destructiveRequests()).toEqual([]);
  });

  it("names the permission a read-only token lacks, after writing the report", async () => {
    const readOnly = "ghp_readOnlyTriageToken0000000000000000";
    github.makeReadOnly(readOnly);
    github.addIssue("acme", "slugs", 31, { title: "Can slugs keep dots?", body: "Is there an option to keep `.` in slugs?" });
    const { run, writes, result } = await triage(31, classify({ kind: "question", reason: "asks" }), undefined, [], readOnly);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"Issues: write"');
    expect(run.stderr).toContain("acme/slugs#31");
    expect(run.stderr).not.toContain(readOnly);
    expect(writes.map(({ method, path }) => `${method} ${path}`)).toEqual(["POST /repos/acme/slugs/issues/31/labels"]);
    expect(result.classification.kind).toBe("question");
    expect(result.applied).toBeUndefined();
  });

  it("reads a repository with thousands of issues page by page, waiting out GitHub's rate limit and saying so", async () => {
    github.addRepository("acme", "big", { cloneUrl: origin });
    github.setLabels("acme", "big", LABELS);
    for (let number = 1; number <= 2_500; number += 1) github.addIssue("acme", "big", number, { title: `Report ${number} about topic ${number % 97}`, body: `Body of report ${number}.` });
    github.addIssue("acme", "big", 2_501, { title: "How are slugs made?", body: "Which rules decide the slug of a title?" });
    // The reset must come after the listing runs out (the CLI starts in a few seconds) and within the minute the CLI waits for.
    github.setRateLimit({ remaining: 12, resetEpochSeconds: Math.ceil(Date.now() / 1000) + 10, limit: 5_000 });
    const dir = join(home.home, "scenario-big");
    await writeJson(join(dir, "classify.json"), classify({ kind: "question", reason: "asks how" }));
    await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "local", allowLocal: true } });
    const run = await runInProcess(["--model", `scripted:${join(dir, "classify.json")}`, "triage", "acme/big#2501", "--api-url", github.apiUrl], home, { GITHUB_TOKEN: "ghp_triageTestToken000000000000000000000" });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/GitHub rate limit: waiting \d+ s until/);
    expect(run.stderr).toContain("2501 issue(s) read, 2501 indexed");
    const pages = github.requests.filter((request) => request.method === "GET" && request.path === "/repos/acme/big/issues");
    expect(pages).toHaveLength(26);
  }, 60_000);

  it("triages an issue read from a file, without GitHub, and refuses --apply for it", async () => {
    await writeJson(join(home.project, "ISSUE.md"), "# Slugs of empty strings\n\nWhat should slugify('') return? The docs do not say.\n");
    await writeJson(join(home.home, "file-classify.json"), classify({ kind: "documentation", reason: "docs silent" }));
    const run = await runInProcess(["--model", `scripted:${join(home.home, "file-classify.json")}`, "triage", "ISSUE.md", "--no-reproduce"], home);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("# Triage of ISSUE.md: Slugs of empty strings");
    expect(run.stdout).toContain("**documentation**");
    expect(run.stdout).toContain("No issue index");
    const apply = await runInProcess(["--model", `scripted:${join(home.home, "file-classify.json")}`, "triage", "ISSUE.md", "--apply"], home);
    expect(apply.code).toBe(2);
    expect(apply.stderr).toContain("--apply needs a GitHub issue");
  });

  it("reproduces an issue file in the checkout as it is now, and not once the checkout has the fix", async () => {
    const checkout = join(home.home, "file-checkout");
    await writeSlugsRepository(checkout);
    await writeJson(join(checkout, "ISSUE.md"), "# Tabs are kept in slugs\n\nslugs 1.2: `slugify('a\\tb')` should be `a-b`, but I get `a\\tb`.\n");
    const triageFile = async () => {
      const dir = join(home.home, `file-${Math.random().toString(36).slice(2, 8)}`);
      await writeJson(join(dir, "classify.json"), classify({ kind: "bug", reason: "tabs" }));
      await writeJson(join(dir, "designer.json"), designer(unittestOf("slugify('a\\tb')", "a-b")));
      await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "local", allowLocal: true }, models: { testDesigner: `scripted:${join(dir, "designer.json")}` } });
      return runInProcess(["--model", `scripted:${join(dir, "classify.json")}`, "triage", "ISSUE.md"], { ...home, project: checkout });
    };
    expect((await triageFile()).stdout).toContain("**reproduced**");
    await writeJson(join(checkout, "slugs/core.py"), 'def slugify(text):\n    return "-".join(text.lower().split())\n');
    execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "fix"], { cwd: checkout });
    expect((await triageFile()).stdout).toContain("**not reproduced**");
  }, 120_000);

  it("refuses a pull request with a message that says what to give", async () => {
    github.addIssue("acme", "slugs", 30, { title: "Fix tabs", body: "Replaces tabs.", isPullRequest: true });
    const { run, writes } = await triage(30, classify({ kind: "bug", reason: "x" }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a pull request, not an issue");
    expect(writes).toEqual([]);
    const discussion = await runInProcess(["--model", "scripted:none.json", "triage", "https://github.com/acme/slugs/discussions/12"], home);
    expect(discussion.code).toBe(2);
    expect(discussion.stderr).toContain("is a discussion, not an issue");
  });
});

