import { describe, expect, it } from "vitest";
import { buildSymbolIndex, extractSymbols, findSymbols, isTestPath } from "../../src/planner/symbol-index.js";

const pythonModels = `import os


@dataclass
class User(Base):
    """A user."""

    name: str

    def full_name(self):
        return self.name

    @property
    def email(self):
        return ""

    class Meta:
        ordering = ["name"]

        def describe(self):
            return "meta"


def helper(x):
    def inner():
        return x
    return inner


if TYPE_CHECKING:
    def typed_only(): ...

try:
    from fast import speedup
except ImportError:
    def speedup(x):
        return x
`;

/** Renders definitions as `kind name (line)` for compact expectations. */
async function outline(language: string, content: string): Promise<string[]> {
  return (await extractSymbols(language, content)).map((symbol) => `${symbol.kind} ${symbol.name} (${symbol.line})`);
}

describe("extractSymbols", () => {
  it("lists python classes, methods, nested classes and functions, but not functions inside functions", async () => {
    expect(await outline("python", pythonModels)).toEqual([
      "class User (5)",
      "method User.full_name (10)",
      "method User.email (14)",
      "class User.Meta (17)",
      "method User.Meta.describe (20)",
      "function helper (24)",
      "function typed_only (31)",
      "function speedup (36)",
    ]);
  });

  it("lists typescript declarations, exported ones, arrow functions bound to consts, class members and namespaces", async () => {
    const source = [
      "export default class Store<T> extends Base {",
      "  private cache = new Map();",
      "  onChange = () => {};",
      "  constructor() { super(); }",
      "  get size(): number { return 0; }",
      "}",
      "export const createStore = async () => new Store();",
      "function internal() {}",
      "export interface Options { a(): void }",
      "export type Id = string;",
      "enum Mode { A }",
      "abstract class Shape { abstract area(): number; }",
      "namespace Util { export function clamp() {} }",
      "const notAFunction = 3;",
    ].join("\n");
    expect(await outline("typescript", source)).toEqual([
      "class Store (1)",
      "method Store.onChange (3)",
      "method Store.constructor (4)",
      "method Store.size (5)",
      "function createStore (7)",
      "function internal (8)",
      "interface Options (9)",
      "type Id (10)",
      "enum Mode (11)",
      "class Shape (12)",
      "method Shape.area (12)",
      "module Util (13)",
      "function Util.clamp (13)",
    ]);
  });

  it("lists javascript functions and classes, including tsx components", async () => {
    const source = "export function App() {\n  return <div />;\n}\nclass Widget extends Component {\n  render() { return null; }\n}\nmodule.exports = { App };\n";
    expect(await outline("tsx", source)).toEqual(["function App (1)", "class Widget (4)", "method Widget.render (5)"]);
    expect(await outline("javascript", source)).toEqual(["function App (1)", "class Widget (4)", "method Widget.render (5)"]);
  });

  it("lists go functions, methods by receiver type, structs, interfaces and other types", async () => {
    const source = "package store\n\ntype Store struct{}\n\ntype Reader interface{ Read() }\n\ntype ID int\n\nfunc (s *Store) Get(key string) string { return \"\" }\n\nfunc New() *Store { return &Store{} }\n";
    expect(await outline("go", source)).toEqual(["struct Store (3)", "interface Reader (5)", "type ID (7)", "method Store.Get (9)", "function New (11)"]);
  });

  it("lists rust items, impl and trait methods by type, and inline modules", async () => {
    const source = [
      "pub struct Point { x: i32 }",
      "enum Shape { Circle }",
      "pub trait Area { fn area(&self) -> f64; }",
      "impl Area for Point { fn area(&self) -> f64 { 0.0 } }",
      "impl<T> Wrapper<T> { pub fn new() -> Self { todo!() } }",
      "mod tests { fn it_works() {} }",
      "fn main() {}",
    ].join("\n");
    expect(await outline("rust", source)).toEqual([
      "struct Point (1)",
      "enum Shape (2)",
      "trait Area (3)",
      "method Area.area (3)",
      "method Point.area (4)",
      "method Wrapper.new (5)",
      "module tests (6)",
      "function tests.it_works (6)",
      "function main (7)",
    ]);
  });

  it("lists java types, nested types, constructors and methods", async () => {
    const source = "package a;\npublic class Account {\n  public Account() {}\n  void close() {}\n  static class Audit { void log() {} }\n}\ninterface Closeable { void close(); }\nenum State { OPEN; boolean isOpen() { return true; } }\n";
    expect(await outline("java", source)).toEqual([
      "class Account (2)",
      "method Account.Account (3)",
      "method Account.close (4)",
      "class Account.Audit (5)",
      "method Account.Audit.log (5)",
      "interface Closeable (7)",
      "method Closeable.close (7)",
      "enum State (8)",
      "method State.isOpen (8)",
    ]);
  });

  it("lists ruby modules, classes, instance and singleton methods", async () => {
    const source = "module Billing\n  class Invoice < Base\n    def total\n    end\n\n    def self.build\n    end\n  end\nend\n\ndef helper\nend\n";
    expect(await outline("ruby", source)).toEqual([
      "module Billing (1)",
      "class Billing.Invoice (2)",
      "method Billing.Invoice.total (3)",
      "method Billing.Invoice.build (6)",
      "function helper (11)",
    ]);
  });

  it("still lists the definitions of a file with a syntax error", async () => {
    expect(await outline("python", "class A:\n    def ok(self):\n        pass\n\ndef broken(:\n    pass\n\ndef after():\n    pass\n")).toContain("class A (1)");
  });
});

