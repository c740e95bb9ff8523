import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { extractIssueTerms } from "../../src/planner/issue-terms.js";
import { buildRepoMap, type RepoMap } from "../../src/planner/repo-map.js";
import { buildSymbolIndex, findSymbols } from "../../src/planner/symbol-index.js";
import { createLocalSandbox } from "../../src/sandbox/local-sandbox.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { createRepository } from "../git/git-fixture.js";

const sympyIssue = {
  title: "simplify(cos(x)**I): Invalid comparison of complex I",
  body: [
    "```",
    ">>> from sympy import *",
    ">>> x = Symbol('x')",
    ">>> print(simplify(cos(x)**I))",
    "Traceback (most recent call last):",
    '  File "<stdin>", line 1, in <module>',
    '  File "/home/e/se/sympy/simplify/simplify.py", line 587, in simplify',
    "    expr = trigsimp(expr, deep=True)",
    '  File "/home/e/se/sympy/simplify/trigsimp.py", line 508, in trigsimp',
    "    return trigsimpfunc(expr)",
    '  File "/home/e/se/sympy/core/expr.py", line 406, in __lt__',
    '    raise TypeError("Invalid comparison of complex %s" % me)',
    "TypeError: Invalid comparison of complex I",
    "```",
  ].join("\n"),
};

const djangoIssue = {
  title: "Accessing settings before configuration raises an unhelpful message",
  body: [
    "When I call django.conf.settings.configure() late, reading settings.FILE_UPLOAD_PERMISSIONS gives:",
    "",
    "Traceback (most recent call last):",
    '  File "/usr/lib/python3.8/site-packages/django/conf/__init__.py", line 76, in __getattr__',
    "    self._setup(name)",
    '  File "/usr/lib/python3.8/site-packages/django/conf/__init__.py", line 57, in _setup',
    "    % (desc, ENVIRONMENT_VARIABLE))",
    "django.core.exceptions.ImproperlyConfigured: Requested setting FILE_UPLOAD_PERMISSIONS, but settings are not configured.",
    "",
    "See django/conf/__init__.py and the LazySettings class.",
  ].join("\n"),
};

const requestsIssue = {
  title: "Session.get ignores proxies",
  body: [
    "```python",
    "import requests",
    "s = requests.Session()",
    "r = s.get('http://httpbin.org/get', proxies={'http': 'http://10.0.0.1:3128'})",
    "print(r.status_code)",
    "```",
    "It looks like `merge_environment_settings` in requests/sessions.py drops them.",
  ].join("\n"),
};

const typescriptIssue = {
  title: "TypeError when rendering an empty list",
  body: [
    "```",
    "TypeError: Cannot read properties of undefined (reading 'length')",
    "    at renderItems (src/render/list.ts:42:13)",
    "    at Object.<anonymous> (/home/me/app/node_modules/@acme/ui/dist/index.js:10:5)",
    "    at Module._compile (node:internal/modules/cjs/loader:1105:14)",
    "```",
    "The `ListView` component calls `renderItems(items)`.",
  ].join("\n"),
};

interface TermsCase {
  name: string;
  task: { title: string; body: string };
  includes?: string[];
  excludes?: string[];
  expected?: string[];
}

