import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** An issue as the fake serves it, in GitHub's JSON shape (the fields this project reads, and a few more). */
export interface FakeIssue {
  title: string;
  body: string | null;
  labels?: string[];
  comments?: Array<{ author: string; body: string }>;
  isPullRequest?: boolean;
}

/** A recorded request. */
export interface FakeGitHubRequest {
  method: string;
  path: string;
  authorization?: string;
}

/** A local fake of the parts of GitHub's REST API that `agent` uses. */
export interface FakeGitHubServer {
  apiUrl: string;
  requests: FakeGitHubRequest[];
  /** Serves an issue at /repos/OWNER/REPO/issues/N. */
  addIssue(owner: string, repo: string, number: number, issue: FakeIssue): void;
  /** Pull requests opened through the API, with what was sent. */
  pullRequests: Array<{ owner: string; repo: string; title: string; body: string; head: string; base: string; draft: boolean }>;
  /** Issue comments posted through the API. */
  comments: Array<{ owner: string; repo: string; number: number; body: string }>;
  /** Serves a repository at /repos/OWNER/REPO with the given clone URL (e.g. a local bare repository). */
  addRepository(owner: string, repo: string, info: { cloneUrl: string; defaultBranch?: string }): void;
  /** Answers every request with this status (and headers) from now on, e.g. a 403 rate limit. */
  failWith(status: number, headers?: Record<string, string>, message?: string): void;
  /** Only requests with this token see the repository's issues; others get GitHub's 404 for private repositories. */
  makePrivate(owner: string, repo: string, token: string): void;
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "x-ratelimit-remaining": "4999", ...headers });
  response.end(JSON.stringify(body));
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeGitHubServer(): Promise<FakeGitHubServer> {
  const issues = new Map<string, FakeIssue>();
  const repositories = new Map<string, { cloneUrl: string; defaultBranch?: string }>();
  const pullRequests: FakeGitHubServer["pullRequests"] = [];
  const postedComments: FakeGitHubServer["comments"] = [];
  const privateRepos = new Map<string, string>();
  const requests: FakeGitHubRequest[] = [];
  let failure: { status: number; headers: Record<string, string>; message: string } | undefined;
  let url = "";

  const handle = (request: IncomingMessage, response: ServerResponse, body: string): void => {
    const path = (request.url ?? "").split("?")[0]!;
    requests.push({ method: request.method ?? "GET", path, ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}) });
    if (failure) return send(response, failure.status, { message: failure.message, documentation_url: "https://docs.github.com/rest" }, failure.headers);
    const pulls = /^\/repos\/([^/]+)\/([^/]+)\/pulls$/.exec(path);
    if (pulls && request.method === "POST") {
      const sent = JSON.parse(body) as { title: string; body: string; head: string; base: string; draft?: boolean };
      pullRequests.push({ owner: pulls[1]!, repo: pulls[2]!, title: sent.title, body: sent.body, head: sent.head, base: sent.base, draft: sent.draft === true });
      const number = 100 + pullRequests.length;
      return send(response, 201, { id: number, number, draft: sent.draft === true, state: "open", title: sent.title, html_url: `https://github.com/${pulls[1]}/${pulls[2]}/pull/${number}` });
    }
    const commentPost = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/.exec(path);
    if (commentPost && request.method === "POST") {
      const sent = JSON.parse(body) as { body: string };
      postedComments.push({ owner: commentPost[1]!, repo: commentPost[2]!, number: Number(commentPost[3]), body: sent.body });
      return send(response, 201, { id: postedComments.length, body: sent.body, html_url: `https://github.com/${commentPost[1]}/${commentPost[2]}/issues/${commentPost[3]}#issuecomment-${postedComments.length}` });
    }
    const repository = /^\/repos\/([^/]+)\/([^/]+)$/.exec(path);
    if (repository && request.method === "GET") {
      const info = repositories.get(`${repository[1]}/${repository[2]}`);
      if (!info) return send(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/repos/repos#get-a-repository", status: "404" });
      return send(response, 200, {
        id: 1,
        name: repository[2],
        full_name: `${repository[1]}/${repository[2]}`,
        private: false,
        html_url: `https://github.com/${repository[1]}/${repository[2]}`,
        clone_url: info.cloneUrl,
        default_branch: info.defaultBranch ?? "main",
      });
    }
    const match = /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)(\/comments)?$/.exec(path);
    const notFound = () => send(response, 404, { message: "Not Found", documentation_url: "https://docs.github.com/rest/issues/issues#get-an-issue", status: "404" });
    if (!match || request.method !== "GET") return notFound();
    const [, owner, repo, number, comments] = match;
    const privateToken = privateRepos.get(`${owner}/${repo}`);
    if (privateToken && request.headers.authorization !== `token ${privateToken}`) return notFound();
    const issue = issues.get(`${owner}/${repo}#${number}`);
    if (!issue) return notFound();
    const user = { login: "reporter", id: 1, type: "User" };
    if (comments) {
      return send(
        response,
        200,
        (issue.comments ?? []).map((comment, index) => ({
          id: index + 1,
          body: comment.body,
          user: { login: comment.author, id: 100 + index, type: "User" },
          html_url: `https://github.com/${owner}/${repo}/issues/${number}#issuecomment-${index + 1}`,
          created_at: "2026-01-01T00:00:00Z",
        })),
      );
    }
    send(response, 200, {
      id: Number(number) * 1000,
      number: Number(number),
      title: issue.title,
      body: issue.body,
      state: "open",
      user,
      labels: (issue.labels ?? []).map((name, index) => ({ id: index + 1, name, color: "ededed", default: false })),
      comments: (issue.comments ?? []).length,
      html_url: `https://github.com/${owner}/${repo}/${issue.isPullRequest ? "pull" : "issues"}/${number}`,
      url: `${url}/repos/${owner}/${repo}/issues/${number}`,
      created_at: "2026-01-01T00:00:00Z",
      updated_at: "2026-01-02T00:00:00Z",
      ...(issue.isPullRequest ? { pull_request: { url: `${url}/repos/${owner}/${repo}/pulls/${number}` } } : {}),
    });
  };

  const server = createServer((request, response) => {
    let body = "";
    request.on("data", (chunk: Buffer) => (body += chunk.toString()));
    request.on("end", () => handle(request, response, body));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiUrl: url,
    requests,
    pullRequests,
    comments: postedComments,
    addIssue: (owner, repo, number, issue) => issues.set(`${owner}/${repo}#${number}`, issue),
    addRepository: (owner, repo, info) => repositories.set(`${owner}/${repo}`, info),
    failWith: (status, headers = {}, message = "error") => (failure = { status, headers, message }),
    makePrivate: (owner, repo, token) => privateRepos.set(`${owner}/${repo}`, token),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
