import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listIssueComments, upsertMarkedComment } from "../../src/github/issue-comments.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const issue = { owner: "o", repo: "r", number: 5 };
const marker = "<!-- agent-triage -->";
const token = "ghs_bot_token";
let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
  github.setTokenUser(token, "triage-bot[bot]", "Bot");
});

afterEach(async () => {
  await github.close();
});

describe("listIssueComments", () => {
  it("reads every page of comments, oldest first, with ids, authors and their type", async () => {
    const comments = Array.from({ length: 230 }, (_, index) => ({ author: index === 0 ? "dependabot[bot]" : `user${index}`, authorType: index === 0 ? "Bot" : "User", body: `Comment ${index}` }));
    github.addIssue("o", "r", 5, { title: "t", body: "b", comments });
    const listed = await listIssueComments(issue, { apiUrl: github.apiUrl });
    expect(listed).toHaveLength(230);
    expect(listed[0]).toMatchObject({ author: "dependabot[bot]", authorType: "Bot", body: "Comment 0", htmlUrl: expect.stringContaining("https://github.com/o/r/issues/5#issuecomment-") });
    expect(listed[229]).toMatchObject({ author: "user229", authorType: "User", body: "Comment 229" });
    expect(new Set(listed.map((comment) => comment.id)).size).toBe(230);
    expect(github.requests.map((request) => request.query?.["page"] ?? "1")).toEqual(["1", "2", "3"]);
  });

  it("says which issue was not found", async () => {
    await expect(listIssueComments({ ...issue, number: 404 }, { apiUrl: github.apiUrl })).rejects.toThrow(/o\/r#404 was not found\. Check the issue number/);
  });
});

describe("upsertMarkedComment", () => {
  beforeEach(() => {
    github.addIssue("o", "r", 5, { title: "t", body: "b", comments: [{ author: "alice", body: "Same here." }] });
  });

  it("creates a comment with the marker at its top when the issue has none of ours", async () => {
    const result = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Looks like a duplicate of #3." });
    expect(result).toMatchObject({ action: "created", url: expect.stringContaining("#issuecomment-") });
    expect(github.comments).toEqual([{ owner: "o", repo: "r", number: 5, body: `${marker}\nLooks like a duplicate of #3.` }]);
    expect(github.requests.map((request) => `${request.method} ${request.path}`)).toEqual(["GET /repos/o/r/issues/5/comments", "POST /repos/o/r/issues/5/comments"]);
  });

  it("edits our earlier comment when the text differs", async () => {
    const first = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Triage: bug." });
    const second = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Triage: bug, needs a reproduction." });
    expect(second).toEqual({ action: "updated", url: first.url, id: first.id });
    expect(github.editedComments).toEqual([{ owner: "o", repo: "r", id: first.id, body: `${marker}\nTriage: bug, needs a reproduction.` }]);
    expect(github.comments).toHaveLength(1);
  });

  it("leaves our earlier comment alone when the text is the same", async () => {
    const first = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Triage: bug." });
    const before = github.requests.length;
    const second = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Triage: bug." });
    expect(second).toEqual({ action: "unchanged", url: first.url, id: first.id });
    expect(github.requests.slice(before).map((request) => request.method)).toEqual(["GET"]);
  });

  it("keeps a body that already contains the marker as it is", async () => {
    await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: `Triage: bug.\n\n${marker}` });
    expect(github.comments[0]!.body).toBe(`Triage: bug.\n\n${marker}`);
  });

  it("counts only the given author's comments: a person quoting the marker is not edited", async () => {
    github.addIssue("o", "r", 5, { title: "t", body: "b", comments: [{ author: "mallory", body: `${marker}\nI wrote this.` }] });
    const result = await upsertMarkedComment(issue, { apiUrl: github.apiUrl, token }, { marker, body: "Triage: bug.", author: "triage-bot[bot]" });
    expect(result.action).toBe("created");
    expect(github.editedComments).toEqual([]);
  });

  it("names the repository and the permission when the token may read but not comment", async () => {
    github.makeReadOnly("ghp_reader");
    const access = { apiUrl: github.apiUrl, token: "ghp_reader", tokenSource: "GITHUB_TOKEN" };
    await expect(upsertMarkedComment(issue, access, { marker, body: "x" })).rejects.toThrow(
      /^GitHub refused to comment on o\/r#5 \(403\)\. The token from GITHUB_TOKEN may lack access: .*"Issues: write" on o\/r\.$/,
    );
    expect(github.comments).toEqual([]);
  });
});
