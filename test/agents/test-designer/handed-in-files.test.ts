import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { reviewHandedInFiles, type HandedInFile } from "../../../src/agents/test-designer/handed-in-files.js";
import { createWorkspaceGit } from "../../../src/git/workspace-git.js";
import { createRepository, useTempDirs, writeFiles } from "../../git/git-fixture.js";
import { createFilesOnlySandbox } from "../../support/sandbox-factories.js";

const tempDir = useTempDirs();

/** A repository with one committed module, and the test designer's new files in its tree: a test, its fixture, a big file and a binary one. */
async function designerTree() {
  const dir = await tempDir("handed-in-");
  const commit = await createRepository(dir, { "slugs/core.py": "def slugify(text):\n    return text\n" });
  await writeFiles(dir, {
    "tests/test_repro.py": "import json\n",
    "tests/data/cases.json": '[{"text": " A B ", "slug": "a-b"}]\n',
    "tests/data/big.txt": "x".repeat(300 * 1024),
    "tests/data/image.png": Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]),
  });
  await writeFile(join(dir, "tests/data/latin1.txt"), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
  return { sandbox: createFilesOnlySandbox(dir), git: createWorkspaceGit({ workdir: dir, baseCommit: commit }) };
}

describe("reviewHandedInFiles", () => {
  it("takes new tests and the new text files they read", async () => {
    const bench = await designerTree();
    expect(await reviewHandedInFiles(bench, [{ path: "./tests/test_repro.py", isTest: true }, { path: "tests//data/cases.json", isTest: false }])).toEqual([]);
  });

  it.each<[string, HandedInFile, string]>([
    ["an absolute path", { path: "/workspace/tests/test_repro.py", isTest: true }, "/workspace/tests/test_repro.py is an absolute path: name it relative to the repository root"],
    ["a path that goes up", { path: "tests/../../escape.py", isTest: false }, 'tests/../../escape.py goes up with "..": name it relative to the repository root, inside it'],
    ["a path inside .git", { path: ".git/hooks/pre-commit", isTest: false }, ".git/hooks/pre-commit is inside .git, which holds no test"],
    ["a data file as a test", { path: "tests/data/cases.json", isTest: true }, "tests/data/cases.json is a data file, not a test: hand it in under support_files (files the tests read are written beside them, not run)"],
    ["a file of the base commit", { path: "slugs/core.py", isTest: false }, "slugs/core.py is not a new file in your tree: create it first (existing files cannot be handed in or changed)"],
    ["a file that does not exist", { path: "tests/test_missing.py", isTest: true }, "tests/test_missing.py is not a new file in your tree: create it first (existing files cannot be handed in or changed)"],
    ["a file over the size limit", { path: "tests/data/big.txt", isTest: false }, "tests/data/big.txt is 300 KB, over the 256 KB a handed-in file may have: make it smaller, or have the test generate it"],
    ["a binary file", { path: "tests/data/image.png", isTest: false }, "tests/data/image.png is not UTF-8 text: have the test write binary data itself (in a fixture or setUp) instead"],
    ["a file in another encoding", { path: "tests/data/latin1.txt", isTest: false }, "tests/data/latin1.txt is not UTF-8 text: have the test write binary data itself (in a fixture or setUp) instead"],
  ])("refuses %s, saying why", async (_case, file, problem) => {
    const bench = await designerTree();
    expect(await reviewHandedInFiles(bench, [{ path: "tests/test_repro.py", isTest: true }, file])).toEqual([problem]);
  });
});
