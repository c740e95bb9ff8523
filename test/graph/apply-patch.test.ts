import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applyPatchInTree } from "../../src/graph/apply-patch.js";
import { createWorkspace } from "../../src/git/create-workspace.js";
import { sandboxFactories } from "../support/sandbox-factories.js";
import { createSourceRepository } from "./graph-fixture.js";

const patch = "diff --git a/a.txt b/a.txt\n--- a/a.txt\n+++ b/a.txt\n@@ -1 +1 @@\n-one\n+two\n";

describe.each(sandboxFactories)("applyPatchInTree in the $name sandbox", (factory) => {
  it("applies a patch to the working tree and leaves no temporary file", async () => {
    const source = await createSourceRepository({ "a.txt": "one\n" });
    const workspace = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: `${source.path}-tree` });
    const sandbox = await factory.create(workspace.workdir);
    try {
      const result = await applyPatchInTree(sandbox, patch);
      expect(result.exitCode).toBe(0);
      expect(await readFile(join(workspace.workdir, "a.txt"), "utf8")).toBe("two\n");
      expect((await readdir(workspace.workdir)).sort()).toEqual([".git", "a.txt"]);
    } finally {
      await sandbox.dispose();
    }
  }, 120_000);

  it("reports a patch that does not apply", async () => {
    const source = await createSourceRepository({ "a.txt": "other\n" });
    const workspace = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: `${source.path}-tree` });
    const sandbox = await factory.create(workspace.workdir);
    try {
      const result = await applyPatchInTree(sandbox, patch);
      expect(result.exitCode).not.toBe(0);
      expect(result.stderr).toContain("patch does not apply");
    } finally {
      await sandbox.dispose();
    }
  }, 120_000);
});
