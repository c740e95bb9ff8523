import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { startFakeGitHubServer, type FakeGitHubServer } from "../support/fake-github-server.js";

let github: FakeGitHubServer;
let clock: number;

beforeEach(async () => {
  clock = Date.UTC(2026, 5, 1, 12, 0, 0);
  github = await startFakeGitHubServer({ now: () => clock });
});

afterEach(async () => {
  await github.close();
});

async function get(path: string, token?: string): Promise<Response> {
  return fetch(`${github.apiUrl}${path}`, token ? { headers: { authorization: `token ${token}` } } : {});
}

describe("the fake GitHub", () => {
  it("pages with a Link header as GitHub sends it: prev, next, last, first", async () => {
    github.setLabels("o", "r", ["a", "b", "c", "d", "e"]);
    const first = await get("/repos/o/r/labels?per_page=2");
    expect(first.headers.get("link")).toBe(`<${github.apiUrl}/repos/o/r/labels?per_page=2&page=2>; rel="next", <${github.apiUrl}/repos/o/r/labels?per_page=2&page=3>; rel="last"`);
    const middle = await get("/repos/o/r/labels?per_page=2&page=2");
    expect(middle.headers.get("link")).toBe(
      `<${github.apiUrl}/repos/o/r/labels?per_page=2&page=1>; rel="prev", <${github.apiUrl}/repos/o/r/labels?per_page=2&page=3>; rel="next", ` +
        `<${github.apiUrl}/repos/o/r/labels?per_page=2&page=3>; rel="last", <${github.apiUrl}/repos/o/r/labels?per_page=2&page=1>; rel="first"`,
    );
    expect(((await middle.json()) as Array<{ name: string }>).map((label) => label.name)).toEqual(["c", "d"]);
  });

  it("lists issues with state, sort and direction filters, and pull requests with a pull_request key", async () => {
    github.addIssue("o", "r", 1, { title: "open", body: "" });
    github.addIssue("o", "r", 2, { title: "closed", body: "", state: "closed", stateReason: "not_planned" });
    github.addIssue("o", "r", 3, { title: "a PR", body: "", isPullRequest: true });
    const open = (await (await get("/repos/o/r/issues")).json()) as Array<{ number: number; pull_request?: unknown }>;
    expect(open.map((issue) => issue.number)).toEqual([3, 1]);
    expect(open[0]!.pull_request).toBeDefined();
    const all = (await (await get("/repos/o/r/issues?state=all&sort=created&direction=asc")).json()) as Array<{ number: number; state_reason: string | null; closed_at: string | null }>;
    expect(all.map((issue) => [issue.number, issue.state_reason, issue.closed_at !== null])).toEqual([
      [1, null, false],
      [2, "not_planned", true],
      [3, null, false],
    ]);
  });

  it("counts the rate limit down and answers 403 once it is used up, until the reset passes", async () => {
    github.addIssue("o", "r", 1, { title: "t", body: "b" });
    const reset = clock / 1000 + 60;
    github.setRateLimit({ remaining: 1, resetEpochSeconds: reset, limit: 10 });
    const used = await get("/repos/o/r/issues/1");
    expect([used.status, used.headers.get("x-ratelimit-remaining"), used.headers.get("x-ratelimit-reset")]).toEqual([200, "0", String(reset)]);
    const refused = await get("/repos/o/r/issues/1");
    expect([refused.status, refused.headers.get("x-ratelimit-remaining")]).toEqual([403, "0"]);
    expect(((await refused.json()) as { message: string }).message).toMatch(/^API rate limit exceeded/);
    clock = reset * 1000;
    const again = await get("/repos/o/r/issues/1");
    expect([again.status, again.headers.get("x-ratelimit-remaining")]).toEqual([200, "9"]);
  });

  it("records the method, path, query and JSON body of each request", async () => {
    github.addIssue("o", "r", 1, { title: "t", body: "b" });
    await fetch(`${github.apiUrl}/repos/o/r/issues/1/labels?x=1`, { method: "POST", body: JSON.stringify({ labels: ["bug"] }), headers: { authorization: "token t" } });
    expect(github.requests).toEqual([{ method: "POST", path: "/repos/o/r/issues/1/labels", authorization: "token t", query: { x: "1" }, body: { labels: ["bug"] } }]);
  });

  it("finds the requests that would close, lock, delete or transfer", async () => {
    github.addIssue("o", "r", 1, { title: "t", body: "b" });
    const send = (method: string, path: string, body?: unknown) => fetch(`${github.apiUrl}${path}`, { method, ...(body ? { body: JSON.stringify(body) } : {}) });
    await send("PATCH", "/repos/o/r/issues/1", { title: "renamed" });
    await send("POST", "/repos/o/r/issues/1/comments", { body: "hi" });
    expect(github.destructiveRequests()).toEqual([]);
    await send("PATCH", "/repos/o/r/issues/1", { state: "closed", state_reason: "duplicate" });
    await send("PUT", "/repos/o/r/issues/1/lock");
    await send("DELETE", "/repos/o/r/issues/1/labels/bug");
    await send("POST", "/graphql", { query: "mutation { transferIssue(input: {}) { issue { id } } }" });
    expect(github.destructiveRequests().map((request) => `${request.method} ${request.path}`)).toEqual([
      "PATCH /repos/o/r/issues/1",
      "PUT /repos/o/r/issues/1/lock",
      "DELETE /repos/o/r/issues/1/labels/bug",
      "POST /graphql",
    ]);
  });

  it("answers the permission endpoint in GitHub's shape: permission and role_name", async () => {
    github.setPermission("o", "r", "mia", "maintain");
    expect(await (await get("/repos/o/r/collaborators/mia/permission")).json()).toMatchObject({ permission: "write", role_name: "maintain", user: { login: "mia" } });
  });

  it("keeps a private repository's issue listing, files and labels from other tokens", async () => {
    github.makePrivate("o", "secret", "ghp_owner");
    github.setFile("o", "secret", "README.md", "hi");
    expect((await get("/repos/o/secret/issues")).status).toBe(404);
    expect((await get("/repos/o/secret/contents/README.md", "ghp_other")).status).toBe(404);
    expect((await get("/repos/o/secret/contents/README.md", "ghp_owner")).status).toBe(200);
  });
});
