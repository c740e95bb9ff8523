import { describe, expect, it } from "vitest";
import { routeDelivery } from "../../src/serve/route-delivery.js";

const repository = { name: "widgets", owner: { login: "acme" } };
const person = { login: "ada", type: "User" };

function issuesPayload(action: string, extra: Record<string, unknown> = {}) {
  return { action, repository, issue: { number: 7, title: "Crash" }, sender: person, installation: { id: 42 }, ...extra };
}

function commentPayload(body: string, extra: Record<string, unknown> = {}) {
  return {
    action: "created",
    repository,
    issue: { number: 7 },
    comment: { id: 900, body, user: person },
    sender: person,
    installation: { id: 42 },
    ...extra,
  };
}

describe("routeDelivery", () => {
  it("turns an opened issue into a triage job with the installation and the sender", () => {
    expect(routeDelivery("issues", issuesPayload("opened"))).toEqual({
      kind: "job",
      job: { type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 7, installationId: 42, sender: "ada" },
    });
  });

  it("turns an edited issue into a triage job, and leaves the installation out when the payload has none", () => {
    const routed = routeDelivery("issues", issuesPayload("edited", { installation: undefined }));
    expect(routed).toEqual({ kind: "job", job: { type: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 7, sender: "ada" } });
  });

  it("ignores other issue actions with a reason", () => {
    expect(routeDelivery("issues", issuesPayload("closed"))).toEqual({ kind: "ignored", reason: "issues.closed needs no triage" });
  });

  it("ignores the edit of a closed issue", () => {
    const payload = issuesPayload("edited") as { issue: Record<string, unknown> };
    expect(routeDelivery("issues", { ...payload, issue: { ...payload.issue, state: "closed" } })).toMatchObject({ kind: "ignored", reason: expect.stringContaining("closed issue") });
    expect(routeDelivery("issues", { ...payload, issue: { ...payload.issue, state: "open" } }).kind).toBe("job");
  });

  it("ignores an issue edited by a bot, so the bot's own edits do not loop", () => {
    expect(routeDelivery("issues", issuesPayload("edited", { sender: { login: "agent[bot]", type: "Bot" } })).kind).toBe("ignored");
  });

  it("calls an issues payload without a repository or an issue number malformed, naming what is missing", () => {
    const noRepository = routeDelivery("issues", { ...issuesPayload("opened"), repository: undefined });
    expect(noRepository).toEqual({ kind: "malformed", reason: expect.stringContaining("repository") });
    const noNumber = routeDelivery("issues", { ...issuesPayload("opened"), issue: { title: "x" } });
    expect(noNumber).toEqual({ kind: "malformed", reason: expect.stringContaining("issue.number") });
  });

  it("calls a payload that is not an object malformed", () => {
    expect(routeDelivery("issues", null).kind).toBe("malformed");
    expect(routeDelivery("issue_comment", "text").kind).toBe("malformed");
  });

  it("turns /agent triage and /agent solve comments into command jobs, whatever their case and what follows", () => {
    expect(routeDelivery("issue_comment", commentPayload("/agent triage"))).toEqual({
      kind: "job",
      job: { type: "command", command: "triage", repository: { owner: "acme", repo: "widgets" }, issueNumber: 7, installationId: 42, sender: "ada", commentId: 900 },
    });
    const solve = routeDelivery("issue_comment", commentPayload("\n\n  /Agent SOLVE please\nthanks"));
    expect(solve).toMatchObject({ kind: "job", job: { command: "solve" } });
    expect(routeDelivery("issue_comment", commentPayload("/agent\tsolve")).kind).toBe("job");
  });

  it("ignores comments whose first non-empty line is not a command", () => {
    for (const body of ["/agent triaged", "/agent", "please /agent triage", "thanks\n/agent triage", "/agentsolve", ""]) {
      expect(routeDelivery("issue_comment", commentPayload(body)), body).toMatchObject({ kind: "ignored" });
    }
  });

  it("ignores commands written by bots, by the sender's type or the comment author's", () => {
    expect(routeDelivery("issue_comment", commentPayload("/agent solve", { sender: { login: "agent[bot]", type: "Bot" } })).kind).toBe("ignored");
    const byBot = commentPayload("/agent solve");
    byBot.comment.user = { login: "other[bot]", type: "Bot" };
    expect(routeDelivery("issue_comment", byBot)).toEqual({ kind: "ignored", reason: expect.stringContaining("other[bot]") });
  });

  it("ignores a command on a pull request, saying so", () => {
    const onPull = commentPayload("/agent solve", { issue: { number: 7, pull_request: { url: "https://api.github.com/repos/acme/widgets/pulls/7" } } });
    expect(routeDelivery("issue_comment", onPull)).toEqual({ kind: "ignored", reason: expect.stringContaining("pull request #7") });
  });

  it("ignores edited and deleted comments", () => {
    expect(routeDelivery("issue_comment", { ...commentPayload("/agent solve"), action: "edited" }).kind).toBe("ignored");
  });

  it("calls a created comment without its id malformed", () => {
    const payload = commentPayload("/agent solve");
    const withoutId = { ...payload, comment: { body: "/agent solve", user: person } };
    expect(routeDelivery("issue_comment", withoutId)).toEqual({ kind: "malformed", reason: expect.stringContaining("comment.id") });
  });

  it("answers a ping with pong and ignores every other event", () => {
    expect(routeDelivery("ping", { zen: "Keep it logically awesome." })).toEqual({ kind: "pong" });
    expect(routeDelivery("push", { ref: "refs/heads/main" })).toEqual({ kind: "ignored", reason: 'the bot does not handle "push" events' });
  });
});