describe("buildSymbolIndex", () => {
  const files = [
    { path: "src/app/models.py", content: pythonModels },
    { path: "src/app/views.py", content: "def index(request):\n    return None\n" },
    { path: "tests/test_models.py", content: "def test_full_name():\n    pass\n" },
    { path: "vendor/six.py", content: "def with_metaclass():\n    pass\n" },
    { path: "README.md", content: "# Hello\n" },
    { path: "src/app/empty.py", content: "X = 1\n" },
  ];

  it("renders one line per file with the language's keywords and line numbers", async () => {
    const index = await buildSymbolIndex(files, { maxChars: 10_000 });
    expect(index.text.split("\n")).toEqual([
      "src/app/models.py: class User (5), def User.full_name (10), def User.email (14), class User.Meta (17), def User.Meta.describe (20), def helper (24), def typed_only (31), def speedup (36)",
      "src/app/views.py: def index (1)",
      "tests/test_models.py: def test_full_name (1)",
      "vendor/six.py: def with_metaclass (1)",
    ]);
    expect(index.omittedFiles).toBe(0);
  });

  it("keeps files of unknown languages and files without definitions out of the index", async () => {
    const index = await buildSymbolIndex(files, { maxChars: 10_000 });
    expect(index.files.map((file) => file.path)).toEqual(["src/app/models.py", "src/app/views.py", "tests/test_models.py", "vendor/six.py"]);
  });

  it("drops vendored code and tests before the project's own code when the text must be short", async () => {
    const index = await buildSymbolIndex(files, { maxChars: 300 });
    expect(index.text).toContain("src/app/models.py:");
    expect(index.text).toContain("src/app/views.py:");
    expect(index.text).not.toContain("vendor/six.py");
    expect(index.text).not.toContain("tests/test_models.py");
    expect(index.text).toMatch(/… definitions of 2 more files not shown$/);
    expect(index.text.length).toBeLessThanOrEqual(300);
    expect(index.omittedFiles).toBe(2);
  });

  it("gives files that define or name a focus term room first", async () => {
    const index = await buildSymbolIndex(files, { maxChars: 120, focus: ["with_metaclass"] });
    expect(index.text.split("\n")[0]).toBe("vendor/six.py: def with_metaclass (1)");
  });

  it("lists at most the given number of definitions per file and counts the rest", async () => {
    const index = await buildSymbolIndex(files.slice(0, 1), { maxChars: 10_000, maxSymbolsPerFile: 2 });
    expect(index.text).toBe("src/app/models.py: class User (5), def User.full_name (10), … 6 more");
  });
});

describe("findSymbols", () => {
  const files = [
    { path: "django/db/models/fields/files.py", content: "class FileField:\n    def pre_save(self):\n        pass\n\nclass ImageField(FileField):\n    pass\n" },
    { path: "django/forms/fields.py", content: "class FileField:\n    pass\n" },
    { path: "tests/model_fields/test_filefield.py", content: "class FileField:\n    pass\n" },
  ];

  it("finds definitions by name, the project's own code before tests", async () => {
    const matches = findSymbols(await buildSymbolIndex(files, { maxChars: 1_000 }), ["FileField"]);
    expect(matches.map((match) => `${match.path}:${match.line}`)).toEqual([
      "django/db/models/fields/files.py:1",
      "django/forms/fields.py:1",
      "tests/model_fields/test_filefield.py:1",
    ]);
  });

  it("finds a method by its qualified name or a call-like term", async () => {
    const index = await buildSymbolIndex(files, { maxChars: 1_000 });
    const matches = findSymbols(index, ["FileField.pre_save", "pre_save()"]);
    expect(matches).toEqual([
      { term: "FileField.pre_save", path: "django/db/models/fields/files.py", name: "FileField.pre_save", kind: "method", line: 2 },
      { term: "pre_save", path: "django/db/models/fields/files.py", name: "FileField.pre_save", kind: "method", line: 2 },
    ]);
  });

  it("narrows a dotted module term to the file whose path matches it", async () => {
    const matches = findSymbols(await buildSymbolIndex(files, { maxChars: 1_000 }), ["forms.fields.FileField"]);
    expect(matches.map((match) => match.path)).toEqual(["django/forms/fields.py"]);
  });

  it("matches names case-insensitively after exact matches", async () => {
    const matches = findSymbols(await buildSymbolIndex(files, { maxChars: 1_000 }), ["imagefield"]);
    expect(matches.map((match) => match.name)).toEqual(["ImageField"]);
  });

  it("returns nothing for a term that names no definition", async () => {
    expect(findSymbols(await buildSymbolIndex(files, { maxChars: 1_000 }), ["NoSuchThing"])).toEqual([]);
  });
});

describe("isTestPath", () => {
  it.each([
    ["tests/test_models.py", true],
    ["sympy/core/tests/test_basic.py", true],
    ["pkg/store_test.go", true],
    ["src/app.test.ts", true],
    ["src/main/java/AccountTest.java", true],
    ["src/app/models.py", false],
    ["src/contest.py", false],
  ])("classifies %s as a test path: %s", (path, expected) => {
    expect(isTestPath(path)).toBe(expected);
  });
});