const cases: TermsCase[] = [
  {
    name: "takes the called functions, traceback paths and functions and the exception from a SymPy-style issue",
    task: sympyIssue,
    includes: ["simplify", "cos", "Symbol", "trigsimp", "trigsimpfunc", "simplify/simplify.py", "simplify/trigsimp.py", "core/expr.py", "TypeError"],
    excludes: ["<module>", "<stdin>", "__lt__", "print", "expr", "deep", "True", "me", "I"],
  },
  {
    name: "takes dotted settings names, the repository-relative path and a repo-specific exception from a Django-style issue",
    task: djangoIssue,
    includes: [
      "django.conf.settings.configure",
      "configure",
      "settings.FILE_UPLOAD_PERMISSIONS",
      "FILE_UPLOAD_PERMISSIONS",
      "django/conf/__init__.py",
      "_setup",
      "ENVIRONMENT_VARIABLE",
      "django.core.exceptions.ImproperlyConfigured",
      "ImproperlyConfigured",
      "LazySettings",
    ],
    excludes: ["__getattr__", "self", "name", "desc", "usr/lib/python3.8/site-packages/django/conf/__init__.py"],
  },
  {
    name: "takes the module, classes, calls and attributes of a requests-style code block",
    task: requestsIssue,
    includes: ["Session.get", "get", "requests", "requests.Session", "Session", "s.get", "r.status_code", "status_code", "merge_environment_settings", "requests/sessions.py", "proxies"],
    excludes: ["print", "http", "httpbin.org", "httpbin.org/get", "import"],
  },
  {
    name: "takes the functions and project paths of a TypeScript stack trace but not runtime internals",
    task: typescriptIssue,
    includes: ["TypeError", "renderItems", "src/render/list.ts", "dist/index.js", "ListView"],
    excludes: ["Object", "Module._compile", "_compile", "node:internal/modules/cjs/loader", "length", "anonymous"],
  },
  {
    name: "finds the identifiers, code spans and meaningful words of a title-only issue",
    task: { title: "QuerySet.bulk_create() crashes on `ignore_conflicts` with a PostgreSQL backend", body: "" },
    expected: ["QuerySet.bulk_create", "bulk_create", "ignore_conflicts", "backend"],
  },
  {
    name: "finds nothing in an issue of generic words and prose",
    task: {
      title: "It does not work as expected",
      body: "Hello! I tried this on macOS with Python 3.11 and it broke, e.g. after upgrading to version 2.0.1. See https://github.com/x/y/issues/1 and www.example.com for more. Thanks.",
    },
    expected: [],
  },
  {
    name: "takes Rust paths and Ruby method references whole and by their last part",
    task: { title: "Vec::with_capacity panics in Parser::parse_block", body: "Calling `User#full_name` on a guest fails, see lib/models/user.rb." },
    expected: ["Vec::with_capacity", "with_capacity", "Parser::parse_block", "parse_block", "User#full_name", "full_name", "lib/models/user.rb"],
  },
  {
    name: "reads pytest failures and Java stack frames",
    task: {
      title: "pytest run aborts",
      body: [
        "```",
        "tests/test_core.py:12: in test_parse",
        "    result = parse_config(path)",
        "E   pkg.errors.ConfigError: missing key 'database_url'",
        "```",
        "at com.example.shop.OrderService.placeOrder(OrderService.java:57)",
      ].join("\n"),
    },
    includes: ["tests/test_core.py", "test_parse", "parse_config", "pkg.errors.ConfigError", "ConfigError", "database_url", "com.example.shop.OrderService.placeOrder", "placeOrder", "OrderService.java"],
    excludes: ["result", "path", "missing"],
  },
  {
    name: "reads Trac code blocks, inline Trac code and indented REPL sessions",
    task: {
      title: "Pretty printing of Product is ugly",
      body: "Some prose.\n\n    >>> pprint(Product(1, (n, 1, oo)))\n\n{{{\nclass MyModel(models.Model):\n    file = models.FileField(upload_to='x')\n}}}\nand {{{QuerySet.bulk_create}}} inline.",
    },
    includes: ["Product", "pprint", "MyModel", "models.Model", "Model", "models.FileField", "FileField", "upload_to", "QuerySet.bulk_create", "bulk_create"],
    excludes: ["file", "class", "oo"],
  },
  {
    name: "drops keywords, builtins, receivers, global objects, made-up names, numbers and short terms",
    task: {
      title: "Odd sum",
      body: "`a.b` and `x` and 42 and `None` and `self` and `return` and `print(x)` and `list` and `dict` and `def` and `const`, `import os`, `self.assertEqual(a, b)`, `console.log(x)`, `foo.bar()` and `v2`.",
    },
    expected: [],
  },
];

