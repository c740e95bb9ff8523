import { describe, expect, it } from "vitest";
import { KeyReader } from "../../../cli/tui/keys.js";

describe("KeyReader", () => {
  it("reads typed text, Enter, Esc, Tab, Backspace and Ctrl letters", () => {
    const reader = new KeyReader();
    expect(reader.read("fix it\r")).toEqual([{ name: "text", text: "fix it" }, { name: "enter" }]);
    expect(reader.read("\u001b")).toEqual([{ name: "escape" }]);
    expect(reader.read("\t\u007f\u0003\u000f\n")).toEqual([{ name: "tab" }, { name: "backspace" }, { name: "ctrl", letter: "c" }, { name: "ctrl", letter: "o" }, { name: "ctrl", letter: "j" }]);
  });

  it("reads the arrows, Home, End, Delete and the page keys in both encodings", () => {
    const reader = new KeyReader();
    const names = reader.read("\u001b[A\u001bOB\u001b[C\u001b[D\u001b[H\u001b[4~\u001b[3~\u001b[5~\u001b[6~").map((key) => key.name);
    expect(names).toEqual(["up", "down", "right", "left", "home", "end", "delete", "pageup", "pagedown"]);
  });

  it("keeps a bracketed paste whole, newlines included, even across chunks", () => {
    const reader = new KeyReader();
    expect(reader.read("a\u001b[200~line one\r\nline")).toEqual([{ name: "text", text: "a" }]);
    expect(reader.read(" two\u001b[201~\r")).toEqual([{ name: "paste", text: "line one\nline two" }, { name: "enter" }]);
  });

  it("reads emoji and wide characters as text, and skips an unknown escape sequence", () => {
    const reader = new KeyReader();
    expect(reader.read("日本🙂\u001b[99~x")).toEqual([{ name: "text", text: "日本🙂x" }]);
  });

  it("reads Alt-Enter as Enter with meta, for a line break", () => {
    expect(new KeyReader().read("\u001b\r")).toEqual([{ name: "enter", meta: true }]);
  });
});
