import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { expect, it } from "vitest";
import { createCliSandbox, spawnAgent, writeJson } from "../cli/cli-harness.js";
import { describeWithDocker } from "../support/require-docker.js";
import { createSyntheticDataset } from "../../bench/support/synthetic-swebench.js";
import { calcSolveScript, calcSpecs } from "./calc-script.js";

const script = calcSolveScript();

describeWithDocker("agent swebench run and eval (scripted model, synthetic instance, --repos-dir)", () => {
  it("solves from the problem statement alone, writes official predictions, resumes, and the harness grades the prediction resolved", async () => {
    const home = await createCliSandbox();
    const { reposDir, instances } = await createSyntheticDataset(1);
    const dataset = join(home.home, "dataset.jsonl");
    await writeFile(dataset, instances.map((instance) => JSON.stringify(instance)).join("\n") + "\n");
    const specs = join(home.home, "specs.json");
    await writeJson(specs, calcSpecs);
    await writeJson(join(home.home, "script.json"), script);
    const output = join(home.home, "out");
    const common = ["--dataset", dataset, "--specs", specs, "--repos-dir", reposDir];

    const run = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "swebench", "run", ...common, "--output", output], home).result;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/\[run 1\/1 100%.*\] acme__calc-1: solved/);
    const predictions = (await readFile(join(output, "predictions.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
    expect(predictions).toHaveLength(1);
    expect(Object.keys(predictions[0]!)).toEqual(["instance_id", "model_name_or_path", "model_patch"]);
    expect(predictions[0]).toMatchObject({ instance_id: "acme__calc-1", model_name_or_path: `scripted:${join(home.home, "script.json")}` });
    expect(predictions[0]!.model_patch).toContain("+    if b == 0:");
    expect(predictions[0]!.model_patch).not.toContain("test_zero_divisor");

    const [result] = (await readFile(join(output, "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { runDir: string; status: string; costUsd: number | null });
    expect(result).toMatchObject({ status: "solved" });
    const manifest = JSON.parse(await readFile(join(result!.runDir, "run.json"), "utf8")) as { task: { body: string }; baseCommit: string };
    // The agents saw the problem statement and nothing else of the instance.
    expect(manifest.task.body).toBe(instances[0]!.problem_statement);
    expect(manifest.baseCommit).toBe(instances[0]!.base_commit);
    const trajectory = await readFile(join(result!.runDir, "trajectory.jsonl"), "utf8");
    expect(trajectory).not.toContain("test_divide_by_zero");
    expect(trajectory).toContain('"sandbox":"docker"');
    // The agents worked in the instance's image, on the tree mounted over /testbed, with the image's build artifacts (egg-info) copied in and kept out of the patch.
    expect(trajectory).toContain("/testbed");
    expect(predictions[0]!.model_patch).not.toContain("egg-info");

    const again = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "swebench", "run", ...common, "--output", output], home).result;
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain("1 instance(s) already have a prediction");
    const redone = await spawnAgent(["--model", `scripted:${join(home.home, "script.json")}`, "swebench", "run", ...common, "--output", output, "--redo"], home).result;
    expect(redone.code, redone.stderr).toBe(0);
    // Still one line per instance, so the predictions stay valid for the harness.
    expect((await readFile(join(output, "predictions.jsonl"), "utf8")).trim().split("\n")).toHaveLength(1);

    const logs = join(home.home, "eval");
    const evaluation = await spawnAgent(["swebench", "eval", join(output, "predictions.jsonl"), ...common, "--run-id", "e2e", "--log-dir", logs, "--report-dir", logs, "--environment", "debian"], home).result;
    expect(evaluation.code, evaluation.stderr).toBe(0);
    expect(evaluation.stdout).toContain("resolved:  1");
    const summaryFile = join(logs, `${(predictions[0]!.model_name_or_path ?? "").replaceAll("/", "__")}.e2e.json`);
    expect(JSON.parse(await readFile(summaryFile, "utf8"))).toMatchObject({ resolved_ids: ["acme__calc-1"], error_ids: [] });

    // Validating the environment: the gold patch resolves, and without a patch F2P fails while P2P passes.
    for (const check of ["--gold", "--empty"]) {
      const validation = await spawnAgent(["swebench", "eval", check, ...common, "--run-id", `check${check}`, "--log-dir", logs, "--report-dir", logs, "--environment", "debian"], home).result;
      expect(validation.code, validation.stderr).toBe(0);
      expect(validation.stdout).toContain("environments: 1/1 valid");
    }
  }, 900_000);

  it("refuses bad input with a clear message and exit 2", async () => {
    const home = await createCliSandbox();
    const noChoice = await spawnAgent(["swebench", "eval", "--dataset", join(home.home, "missing.jsonl")], home).result;
    expect(noChoice.code).toBe(2);
    expect(noChoice.stderr).toContain("Give exactly one of: a predictions file, --gold or --empty");
    const missing = await spawnAgent(["swebench", "eval", "--gold", "--dataset", join(home.home, "missing.jsonl")], home).result;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing.jsonl");
    const specs = join(home.home, "specs.json");
    await writeJson(specs, { "acme/calc": { versions: { "1.0": { python: "three", test_cmd: "pytest" } } } });
    const { instances } = await createSyntheticDataset(1);
    await writeFile(join(home.home, "d.jsonl"), `${JSON.stringify(instances[0])}\n`);
    const badSpecs = await spawnAgent(["swebench", "eval", "--gold", "--dataset", join(home.home, "d.jsonl"), "--specs", specs], home).result;
    expect(badSpecs.code).toBe(2);
    expect(badSpecs.stderr).toContain("acme/calc.versions.1.0.python");
  }, 60_000);

  it("stops starting instances at --max-cost, and gives a run no more than what is left of it", async () => {
    const home = await createCliSandbox();
    const { reposDir, instances } = await createSyntheticDataset(2);
    const dataset = join(home.home, "dataset.jsonl");
    await writeFile(dataset, instances.map((instance) => JSON.stringify(instance)).join("\n") + "\n");
    const specs = join(home.home, "specs.json");
    await writeJson(specs, calcSpecs);
    // Every turn costs $0.30: the whole script ($1.80) does not fit in $1.
    await writeJson(join(home.home, "script.json"), { turns: script.turns.map((scripted) => ({ ...scripted, usage: { ...scripted.usage, cost: 0.3 } })) });
    const output = join(home.home, "out");
    const run = await spawnAgent(
      ["--model", `scripted:${join(home.home, "script.json")}`, "swebench", "run", "--dataset", dataset, "--specs", specs, "--repos-dir", reposDir, "--output", output, "--max-cost", "1"],
      home,
    ).result;
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("stopped: --max-cost reached");
    const results = (await readFile(join(output, "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { instance_id: string; status: string; costUsd: number });
    expect(results.map((result) => result.instance_id)).toEqual(["acme__calc-1"]);
    expect(results[0]!.status).toBe("limits-exceeded");
    expect(results[0]!.costUsd).toBeLessThanOrEqual(1.2 + 1e-9);
  }, 300_000);

  it("prepare builds the environment and instance images ahead of a run, and says which cannot be built and why", async () => {
    const home = await createCliSandbox();
    const { reposDir, instances } = await createSyntheticDataset(1);
    const stranger = { ...instances[0]!, repo: "nobody/nothing", instance_id: "nobody__nothing-1" };
    const dataset = join(home.home, "dataset.jsonl");
    await writeFile(dataset, [instances[0], stranger].map((instance) => JSON.stringify(instance)).join("\n") + "\n");
    const specs = join(home.home, "specs.json");
    await writeJson(specs, calcSpecs);
    const run = await spawnAgent(["swebench", "prepare", "--dataset", dataset, "--specs", specs, "--repos-dir", reposDir], home).result;
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/environment swebench-acme-calc-bookworm: ready agent-sandbox:swebench-acme-calc-bookworm-/);
    expect(run.stdout).toMatch(/acme__calc-1: ready agent-swebench:acme__calc-1-/);
    expect(run.stdout).toMatch(/nobody__nothing-1 \(nobody\/nothing 1\.0\): cannot be built: .*nobody\/nothing/);
  }, 300_000);
  it("writes the patch so far as the prediction of an instance whose run an error stops, marked with the error in results.jsonl", async () => {
    const home = await createCliSandbox();
    const { reposDir, instances } = await createSyntheticDataset(1);
    const dataset = join(home.home, "dataset.jsonl");
    await writeFile(dataset, instances.map((instance) => JSON.stringify(instance)).join("\n") + "\n");
    const specs = join(home.home, "specs.json");
    await writeJson(specs, calcSpecs);
    // The script ends after the programmer's edit: the next model call fails (a scripted stand-in for a quota or auth error).
    await writeJson(join(home.home, "short.json"), { turns: script.turns.slice(0, -1) });
    const output = join(home.home, "out");
    const run = await spawnAgent(
      ["--model", `scripted:${join(home.home, "short.json")}`, "swebench", "run", "--dataset", dataset, "--specs", specs, "--repos-dir", reposDir, "--output", output],
      home,
    ).result;
    expect(run.stderr).toMatch(/acme__calc-1: error/);
    const [prediction] = (await readFile(join(output, "predictions.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as Record<string, string>);
    expect(prediction!.model_patch).toContain("+    if b == 0:");
    const [result] = (await readFile(join(output, "results.jsonl"), "utf8")).trim().split("\n").map((line) => JSON.parse(line) as { status: string; error?: string; runDir: string });
    expect(result).toMatchObject({ status: "error" });
    expect(result!.error).toContain("has no turn");
    expect(JSON.parse(await readFile(join(result!.runDir, "report.json"), "utf8"))).toMatchObject({ status: "error" });
  }, 300_000);
});
