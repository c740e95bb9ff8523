import { execFileSync } from "node:child_process";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { startFakeGitHubServer } from "../support/fake-github-server.js";
import { createCliSandbox, spawnAgent, writeJson, type CliSandbox } from "./cli-harness.js";
import { slugsScript, writeSlugsRepository } from "./solve-fixture.js";

/** A fresh home with the slugs checkout and a config that consents to the local sandbox; each test has its own, so they run side by side. */
async function freshCheckout(): Promise<CliSandbox & { runsDir: string }> {
  const home = await createCliSandbox();
  await writeSlugsRepository(home.project);
  await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "local", allowLocal: true } });
  return { ...home, runsDir: join(home.home, "runs") };
}

function snapshotTree(home: CliSandbox): string {
  // Every file's bytes, .git included (index, refs, config, objects), and the status.
  return execFileSync("sh", ["-c", "find . -type f -print0 | sort -z | xargs -0 sha256sum; git status --porcelain --ignored"], { cwd: home.project, encoding: "utf8" });
}

// Each test spends most of its time waiting on child processes (the CLI, git, Python), so they run side by side.
describe.concurrent("agent solve with a scripted model", () => {
  it("pushes a branch to the origin and opens a draft pull request with the verification, and comments, only when asked", async () => {
    const home = await freshCheckout();
    const origin = join(home.home, "origin.git");
    execFileSync("git", ["clone", "--bare", "-q", home.project, origin]);
    const github = await startFakeGitHubServer();
    github.addIssue("acme", "slugs", 7, { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` gives `-a-b-`." });
    github.addRepository("acme", "slugs", { cloneUrl: origin });
    await writeJson(join(home.home, "script.json"), slugsScript());
    try {
      const run = await spawnAgent(
        ["--model", `scripted:${join(home.home, "script.json")}`, "solve", "acme/slugs#7", "--api-url", github.apiUrl, "--runs-dir", home.runsDir, "--pr", "--comment"],
        home,
        { XDG_CACHE_HOME: join(home.home, "cache") },
      ).result;
      expect(run.code, run.stderr).toBe(0);
      const branch = "agent/issue-7-slugify-keeps-surrounding-spaces";
      const pushed = execFileSync("git", ["show", "--format=%s", branch], { cwd: origin, encoding: "utf8" });
      expect(pushed).toContain("slugify keeps surrounding spaces");
      expect(pushed).toContain('+    return "-".join(text.lower().split())');
      expect(pushed).not.toContain("test_repro");
      expect(github.pullRequests).toHaveLength(1);
      expect(github.pullRequests[0]).toMatchObject({ head: branch, base: "main", draft: true, title: "slugify keeps surrounding spaces" });
      expect(github.pullRequests[0]!.body).toContain("Fixes #7");
      expect(github.pullRequests[0]!.body).toMatch(/test_strip/);
      expect(github.comments).toHaveLength(1);
      expect(run.stderr).toContain("opened a draft pull request: https://github.com/acme/slugs/pull/101");
    } finally {
      await github.close();
    }
  }, 240_000);

  it("applies the patch to the user's checkout only with --apply", async () => {
    const home = await freshCheckout();
    await writeJson(join(home.home, "script.json"), slugsScript());
    const run = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir, "--apply"], home).result;
    expect(run.code, run.stderr).toBe(0);
    expect(await readFile(join(home.project, "slugs/core.py"), "utf8")).toContain('"-".join(text.lower().split())');
  }, 180_000);

  it("clones the issue's repository into the cache, works on an issue branch, and reuses the clone next time", async () => {
    const home = await freshCheckout();
    const origin = join(home.home, "origin.git");
    execFileSync("git", ["clone", "--bare", "-q", home.project, origin]);
    const github = await startFakeGitHubServer();
    github.addIssue("acme", "slugs", 7, { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` gives `-a-b-`." });
    github.addRepository("acme", "slugs", { cloneUrl: origin });
    const cache = join(home.home, "cache");
    try {
      const args = (script: string) => ["--model", `scripted:${script}`, "solve", "acme/slugs#7", "--api-url", github.apiUrl, "--runs-dir", home.runsDir];
      await writeJson(join(home.home, "first.json"), slugsScript());
      await writeJson(join(home.home, "second.json"), slugsScript());
      const first = await spawnAgent(args(join(home.home, "first.json")), home, { XDG_CACHE_HOME: cache }).result;
      const second = await spawnAgent(args(join(home.home, "second.json")), home, { XDG_CACHE_HOME: cache }).result;
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toContain("[clone] cloned acme/slugs");
      expect(second.stderr).toContain("[clone] reused acme/slugs");
      const [runId] = (await readdir(home.runsDir)).filter((name) => /^\d{8}-/.test(name)).sort();
      expect(JSON.parse(await readFile(join(home.runsDir, runId!, "run.json"), "utf8"))).toMatchObject({ branch: "agent/issue-7-slugify-keeps-surrounding-spaces" });
      expect(await readdir(join(home.runsDir, runId!))).not.toContain("workspaces");
    } finally {
      await github.close();
    }
  }, 240_000);

  it("solves a GitHub issue fetched from a fake GitHub API", async () => {
    const home = await freshCheckout();
    const github = await startFakeGitHubServer();
    github.addIssue("acme", "slugs", 7, { title: "slugify keeps surrounding spaces", body: "`slugify(' A B ')` gives `-a-b-`.", comments: [{ author: "maintainer", body: "Confirmed." }] });
    await writeJson(join(home.home, "script.json"), slugsScript());
    const before = snapshotTree(home);
    try {
      const run = await spawnAgent(
        ["--model", `scripted:${join(home.home, "script.json")}`, "solve", "https://github.com/acme/slugs/issues/7", "--api-url", github.apiUrl, "--repo", home.project, "--runs-dir", home.runsDir],
        home,
        { GITHUB_TOKEN: "ghp_fake_token_0123456789" },
      ).result;
      expect(run.code, run.stderr).toBe(0);
      expect(github.requests.map((request) => request.path)).toEqual(["/repos/acme/slugs/issues/7", "/repos/acme/slugs/issues/7/comments"]);
      const [runId] = (await readdir(home.runsDir)).filter((name) => /^\d{8}-/.test(name));
      const trajectory = await readFile(join(home.runsDir, runId!, "trajectory.jsonl"), "utf8");
      expect(trajectory).toContain("https://github.com/acme/slugs/issues/7");
      expect(trajectory).not.toContain("ghp_fake_token_0123456789");
      expect(snapshotTree(home), "agent solve --repo without --apply changed the checkout").toBe(before);
    } finally {
      await github.close();
    }
  }, 180_000);

  it("solves the task, writes the run directory and leaves the user's tree untouched", async () => {
    const home = await freshCheckout();
    await writeJson(join(home.home, "script.json"), slugsScript());
    const before = snapshotTree(home);
    const run = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home).result;
    expect(run.stderr).toContain("[executor]");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("status:  solved");
    const [runId] = await readdir(home.runsDir).then((names) => names.filter((name) => /^\d{8}-/.test(name)));
    const patch = await readFile(join(home.runsDir, runId!, "patch.diff"), "utf8");
    expect(patch).toContain('+    return "-".join(text.lower().split())');
    expect(JSON.parse(await readFile(join(home.runsDir, runId!, "report.json"), "utf8"))).toMatchObject({ status: "solved" });
    expect(await readFile(join(home.runsDir, runId!, "summary.md"), "utf8")).toContain("slugify");
    expect(snapshotTree(home)).toBe(before);

    const replayed = await spawnAgent(["--model", `replay:${join(home.runsDir, runId!)}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home).result;
    expect(replayed.code).toBe(0);
    const replayRun = (await readdir(home.runsDir)).filter((name) => /^\d{8}-/.test(name) && name !== runId)[0]!;
    expect(await readFile(join(home.runsDir, replayRun, "patch.diff"), "utf8")).toBe(patch);
  }, 180_000);

  it("gives each role the model of models.<role> in the config, defaulting to model", async () => {
    const home = await freshCheckout();
    const turns = slugsScript().turns;
    await writeJson(join(home.home, "main.json"), { turns: [...turns.slice(0, 2), ...turns.slice(4)], recordTo: "main-requests.jsonl" });
    await writeJson(join(home.home, "designer.json"), { turns: turns.slice(2, 4), recordTo: "designer-requests.jsonl" });
    await writeJson(join(home.home, ".config/agent/config.json"), {
      sandbox: { kind: "local", allowLocal: true },
      model: `scripted:${join(home.home, "main.json")}`,
      models: { testDesigner: `scripted:${join(home.home, "designer.json")}` },
    });
    const run = await spawnAgent(["solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home).result;
    expect(run.code, run.stderr).toBe(0);
    const tools = async (file: string) =>
      (await readFile(join(home.home, file), "utf8")).trim().split("\n").map((line) => (JSON.parse(line) as { toolNames: string[] }).toolNames);
    expect((await tools("designer-requests.jsonl")).every((names) => names.includes("submit_tests"))).toBe(true);
    expect((await tools("main-requests.jsonl")).some((names) => names.includes("submit_tests"))).toBe(false);
    // report.json says which role used which model, and what each spent.
    const [runId] = (await readdir(home.runsDir)).filter((name) => /^\d{8}-/.test(name));
    const report = JSON.parse(await readFile(join(home.runsDir, runId!, "report.json"), "utf8")) as { usageByRole: Record<string, { models: string[]; calls: number }> };
    expect(report.usageByRole["test-designer"]).toMatchObject({ models: [`scripted:${join(home.home, "designer.json")}`], calls: 2 });
    expect(report.usageByRole["planner"]!.models).toEqual([`scripted:${join(home.home, "main.json")}`]);
    expect(report.usageByRole["programmer"]!.models).toEqual([`scripted:${join(home.home, "main.json")}`]);
  }, 180_000);

  it("--candidates 2 runs two programmer attempts, keeps the one that fixes the issue, and records both with the reason in report.json and summary.md", async () => {
    const home = await freshCheckout();
    const turns = slugsScript().turns;
    await writeJson(join(home.home, "main.json"), { turns: turns.slice(0, 4) });
    // The first candidate hands in without a change; the second fixes it.
    await writeJson(join(home.home, "first.json"), { turns: turns.slice(-1) });
    await writeJson(join(home.home, "second.json"), { turns: turns.slice(-2) });
    await writeJson(join(home.home, ".config/agent/config.json"), {
      sandbox: { kind: "local", allowLocal: true },
      model: `scripted:${join(home.home, "main.json")}`,
      search: { candidateModels: [`scripted:${join(home.home, "first.json")}`, `scripted:${join(home.home, "second.json")}`] },
    });
    const run = await spawnAgent(["solve", "--task", "slugify keeps surrounding spaces", "--candidates", "2", "--runs-dir", home.runsDir], home).result;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\[programmer\] candidate 1 start/);
    expect(run.stderr).toMatch(/\[select\] candidate 2 of 2 kept/);
    const [runId] = (await readdir(home.runsDir)).filter((name) => /^\d{8}-/.test(name));
    const runDir = join(home.runsDir, runId!);
    const report = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as {
      status: string;
      candidates: { winner: number; reason: string; candidates: Array<{ index: number; model: string; patch: string; usable: boolean }> };
    };
    expect(report.status).toBe("solved");
    expect(report.candidates.winner).toBe(1);
    expect(report.candidates.reason).toContain("the only one with a verified patch");
    expect(report.candidates.candidates.map((entry) => [entry.index, entry.usable])).toEqual([[1, true], [0, false]]);
    expect(report.candidates.candidates[0]!.model).toBe(`scripted:${join(home.home, "second.json")}`);
    expect(report.candidates.candidates[0]!.patch).toContain('"-".join(text.lower().split())');
    expect(await readFile(join(runDir, "patch.diff"), "utf8")).toContain('"-".join(text.lower().split())');
    expect(await readFile(join(runDir, "summary.md"), "utf8")).toContain("## Candidates");
    expect(JSON.parse(await readFile(join(runDir, "run.json"), "utf8"))).toMatchObject({ search: { candidates: 2 } });
    const usage = JSON.parse(await readFile(join(runDir, "report.json"), "utf8")) as { usageByRole: Record<string, { models: string[]; calls: number }> };
    expect(usage.usageByRole["programmer"]!.models.sort()).toEqual([`scripted:${join(home.home, "first.json")}`, `scripted:${join(home.home, "second.json")}`]);
    expect(usage.usageByRole["programmer"]!.calls).toBe(3);
    // The candidates' trees went with their sandboxes.
    expect(await readdir(join(runDir, "workspaces")).catch(() => [])).toEqual([]);
  }, 180_000);

  it("--candidates with a scripted programmer and no script per candidate is a configuration error that says what to set", async () => {
    const home = await freshCheckout();
    await writeJson(join(home.home, "script.json"), slugsScript());
    const run = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--candidates", "3", "--runs-dir", home.runsDir], home).result;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("Name a script per candidate in search.candidateModels");
    expect(await readdir(home.runsDir).catch(() => [])).toEqual([]);
  }, 60_000);

  it("--candidates takes an integer from 1 to 8", async () => {
    const home = await freshCheckout();
    const run = await spawnAgent(["--model", "scripted:x.json", "solve", "--task", "t", "--candidates", "many", "--runs-dir", home.runsDir], home).result;
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--candidates takes an integer from 1 to 8');
  }, 60_000);

  it("--candidates with an approval mode that asks is refused: the attempts would ask at once", async () => {
    const home = await freshCheckout();
    const run = await spawnAgent(["--model", "scripted:x.json", "solve", "--task", "t", "--candidates", "2", "--approval", "suggest", "--runs-dir", home.runsDir], home).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("use --approval full-auto with --candidates");
  }, 60_000);

  it("gives every role the user's and the repository's instructions, and a directory's AGENTS.md when a role first touches a file under it", async () => {
    const home = await freshCheckout();
    await writeFile(join(home.project, "AGENTS.md"), "Keep slugs free of dependencies.\n");
    await writeFile(join(home.project, "slugs", "AGENTS.md"), "Every function in slugs/ has a docstring.\n");
    await writeJson(join(home.project, "agent.config.json"), { project: { instructions: "Explain each change in the summary." } });
    execFileSync("sh", ["-c", "git add -A && git -c user.name=t -c user.email=t@t commit -qm instructions"], { cwd: home.project });
    await writeFile(join(home.home, ".config/agent/AGENTS.md"), "Answer in British English.\n");
    await writeJson(join(home.home, "script.json"), { ...slugsScript(), recordTo: "requests.jsonl" });
    const run = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home).result;
    expect(run.code, run.stderr).toBe(0);
    const requests = (await readFile(join(home.home, "requests.jsonl"), "utf8"))
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { toolNames: string[]; messages: Array<{ text: string }> });
    for (const final of ["submit_plan", "submit_tests", "submit_patch"]) {
      const first = requests.find((request) => request.toolNames.includes(final))!.messages[1]!.text;
      expect(first).toContain("Keep slugs free of dependencies.");
      expect(first).toContain("Answer in British English.");
      expect(first).toContain("Explain each change in the summary.");
      expect(first).not.toContain("Every function in slugs/ has a docstring.");
    }
    // The planner also gets where to look, ranked before any model looked, with the evidence.
    const planner = requests.find((request) => request.toolNames.includes("submit_plan"))!.messages[1]!.text;
    expect(planner).toContain("=== where to look: ranked from the issue's text");
    expect(planner).toMatch(/Files:\n1\. slugs\/core\.py — defines slugify/);
    const afterEdit = requests.filter((request) => request.toolNames.includes("submit_patch")).at(-1)!.messages.at(-1)!.text;
    expect(afterEdit).toContain("Instructions for the files under slugs/:");
    expect(afterEdit).toContain("Every function in slugs/ has a docstring.");
  }, 180_000);

  it("prints --json events with the secrets already removed", async () => {
    const home = await freshCheckout();
    const secret = "sk-live-abcdefghijklmnopqrstuvwx";
    await writeJson(join(home.home, "script.json"), slugsScript(`echo ${secret}`));
    const run = await spawnAgent(["--json", "--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home, {
      OPENAI_API_KEY: secret,
    }).result;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain(secret);
    expect(run.stdout).toContain("echo [redacted]");
  }, 180_000);

  /** Starts a solve whose programmer pauses in a shell command, and kills it with SIGKILL there; returns the run id. */
  async function killMidway(home: CliSandbox & { runsDir: string }): Promise<string> {
    await writeJson(join(home.home, "script.json"), slugsScript("sleep 4 && echo paused"));
    const agent = spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "solve", "--task", "slugify keeps surrounding spaces", "--runs-dir", home.runsDir], home);
    let runId: string | undefined;
    for (let attempt = 0; attempt < 600 && !runId; attempt += 1) {
      const names = await readdir(home.runsDir).catch(() => [] as string[]);
      for (const name of names.filter((candidate) => /^\d{8}-/.test(candidate))) {
        const trajectory = await readFile(join(home.runsDir, name, "trajectory.jsonl"), "utf8").catch(() => "");
        if (trajectory.includes("sleep 4 && echo paused")) runId = name;
      }
      if (!runId) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(runId).toBeDefined();
    agent.kill("SIGKILL");
    const killed = await agent.result;
    expect(killed.signal).toBe("SIGKILL");
    return runId!;
  }

  it("resumes a run killed with SIGKILL mid-way and reaches the same patch", async () => {
    const home = await freshCheckout();
    const runId = await killMidway(home);
    const resumed = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "resume", runId, "--runs-dir", home.runsDir], home).result;
    expect(resumed.stderr, resumed.stderr).not.toContain("agent: ");
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(0);
    expect(resumed.stdout).toContain("status:  solved");
    const patch = await readFile(join(home.runsDir, runId, "patch.diff"), "utf8");
    expect(patch).toContain('+    return "-".join(text.lower().split())');
    expect(patch).not.toContain("test_repro");
  }, 180_000);

  it("applies the limits given to resume, says so, and records them", async () => {
    const home = await freshCheckout();
    const runId = await killMidway(home);
    const resumed = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "resume", runId, "--runs-dir", home.runsDir, "--max-steps", "3"], home).result;
    expect(resumed.stderr).toContain("[resume] --max-steps 3 (was 250)");
    expect(resumed.code, `${resumed.stdout}\n${resumed.stderr}`).toBe(1);
    expect(resumed.stdout).toContain("status:  limits-exceeded");
    expect(JSON.parse(await readFile(join(home.runsDir, runId, "run.json"), "utf8"))).toMatchObject({ limits: { maxSteps: 3 } });
    expect(JSON.parse(await readFile(join(home.runsDir, runId, "report.json"), "utf8"))).toMatchObject({ status: "limits-exceeded" });
  }, 180_000);
});

describe.concurrent("agent solve input errors", () => {
  it("refuses a pull request URL with a clear message and exit 2", async () => {
    const home = await freshCheckout();
    const run = await spawnAgent(["--model", "scripted:x.json", "solve", "https://github.com/o/r/pull/1"], home).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("is a pull request, not an issue");
  });

  it("exits 2 on an issue that does not exist, naming it and what to check", async () => {
    const home = await freshCheckout();
    const github = await startFakeGitHubServer();
    try {
      const run = await spawnAgent(["--model", "scripted:x.json", "solve", "o/r#404", "--api-url", github.apiUrl, "--repo", home.project], home).result;
      expect(run.code).toBe(2);
      expect(run.stderr).toContain("o/r#404 was not found");
    } finally {
      await github.close();
    }
  });

  it("refuses an empty task", async () => {
    const home = await freshCheckout();
    await writeFile(join(home.project, "empty.md"), "  \n");
    const run = await spawnAgent(["solve", "empty.md"], home).result;
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("The task is empty");
  });
});
