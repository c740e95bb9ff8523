import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listRepositoryLabels } from "../../src/github/list-repository-labels.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
});

afterEach(async () => {
  await github.close();
});

describe("listRepositoryLabels", () => {
  it("reads every page of labels, with their descriptions", async () => {
    const labels = Array.from({ length: 205 }, (_, index) => ({ name: `area/${index}`, ...(index % 2 ? { description: `Area ${index}` } : {}) }));
    github.setLabels("o", "r", labels);
    const listed = await listRepositoryLabels({ owner: "o", repo: "r" }, { apiUrl: github.apiUrl });
    expect(listed).toHaveLength(205);
    expect(listed.slice(0, 2)).toEqual([
      { name: "area/0", description: "" },
      { name: "area/1", description: "Area 1" },
    ]);
    expect(github.requests.map((request) => request.query)).toEqual([
      { per_page: "100" },
      { per_page: "100", page: "2" },
      { per_page: "100", page: "3" },
    ]);
  });

  it("reads a repository without labels as an empty list", async () => {
    expect(await listRepositoryLabels({ owner: "o", repo: "empty" }, { apiUrl: github.apiUrl })).toEqual([]);
  });

  it("explains a private repository it cannot see", async () => {
    github.makePrivate("o", "secret", "ghp_owner");
    await expect(listRepositoryLabels({ owner: "o", repo: "secret" }, { apiUrl: github.apiUrl })).rejects.toThrow(/The labels of o\/secret was not found\..*set GITHUB_TOKEN/);
  });
});
