import { describe, expect, it } from "vitest";
import { redactTokenPatterns } from "../../src/memory/secret-patterns.js";

describe("redactTokenPatterns", () => {
  it.each([
    ["an OpenAI key", "sk-proj-AbCdEfGhIjKlMnOpQrSt1234"],
    ["an Anthropic key", "sk-ant-api03-AbCdEfGhIjKlMnOpQrSt_1234"],
    ["a GitHub token", "ghp_AbCdEfGhIjKlMnOpQrSt1234567890"],
    ["a fine-grained GitHub token", "github_pat_11ABCDEFG0123456789_abcdefghijkl"],
    ["a Slack token", "xoxb-1234567890-abcdefghij"],
    ["an AWS access key id", "AKIAIOSFODNN7EXAMPLE"],
  ])("redacts %s", (_name, token) => {
    expect(redactTokenPatterns(`key=${token} end`)).toBe("key=[redacted] end");
  });

  it("redacts a bearer token and keeps the scheme", () => {
    expect(redactTokenPatterns("Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig")).toBe("Authorization: Bearer [redacted]");
  });

  it("leaves ordinary words that contain sk- alone", () => {
    const text = "a risk-assessment-framework-document and a Bearer token";
    expect(redactTokenPatterns(text)).toBe(text);
  });
});
