import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildRepoMap, formatRepoMap, type RepoMap } from "../../src/planner/repo-map.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { createRepository, git, writeFiles, type FileTree } from "../git/git-fixture.js";
import { sandboxFactories, type SandboxFactory } from "../support/sandbox-factories.js";

const readme = ["# Shop", "", "A small shop application.", ...Array.from({ length: 80 }, (_, index) => `Line ${index + 4} of the README.`)].join("\n");

/** A small Python web project with tests, docs, a bit of JavaScript and some ignored build output. */
const projectFiles: FileTree = {
  ".gitignore": "build/\n*.log\n",
  "README.md": `${readme}\n`,
  "setup.py": "from setuptools import setup\n\nsetup(name='shop')\n",
  "shop/__init__.py": "",
  "shop/models.py": "class Product:\n    def price_with_tax(self):\n        return 0\n\n\nclass Order:\n    def total(self):\n        return 0\n",
  "shop/views.py": "def product_list(request):\n    return []\n",
  "shop/static/cart.js": "export function addToCart(item) {\n  return item;\n}\n",
  "tests/conftest.py": "import pytest\n",
  "tests/test_models.py": "from shop.models import Product\n\n\ndef test_price_with_tax():\n    assert Product().price_with_tax() == 0\n",
  "docs/index.rst": "Shop\n====\n",
  "build/lib/shop/models.py": "class Stale:\n    pass\n",
  "debug.log": "noise\n",
};

interface Workspace {
  sandbox: Sandbox;
  dispose(): Promise<void>;
}

async function createWorkspace(factory: SandboxFactory, files: FileTree, options: { isGitRepository: boolean }): Promise<Workspace> {
  const hostDir = await mkdtemp(join(tmpdir(), "repo-map-"));
  if (options.isGitRepository) await createRepository(hostDir, files);
  else await writeFiles(hostDir, files);
  const sandbox = await factory.create(hostDir);
  return {
    sandbox,
    async dispose() {
      await sandbox.dispose();
      await rm(hostDir, { recursive: true, force: true });
    },
  };
}

