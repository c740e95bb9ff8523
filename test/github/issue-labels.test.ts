import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addIssueLabels } from "../../src/github/issue-labels.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const issue = { owner: "o", repo: "r", number: 5 };
let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.setLabels("o", "r", ["bug", "duplicate"]);
  github.addIssue("o", "r", 5, { title: "t", body: "b", labels: ["bug"] });
});

afterEach(async () => {
  await github.close();
});

describe("addIssueLabels", () => {
  it("adds the labels with one POST of {labels}", async () => {
    await addIssueLabels(issue, { apiUrl: github.apiUrl, token: "t" }, ["duplicate", "bug"]);
    expect(github.requests.map(({ method, path, body }) => ({ method, path, body }))).toEqual([{ method: "POST", path: "/repos/o/r/issues/5/labels", body: { labels: ["duplicate", "bug"] } }]);
    expect(github.addedLabels).toEqual([{ owner: "o", repo: "r", number: 5, labels: ["duplicate", "bug"] }]);
  });

  it("sends nothing for an empty list", async () => {
    await addIssueLabels(issue, { apiUrl: github.apiUrl, token: "t" }, []);
    expect(github.requests).toEqual([]);
  });

  it("names the repository and the permission when the token may not add labels", async () => {
    github.makeReadOnly("ghp_reader");
    await expect(addIssueLabels(issue, { apiUrl: github.apiUrl, token: "ghp_reader", tokenSource: "GITHUB_TOKEN" }, ["bug"])).rejects.toMatchObject({
      code: "github-forbidden",
      message: expect.stringMatching(/^GitHub refused to add labels to o\/r#5 \(403\)\..*"repo" scope \(or "public_repo" for a public repository\); a fine-grained token needs "Issues: write" on o\/r\.$/),
    });
  });

  it("says which issue was not found", async () => {
    await expect(addIssueLabels({ ...issue, number: 9 }, { apiUrl: github.apiUrl, token: "t" }, ["bug"])).rejects.toMatchObject({ code: "github-not-found", message: expect.stringMatching(/^o\/r#9 was not found\./) });
  });
});
