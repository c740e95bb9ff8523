import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { describeConfig, loadConfig, toMaskedJson, type LoadedConfig } from "../../src/config/index.js";
import { createConfigFixture, type ConfigFixture } from "./config-fixture.js";

const openaiKey = "sk-proj-abcdefghijklmnopqrstuvwxyz1234";
const shortKey = "sk-short";
const indirectKey = "or-key-0123456789abcdef";

let fixture: ConfigFixture;
let loaded: LoadedConfig;

beforeEach(async () => {
  fixture = await createConfigFixture();
  await fixture.write("home/.config/agent/config.json", {
    model: "openai:gpt-4.1",
    providers: {
      anthropic: { apiKey: shortKey },
      openrouter: { kind: "openai", baseUrl: "https://openrouter.ai/api/v1", apiKeyEnv: "OPENROUTER_API_KEY" },
    },
    prices: { "openai:gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 } },
  });
  loaded = await loadConfig({
    cwd: fixture.projectDir,
    env: { OPENAI_API_KEY: openaiKey, OPENROUTER_API_KEY: indirectKey },
    homeDir: fixture.homeDir,
  });
});

afterEach(async () => {
  await fixture.dispose();
});

describe("describeConfig", () => {
  it("lists every leaf sorted by path with its source", () => {
    const rows = describeConfig(loaded);

    expect(rows.map((row) => row.path)).toEqual([
      "model",
      "modelRequest.maxRetries",
      "modelRequest.timeoutMs",
      "models",
      'prices["openai:gpt-4.1"].inputPerMTok',
      'prices["openai:gpt-4.1"].outputPerMTok',
      "project",
      "providers.anthropic.apiKey",
      "providers.openai.apiKey",
      "providers.openrouter.apiKey",
      "providers.openrouter.apiKeyEnv",
      "providers.openrouter.baseUrl",
      "providers.openrouter.kind",
      "sandbox.allowLocal",
      "sandbox.commandTimeoutSec",
      "sandbox.cpus",
      "sandbox.diskMb",
      "sandbox.kind",
      "sandbox.memoryMb",
      "sandbox.network",
      "sandbox.pidsLimit",
      "sandbox.recipe",
      "search.candidateModels",
      "search.candidates",
      "search.localisation",
      "search.parallelRoles",
      "search.spectrum",
      "triage.commands.allowedUsers",
      "triage.commands.minimumPermission",
      "triage.comment",
      "triage.concurrency",
      "triage.labels.allow",
      "triage.labels.deny",
      "triage.maxCostUsd",
      "triage.recentlyClosedDays",
      "triage.reproduce",
      "tui.approval",
      "tui.autoAcceptPlan",
    ]);
    expect(rows[0]).toEqual({ path: "model", value: '"openai:gpt-4.1"', source: { layer: "user-file", detail: fixture.userFile } });
  });

  it("shows a long secret as its last four characters only", () => {
    const row = describeConfig(loaded).find((candidate) => candidate.path === "providers.openai.apiKey");

    expect(row).toEqual({ path: "providers.openai.apiKey", value: '"****1234"', source: { layer: "env", detail: "OPENAI_API_KEY" } });
  });

  it("masks a short secret completely", () => {
    const row = describeConfig(loaded).find((candidate) => candidate.path === "providers.anthropic.apiKey");

    expect(row?.value).toBe('"****"');
  });

  it("never contains a secret", () => {
    const text = JSON.stringify(describeConfig(loaded));

    expect(text).not.toContain(openaiKey);
    expect(text).not.toContain(shortKey);
    expect(text).not.toContain(indirectKey);
  });
});

describe("toMaskedJson", () => {
  it("never contains a secret", () => {
    const text = JSON.stringify(toMaskedJson(loaded));

    expect(text).not.toContain(openaiKey);
    expect(text).not.toContain(shortKey);
    expect(text).not.toContain(indirectKey);
  });

  it("keeps every other value as loaded", () => {
    const masked = toMaskedJson(loaded);

    expect(masked.providers["openrouter"]).toEqual({
      kind: "openai",
      baseUrl: "https://openrouter.ai/api/v1",
      apiKeyEnv: "OPENROUTER_API_KEY",
      apiKey: "****cdef",
    });
    expect(masked.prices).toEqual(loaded.config.prices);
  });

  it("leaves the loaded configuration unmasked", () => {
    toMaskedJson(loaded);

    expect(loaded.config.providers["openai"]?.apiKey).toBe(openaiKey);
  });
});
