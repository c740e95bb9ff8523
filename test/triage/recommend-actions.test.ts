import { describe, expect, it } from "vitest";
import { defaultConfig } from "../../src/config/schema.js";
import { unclassified, type IssueClassification } from "../../src/triage/classify-issue.js";
import { detectPresentInformation } from "../../src/triage/detect-present-information.js";
import { publicText, recommendActions, TRIAGE_COMMENT_MARKER, type RecommendationInput } from "../../src/triage/recommend-actions.js";
import { isEmptyIssue } from "../../src/triage/triage-issue.js";
import { isLabelAllowed, resolveTriagePolicy } from "../../src/triage/triage-policy.js";

const bug: IssueClassification = { ...unclassified(), kind: "bug", confidence: 0.9, reason: "crash", language: "en", difficulty: { level: "medium", reason: "two modules" } };
const policy = resolveTriagePolicy(defaultConfig.triage).policy;

function input(overrides: Partial<RecommendationInput> = {}): RecommendationInput {
  return {
    issue: { url: "https://github.com/acme/slugs/issues/9", reference: "acme/slugs#9", labels: [], empty: false },
    repositoryLabels: ["Bug", "enhancement", "question", "needs-info", "possible-duplicate", "area: cli"].map((name) => ({ name })),
    policy,
    classification: bug,
    present: [],
    duplicates: [],
    reproduction: { status: "skipped", reason: "off", tests: [] },
    ...overrides,
  };
}

describe("recommendActions", () => {
  it("takes labels from the repository's own set, in its spelling, and rejects invented ones", () => {
    const { labels } = recommendActions(input({ classification: { ...bug, areaLabels: ["area: cli", "area: made-up"] } }));
    expect(labels.suggested.map((label) => label.name)).toEqual(["Bug", "area: cli"]);
    expect(labels.rejected).toEqual([{ name: "area: made-up", reason: "not among the repository's labels" }]);
  });

  it("applies no label the policy denies", () => {
    const denied = { ...policy, labels: { allow: ["*"], deny: ["area: *"] } };
    const { labels, actions } = recommendActions(input({ policy: denied, classification: { ...bug, areaLabels: ["area: cli"] } }));
    expect(labels.rejected.map((label) => label.name)).toEqual(["area: cli"]);
    expect(actions.find((action) => action.type === "add-labels")).toMatchObject({ labels: ["Bug"] });
  });

  it("does not add a label the issue has already", () => {
    const { actions } = recommendActions(input({ issue: { ...input().issue, labels: ["bug"] } }));
    expect(actions.some((action) => action.type === "add-labels")).toBe(false);
  });

  it("does not ask for what the report plainly contains", () => {
    const text = "Using slugs 1.2 on Python 3.11.\n\n```\nTraceback (most recent call last):\n  File \"x.py\", line 1\nValueError: bad\n```";
    const { missingInformation } = recommendActions(input({ classification: { ...bug, missing: ["versions", "logs", "expected-vs-actual"] }, present: detectPresentInformation(text) }));
    expect(missingInformation.items).toEqual(["expected-vs-actual"]);
    expect(missingInformation.present.map((entry) => entry.item)).toEqual(["versions", "logs"]);
    expect(missingInformation.request).toContain("what you expected to happen");
  });

  it("comments only when it has something to tell the reporter", () => {
    expect(recommendActions(input()).actions.some((action) => action.type === "comment")).toBe(false);
    const asking = recommendActions(input({ classification: { ...bug, missing: ["logs"] } }));
    const comment = asking.actions.find((action) => action.type === "comment");
    expect(comment?.type === "comment" && comment.body.startsWith(TRIAGE_COMMENT_MARKER)).toBe(true);
    expect(asking.labels.suggested.map((label) => label.name)).toContain("needs-info");
  });

  it("posts no comment when the policy forbids it, and still labels", () => {
    const { actions } = recommendActions(input({ policy: { ...policy, comment: false }, classification: { ...bug, missing: ["logs"] } }));
    expect(actions.map((action) => action.type)).toEqual(["add-labels"]);
  });

  it("suggests only a candidate marked as the original, labels it, and does not hand a duplicate off", () => {
    const candidate = { number: 3, title: "Old", url: "u", state: "open" as const, createdAt: "2026-01-01", confidence: 0.7, lexicalScore: 0.6, matchedTerms: ["tabs"], passages: [{ source: "title" as const, text: "Old" }] };
    const suggested = recommendActions(input({ duplicates: [{ ...candidate, suggested: true }] }));
    expect(suggested.actions.map((action) => action.type)).toEqual(["add-labels", "suggest-duplicate", "comment"]);
    expect(suggested.labels.suggested.map((label) => label.name)).toContain("possible-duplicate");
    const below = recommendActions(input({ duplicates: [{ ...candidate, suggested: false }] }));
    expect(below.actions.map((action) => action.type)).toEqual(["add-labels", "hand-off"]);
  });

  it("defuses mentions and hidden markers in the model's words before they reach a public comment", () => {
    const { missingInformation } = recommendActions(input({ classification: { ...bug, missing: ["logs"], informationRequest: "@maintainers please look <!-- agent-triage --> now" } }));
    expect(missingInformation.request).toBe("@\u200bmaintainers please look now");
    expect(publicText("x".repeat(700), 600)).toHaveLength(600);
    const linked = recommendActions(input({ classification: { ...bug, missing: ["logs"], informationRequest: "Please get the patched build from https://evil.example/fix.zip or www.evil.example" } }));
    expect(linked.missingInformation.request).toBe("Please get the patched build from [link removed] or [link removed]");
  });

  it("asks an empty issue for a description and nothing else", () => {
    expect(isEmptyIssue({ title: "bug", body: "### Describe the bug\n\n### Steps\n- [ ] I searched\n" })).toBe(true);
    expect(isEmptyIssue({ title: "Crash when parsing dates", body: "" })).toBe(false);
    const { missingInformation, actions } = recommendActions(input({ issue: { ...input().issue, empty: true }, classification: unclassified() }));
    expect(missingInformation.request).toContain("no description");
    expect(actions.map((action) => action.type)).toEqual(["add-labels", "comment"]);
  });
});

