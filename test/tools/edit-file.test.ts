import { readFile } from "node:fs/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { runTool } from "../../src/tools/agent-tool.js";
import type { AgentTool } from "../../src/tools/agent-tool.js";
import { EditHistory } from "../../src/tools/edit-history.js";
import { createEditFileTool } from "../../src/tools/edit-file.js";
import { createSyntaxChecker } from "../../src/tools/syntax-check.js";
import { createFilesOnlySandbox, sandboxFactories } from "../support/sandbox-factories.js";
import { createToolWorkspace } from "./tool-workspace.js";
import type { ToolWorkspace } from "./tool-workspace.js";

const syntaxChecker = createSyntaxChecker();

const PYTHON = ["import os", "", "", "def add(a, b):", "    total = a + b", "    return total", "", "", "def main():", "    print(add(1, 2))", ""].join("\n");

function numberedFile(lineCount: number): string {
  return Array.from({ length: lineCount }, (_, index) => `line ${index + 1}`).join("\n") + "\n";
}

describe("the edit_file tool definition", () => {
  it("matches its snapshot of name, kind, description and schema", () => {
    const tool = createEditFileTool({ sandbox: createFilesOnlySandbox("/tmp"), history: new EditHistory(), syntaxChecker });
    expect({ name: tool.name, kind: tool.kind, description: tool.description, schema: z.toJSONSchema(tool.schema) }).toMatchSnapshot();
  });
});

