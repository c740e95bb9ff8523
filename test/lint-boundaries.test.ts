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
});