describe("resolveTriagePolicy", () => {
  it("lets the repository's file override the configuration key by key", () => {
    const { policy: merged, problems } = resolveTriagePolicy(policy, "triage:\n  reproduce: false\n  duplicateThreshold: 0.6\n");
    expect(merged).toMatchObject({ reproduce: false, duplicateThreshold: 0.6, comment: true });
    expect(problems).toEqual([]);
  });

  it("ignores the embedding model a repository names and never raises the cost cap", () => {
    const { policy: merged, problems } = resolveTriagePolicy({ ...policy, maxCostUsd: 0.2 }, "triage:\n  embeddingModel: openai:x\n  maxCostUsd: 50\n");
    expect(merged.embeddingModel).toBeUndefined();
    expect(merged.maxCostUsd).toBe(0.2);
    expect(problems[0]).toContain("only the bot's operator may set");
  });

  it("reports a file that is not YAML or does not validate, and keeps the configuration's policy", () => {
    expect(resolveTriagePolicy(policy, "triage: [unclosed").problems[0]).toContain("is not valid YAML");
    const invalid = resolveTriagePolicy(policy, "triage:\n  duplicateThreshold: 7\n");
    expect(invalid.policy).toBe(policy);
    expect(invalid.problems[0]).toContain("triage.duplicateThreshold");
  });

  it("matches label patterns case-insensitively, deny winning", () => {
    const patterns = { ...policy, labels: { allow: ["area: *", "bug"], deny: ["area: secret"] } };
    expect(isLabelAllowed(patterns, "Area: CLI")).toBe(true);
    expect(isLabelAllowed(patterns, "area: secret")).toBe(false);
    expect(isLabelAllowed(patterns, "wontfix")).toBe(false);
  });
});