describe.each(sandboxFactories)("buildRepoMap in the $name sandbox", (factory: SandboxFactory) => {
  describe("on a git repository", () => {
    let workspace: Workspace;
    let map: RepoMap;

    beforeAll(async () => {
      workspace = await createWorkspace(factory, projectFiles, { isGitRepository: true });
      await workspace.sandbox.writeFile("shop/discounts.py", "def apply_discount(order):\n    return order\n");
      await workspace.sandbox.writeFile("node_modules/left-pad/index.js", "module.exports = function leftPad() {};\n");
      map = await buildRepoMap(workspace.sandbox, { focus: ["price_with_tax", "Order"] });
    }, 20 * 60_000);

    afterAll(async () => {
      await workspace?.dispose();
    });

    it("lists tracked and new files but nothing that .gitignore excludes", () => {
      expect(map.tree.split("\n")).toEqual([
        "docs/",
        "  index.rst",
        "shop/",
        "  static/",
        "    cart.js",
        "  __init__.py",
        "  discounts.py",
        "  models.py",
        "  views.py",
        "tests/",
        "  conftest.py",
        "  test_models.py",
        ".gitignore",
        "README.md",
        "setup.py",
      ]);
      expect(map.fileCount).toBe(11);
    });

    it("keeps the first 60 lines of the README", () => {
      const lines = map.readme.split("\n");
      expect(lines.slice(0, 3)).toEqual(["# Shop", "", "A small shop application."]);
      expect(lines).toHaveLength(61);
      expect(lines.at(-1)).toBe("…");
    });

    it("counts files per programming language", () => {
      expect(map.languages).toEqual([
        { language: "Python", files: 7 },
        { language: "JavaScript", files: 1 },
      ]);
    });

    it("describes where the tests live and how their files are named", () => {
      expect(map.testLayout).toEqual({ dirs: ["tests/"], patterns: ["conftest.py", "test_*.py"] });
    });

    it("indexes the definitions of the source files", () => {
      expect(map.symbols).toContain("shop/models.py: class Product (1), def Product.price_with_tax (2), class Order (6), def Order.total (7)");
      expect(map.symbols).toContain("shop/static/cart.js: function addToCart (1)");
      expect(map.symbols).toContain("shop/discounts.py: def apply_discount (1)");
      expect(map.symbols).not.toContain("Stale");
    });

    it("localises the focus terms to their definitions", () => {
      expect(map.candidates).toEqual([
        { term: "price_with_tax", path: "shop/models.py", name: "Product.price_with_tax", kind: "method", line: 2 },
        { term: "Order", path: "shop/models.py", name: "Order", kind: "class", line: 6 },
      ]);
    });

    it("formats the map as prompt text within its budget", async () => {
      const text = formatRepoMap(map, { maxChars: 1_500 });
      expect(text.length).toBeLessThanOrEqual(1_500);
      await expect(text).toMatchFileSnapshot("./__snapshots__/repo-map.formatted.txt");
    });
  });

  describe("on a directory that is not a git repository", () => {
    let workspace: Workspace;
    let map: RepoMap;

    beforeAll(async () => {
      workspace = await createWorkspace(factory, { ...projectFiles, "node_modules/left-pad/index.js": "module.exports = 1;\n", "shop/__pycache__/models.cpython-311.pyc": "x" }, { isGitRepository: false });
      map = await buildRepoMap(workspace.sandbox);
    }, 20 * 60_000);

    afterAll(async () => {
      await workspace?.dispose();
    });

    it("lists the files itself, skipping dependencies, caches and build output", () => {
      expect(map.tree).toContain("shop/");
      expect(map.tree).toContain("debug.log");
      expect(map.tree).not.toMatch(/node_modules|__pycache__|build\//);
      expect(map.fileCount).toBe(11);
    });

    it("has no candidates without focus terms", () => {
      expect(map.candidates).toEqual([]);
    });
  });

  describe("on a large repository", () => {
    let workspace: Workspace;
    let map: RepoMap;

    beforeAll(async () => {
      const files: FileTree = { "README.rst": "Big\n===\n" };
      for (let app = 0; app < 40; app += 1) {
        for (let module = 0; module < 12; module += 1) files[`pkg/app${String(app).padStart(2, "0")}/module${String(module).padStart(2, "0")}.py`] = `def f${module}():\n    pass\n`;
        files[`pkg/app${String(app).padStart(2, "0")}/tests/test_app.py`] = "def test_it():\n    pass\n";
      }
      for (let index = 0; index < 45; index += 1) files[`data/sample${String(index).padStart(2, "0")}.json`] = "{}\n";
      files["src/main/java/com/example/shop/Shop.java"] = "class Shop {}\n";
      workspace = await createWorkspace(factory, files, { isGitRepository: true });
      map = await buildRepoMap(workspace.sandbox, { maxTreeLines: 120, maxSymbolChars: 800 });
    }, 20 * 60_000);

    afterAll(async () => {
      await workspace?.dispose();
    });

    it("keeps the tree within its line budget and counts what it leaves out", () => {
      const lines = map.tree.split("\n");
      expect(lines.length).toBeLessThanOrEqual(121);
      expect(lines).toContain("  app29/ (13 files)");
      expect(lines).toContain("  … 10 more directories (130 files)");
      expect(lines).toContain("  … 15 more files");
    });

    it("shows a chain of single directories on one line", () => {
      expect(map.tree.split("\n")).toContain("src/main/java/com/example/shop/");
    });

    it("lists many test directories up to a limit and counts the rest", () => {
      expect(map.testLayout.dirs).toHaveLength(13);
      expect(map.testLayout.dirs.at(-1)).toBe("… 28 more");
    });

    it("keeps the symbol index within its budget", () => {
      expect(map.symbols.length).toBeLessThanOrEqual(800);
      expect(map.symbols).toMatch(/… definitions of \d+ more files not shown$/);
      expect(map.symbols).not.toContain("test_app.py");
    });
  });
});

describe("formatRepoMap", () => {
  const map: RepoMap = {
    fileCount: 3,
    tree: Array.from({ length: 200 }, (_, index) => `file${index}.py`).join("\n"),
    readme: "# Title\nSome words.",
    languages: [{ language: "Python", files: 3 }],
    testLayout: { dirs: [], patterns: [] },
    symbols: Array.from({ length: 200 }, (_, index) => `file${index}.py: def f${index} (1)`).join("\n"),
    candidates: [],
    notes: [],
  };

  it("stays within the character budget by cutting whole lines and saying how many", () => {
    const text = formatRepoMap(map, { maxChars: 2_000 });
    expect(text.length).toBeLessThanOrEqual(2_000);
    expect(text).toMatch(/… \(\d+ more lines\)/);
    expect(text).toContain("# Title\nSome words.");
  });

  it("says when no tests were found", () => {
    expect(formatRepoMap(map, { maxChars: 10_000 })).toContain("Tests: none found");
  });

  it("shows everything when it fits", () => {
    const text = formatRepoMap(map, { maxChars: 100_000 });
    expect(text).toContain("file199.py: def f199 (1)");
    expect(text).not.toContain("more lines");
  });
});

describe("git-fixture based repositories", () => {
  it("are real git repositories the map reads with git ls-files", async () => {
    const hostDir = await mkdtemp(join(tmpdir(), "repo-map-git-"));
    try {
      await createRepository(hostDir, { "a.py": "def a():\n    pass\n" });
      expect(git(hostDir, ["ls-files"]).trim()).toBe("a.py");
    } finally {
      await rm(hostDir, { recursive: true, force: true });
    }
  });
});
