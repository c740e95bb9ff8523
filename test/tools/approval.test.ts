import { describe, expect, it } from "vitest";
import { decideApproval, type ApprovalMode } from "../../src/tools/approval.js";
import type { ToolKind } from "../../src/tools/agent-tool.js";

const tool = (kind: ToolKind, name = `a_${kind}_tool`) => ({ name, kind });

describe("decideApproval", () => {
  it.each<ApprovalMode>(["suggest", "auto-edit", "full-auto"])("allows reading in %s mode", (mode) => {
    expect(decideApproval(tool("read"), {}, mode)).toEqual({ action: "allow" });
  });

  it("asks before editing in suggest mode and allows it in auto-edit", () => {
    expect(decideApproval(tool("edit"), {}, "suggest").action).toBe("ask");
    expect(decideApproval(tool("edit"), {}, "auto-edit").action).toBe("allow");
  });

  it("asks before commands and git changes unless full-auto", () => {
    expect(decideApproval(tool("execute"), { command: "pytest" }, "auto-edit").action).toBe("ask");
    expect(decideApproval(tool("vcs"), {}, "auto-edit").action).toBe("ask");
    expect(decideApproval(tool("execute"), { command: "pytest" }, "full-auto").action).toBe("allow");
    expect(decideApproval(tool("vcs"), {}, "full-auto").action).toBe("allow");
  });

  it.each(["git push origin main", "cd repo && git  push", "gh pr create --fill"])("denies %j in every mode", (command) => {
    expect(decideApproval(tool("execute", "run_shell"), { command }, "full-auto").action).toBe("deny");
  });

  it("does not mistake a word containing push for git push", () => {
    expect(decideApproval(tool("execute", "run_shell"), { command: "grep -r 'git push' docs" }, "full-auto").action).toBe("allow");
  });
});
