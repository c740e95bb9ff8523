import { describe, expect, it } from "vitest";
import { createSyntaxChecker } from "../../src/tools/syntax-check.js";

const checker = createSyntaxChecker();

const validSamples: Array<[string, string, string]> = [
  ["python: functions, classes and comprehensions", "a.py", "class A:\n    def f(self, x: int) -> list[int]:\n        return [i * x for i in range(3) if i]\n"],
  ["python 3.10 match statements", "a.py", "match command:\n    case [\"go\", direction]:\n        pass\n    case {\"x\": x, **rest}:\n        pass\n    case Point(x=0) | None:\n        pass\n    case _:\n        pass\n"],
  ["python f-strings", "a.py", "name = 'x'\nprint(f\"{name!r:>10} {name=} {{literal}} {f'{name}'}\")\n"],
  ["python decorators and async", "a.py", "import functools\n\n@functools.cache\nasync def fetch(url):\n    async with session.get(url) as response:\n        async for chunk in response:\n            yield await chunk\n"],
  ["python stub files", "a.pyi", "def f(x: int) -> str: ...\n"],
  ["javascript", "a.js", "export const f = async (a, ...rest) => ({ a, rest, b: a?.b ?? 1 });\n"],
  ["javascript modules with jsx", "a.jsx", "export function App() {\n  return <div className=\"x\">{items.map((i) => <Item key={i} />)}</div>;\n}\n"],
  ["typescript", "a.ts", "interface A<T> { x: T }\nexport function f<T extends object>(a: A<T>): T | undefined {\n  return a.x satisfies T;\n}\n"],
  ["tsx", "a.tsx", "export const App = ({ n }: { n: number }) => <ul>{[n].map((i) => <li key={i}>{i}</li>)}</ul>;\n"],
  ["json", "a.json", "{\n  \"a\": [1, 2, {\"b\": null}]\n}\n"],
  ["go", "a.go", "package main\n\nfunc main() {\n\tx := []int{1}\n\t_ = x\n}\n"],
  ["rust", "a.rs", "fn main() {\n    let v: Vec<i32> = vec![1];\n    println!(\"{:?}\", v);\n}\n"],
];

const invalidSamples: Array<[string, string, string]> = [
  ["python: an unclosed parameter list", "a.py", "def f(x:\n    return x\n"],
  ["python: a missing colon", "a.py", "def f(x)\n    return x\n"],
  ["python: a missing colon after complete statements", "a.py", "import os\n\n\ndef add(a, b)\n    return a + b\n\n\ndef main():\n    print(add(1, 2))\n"],
  ["python: an unclosed call", "a.py", "x = 1\nprint((1, 2)\n"],
  ["javascript: an unclosed parameter list", "a.js", "function f( {\n  return 1;\n}\n"],
  ["typescript: a missing expression", "a.ts", "const x: number = ;\n"],
  ["javascript: a missing closing parenthesis", "a.js", "f(1, 2;\n"],
  ["tsx: an unclosed expression in an element", "a.tsx", "const x = <div>{a</div>;\n"],
  ["json: a trailing comma", "a.json", "{\n  \"a\": 1,\n}\n"],
  ["json: an unterminated object", "a.json", "{\n  \"a\": 1\n"],
];

describe("createSyntaxChecker", () => {
  it.each(validSamples)("accepts valid %s", async (_name, path, content) => {
    expect(await checker.check(path, content)).toMatchObject({ checked: true, ok: true });
  });

  it.each(invalidSamples)("reports %s", async (_name, path, content) => {
    expect(await checker.check(path, content)).toMatchSnapshot();
  });

  it("does not check files of unknown languages", async () => {
    expect(await checker.check("notes.txt", "def f(:")).toEqual({ checked: false });
  });

  it("does not check tsconfig files, which may hold comments", async () => {
    expect(await checker.check("tsconfig.json", "{ // comment\n}")).toEqual({ checked: false });
  });

  it("reports json errors with a 1-based line and column", async () => {
    expect(await checker.check("a.json", "{\n  \"a\" 1\n}")).toEqual({
      checked: true,
      ok: false,
      language: "json",
      errors: [{ line: 2, column: 7, message: "Expected ':' after property name" }],
    });
  });

  it("reports at most five errors", async () => {
    const content = Array.from({ length: 12 }, (_, index) => `def f${index}(:\n    pass\n`).join("\n");
    const result = await checker.check("a.py", content);
    expect(result.checked && !result.ok && result.errors.length).toBe(5);
  });

  it("names the extension's language in its result", async () => {
    expect(await checker.check("src/Main.JAVA", "class Main {}\n")).toEqual({ checked: true, ok: true, language: "java" });
  });
});
