import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { commandForTests } from "../../src/agents/executor/detect-test-command.js";
import { sandboxFactories, type SandboxFactory } from "../support/sandbox-factories.js";
import { call, createSourceRepository, runGraphWithScripts } from "./graph-fixture.js";

/**
 * A small TypeScript package with a real bug: slugify keeps surrounding whitespace as dashes.
 * It installs nothing (sandboxes have no network): node:test runs the tests, tsc compiles them
 * into the ignored `.tsbuild/`, and `types/` declares the parts of Node.js the tests use.
 */
const repository = {
  "package.json": `${JSON.stringify(
    {
      name: "slugs",
      version: "1.0.0",
      private: true,
      type: "module",
      scripts: { build: "tsc -p .", test: "rm -rf .tsbuild && tsc -p . && node --test --test-reporter=tap .tsbuild/" },
    },
    null,
    2,
  )}\n`,
  "tsconfig.json": `${JSON.stringify(
    {
      compilerOptions: { target: "es2022", module: "nodenext", moduleResolution: "nodenext", strict: true, skipLibCheck: true, rootDir: ".", outDir: ".tsbuild" },
      include: ["src", "test", "types"],
    },
    null,
    2,
  )}\n`,
  ".gitignore": ".tsbuild/\nnode_modules/\n",
  "types/node-test.d.ts":
    "// The parts of node:test and node:assert/strict the tests use (no @types/node: the repository installs nothing).\n" +
    'declare module "node:test" {\n  export function describe(name: string, fn: () => void): void;\n  export function it(name: string, fn: () => void | Promise<void>): void;\n}\n\n' +
    'declare module "node:assert/strict" {\n  const assert: { equal(actual: unknown, expected: unknown, message?: string): void };\n  export default assert;\n}\n',
  "src/slug.ts":
    '/** Lower-case text with words joined by dashes: "Hello World" becomes "hello-world". */\n' +
    'export function slugify(text: string): string {\n  return text.toLowerCase().replaceAll(" ", "-");\n}\n',
  "test/slug.test.ts":
    'import assert from "node:assert/strict";\nimport { describe, it } from "node:test";\nimport { slugify } from "../src/slug.js";\n\n' +
    'describe("slugify", () => {\n  it("lower-cases words and joins them with dashes", () => {\n    assert.equal(slugify("Hello World"), "hello-world");\n  });\n});\n',
};

const task = {
  title: "slugify keeps leading and trailing spaces",
  body: '`slugify("  Hello World ")` returns `"--hello-world-"`; it should return `"hello-world"`.',
};

const reproTest =
  'import assert from "node:assert/strict";\nimport { describe, it } from "node:test";\nimport { slugify } from "../src/slug.js";\n\n' +
  'describe("slugify with surrounding spaces", () => {\n' +
  '  it("strips them", () => {\n    assert.equal(slugify("  Hello World "), "hello-world");\n  });\n\n' +
  '  it("gives an empty slug for spaces only", () => {\n    assert.equal(slugify("   "), "");\n  });\n});\n';

/** Compiles only the given test files (and what they import) into a fresh `.tsbuild/` and runs them with TAP output, on Node 18 and 20 alike. */
const testCommand = {
  framework: "node",
  selectTemplate:
    "rm -rf .tsbuild && tsc --outDir .tsbuild --rootDir . --module nodenext --moduleResolution nodenext --target es2022 --strict --skipLibCheck types/node-test.d.ts {tests}" +
    " && node --test --test-reporter=tap .tsbuild/",
};

const plannerScript = [
  call("search", { pattern: "function slugify" }),
  call("submit_plan", {
    summary: "slugify in src/slug.ts does not strip whitespace before replacing spaces.",
    findings: [{ file: "src/slug.ts", line: 2, symbol: "slugify", reason: "replaces every space, including surrounding ones" }],
    steps: [
      { owner: "test-designer", description: "Reproduce with surrounding spaces", done_criterion: "a test fails on the current code" },
      { owner: "programmer", description: "Trim the text before joining words", done_criterion: "the reproduction passes" },
    ],
    relevant_tests: ["test/slug.test.ts"],
  }),
];

