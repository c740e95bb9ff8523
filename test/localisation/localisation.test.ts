import { describe, expect, it } from "vitest";
import { buildCodeIndex, chunkSource, codeTokens } from "../../src/localisation/code-retrieval.js";
import { createFileLookup, extractIssueEvidence, moduleFile } from "../../src/localisation/issue-evidence.js";
import { rankLocations } from "../../src/localisation/rank-locations.js";
import { trackedSourcePaths } from "../../src/localisation/read-sources.js";

const PATHS = ["sympy/core/mod.py", "sympy/core/__init__.py", "sympy/core/tests/test_arit.py", "sympy/printing/str.py", "lib/widget.js", "src/app/server.ts", "tests/mod.py"];

describe("issue evidence", () => {
  it("maps a Python traceback's frames onto the repository, innermost first, with line and function", () => {
    const body = [
      "Traceback (most recent call last):",
      '  File "<stdin>", line 1, in <module>',
      '  File "/home/me/venv/lib/python3.9/site-packages/sympy/printing/str.py", line 27, in doprint',
      '  File "/home/me/venv/lib/python3.9/site-packages/sympy/core/mod.py", line 91, in eval',
      "TypeError: unsupported operand",
    ].join("\n");
    const { locations } = extractIssueEvidence({ title: "Mod fails", body }, PATHS);
    expect(locations.filter((location) => location.kind === "python-frame")).toEqual([
      { kind: "python-frame", text: expect.stringContaining("core/mod.py"), file: "sympy/core/mod.py", line: 91, symbol: "eval" },
      { kind: "python-frame", text: expect.stringContaining("printing/str.py"), file: "sympy/printing/str.py", line: 27, symbol: "doprint" },
      { kind: "python-frame", text: '  File "<stdin>", line 1, in <module>'.trim(), line: 1, symbol: "<module>" },
    ]);
  });

  it("maps a JavaScript stack's frames, as printed (innermost first)", () => {
    const body = "TypeError: x is undefined\n    at render (/srv/checkout/lib/widget.js:12:5)\n    at /srv/checkout/src/app/server.ts:40:10\n    at node:internal/process:1:1";
    const frames = extractIssueEvidence({ title: "crash", body }, PATHS).locations.filter((location) => location.kind === "js-frame");
    expect(frames.map((frame) => [frame.file, frame.line, frame.symbol])).toEqual([
      ["lib/widget.js", 12, "render"],
      ["src/app/server.ts", 40, undefined],
    ]);
  });

  it("finds a path in prose, with its line, and leaves out one the repository does not have", () => {
    const { locations } = extractIssueEvidence({ title: "Wrong output", body: "Looking at `sympy/printing/str.py:120` the code is odd; docs/other.py is fine." }, PATHS);
    expect(locations.filter((location) => location.kind === "path")).toEqual([
      { kind: "path", text: "sympy/printing/str.py:120", file: "sympy/printing/str.py", line: 120 },
      { kind: "path", text: "docs/other.py" },
    ]);
  });

  it("maps a dotted module path onto its module file or package", () => {
    const files = createFileLookup(PATHS);
    expect(moduleFile("sympy.core.mod.Mod.eval", files)).toBe("sympy/core/mod.py");
    expect(moduleFile("sympy.core", files)).toBe("sympy/core/__init__.py");
    expect(moduleFile("numpy.linalg", files)).toBeUndefined();
    const { locations } = extractIssueEvidence({ title: "sympy.core.mod.Mod is wrong", body: "" }, PATHS);
    expect(locations).toContainEqual({ kind: "module", text: "sympy.core.mod.Mod", file: "sympy/core/mod.py" });
  });

  it("prefers the repository file that shares the longest path with the text", () => {
    expect(createFileLookup(PATHS).bySuffix("/x/site-packages/sympy/core/mod.py")).toBe("sympy/core/mod.py");
    expect(createFileLookup(PATHS).bySuffix("tests/mod.py")).toBe("tests/mod.py");
  });
});

describe("code retrieval", () => {
  it("splits identifiers the way code names are written, leaving out stop words (has, self)", () => {
    expect(codeTokens("has_close_elements(FileField) self.x")).toEqual(["has_close_elements", "close", "elements", "filefield", "file", "field"]);
  });

  it("chunks Python by definition, methods under their class, and keeps the module's preamble", () => {
    const chunks = chunkSource({ path: "m.py", content: "import os\n\nclass A:\n    def f(self):\n        return 1\n\ndef g():\n    pass\n" });
    expect(chunks.map((chunk) => [chunk.name, chunk.startLine, chunk.endLine])).toEqual([
      ["(module)", 1, 2],
      ["A", 3, 3],
      ["A.f", 4, 6],
      ["g", 7, 9],
    ]);
  });

  it("lists tracked source files, never a symbolic link or a submodule", () => {
    const listing = ["100644 aaaa 0\tpkg/a.py", "120000 bbbb 0\tpkg/link.py", "160000 cccc 0\tvendor/sub", "100644 dddd 0\tREADME.md", "100755 eeee 0\tbin/tool.js"].join("\0");
    expect(trackedSourcePaths(listing)).toEqual(["pkg/a.py", "bin/tool.js"]);
  });
});

describe("rankLocations", () => {
  const documents = [
    { path: "shop/cart.py", content: "class Cart:\n    def total(self):\n        return sum(item.price for item in self.items)\n\n    def add(self, item):\n        self.items.append(item)\n" },
    { path: "shop/discount.py", content: "def apply_discount(price, percent):\n    return price - price * percent / 100\n" },
    { path: "shop/tests/test_cart.py", content: "from shop.cart import Cart\n\ndef test_total():\n    assert Cart().total() == 0\n" },
    { path: "shop/util.py", content: "def money(value):\n    return f'{value:.2f}'\n" },
  ];

  it("puts the file a traceback names first, with the frame as its evidence, and the function of the frame first", () => {
    const index = buildCodeIndex(documents);
    const body = 'Traceback (most recent call last):\n  File "shop/cart.py", line 3, in total\nTypeError: unsupported operand type(s) for +: int and NoneType';
    const ranked = rankLocations({ title: "Cart total crashes when an item has no price", body }, index);
    expect(ranked.files[0]).toMatchObject({ path: "shop/cart.py", evidence: expect.arrayContaining(["a stack frame in the issue (line 3, in total)"]) });
    expect(ranked.functions[0]).toMatchObject({ path: "shop/cart.py", name: "Cart.total", line: 2 });
  });

  it("finds the definition of an identifier the issue names, and ranks tests below the code", () => {
    const index = buildCodeIndex(documents);
    const ranked = rankLocations({ title: "apply_discount rounds wrong", body: "`apply_discount(10, 33)` gives 6.7 instead of 6.70" }, index);
    expect(ranked.files[0]!.path).toBe("shop/discount.py");
    expect(ranked.files[0]!.evidence).toContain("defines apply_discount");
    expect(ranked.functions[0]).toMatchObject({ path: "shop/discount.py", name: "apply_discount" });
    const cart = rankLocations({ title: "Cart total is wrong", body: "the total of a cart" }, index).files.map((file) => file.path);
    expect(cart.indexOf("shop/cart.py")).toBeLessThan(cart.indexOf("shop/tests/test_cart.py"));
  });
});
