import { describe, expect, it } from "vitest";
import { normalizeOriginUrl, repositoryKey } from "../../src/memory/repository-key.js";

describe("repositoryKey", () => {
  it.each([
    ["https://github.com/Owner/Repo.git"],
    ["https://github.com/owner/repo"],
    ["https://github.com/owner/repo/"],
    ["git@github.com:owner/repo.git"],
    ["git@GitHub.com:Owner/Repo"],
    ["ssh://git@github.com/owner/repo.git"],
    ["ssh://git@github.com:22/owner/repo.git"],
    ["https://x-access-token:ghp_secret@github.com/owner/repo.git"],
    ["git://github.com/owner/repo.git"],
  ])("normalises the origin %s to github.com/owner/repo", (originUrl) => {
    expect(repositoryKey({ originUrl, rootPath: "/work/repo" })).toBe("github.com/owner/repo");
  });

  it("keeps nested groups of a GitLab origin", () => {
    expect(repositoryKey({ originUrl: "git@gitlab.com:Group/Sub/Project.git", rootPath: "/r" })).toBe("gitlab.com/group/sub/project");
  });

  it("uses the absolute root path when there is no origin", () => {
    expect(repositoryKey({ rootPath: "/work/repo/" })).toBe("local:/work/repo");
  });

  it("uses the root path when the origin is empty", () => {
    expect(repositoryKey({ originUrl: "  ", rootPath: "/work/repo" })).toBe("local:/work/repo");
  });

  it("uses the path of an origin that is a local repository, resolved from the root", () => {
    expect(repositoryKey({ originUrl: "../upstream/.git", rootPath: "/work/repo" })).toBe("local:/work/upstream");
  });

  it("uses the path of a file:// origin", () => {
    expect(repositoryKey({ originUrl: "file:///srv/git/project.git", rootPath: "/work/repo" })).toBe("local:/srv/git/project.git");
  });
});

describe("normalizeOriginUrl", () => {
  it("returns undefined for text that is not a remote URL", () => {
    expect([normalizeOriginUrl("/srv/git/x.git"), normalizeOriginUrl("github.com/owner/repo"), normalizeOriginUrl("C:\\repo")]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});