const testDesignerScript = [
  call("edit_file", { command: "create", path: "test/slug-issue-repro.test.ts", file_text: reproTest }),
  call("run_shell", { command: commandForTests(testCommand, ["test/slug-issue-repro.test.ts"]) }),
  call("submit_tests", {
    framework: testCommand.framework,
    command_template: testCommand.selectTemplate,
    tests: [{ path: "test/slug-issue-repro.test.ts", kind: "basic", description: "surrounding spaces are stripped" }],
  }),
];

const fixEdit = {
  command: "str_replace",
  path: "src/slug.ts",
  old_str: '  return text.toLowerCase().replaceAll(" ", "-");',
  new_str: '  return text.trim().toLowerCase().split(/\\s+/).join("-");',
};

/** This project's own tsc, for the local sandbox: the host has Node.js but no global TypeScript compiler. */
const projectBin = fileURLToPath(new URL("../../node_modules/.bin", import.meta.url));

function withProjectTsc(factory: SandboxFactory): SandboxFactory {
  if (factory.name !== "local") return factory;
  const path = `${projectBin}:${process.env["PATH"] ?? "/usr/bin:/bin"}`;
  return { name: factory.name, create: (hostDir, options) => factory.create(hostDir, { ...options, path }) };
}

const context = "(a small TypeScript package tested with node:test)";

describe.each(sandboxFactories.map(withProjectTsc))("the agent graph on a TypeScript repository in the $name sandbox", (factory: SandboxFactory) => {
  it("localises, reproduces, patches and verifies fails-before/passes-after", async () => {
    const source = await createSourceRepository(repository);
    const result = await runGraphWithScripts({
      factory,
      source,
      task,
      context,
      scripts: {
        planner: plannerScript,
        testDesigner: testDesignerScript,
        programmer: [
          call("view_file", { path: "src/slug.ts" }),
          call("edit_file", fixEdit),
          call("run_shell", { command: commandForTests(testCommand, ["test/slug.test.ts"]) }),
          call("submit_patch", { summary: "Trim, then split on whitespace." }),
        ],
      },
    });

    expect(result.state.status).toBe("solved");
    expect(result.state.verdict).toMatchObject({
      solved: true,
      reproduced: ["slugify with surrounding spaces > gives an empty slug for spaces only", "slugify with surrounding spaces > strips them"],
      regressions: [],
      notFixed: [],
    });
    expect(result.state.patch).toContain('+  return text.trim().toLowerCase().split(/\\s+/).join("-");');
    expect(result.state.patch).not.toContain("slug-issue-repro");
    expect(existsSync(join(result.programmerTree, ".tsbuild"))).toBe(true);
    expect(result.state.patch).not.toContain(".tsbuild");
    expect(await readFile(join(result.programmerTree, "src/slug.ts"), "utf8")).toContain("text.trim()");
    expect(result.events.filter((event) => event.type === "test-run-end").map((event) => (event as { phase: string }).phase)).toEqual([
      "base",
      "patched",
      "base",
      "patched",
    ]);
  }, 300_000);

  it("reports a regression to the programmer, who fixes it in a second round", async () => {
    const source = await createSourceRepository(repository);
    const breakingEdit = { ...fixEdit, new_str: '  return text.trim().split(/\\s+/).join("-");' };
    const result = await runGraphWithScripts({
      factory,
      source,
      task,
      context,
      limits: { maxReplans: 0 },
      scripts: {
        planner: plannerScript,
        testDesigner: testDesignerScript,
        programmer: [
          call("edit_file", breakingEdit),
          call("submit_patch", { summary: "Trim, then split on whitespace." }),
          call("edit_file", { command: "str_replace", path: "src/slug.ts", old_str: breakingEdit.new_str, new_str: fixEdit.new_str }),
          call("submit_patch", { summary: "Also lower-case." }),
        ],
      },
    });

    const secondRound = result.models.programmer.requests[2]!;
    expect(secondRound.messages[1]!.text).toContain("Regressions (passed before, not now): slugify > lower-cases words and joins them with dashes (passed before, failed after)");
    expect(result.state.round).toBe(2);
    expect(result.state.status).toBe("solved");
    expect(result.state.patch).toContain('+  return text.trim().toLowerCase().split(/\\s+/).join("-");');
    expect(result.state.patch).not.toContain(".tsbuild");
  }, 300_000);
});