describe("extractIssueTerms", () => {
  it.each(cases)("$name", ({ task, includes = [], excludes = [], expected }) => {
    const terms = extractIssueTerms(task);
    if (expected !== undefined) expect(terms).toEqual(expected);
    expect(terms).toEqual(expect.arrayContaining(includes));
    for (const excluded of excludes) expect(terms).not.toContain(excluded);
  });

  it("ranks title code first, then body code and tracebacks, then body identifiers, then title words", () => {
    const task = {
      title: "Crash in `load_config` when parsing YAML anchors",
      body: [
        "The traceback:",
        "",
        "```",
        "Traceback (most recent call last):",
        '  File "app/loader.py", line 3, in read_anchor',
        "    return table[name]",
        "KeyError: 'anchor'",
        "```",
        "",
        "The ConfigLoader and the YamlReader both call read_anchor.",
      ].join("\n"),
    };
    expect(extractIssueTerms(task)).toEqual(["load_config", "read_anchor", "app/loader.py", "KeyError", "anchor", "ConfigLoader", "YamlReader", "parsing", "YAML", "anchors"]);
  });

  it("ranks more frequent terms first within a tier and otherwise keeps the order of first appearance", () => {
    const task = { title: "Slow exporter", body: "The `first_term` helper calls `second_term`, and `second_term` calls `third_term` and `second_term` again." };
    expect(extractIssueTerms(task)).toEqual(["second_term", "first_term", "third_term", "Slow", "exporter"]);
  });

  it("keeps a term once when it repeats exactly but keeps spellings that differ in case", () => {
    const terms = extractIssueTerms({ title: "Parser fails", body: "`Parser` and `parser` and `Parser` again; `Parser`." });
    expect(terms).toEqual(["Parser", "parser"]);
  });

  it("returns at most 24 terms by default and at most maxTerms when given, the best ranked ones", () => {
    const body = Array.from({ length: 40 }, (_, index) => `\`helper_${index}\``).join(" ");
    const task = { title: "Too many helpers", body };
    const all = extractIssueTerms(task, { maxTerms: 100 });
    expect(all).toHaveLength(41);
    expect(extractIssueTerms(task)).toEqual(all.slice(0, 24));
    expect(extractIssueTerms(task, { maxTerms: 3 })).toEqual(["helper_0", "helper_1", "helper_2"]);
    expect(extractIssueTerms(task, { maxTerms: 0 })).toEqual([]);
  });

  it("reads a 256 KB run of `{` in linear time (found by test/fuzz: the {{{…}}} span was looked for from each `{`, 16 s)", () => {
    const started = performance.now();
    expect(extractIssueTerms({ title: "Crash", body: `!${"{".repeat(256 * 1024)}` })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it("reads the innermost {{{…}}} span of an unclosed one", () => {
    expect(extractIssueTerms({ title: "Crash", body: "{{{a {{{Baz.qux_x}}}" })).toEqual(["Baz.qux_x", "qux_x"]);
  });

  it("is deterministic and leaves its input unchanged", () => {
    const task = { ...djangoIssue };
    const first = extractIssueTerms(task);
    expect(extractIssueTerms(task)).toEqual(first);
    expect(extractIssueTerms({ title: djangoIssue.title, body: djangoIssue.body })).toEqual(first);
    expect(task).toEqual(djangoIssue);
  });

  it("returns terms that findSymbols resolves: a last part by name, a dotted name by its module path", async () => {
    const index = await buildSymbolIndex(
      [
        { path: "sympy/core/basic.py", content: "class Basic:\n    def subs(self, *args):\n        return self\n" },
        { path: "django/core/exceptions.py", content: "class ImproperlyConfigured(Exception):\n    pass\n" },
      ],
      { maxChars: 10_000 },
    );
    const terms = extractIssueTerms({ title: "Substitution loses assumptions", body: "Calling `expr.subs(x, 1)` raises\n\ndjango.core.exceptions.ImproperlyConfigured: boom" });
    expect(findSymbols(index, terms)).toEqual(
      expect.arrayContaining([
        { term: "subs", path: "sympy/core/basic.py", name: "Basic.subs", kind: "method", line: 2 },
        { term: "django.core.exceptions.ImproperlyConfigured", path: "django/core/exceptions.py", name: "ImproperlyConfigured", kind: "class", line: 1 },
      ]),
    );
  });
});

describe("extractIssueTerms as the focus of buildRepoMap", () => {
  const issue = {
    title: "Checkout total is negative for large orders",
    body: [
      "Placing an order for more than 100 items fails:",
      "",
      "```",
      "Traceback (most recent call last):",
      '  File "/srv/app/shop/checkout.py", line 2, in place_order',
      "    return apply_discount(order)",
      '  File "/srv/app/shop/pricing.py", line 5, in apply_discount',
      "    assert rate < 1",
      "AssertionError",
      "```",
    ].join("\n"),
  };
  let hostDir: string;
  let sandbox: Sandbox;
  let mapFromIssueTerms: RepoMap;
  let mapFromTitleWords: RepoMap;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), "issue-terms-"));
    await createRepository(hostDir, {
      "README.md": "# Shop\n",
      "shop/__init__.py": "",
      "shop/checkout.py": "def place_order(order):\n    return apply_discount(order)\n",
      "shop/pricing.py": "RATE = 0.1\n\n\ndef apply_discount(order):\n    rate = RATE * len(order.items)\n    assert rate < 1\n    return order.total * (1 - rate)\n",
      "shop/orders.py": "class Order:\n    def total(self):\n        return 0\n",
      "tests/test_pricing.py": "def test_discount():\n    pass\n",
    });
    sandbox = await createLocalSandbox({ hostWorkdir: hostDir, path: process.env["PATH"] ?? "/usr/bin:/bin" });
    mapFromIssueTerms = await buildRepoMap(sandbox, { focus: extractIssueTerms(issue) });
    mapFromTitleWords = await buildRepoMap(sandbox, { focus: issue.title.split(/\W+/).filter((word) => word.length > 3) });
  }, 120_000);

  afterAll(async () => {
    await sandbox?.dispose();
    if (hostDir !== undefined) await rm(hostDir, { recursive: true, force: true });
  });

  it("localises the function a traceback names even though the title names no identifier", () => {
    expect(mapFromIssueTerms.candidates).toContainEqual({ term: "apply_discount", path: "shop/pricing.py", name: "apply_discount", kind: "function", line: 4 });
    expect(mapFromIssueTerms.candidates).toContainEqual({ term: "place_order", path: "shop/checkout.py", name: "place_order", kind: "function", line: 1 });
  });

  it("finds a definition the title's words alone miss", () => {
    expect(mapFromTitleWords.candidates.map((match) => match.name)).not.toContain("apply_discount");
  });
});