describe.each(sandboxFactories)("edit_file on the $name sandbox", (factory) => {
  let workspace: ToolWorkspace;
  let tool: AgentTool;
  let root: string;

  beforeEach(async () => {
    workspace = await createToolWorkspace(factory);
    tool = createEditFileTool({ sandbox: workspace.sandbox, history: new EditHistory(), syntaxChecker });
    root = workspace.sandbox.workdir;
  });

  afterEach(async () => {
    await workspace.dispose();
  });

  const replace = (path: string, oldStr: string, newStr: string) => runTool(tool, { command: "str_replace", path, old_str: oldStr, new_str: newStr });

  describe("str_replace", () => {
    it("replaces a unique match and writes the file", async () => {
      await workspace.write("calc.py", PYTHON);
      const result = await replace("calc.py", "    total = a + b\n", "    total = a + b + 0\n");
      expect(result.ok).toBe(true);
      expect((await workspace.read("calc.py")).toString()).toBe(PYTHON.replace("total = a + b\n", "total = a + b + 0\n"));
    });

    it("returns the edited region with four lines of context and asks for a review", async () => {
      await workspace.write("lines.txt", numberedFile(20));
      const { output } = await replace("lines.txt", "line 10\n", "changed 10\n");
      expect(output).toBe(
        [
          `Edited ${root}/lines.txt. The edited region with 4 lines of context (lines 6-14):`,
          "     6\tline 6",
          "     7\tline 7",
          "     8\tline 8",
          "     9\tline 9",
          "    10\tchanged 10",
          "    11\tline 11",
          "    12\tline 12",
          "    13\tline 13",
          "    14\tline 14",
          'The file was edited; review the snippet. If it is wrong, edit it again or call edit_file with command "undo".',
        ].join("\n"),
      );
    });

    it("explains a missed old_str with the most similar line range and a diff", async () => {
      await workspace.write("calc.py", PYTHON);
      const result = await replace("calc.py", "def add(a, b):\n    total = a + c\n    return total\n", "x");
      expect(result).toEqual({
        ok: false,
        output: [
          `old_str was not found in ${root}/calc.py. The most similar part of the file is lines 4-6 (97% similar). The diff from your old_str to those lines:`,
          "--- old_str",
          `+++ ${root}/calc.py lines 4-6`,
          "@@ -1,3 +1,3 @@",
          " def add(a, b):",
          "-    total = a + c",
          "+    total = a + b",
          "     return total",
          "Copy the exact text from view_file output (without the line-number prefixes) and try again.",
        ].join("\n"),
      });
    });

    it("says so when old_str matches except for indentation", async () => {
      await workspace.write("calc.py", PYTHON);
      const { output } = await replace("calc.py", "  total = a + b\n  return total\n", "x");
      expect(output.split("\n")[0]).toBe(`old_str was not found in ${root}/calc.py. Lines 5-6 match it except for whitespace (indentation differs).`);
    });

    it("says so when old_str uses spaces where the file has tabs", async () => {
      await workspace.write("main.go", "package main\n\nfunc main() {\n\tprintln(1)\n}\n");
      const { output } = await replace("main.go", "    println(1)\n", "x");
      expect(output).toContain("Line 4 matches it except for whitespace (indentation differs: tabs versus spaces).");
    });

    it("says so when old_str lacks the file's trailing whitespace", async () => {
      await workspace.write("notes.md", "# Title  \nbody\n");
      const { output } = await replace("notes.md", "# Title\nbody\n", "x");
      expect(output).toContain("Lines 1-2 match it except for whitespace (trailing whitespace differs).");
    });

    it("does not blame indentation when old_str starts mid-line", async () => {
      await workspace.write("calc.py", PYTHON);
      const { output } = await replace("calc.py", "total = a+b", "x");
      expect(output.split("\n")[0]).toBe(`old_str was not found in ${root}/calc.py. Line 5 matches it except for whitespace (spacing within lines differs).`);
    });

    it("says when nothing in the file is similar to old_str", async () => {
      await workspace.write("calc.py", PYTHON);
      const { output } = await replace("calc.py", "class Zebra(Animal):\n    stripes: int = 7\n", "x");
      expect(output).toBe(
        `old_str was not found in ${root}/calc.py. No part of the file is similar to it. ` +
          "Use view_file to read the file (or search the workspace for a distinctive identifier) and copy the exact text.",
      );
    });

    it("recognises old_str copied with view_file's line-number prefixes", async () => {
      await workspace.write("calc.py", PYTHON);
      const { output } = await replace("calc.py", "     5\t    total = a + b\n     6\t    return total\n", "x");
      expect(output).toContain("It seems to include view_file's line-number prefixes");
    });

    it("lists the lines of every match when old_str is not unique", async () => {
      await workspace.write("dup.py", "x = 1\nprint(x)\n\nprint(x)\ny = 2\nprint(x)\n");
      const result = await replace("dup.py", "print(x)", "print(y)");
      expect(result).toEqual({ ok: false, output: "old_str occurs 3 times: lines 2, 4, 6. Include more surrounding lines to make it unique." });
    });

    it("refuses an empty old_str", async () => {
      await workspace.write("a.py", "x = 1\n");
      const result = await replace("a.py", "", "y = 2\n");
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining("old_str is empty") as unknown });
    });

    it("names the missing field when old_str is not given", async () => {
      await workspace.write("a.py", "x = 1\n");
      const result = await runTool(tool, { command: "str_replace", path: "a.py", new_str: "y" });
      expect(result).toEqual({ ok: false, output: 'edit_file with command "str_replace" needs old_str (the exact text to replace).' });
    });

    it("tells the model to create a file that does not exist", async () => {
      const result = await replace("missing.py", "a", "b");
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining(`No such file or directory: ${root}/missing.py. Use command "create"`) as unknown });
    });
  });

  describe("the syntax gate", () => {
    it("rejects a Python edit that breaks the syntax and leaves the bytes unchanged", async () => {
      await workspace.write("calc.py", PYTHON);
      const result = await replace("calc.py", "def add(a, b):", "def add(a, b)");
      expect(result.ok).toBe(false);
      expect(result.output).toContain(`The edit was NOT applied because it would introduce a syntax error into ${root}/calc.py (python)`);
      expect(result.output).toContain("line 4, column 1: syntax error near");
      expect(result.output).toContain(">    4\tdef add(a, b)\n");
      expect((await workspace.read("calc.py")).toString()).toBe(PYTHON);
    });

    it("rejects a JSON edit that breaks the syntax", async () => {
      const json = '{\n  "name": "x",\n  "version": "1.0.0"\n}\n';
      await workspace.write("package.json", json);
      const result = await replace("package.json", '"version": "1.0.0"', '"version": "1.0.0",');
      expect(result.ok).toBe(false);
      expect(result.output).toContain("line 4, column 1: Expected double-quoted property name");
      expect((await workspace.read("package.json")).toString()).toBe(json);
    });

    it("applies an edit to an already broken file and warns about its errors", async () => {
      await workspace.write("broken.py", "def f(:\n    pass\n\nx = 1\n");
      const result = await replace("broken.py", "x = 1", "x = 2");
      expect(result.ok).toBe(true);
      expect(result.output).toContain(`Warning: ${root}/broken.py already had syntax errors before this edit, so the edit was applied.`);
      expect((await workspace.read("broken.py")).toString()).toBe("def f(:\n    pass\n\nx = 2\n");
    });

    it("refuses to create a file with a syntax error", async () => {
      const result = await runTool(tool, { command: "create", path: "bad.ts", file_text: "const x: number = ;\n" });
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining("The file was NOT created because file_text has a syntax error (typescript)") as unknown });
      expect(await workspace.exists("bad.ts")).toBe(false);
    });

    it("does not check files of unknown languages", async () => {
      await workspace.write("notes.txt", "(((\n");
      expect((await replace("notes.txt", "(((", "((((")).ok).toBe(true);
    });
  });

  describe("insert", () => {
    it("inserts new lines after the given line", async () => {
      await workspace.write("a.txt", "one\ntwo\nthree\n");
      const result = await runTool(tool, { command: "insert", path: "a.txt", insert_line: 2, new_str: "two and a half" });
      expect(result.ok).toBe(true);
      expect((await workspace.read("a.txt")).toString()).toBe("one\ntwo\ntwo and a half\nthree\n");
    });

    it("inserts at the start of the file for insert_line 0", async () => {
      await workspace.write("a.py", "x = 1\n");
      await runTool(tool, { command: "insert", path: "a.py", insert_line: 0, new_str: "import os\n" });
      expect((await workspace.read("a.py")).toString()).toBe("import os\nx = 1\n");
    });

    it("refuses an insert_line past the end and gives the line count", async () => {
      await workspace.write("a.txt", "one\ntwo\nthree\n");
      const result = await runTool(tool, { command: "insert", path: "a.txt", insert_line: 9, new_str: "x" });
      expect(result).toEqual({
        ok: false,
        output: `insert_line 9 is past the end of ${root}/a.txt, which has 3 lines. Use 0 (the start of the file) up to 3 (after the last line).`,
      });
    });

    it("keeps a missing final newline missing when inserting after the last line", async () => {
      await workspace.write("a.txt", "one\ntwo");
      await runTool(tool, { command: "insert", path: "a.txt", insert_line: 2, new_str: "three\n" });
      expect((await workspace.read("a.txt")).toString()).toBe("one\ntwo\nthree");
    });

    it("names the missing field when insert_line is not given", async () => {
      await workspace.write("a.txt", "one\n");
      const result = await runTool(tool, { command: "insert", path: "a.txt", new_str: "x" });
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining('command "insert" needs insert_line') as unknown });
    });
  });

  describe("create", () => {
    it("creates a file and its parent directories", async () => {
      const result = await runTool(tool, { command: "create", path: "pkg/sub/mod.py", file_text: "VALUE = 1\n" });
      expect(result).toEqual({ ok: true, output: `Created ${root}/pkg/sub/mod.py (1 line).`, display: `Created ${root}/pkg/sub/mod.py` });
      expect((await workspace.read("pkg/sub/mod.py")).toString()).toBe("VALUE = 1\n");
    });

    it("refuses to overwrite an existing file", async () => {
      await workspace.write("a.py", "x = 1\n");
      const result = await runTool(tool, { command: "create", path: "a.py", file_text: "y = 2\n" });
      expect(result).toEqual({ ok: false, output: `${root}/a.py already exists; use str_replace to change it, or undo if you created it by mistake.` });
      expect((await workspace.read("a.py")).toString()).toBe("x = 1\n");
    });

    it("names the missing field when file_text is not given", async () => {
      const result = await runTool(tool, { command: "create", path: "a.py" });
      expect(result).toEqual({ ok: false, output: 'edit_file with command "create" needs file_text (the full content of the new file).' });
    });
  });

  describe("undo", () => {
    it("restores the exact bytes from before an edit", async () => {
      const original = Buffer.from("x = 1\r\ny = 'ü'\r\n", "utf8");
      await workspace.write("a.py", original);
      await replace("a.py", "x = 1", "x = 2");
      const result = await runTool(tool, { command: "undo", path: "a.py" });
      expect(result.ok).toBe(true);
      expect(await workspace.read("a.py")).toEqual(original);
    });

    it("undoes two edits with two undos, newest first", async () => {
      await workspace.write("a.py", "x = 1\n");
      await replace("a.py", "x = 1", "x = 2");
      await replace("a.py", "x = 2", "x = 3");
      await runTool(tool, { command: "undo", path: "a.py" });
      const afterFirstUndo = (await workspace.read("a.py")).toString();
      await runTool(tool, { command: "undo", path: "a.py" });
      expect([afterFirstUndo, (await workspace.read("a.py")).toString()]).toEqual(["x = 2\n", "x = 1\n"]);
    });

    it("removes a file when undoing its creation", async () => {
      await runTool(tool, { command: "create", path: "new.py", file_text: "x = 1\n" });
      const result = await runTool(tool, { command: "undo", path: "new.py" });
      expect(result).toMatchObject({ ok: true, output: expect.stringContaining("the file was removed") as unknown });
      expect(await workspace.exists("new.py")).toBe(false);
    });

    it("fails when there is nothing to undo", async () => {
      await workspace.write("a.py", "x = 1\n");
      const result = await runTool(tool, { command: "undo", path: "a.py" });
      expect(result).toEqual({ ok: false, output: `There is no edit of ${root}/a.py to undo; undo only reverts edits made with edit_file.` });
    });

    it("finds the edit whether the path was given relative or absolute", async () => {
      await workspace.write("a.py", "x = 1\n");
      await replace("a.py", "x = 1", "x = 2");
      await runTool(tool, { command: "undo", path: `${root}/a.py` });
      expect((await workspace.read("a.py")).toString()).toBe("x = 1\n");
    });
  });

  describe("bytes and encodings", () => {
    it("round-trips UTF-8 multibyte text byte for byte", async () => {
      await workspace.write("u.py", "# café ☕ 日本語\nname = 'Zoë'\n");
      await replace("u.py", "name = 'Zoë'", "name = 'Chloé 🎉'");
      expect(await workspace.read("u.py")).toEqual(Buffer.from("# café ☕ 日本語\nname = 'Chloé 🎉'\n", "utf8"));
    });

    it("keeps a byte order mark at the start of the file", async () => {
      await workspace.write("bom.txt", "\uFEFFfirst\nsecond\n");
      await replace("bom.txt", "first", "1st");
      expect(await workspace.read("bom.txt")).toEqual(Buffer.from([0xef, 0xbb, 0xbf, ...Buffer.from("1st\nsecond\n")]));
    });

    it("keeps a CRLF file in CRLF when old_str and new_str use bare newlines", async () => {
      await workspace.write("win.py", "a = 1\r\nb = 2\r\nc = 3\r\n");
      await replace("win.py", "a = 1\nb = 2\n", "a = 10\nb = 20\nz = 0\n");
      expect((await workspace.read("win.py")).toString()).toBe("a = 10\r\nb = 20\r\nz = 0\r\nc = 3\r\n");
    });

    it("inserts CRLF lines into a CRLF file", async () => {
      await workspace.write("win.txt", "one\r\nthree\r\n");
      await runTool(tool, { command: "insert", path: "win.txt", insert_line: 1, new_str: "two" });
      expect((await workspace.read("win.txt")).toString()).toBe("one\r\ntwo\r\nthree\r\n");
    });

    it("keeps a file without a final newline without one", async () => {
      await workspace.write("a.py", "x = 1\ny = 2");
      await replace("a.py", "y = 2", "y = 3");
      expect((await workspace.read("a.py")).toString()).toBe("x = 1\ny = 3");
    });

    it("refuses to edit a file that is not valid UTF-8 and leaves it alone", async () => {
      const latin1 = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x20, 0x3d, 0x20, 0x27, 0x5a, 0x6f, 0xeb, 0x27, 0x0a]);
      await workspace.write("latin1.py", latin1);
      const result = await replace("latin1.py", "name", "nom");
      expect(result).toEqual({
        ok: false,
        output:
          `${root}/latin1.py is not valid UTF-8 (first invalid byte at offset 10); edit_file refuses so as not to corrupt it. ` +
          "Use run_shell with a script that handles the encoding.",
      });
      expect(await workspace.read("latin1.py")).toEqual(latin1);
    });

    it("refuses to edit a binary file", async () => {
      await workspace.write("blob.dat2", Buffer.from([0x61, 0x00, 0x62]));
      const result = await replace("blob.dat2", "a", "b");
      expect(result).toEqual({ ok: false, output: `${root}/blob.dat2 is a binary file (3 bytes); edit_file edits text only. Use run_shell to change it.` });
    });
  });

  describe("paths outside the workspace", () => {
    it("refuses a relative path that leads outside", async () => {
      const result = await runTool(tool, { command: "create", path: "../escape.py", file_text: "x = 1\n" });
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining("outside the workspace") as unknown });
      expect(await workspace.exists("../escape.py")).toBe(false);
    });

    it("refuses an absolute path outside", async () => {
      const result = await replace("/etc/passwd", "root", "toor");
      expect(result).toMatchObject({ ok: false, output: expect.stringContaining("outside the workspace") as unknown });
    });

    it("refuses a symlink inside the workspace that points outside and leaves the target alone", async () => {
      const outsideFile = await workspace.linkToOutsideFile("link.py", "SECRET = 1\n");
      const result = await replace("link.py", "SECRET = 1", "SECRET = 2");
      expect(result.ok).toBe(false);
      expect(await readFile(outsideFile, "utf8")).toBe("SECRET = 1\n");
    });
  });
});
