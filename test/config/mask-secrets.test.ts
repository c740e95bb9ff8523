import { describe, expect, it } from "vitest";
import { isSecretPath, maskSecret, maskUrlCredentials } from "../../src/config/index.js";

describe("maskSecret", () => {
  it("keeps only the last four characters of a secret of 12 or more characters", () => {
    expect(maskSecret("sk-abcdefgh1234")).toBe("****1234");
  });

  it("hides a secret shorter than 12 characters completely", () => {
    expect(maskSecret("sk-abc1234")).toBe("****");
  });
});

describe("isSecretPath", () => {
  it("treats apiKey and names ending in token, secret, password or api key as secret", () => {
    for (const last of ["apiKey", "authToken", "clientSecret", "PASSWORD", "api_key", "x-api-key"]) {
      expect(isSecretPath(["providers", "openai", last])).toBe(true);
    }
  });

  it("does not treat apiKeyEnv, which only names a variable, as secret", () => {
    expect(isSecretPath(["providers", "openai", "apiKeyEnv"])).toBe(false);
  });

  it("does not treat an empty path as secret", () => {
    expect(isSecretPath([])).toBe(false);
  });
});

describe("maskUrlCredentials", () => {
  it("hides the password of a URL with credentials", () => {
    expect(maskUrlCredentials("https://bob:hunter2secret@proxy.example/v1")).toBe("https://bob:****@proxy.example/v1");
  });

  it("hides a bare token in the user part", () => {
    expect(maskUrlCredentials("https://tok_abcdef123456@host/")).toBe("https://****@host/");
  });

  it("leaves a URL without credentials alone", () => {
    expect(maskUrlCredentials("http://127.0.0.1:11434")).toBe("http://127.0.0.1:11434");
  });
});
