import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readRepositoryFile } from "../../src/github/read-repository-file.js";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

const repo = { owner: "o", repo: "r" };
let github: FakeGitHubServer;

beforeEach(async () => {
  github = await startFakeGitHubServer();
});

afterEach(async () => {
  await github.close();
});

describe("readRepositoryFile", () => {
  it("decodes the file's base64 content, over several of GitHub's wrapped lines", async () => {
    const text = "labels:\n  bug: Something is broken — with ünïcode\n  question: Further information is requested\n";
    github.setFile("o", "r", ".github/agent.yml", text);
    expect(await readRepositoryFile(repo, { apiUrl: github.apiUrl }, ".github/agent.yml")).toBe(text);
    // Octokit sends the slash of the path as %2F, which GitHub takes.
    expect(github.requests.map((request) => [request.method, decodeURIComponent(request.path)])).toEqual([["GET", "/repos/o/r/contents/.github/agent.yml"]]);
  });

  it("reads the file at a ref when given one", async () => {
    github.setFile("o", "r", "a.txt", "main\n");
    github.setFile("o", "r", "a.txt", "release\n", "v1");
    expect(await readRepositoryFile(repo, { apiUrl: github.apiUrl }, "a.txt", "v1")).toBe("release\n");
    expect(github.requests[0]!.query).toEqual({ ref: "v1" });
  });

  it("gives undefined for a file that does not exist", async () => {
    expect(await readRepositoryFile(repo, { apiUrl: github.apiUrl }, ".github/agent.yml")).toBeUndefined();
  });

  it("names the repository and the permission on a 403", async () => {
    github.failWith(403, {}, "Resource not accessible by personal access token");
    await expect(readRepositoryFile(repo, { apiUrl: github.apiUrl, token: "t", tokenSource: "GITHUB_TOKEN" }, "a.txt")).rejects.toThrow(/read a\.txt of o\/r \(403\).*"Contents: read" on o\/r/);
  });
});
