import { describe, expect, it } from "vitest";
import { normalizeOllamaHost } from "../../src/config/index.js";

describe("normalizeOllamaHost", () => {
  it("adds the scheme and the default port to a bare host", () => {
    expect(normalizeOllamaHost("0.0.0.0")).toBe("http://0.0.0.0:11434");
  });

  it("adds the scheme to a host and port", () => {
    expect(normalizeOllamaHost("127.0.0.1:11500")).toBe("http://127.0.0.1:11500");
  });

  it("uses 127.0.0.1 when only a port is given", () => {
    expect(normalizeOllamaHost(":11434")).toBe("http://127.0.0.1:11434");
  });

  it("brackets a bare IPv6 address", () => {
    expect(normalizeOllamaHost("::1")).toBe("http://[::1]:11434");
  });

  it("keeps a bracketed IPv6 address with its port", () => {
    expect(normalizeOllamaHost("[::1]:8080")).toBe("http://[::1]:8080");
  });

  it("keeps a path after the host", () => {
    expect(normalizeOllamaHost("example.com:443/ollama/")).toBe("http://example.com:443/ollama");
  });

  it("keeps a value that already has a scheme, without a trailing slash", () => {
    expect(normalizeOllamaHost("https://ollama.example.com/")).toBe("https://ollama.example.com");
  });
});
