import { verify as verifySignature } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** An issue as the fake serves it, in GitHub's JSON shape (the fields this project reads, and a few more). */
export interface FakeIssue {
  title: string;
  body: string | null;
  labels?: string[];
  /** The issue's comments, oldest first; `authorType` is GitHub's `user.type` ("User" unless given, e.g. "Bot"). */
  comments?: Array<{ author: string; body: string; authorType?: string }>;
  isPullRequest?: boolean;
  /** "open" unless given. */
  state?: "open" | "closed";
  /** GitHub's `state_reason`: "completed", "not_planned", "duplicate", "reopened" or null (the default). */
  stateReason?: string | null;
  /** The author's login ("reporter" unless given). */
  author?: string;
  /** ISO 8601 times; by default 2026-01-01T00:00:00Z plus one minute per issue number, updated one day later, closed when updated (if closed). */
  createdAt?: string;
  updatedAt?: string;
  closedAt?: string | null;
}

/** A recorded request. */
export interface FakeGitHubRequest {
  method: string;
  path: string;
  authorization?: string;
  /** The query string's parameters, when the URL had any. */
  query?: Record<string, string>;
  /** The parsed JSON body, when the request sent one. */
  body?: unknown;
}

/** A collaborator's role, as GitHub's `role_name` gives it; "none" makes the permission endpoint answer 404. */
export type FakePermissionLevel = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** A GitHub App installation on one repository, as `addAppInstallation` registers it. */
export interface FakeAppInstallation {
  appId: string | number;
  /** The App's public key (PEM): JWTs signed with its private key are accepted. */
  publicKeyPem: string;
  installationId: number;
  owner: string;
  repo: string;
  /** The installation token POST /app/installations/:id/access_tokens hands out. */
  token: string;
  /** The App's slug; comments made with the token are by `<slug>[bot]` ("agent-app" unless given). */
  slug?: string;
  /** The installation's permissions ({ issues: "write", metadata: "read", contents: "read" } unless given). */
  permissions?: Record<string, string>;
}

/** A local fake of the parts of GitHub's REST API that `agent` uses. */
export interface FakeGitHubServer {
  apiUrl: string;
  requests: FakeGitHubRequest[];
  /** Serves an issue at /repos/OWNER/REPO/issues/N and in the repository's issue listing. */
  addIssue(owner: string, repo: string, number: number, issue: FakeIssue): void;
  /** Pull requests opened through the API, with what was sent. */
  pullRequests: Array<{ owner: string; repo: string; title: string; body: string; head: string; base: string; draft: boolean }>;
  /** Issue comments posted through the API. */
  comments: Array<{ owner: string; repo: string; number: number; body: string }>;
  /** Comment edits made through the API (PATCH /repos/o/r/issues/comments/:id). */
  editedComments: Array<{ owner: string; repo: string; id: number; body: string }>;
  /** Labels added to issues through the API (POST /repos/o/r/issues/:n/labels), one entry a request. */
  addedLabels: Array<{ owner: string; repo: string; number: number; labels: string[] }>;
  /** Serves a repository at /repos/OWNER/REPO with the given clone URL (e.g. a local bare repository). */
  addRepository(owner: string, repo: string, info: { cloneUrl: string; defaultBranch?: string }): void;
  /** The repository's labels, served paged at /repos/OWNER/REPO/labels (description "" unless given). */
  setLabels(owner: string, repo: string, labels: Array<string | { name: string; description?: string }>): void;
  /** A login's role on the repository; unknown logins have "read". */
  setPermission(owner: string, repo: string, login: string, level: FakePermissionLevel): void;
  /** A file served at /repos/OWNER/REPO/contents/PATH (base64, as GitHub does); with `ref`, only for that ref (other refs fall back to the default). */
  setFile(owner: string, repo: string, path: string, text: string, ref?: string): void;
  /** The login (and `user.type`) that requests with this token act as; "agent-coder" ("User") for unknown tokens. */
  setTokenUser(token: string, login: string, type?: string): void;
  /** Registers a GitHub App installation: its token exchange, GET /repos/o/r/installation, and its token as a login `<slug>[bot]`. */
  addAppInstallation(installation: FakeAppInstallation): void;
  /**
   * Turns on GitHub's primary rate limit: every response carries x-ratelimit-* headers with
   * `remaining` decreasing, and once it is 0 requests get a 403 until the reset time passes (then
   * `limit` requests are left again, for an hour).
   */
  setRateLimit(limit: { remaining: number; resetEpochSeconds: number; limit?: number }): void;
  /** Answers every request with this status (and headers) from now on, e.g. a 403 rate limit. */
  failWith(status: number, headers?: Record<string, string>, message?: string): void;
  /** Answers the next `times` requests with this status (and headers), then serves normally again, e.g. a secondary rate limit. */
  failNext(status: number, headers?: Record<string, string>, message?: string, times?: number): void;
  /** Requests with this token may read but not write: anything but GET gets GitHub's 403 "Resource not accessible by personal access token". */
  makeReadOnly(token: string): void;
  /** Only requests with this token (or another token named for the repository) see the repository; others get GitHub's 404 for private repositories. */
  makePrivate(owner: string, repo: string, token: string): void;
  /** The recorded requests that would close, lock, delete or transfer something: a PATCH of an issue with `state`, a PUT of a lock, any DELETE, a GraphQL mutation that does so. */
  destructiveRequests(): FakeGitHubRequest[];
  close(): Promise<void>;
}

