import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { parseModelSpec } from "../../src/models/model-spec.js";

describe("parseModelSpec", () => {
  it("splits provider and model at the first colon", () => {
    expect(parseModelSpec("ollama:qwen2.5-coder:7b")).toEqual({ provider: "ollama", model: "qwen2.5-coder:7b" });
  });

  it.each(["gpt-4.1", ":gpt-4.1", "openai:", "Open AI:gpt"])("rejects the malformed string %j", (text) => {
    expect(() => parseModelSpec(text, "--model")).toThrow(ConfigError);
  });

  it("names where the string came from and gives examples", () => {
    expect(() => parseModelSpec("gpt-4.1", "env AGENT_MODEL")).toThrow(
      /Malformed model "gpt-4.1" in env AGENT_MODEL: expected provider:model, for example openai:gpt-4.1/,
    );
  });
});
