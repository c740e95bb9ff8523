import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { getCollaboratorPermission, hasWriteAccess, type RepositoryPermission } from "../../src/github/collaborator-permission.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const repo = { owner: "o", repo: "r" };
let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
});

afterEach(async () => {
  await github.close();
});

describe("getCollaboratorPermission", () => {
  it.each(["admin", "maintain", "write", "triage", "read"] as const)("reads the %s role from role_name", async (level) => {
    github.setPermission("o", "r", "alice", level);
    expect(await getCollaboratorPermission(repo, { apiUrl: github.apiUrl, token: "t" }, "alice")).toBe(level);
    expect(github.requests[0]).toMatchObject({ method: "GET", path: "/repos/o/r/collaborators/alice/permission" });
  });

  it("reads a login the repository does not name as read", async () => {
    expect(await getCollaboratorPermission(repo, { apiUrl: github.apiUrl, token: "t" }, "stranger")).toBe("read");
  });

  it("reads GitHub's 404 (not a collaborator) as none", async () => {
    github.setPermission("o", "r", "mallory", "none");
    expect(await getCollaboratorPermission(repo, { apiUrl: github.apiUrl, token: "t" }, "mallory")).toBe("none");
  });

  it("explains a refusal with the repository and the permission needed", async () => {
    github.failWith(403, {}, "Resource not accessible by integration");
    await expect(getCollaboratorPermission(repo, { apiUrl: github.apiUrl, token: "t", tokenSource: "GH_TOKEN" }, "alice")).rejects.toThrow(/permission of alice on o\/r \(403\).*"Metadata: read" on o\/r/);
  });
});

describe("hasWriteAccess", () => {
  it.each([
    ["admin", true],
    ["maintain", true],
    ["write", true],
    ["triage", false],
    ["read", false],
    ["none", false],
  ] as Array<[RepositoryPermission, boolean]>)("is %s → %s", (level, expected) => {
    expect(hasWriteAccess(level)).toBe(expected);
  });
});
