import { mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { cruise, type ICruiseResult, type IForbiddenRuleType } from "dependency-cruiser";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { projectRoot } from "./cli/cli-harness.js";

const eslint = new ESLint({ cwd: projectRoot });

async function ruleIdsFor(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((message) => message.ruleId ?? "fatal");
}

describe("the layer boundaries of STYLE.md", () => {
  it("forbids ink and react in src/", async () => {
    expect(await ruleIdsFor('import { Box } from "ink";\nexport const x = Box;\n', "src/models/x.ts")).toContain("no-restricted-imports");
  });

  it("forbids importing cli/ from src/", async () => {
    expect(await ruleIdsFor('import { runCli } from "../../cli/run-cli.js";\nexport const x = runCli;\n', "src/models/x.ts")).toContain(
      "no-restricted-imports",
    );
  });

  it("forbids console and process.exit in src/", async () => {
    const ids = await ruleIdsFor('console.log("x");\nprocess.exit(1);\n', "src/models/x.ts");
    expect(ids).toEqual(expect.arrayContaining(["no-console", "no-restricted-properties"]));
  });

  it("allows console, ink and process.exit in cli/", async () => {
    expect(await ruleIdsFor('import { Box } from "ink";\nconsole.log(Box);\nprocess.exit(1);\n', "cli/x.ts")).toEqual([]);
  });

  it("forbids default exports", async () => {
    expect(await ruleIdsFor("export default 1;\n", "src/models/x.ts")).toContain("no-restricted-syntax");
  });
  it("forbids a deep import of src/ from cli/ and swebench/, and allows src/index.js", async () => {
    const deep = 'import { runTask } from "../../src/graph/run-task.js";\nexport const x = runTask;\n';
    expect(await ruleIdsFor(deep, "cli/commands/x.ts")).toContain("no-restricted-imports");
    expect(await ruleIdsFor(deep.replace("../../", "../"), "swebench/x.ts")).toContain("no-restricted-imports");
    expect(await ruleIdsFor('import { runTask } from "../../src/index.js";\nexport const x = runTask;\n', "cli/commands/x.ts")).toEqual([]);
  });
});

describe("the dependency rules (.dependency-cruiser.json, run by npm test)", () => {
  /** Cruises a throw-away tree of files with the project's own rules; returns the names of the rules it breaks. */
  async function violationsOf(files: Record<string, string>): Promise<string[]> {
    const root = await mkdtemp(join(tmpdir(), "dependency-rules-"));
    for (const [path, content] of Object.entries(files)) {
      await mkdir(join(root, path, ".."), { recursive: true });
      await writeFile(join(root, path), content);
    }
    const config = JSON.parse(await readFile(join(projectRoot, ".dependency-cruiser.json"), "utf8")) as { forbidden: IForbiddenRuleType[] };
    const previous = process.cwd();
    process.chdir(root);
    try {
      const result = await cruise(["src"], { validate: true, ruleSet: { forbidden: config.forbidden }, tsPreCompilationDeps: true }, { extensions: [".ts", ".js"] });
      return ((result.output as ICruiseResult).summary.violations ?? []).map((violation) => violation.rule.name).sort();
    } finally {
      process.chdir(previous);
    }
  }

  it("reports two folders that import each other, even through a type", async () => {
    const violations = await violationsOf({
      "src/models/model.ts": 'import type { Event } from "../events/event.js";\nexport type Model = { on(event: Event): void };\n',
      "src/events/event.ts": 'import type { Model } from "../models/model.js";\nexport type Event = { model: Model };\n',
    });
    expect(violations).toContain("no-folder-cycle");
  });

  it("accepts folders that only import downwards", async () => {
    const violations = await violationsOf({
      "src/models/model.ts": 'import type { Event } from "../events/event.js";\nexport type Model = { on(event: Event): void };\n',
      "src/events/event.ts": "export type Event = { name: string };\n",
    });
    expect(violations).toEqual([]);
  });
});