/** Options of the fake: its clock (for rate limits and JWT expiry), milliseconds since the epoch. */
export interface FakeGitHubOptions {
  now?: () => number;
}

interface StoredComment {
  id: number;
  author: string;
  authorType: string;
  body: string;
  createdAt: string;
  updatedAt: string;
}

interface StoredIssue {
  owner: string;
  repo: string;
  number: number;
  issue: FakeIssue;
  labels: string[];
  comments: StoredComment[];
}

interface StoredLabel {
  id: number;
  name: string;
  description: string;
  color: string;
}

type Handler = (context: RouteContext, ...captures: string[]) => void;

interface RouteContext {
  request: IncomingMessage;
  response: ServerResponse;
  query: URLSearchParams;
  body: unknown;
  /** The token of an `Authorization: token X` (or `Bearer X`) header. */
  token: string | undefined;
  send(status: number, body: unknown, headers?: Record<string, string>): void;
  notFound(documentation?: string): void;
}

const DOCS = "https://docs.github.com/rest";
const DEFAULT_LOGIN = "agent-coder";

/** GitHub's time format: ISO 8601 without milliseconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function decodeBase64Url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}

/** Verifies an RS256 JWT against a public key; returns its claims, or why it is refused. */
function verifyJwt(jwt: string, publicKeysByIssuer: (issuer: string) => string | undefined, nowSeconds: number): { claims: { iss: string } } | { error: string } {
  const parts = jwt.split(".");
  if (parts.length !== 3) return { error: "A JSON web token could not be decoded" };
  let header: { alg?: string };
  let claims: { iss?: unknown; exp?: unknown; iat?: unknown };
  try {
    header = JSON.parse(decodeBase64Url(parts[0]!).toString("utf8")) as typeof header;
    claims = JSON.parse(decodeBase64Url(parts[1]!).toString("utf8")) as typeof claims;
  } catch {
    return { error: "A JSON web token could not be decoded" };
  }
  if (header.alg !== "RS256") return { error: "A JSON web token could not be decoded" };
  const issuer = String(claims.iss ?? "");
  const key = publicKeysByIssuer(issuer);
  if (!key) return { error: `Integration not found for 'iss' claim ${issuer}` };
  const signed = verifySignature("RSA-SHA256", Buffer.from(`${parts[0]}.${parts[1]}`), key, decodeBase64Url(parts[2]!));
  if (!signed) return { error: "A JSON web token could not be decoded" };
  if (typeof claims.exp !== "number" || claims.exp <= nowSeconds) {
    return { error: "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires" };
  }
  if (typeof claims.iat === "number" && claims.iat > nowSeconds + 60) return { error: "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued" };
  return { claims: { iss: issuer } };
}

