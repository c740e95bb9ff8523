import { describe, expect, it } from "vitest";
import { completeSlashCommand, nearestSlashCommand, parseSlashCommand, SLASH_COMMANDS } from "../../../../cli/tui/session/slash-commands.js";

describe("slash commands", () => {
  it("has every command the issue names, each with a description", () => {
    expect(SLASH_COMMANDS.map((command) => command.name)).toEqual(["help", "plan", "diff", "tests", "cost", "undo", "model", "approval", "apply", "resume", "clear", "quit"]);
    for (const command of SLASH_COMMANDS) expect(command.description.length).toBeGreaterThan(10);
  });

  it("completes what was typed after the slash, and all of them for a bare slash", () => {
    expect(completeSlashCommand("/").length).toBe(SLASH_COMMANDS.length);
    expect(completeSlashCommand("/a").map((command) => command.name)).toEqual(["approval", "apply"]);
    expect(completeSlashCommand("/diff x")).toEqual([]);
    expect(completeSlashCommand("fix /diff")).toEqual([]);
  });

  it("splits a command into its name and argument", () => {
    expect(parseSlashCommand("/model  openai:gpt-4.1 ")).toEqual({ name: "model", argument: "openai:gpt-4.1" });
    expect(parseSlashCommand("/HELP")).toEqual({ name: "help", argument: "" });
    expect(parseSlashCommand("fix the bug")).toBeUndefined();
  });

  it("suggests the nearest command for a typo, and none for something unlike any", () => {
    expect(nearestSlashCommand("dif")).toBe("diff");
    expect(nearestSlashCommand("qiut")).toBe("quit");
    expect(nearestSlashCommand("aprove")).toBe("approval");
    expect(nearestSlashCommand("xyzzyplugh")).toBeUndefined();
  });
});
