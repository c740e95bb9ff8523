import { describe, expect, it } from "vitest";
import { formatConfigPath } from "../../src/config/index.js";

describe("formatConfigPath", () => {
  it("joins plain segments with dots", () => {
    expect(formatConfigPath(["providers", "my-vllm", "baseUrl"])).toBe("providers.my-vllm.baseUrl");
  });

  it("brackets and quotes a segment holding a dot or a colon", () => {
    expect(formatConfigPath(["prices", "openai:gpt-4.1", "inputPerMTok"])).toBe('prices["openai:gpt-4.1"].inputPerMTok');
  });

  it("escapes quotes inside a bracketed segment", () => {
    expect(formatConfigPath(["prices", 'a"b'])).toBe('prices["a\\"b"]');
  });
});