/** GitHub's base64 of file contents: wrapped at 60 characters. */
function githubBase64(text: string): string {
  return (Buffer.from(text, "utf8").toString("base64").match(/.{1,60}/g) ?? []).join("\n") + "\n";
}

/** Starts the fake on 127.0.0.1 with an ephemeral port. */
export async function startFakeGitHubServer(options: FakeGitHubOptions = {}): Promise<FakeGitHubServer> {
  const now = options.now ?? (() => Date.now());
  const issues = new Map<string, StoredIssue>();
  const repositories = new Map<string, { cloneUrl: string; defaultBranch?: string }>();
  const labels = new Map<string, StoredLabel[]>();
  const permissions = new Map<string, FakePermissionLevel>();
  const files = new Map<string, string>();
  const tokenUsers = new Map<string, { login: string; type: string }>();
  const apps = new Map<string, string>();
  const installations = new Map<number, FakeAppInstallation>();
  const pullRequests: FakeGitHubServer["pullRequests"] = [];
  const postedComments: FakeGitHubServer["comments"] = [];
  const editedComments: FakeGitHubServer["editedComments"] = [];
  const addedLabels: FakeGitHubServer["addedLabels"] = [];
  const privateRepos = new Map<string, Set<string>>();
  const readOnlyTokens = new Set<string>();
  const requests: FakeGitHubRequest[] = [];
  let failure: { status: number; headers: Record<string, string>; message: string } | undefined;
  let nextFailures: { status: number; headers: Record<string, string>; message: string; times: number } | undefined;
  let rateLimit: { limit: number; remaining: number; reset: number } | undefined;
  let nextCommentId = 1;
  let nextLabelId = 1;
  let url = "";

  const repoKey = (owner: string, repo: string) => `${owner}/${repo}`;
  const issueKey = (owner: string, repo: string, number: number | string) => `${owner}/${repo}#${number}`;
  const userFor = (token: string | undefined) => (token ? tokenUsers.get(token) : undefined) ?? { login: DEFAULT_LOGIN, type: "User" };

  /** The repository's label of that name; with `create`, made when missing (as adding a label to an issue does on GitHub). */
  const labelOf = (owner: string, repo: string, name: string, create = false): StoredLabel => {
    const list = labels.get(repoKey(owner, repo)) ?? [];
    let label = list.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
    if (!label && !create) return { id: 0, name, description: "", color: "ededed" };
    if (!label) {
      label = { id: nextLabelId++, name, description: "", color: "ededed" };
      list.push(label);
      labels.set(repoKey(owner, repo), list);
    }
    return label;
  };
  const labelJson = (owner: string, repo: string, label: StoredLabel) => ({
    id: label.id,
    node_id: `LA_${label.id}`,
    url: `${url}/repos/${owner}/${repo}/labels/${encodeURIComponent(label.name)}`,
    name: label.name,
    color: label.color,
    default: false,
    description: label.description || null,
  });
  const commentJson = (stored: StoredIssue, comment: StoredComment) => ({
    id: comment.id,
    node_id: `IC_${comment.id}`,
    url: `${url}/repos/${stored.owner}/${stored.repo}/issues/comments/${comment.id}`,
    html_url: `https://github.com/${stored.owner}/${stored.repo}/issues/${stored.number}#issuecomment-${comment.id}`,
    issue_url: `${url}/repos/${stored.owner}/${stored.repo}/issues/${stored.number}`,
    body: comment.body,
    user: { login: comment.author, id: 100 + comment.id, type: comment.authorType },
    created_at: comment.createdAt,
    updated_at: comment.updatedAt,
    author_association: "NONE",
  });
  const times = (stored: StoredIssue) => {
    const created = stored.issue.createdAt ?? isoSeconds(Date.UTC(2026, 0, 1) + (stored.number - 1) * 60_000);
    const updated = stored.issue.updatedAt ?? isoSeconds(Date.parse(created) + 86_400_000);
    const closed = stored.issue.state === "closed" ? (stored.issue.closedAt ?? updated) : null;
    return { created, updated, closed };
  };
  const issueJson = (stored: StoredIssue) => {
    const { owner, repo, number, issue } = stored;
    const { created, updated, closed } = times(stored);
    return {
      id: number * 1000,
      node_id: `I_${number}`,
      number,
      title: issue.title,
      body: issue.body,
      state: issue.state ?? "open",
      state_reason: issue.stateReason ?? null,
      locked: false,
      user: { login: issue.author ?? "reporter", id: 1, type: "User" },
      labels: stored.labels.map((name) => labelJson(owner, repo, labelOf(owner, repo, name))),
      assignees: [],
      comments: stored.comments.length,
      html_url: `https://github.com/${owner}/${repo}/${issue.isPullRequest ? "pull" : "issues"}/${number}`,
      url: `${url}/repos/${owner}/${repo}/issues/${number}`,
      repository_url: `${url}/repos/${owner}/${repo}`,
      created_at: created,
      updated_at: updated,
      closed_at: closed,
      author_association: "NONE",
      ...(issue.isPullRequest ? { pull_request: { url: `${url}/repos/${owner}/${repo}/pulls/${number}`, html_url: `https://github.com/${owner}/${repo}/pull/${number}` } } : {}),
    };
  };

  /** One page of `items` as GitHub pages it, with its Link header (prev, next, last, first). */
  const paginate = <T>(context: RouteContext, path: string, items: T[]): { page: T[]; headers: Record<string, string> } => {
    const perPage = Math.min(100, Math.max(1, Number(context.query.get("per_page") ?? 30) || 30));
    const pageNumber = Math.max(1, Number(context.query.get("page") ?? 1) || 1);
    const lastPage = Math.max(1, Math.ceil(items.length / perPage));
    const link = (page: number, rel: string) => {
      const params = new URLSearchParams(context.query);
      params.set("page", String(page));
      return `<${url}${path}?${params.toString()}>; rel="${rel}"`;
    };
    const links: string[] = [];
    if (pageNumber > 1) links.push(link(pageNumber - 1, "prev"));
    if (pageNumber < lastPage) links.push(link(pageNumber + 1, "next"), link(lastPage, "last"));
    if (pageNumber > 1) links.push(link(1, "first"));
    return { page: items.slice((pageNumber - 1) * perPage, pageNumber * perPage), headers: links.length ? { link: links.join(", ") } : {} };
  };

  /** The JWT of the request's `Authorization: Bearer` header, verified; answers 401 and returns undefined when it is refused. */
  const appOf = (context: RouteContext): string | undefined => {
    const header = context.request.headers.authorization ?? "";
    const jwt = /^bearer\s+(\S+)$/i.exec(header)?.[1];
    if (!jwt) {
      context.send(401, { message: "A JSON web token could not be decoded", documentation_url: DOCS, status: "401" });
      return undefined;
    }
    const result = verifyJwt(jwt, (issuer) => apps.get(issuer), Math.floor(now() / 1000));
    if ("error" in result) {
      context.send(401, { message: result.error, documentation_url: DOCS, status: "401" });
      return undefined;
    }
    return result.claims.iss;
  };

  const routes: Array<[string, RegExp, Handler]> = [
    [
      "POST",
      /^\/app\/installations\/(\d+)\/access_tokens$/,
      (context, id) => {
        const appId = appOf(context);
        if (appId === undefined) return;
        const installation = installations.get(Number(id));
        if (!installation || String(installation.appId) !== appId) return context.notFound(`${DOCS}/apps/apps#create-an-installation-access-token-for-an-app`);
        context.send(201, {
          token: installation.token,
          expires_at: isoSeconds(now() + 3_600_000),
          permissions: installation.permissions ?? { issues: "write", metadata: "read", contents: "read" },
          repository_selection: "selected",
        });
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/installation$/,
      (context, owner, repo) => {
        const appId = appOf(context);
        if (appId === undefined) return;
        const installation = [...installations.values()].find((candidate) => candidate.owner === owner && candidate.repo === repo && String(candidate.appId) === appId);
        if (!installation) return context.notFound(`${DOCS}/apps/apps#get-a-repository-installation-for-the-authenticated-app`);
        context.send(200, {
          id: installation.installationId,
          app_id: Number(installation.appId) || installation.appId,
          app_slug: installation.slug ?? "agent-app",
          target_type: "Organization",
          account: { login: owner, id: 1, type: "Organization" },
          repository_selection: "selected",
          permissions: installation.permissions ?? { issues: "write", metadata: "read", contents: "read" },
        });
      },
    ],
    [
      "POST",
      /^\/repos\/([^/]+)\/([^/]+)\/pulls$/,
      (context, owner, repo) => {
        const sent = context.body as { title: string; body: string; head: string; base: string; draft?: boolean };
        pullRequests.push({ owner: owner!, repo: repo!, title: sent.title, body: sent.body, head: sent.head, base: sent.base, draft: sent.draft === true });
        const number = 100 + pullRequests.length;
        context.send(201, { id: number, number, draft: sent.draft === true, state: "open", title: sent.title, html_url: `https://github.com/${owner}/${repo}/pull/${number}` });
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)$/,
      (context, owner, repo) => {
        const info = repositories.get(repoKey(owner!, repo!));
        if (!info) return context.notFound(`${DOCS}/repos/repos#get-a-repository`);
        context.send(200, {
          id: 1,
          name: repo,
          full_name: `${owner}/${repo}`,
          private: privateRepos.has(repoKey(owner!, repo!)),
          html_url: `https://github.com/${owner}/${repo}`,
          clone_url: info.cloneUrl,
          default_branch: info.defaultBranch ?? "main",
        });
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/labels$/,
      (context, owner, repo) => {
        const list = (labels.get(repoKey(owner!, repo!)) ?? []).map((label) => labelJson(owner!, repo!, label));
        const { page, headers } = paginate(context, `/repos/${owner}/${repo}/labels`, list);
        context.send(200, page, headers);
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/issues$/,
      (context, owner, repo) => {
        const state = context.query.get("state") ?? "open";
        const since = context.query.get("since");
        const sort = context.query.get("sort") ?? "created";
        const direction = context.query.get("direction") ?? "desc";
        const wanted = (context.query.get("labels") ?? "").split(",").filter(Boolean);
        const listed = [...issues.values()]
          .filter((stored) => stored.owner === owner && stored.repo === repo)
          .filter((stored) => state === "all" || (stored.issue.state ?? "open") === state)
          .filter((stored) => !since || Date.parse(times(stored).updated) >= Date.parse(since))
          .filter((stored) => wanted.every((name) => stored.labels.some((label) => label.toLowerCase() === name.toLowerCase())));
        const key = (stored: StoredIssue) => (sort === "updated" ? Date.parse(times(stored).updated) : sort === "comments" ? stored.comments.length : Date.parse(times(stored).created));
        listed.sort((a, b) => (key(a) - key(b) || a.number - b.number) * (direction === "asc" ? 1 : -1));
        const { page, headers } = paginate(context, `/repos/${owner}/${repo}/issues`, listed);
        context.send(200, page.map(issueJson), headers);
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      (context, owner, repo, number) => {
        const stored = issues.get(issueKey(owner!, repo!, number!));
        if (!stored) return context.notFound(`${DOCS}/issues/issues#get-an-issue`);
        context.send(200, issueJson(stored));
      },
    ],
    [
      "PATCH",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)$/,
      (context, owner, repo, number) => {
        const stored = issues.get(issueKey(owner!, repo!, number!));
        if (!stored) return context.notFound(`${DOCS}/issues/issues#update-an-issue`);
        const sent = (context.body ?? {}) as { title?: string; body?: string; state?: "open" | "closed"; state_reason?: string | null; labels?: string[] };
        stored.issue = {
          ...stored.issue,
          ...(sent.title !== undefined ? { title: sent.title } : {}),
          ...(sent.body !== undefined ? { body: sent.body } : {}),
          ...(sent.state !== undefined ? { state: sent.state, closedAt: sent.state === "closed" ? isoSeconds(now()) : null } : {}),
          ...(sent.state_reason !== undefined ? { stateReason: sent.state_reason } : {}),
          updatedAt: isoSeconds(now()),
        };
        if (sent.labels) stored.labels = [...sent.labels];
        context.send(200, issueJson(stored));
      },
    ],
    [
      "PUT",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/lock$/,
      (context, owner, repo, number) => {
        if (!issues.has(issueKey(owner!, repo!, number!))) return context.notFound(`${DOCS}/issues/issues#lock-an-issue`);
        context.send(204, undefined);
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      (context, owner, repo, number) => {
        const stored = issues.get(issueKey(owner!, repo!, number!));
        if (!stored) return context.notFound(`${DOCS}/issues/comments#list-issue-comments`);
        const { page, headers } = paginate(
          context,
          `/repos/${owner}/${repo}/issues/${number}/comments`,
          stored.comments.map((comment) => commentJson(stored, comment)),
        );
        context.send(200, page, headers);
      },
    ],
    [
      "POST",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/comments$/,
      (context, owner, repo, number) => {
        const sent = context.body as { body: string };
        postedComments.push({ owner: owner!, repo: repo!, number: Number(number), body: sent.body });
        const key = issueKey(owner!, repo!, number!);
        // A comment on an issue the test did not add is still taken (as before), on an issue with no text.
        const stored = issues.get(key) ?? { owner: owner!, repo: repo!, number: Number(number), issue: { title: "", body: null }, labels: [], comments: [] };
        if (!issues.has(key)) issues.set(key, stored);
        const user = userFor(context.token);
        const at = isoSeconds(now());
        const comment: StoredComment = { id: nextCommentId++, author: user.login, authorType: user.type, body: sent.body, createdAt: at, updatedAt: at };
        stored.comments.push(comment);
        context.send(201, commentJson(stored, comment));
      },
    ],
    [
      "PATCH",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/comments\/(\d+)$/,
      (context, owner, repo, id) => {
        const stored = [...issues.values()].find((candidate) => candidate.owner === owner && candidate.repo === repo && candidate.comments.some((comment) => comment.id === Number(id)));
        const comment = stored?.comments.find((candidate) => candidate.id === Number(id));
        if (!stored || !comment) return context.notFound(`${DOCS}/issues/comments#update-an-issue-comment`);
        const sent = context.body as { body: string };
        comment.body = sent.body;
        comment.updatedAt = isoSeconds(now());
        editedComments.push({ owner: owner!, repo: repo!, id: Number(id), body: sent.body });
        context.send(200, commentJson(stored, comment));
      },
    ],
    [
      "POST",
      /^\/repos\/([^/]+)\/([^/]+)\/issues\/(\d+)\/labels$/,
      (context, owner, repo, number) => {
        const stored = issues.get(issueKey(owner!, repo!, number!));
        if (!stored) return context.notFound(`${DOCS}/issues/labels#add-labels-to-an-issue`);
        const sent = context.body as { labels?: Array<string | { name: string }> } | Array<string | { name: string }>;
        const names = (Array.isArray(sent) ? sent : (sent.labels ?? [])).map((label) => (typeof label === "string" ? label : label.name));
        addedLabels.push({ owner: owner!, repo: repo!, number: Number(number), labels: names });
        for (const name of names) {
          const label = labelOf(owner!, repo!, name, true);
          if (!stored.labels.some((existing) => existing.toLowerCase() === label.name.toLowerCase())) stored.labels.push(label.name);
        }
        context.send(
          200,
          stored.labels.map((name) => labelJson(owner!, repo!, labelOf(owner!, repo!, name))),
        );
      },
    ],
    [
      "GET",
      /^\/user$/,
      (context) => {
        // As GitHub: the token's user; an App installation's token is refused (it is not a user).
        if (!context.token) return context.send(401, { message: "Requires authentication", documentation_url: `${DOCS}/users/users#get-the-authenticated-user`, status: "401" });
        const user = userFor(context.token);
        if (user.type === "Bot") return context.send(403, { message: "Resource not accessible by integration", documentation_url: `${DOCS}/users/users#get-the-authenticated-user`, status: "403" });
        context.send(200, { login: user.login, id: 1, type: user.type });
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/collaborators\/([^/]+)\/permission$/,
      (context, owner, repo, login) => {
        const level = permissions.get(`${repoKey(owner!, repo!)}@${decodeURIComponent(login!)}`) ?? "read";
        if (level === "none") return context.send(404, { message: `${decodeURIComponent(login!)} is not a user`, documentation_url: `${DOCS}/collaborators/collaborators#get-repository-permissions-for-a-user`, status: "404" });
        const permission = level === "maintain" ? "write" : level === "triage" ? "read" : level;
        context.send(200, { permission, role_name: level, user: { login: decodeURIComponent(login!), id: 1, type: "User", permissions: {} } });
      },
    ],
    [
      "GET",
      /^\/repos\/([^/]+)\/([^/]+)\/contents\/(.+)$/,
      (context, owner, repo, encodedPath) => {
        const path = decodeURIComponent(encodedPath!);
        const ref = context.query.get("ref") ?? "";
        const text = files.get(`${repoKey(owner!, repo!)}:${ref}:${path}`) ?? files.get(`${repoKey(owner!, repo!)}::${path}`);
        if (text === undefined) return context.notFound(`${DOCS}/repos/contents#get-repository-content`);
        const name = path.split("/").pop()!;
        context.send(200, {
          type: "file",
          encoding: "base64",
          size: Buffer.byteLength(text),
          name,
          path,
          content: githubBase64(text),
          sha: "0".repeat(40),
          url: `${url}/repos/${owner}/${repo}/contents/${path}`,
          html_url: `https://github.com/${owner}/${repo}/blob/${ref || "main"}/${path}`,
          download_url: `https://raw.githubusercontent.com/${owner}/${repo}/${ref || "main"}/${path}`,
        });
      },
    ],
  ];

  const rateLimitHeaders = (): Record<string, string> => {
    if (!rateLimit) return { "x-ratelimit-remaining": "4999" };
    return {
      "x-ratelimit-limit": String(rateLimit.limit),
      "x-ratelimit-remaining": String(rateLimit.remaining),
      "x-ratelimit-reset": String(rateLimit.reset),
      "x-ratelimit-used": String(rateLimit.limit - rateLimit.remaining),
      "x-ratelimit-resource": "core",
    };
  };

  const handle = (request: IncomingMessage, response: ServerResponse, rawBody: string): void => {
    const requestUrl = new URL(request.url ?? "/", "http://localhost");
    const path = requestUrl.pathname;
    const query = requestUrl.searchParams;
    let body: unknown;
    if (rawBody) {
      try {
        body = JSON.parse(rawBody);
      } catch {
        body = rawBody;
      }
    }
    const method = request.method ?? "GET";
    requests.push({
      method,
      path,
      ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}),
      ...([...query.keys()].length ? { query: Object.fromEntries(query) } : {}),
      ...(body !== undefined ? { body } : {}),
    });
    const headerToken = /^(?:token|bearer)\s+(\S+)$/i.exec(request.headers.authorization ?? "")?.[1];
    const send = (status: number, payload: unknown, headers: Record<string, string> = {}): void => {
      response.writeHead(status, { "content-type": "application/json; charset=utf-8", ...rateLimitHeaders(), ...headers });
      response.end(payload === undefined ? undefined : JSON.stringify(payload));
    };
    const context: RouteContext = {
      request,
      response,
      query,
      body,
      token: headerToken,
      send,
      notFound: (documentation = DOCS) => send(404, { message: "Not Found", documentation_url: documentation, status: "404" }),
    };

    if (failure) return send(failure.status, { message: failure.message, documentation_url: DOCS }, failure.headers);
    if (nextFailures && nextFailures.times > 0) {
      nextFailures.times -= 1;
      const { status, headers, message } = nextFailures;
      return send(status, { message, documentation_url: DOCS }, headers);
    }
    const isAppRoute = path.startsWith("/app/") || /^\/repos\/[^/]+\/[^/]+\/installation$/.test(path);
    if (rateLimit && !isAppRoute) {
      if (now() >= rateLimit.reset * 1000) rateLimit = { ...rateLimit, remaining: rateLimit.limit, reset: Math.floor(now() / 1000) + 3600 };
      if (rateLimit.remaining <= 0) {
        return send(403, { message: "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated requests get a higher rate limit.)", documentation_url: `${DOCS}/overview/rate-limits-for-the-rest-api` });
      }
      rateLimit.remaining -= 1;
    }
    const repository = /^\/repos\/([^/]+)\/([^/]+)/.exec(path);
    if (repository && !isAppRoute) {
      const allowed = privateRepos.get(repoKey(repository[1]!, repository[2]!));
      if (allowed && !(headerToken && allowed.has(headerToken))) return context.notFound();
    }
    if (headerToken && readOnlyTokens.has(headerToken) && method !== "GET" && method !== "HEAD") {
      return send(403, { message: "Resource not accessible by personal access token", documentation_url: DOCS, status: "403" }, { "x-accepted-github-permissions": "issues=write; pull_requests=write" });
    }
    for (const [routeMethod, pattern, handler] of routes) {
      const match = pattern.exec(path);
      if (match && routeMethod === method) return handler(context, ...match.slice(1).map((capture) => capture ?? ""));
    }
    context.notFound();
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
    editedComments,
    addedLabels,
    addIssue: (owner, repo, number, issue) => {
      const at = issue.createdAt ?? isoSeconds(Date.UTC(2026, 0, 1) + (number - 1) * 60_000);
      issues.set(issueKey(owner, repo, number), {
        owner,
        repo,
        number,
        issue,
        labels: [...(issue.labels ?? [])],
        comments: (issue.comments ?? []).map((comment) => ({ id: nextCommentId++, author: comment.author, authorType: comment.authorType ?? "User", body: comment.body, createdAt: at, updatedAt: at })),
      });
    },
    addRepository: (owner, repo, info) => repositories.set(repoKey(owner, repo), info),
    setLabels: (owner, repo, names) =>
      labels.set(
        repoKey(owner, repo),
        names.map((label) => (typeof label === "string" ? { name: label, description: "" } : label)).map((label) => ({ id: nextLabelId++, name: label.name, description: label.description ?? "", color: "ededed" })),
      ),
    setPermission: (owner, repo, login, level) => permissions.set(`${repoKey(owner, repo)}@${login}`, level),
    setFile: (owner, repo, path, text, ref) => files.set(`${repoKey(owner, repo)}:${ref ?? ""}:${path.replace(/^\/+/, "")}`, text),
    setTokenUser: (token, login, type = "User") => tokenUsers.set(token, { login, type }),
    addAppInstallation: (installation) => {
      apps.set(String(installation.appId), installation.publicKeyPem);
      installations.set(installation.installationId, installation);
      tokenUsers.set(installation.token, { login: `${installation.slug ?? "agent-app"}[bot]`, type: "Bot" });
    },
    setRateLimit: ({ remaining, resetEpochSeconds, limit }) => (rateLimit = { limit: limit ?? Math.max(remaining, 5000), remaining, reset: resetEpochSeconds }),
    failWith: (status, headers = {}, message = "error") => (failure = { status, headers, message }),
    failNext: (status, headers = {}, message = "error", times = 1) => (nextFailures = { status, headers, message, times }),
    makeReadOnly: (token) => readOnlyTokens.add(token),
    makePrivate: (owner, repo, token) => privateRepos.set(repoKey(owner, repo), new Set([...(privateRepos.get(repoKey(owner, repo)) ?? []), token])),
    destructiveRequests: () =>
      requests.filter((request) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        if (request.method === "DELETE") return true;
        if (request.method === "PUT" && /\/lock$/.test(request.path)) return true;
        if (request.method === "PATCH" && /^\/repos\/[^/]+\/[^/]+\/(issues|pulls)\/\d+$/.test(request.path) && ("state" in body || "state_reason" in body)) return true;
        if (request.method === "POST" && request.path === "/graphql") return /\b(closeIssue|deleteIssue|transferIssue|lockLockable|closePullRequest)\b/.test(String(body["query"] ?? ""));
        return false;
      }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
