import { truncate } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { runTool } from "../../src/tools/agent-tool.js";
import type { AgentTool } from "../../src/tools/agent-tool.js";
import { createViewFileTool } from "../../src/tools/view-file.js";
import { createFilesOnlySandbox, sandboxFactories } from "../support/sandbox-factories.js";
import { createToolWorkspace } from "./tool-workspace.js";
import type { ToolWorkspace } from "./tool-workspace.js";

function numberedFile(lineCount: number): string {
  return Array.from({ length: lineCount }, (_, index) => `line ${index + 1}`).join("\n") + "\n";
}

describe("the view_file tool definition", () => {
  it("matches its snapshot of name, kind, description and schema", () => {
    const tool = createViewFileTool({ sandbox: createFilesOnlySandbox("/tmp") });
    expect({ name: tool.name, kind: tool.kind, description: tool.description, schema: z.toJSONSchema(tool.schema) }).toMatchSnapshot();
  });
});

describe.each(sandboxFactories)("view_file on the $name sandbox", (factory) => {
  let workspace: ToolWorkspace;
  let tool: AgentTool;
  let root: string;

  beforeEach(async () => {
    workspace = await createToolWorkspace(factory);
    tool = createViewFileTool({ sandbox: workspace.sandbox });
    root = workspace.sandbox.workdir;
  });

  afterEach(async () => {
    await workspace.dispose();
  });

  it("shows a small file with numbered lines, a header and an end-of-file footer", async () => {
    await workspace.write("src/a.py", "def f():\n    return 1\n");
    const result = await runTool(tool, { path: "src/a.py" });
    expect(result).toMatchObject({ ok: true });
    expect(result.output).toBe(`File: ${root}/src/a.py (lines 1-2 of 2)\n     1\tdef f():\n     2\t    return 1\n(end of file)`);
  });

  it("shows the first 100 lines of a long file and says how to scroll on", async () => {
    await workspace.write("long.txt", numberedFile(250));
    const { output } = await runTool(tool, { path: "long.txt" });
    expect(output.split("\n")[0]).toBe(`File: ${root}/long.txt (lines 1-100 of 250)`);
    expect(output).toContain("   100\tline 100\n");
    expect(output).not.toContain("line 101");
    expect(output.endsWith("(150 more lines below; call view_file with start_line=101 to continue)")).toBe(true);
  });

  it("shows the window that start_line and line_count ask for", async () => {
    await workspace.write("long.txt", numberedFile(250));
    const { output } = await runTool(tool, { path: "long.txt", start_line: 241, line_count: 20 });
    expect(output).toBe(
      [`File: ${root}/long.txt (lines 241-250 of 250)`, ...Array.from({ length: 10 }, (_, i) => `   ${241 + i}\tline ${241 + i}`), "(end of file)"].join("\n"),
    );
  });

  it("refuses a start_line past the end and says how many lines the file has", async () => {
    await workspace.write("short.txt", numberedFile(7));
    const result = await runTool(tool, { path: "short.txt", start_line: 8 });
    expect(result).toEqual({ ok: false, output: `start_line 8 is past the end of ${root}/short.txt, which has 7 lines. Use a start_line between 1 and 7.` });
  });

  it("cuts lines longer than 2000 characters and counts the rest", async () => {
    await workspace.write("min.js", `${"x".repeat(2500)}\n`);
    const { output } = await runTool(tool, { path: "min.js" });
    expect(output).toContain(`     1\t${"x".repeat(2000)}… [line truncated, 500 more characters]\n`);
  });

  it("shows only the requested window of a file over 10 MB", async () => {
    await workspace.write("big.log", numberedFile(1_200_000));
    const { output } = await runTool(tool, { path: "big.log", start_line: 600_000, line_count: 2 });
    expect(output).toBe(
      `File: ${root}/big.log (lines 600000-600001 of 1200000)\n600000\tline 600000\n600001\tline 600001\n` +
        "(599999 more lines below; call view_file with start_line=600002 to continue)",
    );
  });

  it("refuses a file over 50 MB and suggests sed through run_shell", async () => {
    await workspace.write("huge.txt", "");
    await truncate(join(workspace.hostDir, "huge.txt"), 60 * 1024 * 1024);
    const result = await runTool(tool, { path: "huge.txt" });
    expect(result.ok).toBe(false);
    expect(result.output).toContain(`sed -n '1,100p' ${root}/huge.txt`);
  });

  it("shows an empty file as empty", async () => {
    await workspace.write("empty.py", "");
    expect(await runTool(tool, { path: "empty.py" })).toMatchObject({ ok: true, output: `File: ${root}/empty.py (empty file)` });
  });

  it("shows CRLF lines without the carriage return and notes the line endings", async () => {
    await workspace.write("win.txt", "one\r\ntwo\r\n");
    const { output } = await runTool(tool, { path: "win.txt" });
    expect(output).toBe(`File: ${root}/win.txt (lines 1-2 of 2) (CRLF line endings)\n     1\tone\n     2\ttwo\n(end of file)`);
  });

  it("notes a missing newline at the end of the file", async () => {
    await workspace.write("a.txt", "one\ntwo");
    const { output } = await runTool(tool, { path: "a.txt" });
    expect(output).toBe(`File: ${root}/a.txt (lines 1-2 of 2)\n     1\tone\n     2\ttwo\n(no newline at end of file)\n(end of file)`);
  });

  it("shows UTF-8 multibyte text as it is", async () => {
    await workspace.write("u.txt", "café ☕ 日本語 🎉\n");
    const { output } = await runTool(tool, { path: "u.txt" });
    expect(output).toBe(`File: ${root}/u.txt (lines 1-1 of 1)\n     1\tcafé ☕ 日本語 🎉\n(end of file)`);
  });

  it("reports a file that is not valid UTF-8 instead of mangling it silently", async () => {
    await workspace.write("latin1.txt", Buffer.from([0x6f, 0x6b, 0x0a, 0x63, 0x61, 0x66, 0xe9, 0x0a]));
    const result = await runTool(tool, { path: "latin1.txt" });
    expect(result).toEqual({
      ok: true,
      output: [
        `File: ${root}/latin1.txt (lines 1-2 of 2)`,
        "Note: the file is not valid UTF-8 (first invalid byte at offset 6); invalid bytes are shown as \uFFFD.",
        "     1\tok",
        "     2\tcaf\uFFFD",
        "(end of file)",
      ].join("\n"),
      display: `Viewed ${root}/latin1.txt lines 1-2 of 2`,
    });
  });

  it("refuses a binary file that has a NUL byte", async () => {
    await workspace.write("data.bin2", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01]));
    expect(await runTool(tool, { path: "data.bin2" })).toEqual({
      ok: false,
      output: `${root}/data.bin2 is a binary file (6 bytes); view_file shows text only. Use run_shell (e.g. file, xxd | head) to inspect it.`,
    });
  });

  it("refuses a file with a binary extension", async () => {
    await workspace.write("logo.png", "not really a png");
    const result = await runTool(tool, { path: "logo.png" });
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining(`${root}/logo.png is a binary file (16 bytes)`) as unknown });
  });

  it("lists a directory two levels deep with a slash after each directory", async () => {
    await workspace.write("src/a.py", "");
    await workspace.write("src/pkg/b.py", "");
    await workspace.write("src/pkg/deep/c.py", "");
    const { output } = await runTool(tool, { path: "src" });
    expect(output).toBe(`Directory: ${root}/src (4 entries shown)\na.py\npkg/\npkg/b.py\npkg/deep/`);
  });

  it("caps a directory listing at 500 entries and counts the rest", async () => {
    await Promise.all(Array.from({ length: 520 }, (_, index) => workspace.write(`many/f${String(index).padStart(3, "0")}.txt`, "")));
    const { output } = await runTool(tool, { path: "many" });
    const lines = output.split("\n");
    expect([lines[0], lines.length, lines.at(-1)]).toEqual([
      `Directory: ${root}/many (500 entries shown)`,
      502,
      "(20 more entries not shown; view a subdirectory to see them)",
    ]);
  });

  it("tells the model how to find a file that does not exist", async () => {
    expect(await runTool(tool, { path: "nope.py" })).toEqual({
      ok: false,
      output: `No such file or directory: ${root}/nope.py. Use find_files to locate it.`,
    });
  });

  it("refuses a relative path that leads outside the workspace", async () => {
    const result = await runTool(tool, { path: "../x" });
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining("outside the workspace") as unknown });
  });

  it("refuses an absolute path outside the workspace", async () => {
    const result = await runTool(tool, { path: "/etc/passwd" });
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining("outside the workspace") as unknown });
  });

  it("refuses a symlink inside the workspace that points to a file outside it", async () => {
    await workspace.linkToOutsideFile("link.py", "SECRET = 1\n");
    const result = await runTool(tool, { path: "link.py" });
    expect(result.ok).toBe(false);
    expect(result.output).not.toContain("SECRET");
  });

  it("rejects a line_count above 2000", async () => {
    await workspace.write("a.txt", "x\n");
    const result = await runTool(tool, { path: "a.txt", line_count: 5000 });
    expect(result).toMatchObject({ ok: false, output: expect.stringContaining("line_count") as unknown });
  });
});
