import { mkdir } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { loadConfig, type LoadConfigOptions } from "../../src/config/index.js";
import { createConfigFixture, type ConfigFixture } from "./config-fixture.js";

let fixture: ConfigFixture;

beforeEach(async () => {
  fixture = await createConfigFixture();
});

afterEach(async () => {
  await fixture.dispose();
});

function load(options: Partial<LoadConfigOptions> = {}) {
  return loadConfig({ cwd: fixture.projectDir, env: {}, homeDir: fixture.homeDir, ...options });
}

async function loadError(options: Partial<LoadConfigOptions> = {}): Promise<ConfigError> {
  const error: unknown = await load(options).then(
    () => undefined,
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("layer precedence", () => {
  it("uses the built-in defaults when nothing else sets a value", async () => {
    const loaded = await load();

    expect(loaded.config.modelRequest).toEqual({ timeoutMs: 120_000, maxRetries: 6 });
    expect(loaded.config.providers).toEqual({});
    expect(loaded.sources.get("modelRequest.timeoutMs")).toEqual({ layer: "default", detail: "built-in" });
  });

  it("lets the user file override a default", async () => {
    await fixture.write("home/.config/agent/config.json", { modelRequest: { timeoutMs: 5000 } });

    const loaded = await load();

    expect(loaded.config.modelRequest.timeoutMs).toBe(5000);
    expect(loaded.sources.get("modelRequest.timeoutMs")).toEqual({ layer: "user-file", detail: fixture.userFile });
    expect(loaded.sources.get("modelRequest.maxRetries")).toEqual({ layer: "default", detail: "built-in" });
  });

  it("lets the project file override the user file", async () => {
    await fixture.write("home/.config/agent/config.json", { project: { testCommand: "pytest {tests}" } });
    const projectFile = await fixture.write("project/agent.config.json", { project: { testCommand: "tox -- {tests}" } });

    const loaded = await load();

    expect(loaded.config.project.testCommand).toBe("tox -- {tests}");
    expect(loaded.sources.get("project.testCommand")).toEqual({ layer: "project-file", detail: projectFile });
  });

  it("lets an environment variable override the user file", async () => {
    await fixture.write("home/.config/agent/config.json", { model: "anthropic:claude-sonnet-4" });

    const loaded = await load({ env: { AGENT_MODEL: "ollama:qwen3" } });

    expect(loaded.config.model).toBe("ollama:qwen3");
    expect(loaded.sources.get("model")).toEqual({ layer: "env", detail: "AGENT_MODEL" });
  });

  it("lets a flag override the project file", async () => {
    await fixture.write("project/agent.config.json", { project: { instructions: "from the repository" } });

    const loaded = await load({ flags: { project: { instructions: "from the flag" } } });

    expect(loaded.config.project.instructions).toBe("from the flag");
    expect(loaded.sources.get("project.instructions")).toEqual({ layer: "flag", detail: "flag" });
  });

  it("lets a flag override an environment variable", async () => {
    const loaded = await load({
      env: { AGENT_MODEL: "ollama:qwen3" },
      flags: { model: "openai:gpt-4.1-mini" },
      flagNames: { model: "--model" },
    });

    expect(loaded.config.model).toBe("openai:gpt-4.1-mini");
    expect(loaded.sources.get("model")).toEqual({ layer: "flag", detail: "--model" });
  });

  it("names a flag without a known spelling just \"flag\"", async () => {
    const loaded = await load({ flags: { modelRequest: { maxRetries: 0 } } });

    expect(loaded.config.modelRequest.maxRetries).toBe(0);
    expect(loaded.sources.get("modelRequest.maxRetries")).toEqual({ layer: "flag", detail: "flag" });
  });

  it("merges records key by key across layers", async () => {
    await fixture.write("home/.config/agent/config.json", {
      prices: { "openai:gpt-4.1": { inputPerMTok: 2, outputPerMTok: 8 } },
    });

    const loaded = await load({ flags: { prices: { "openai:gpt-4.1": { cachedInputPerMTok: 0.5 } } } });

    expect(loaded.config.prices["openai:gpt-4.1"]).toEqual({ inputPerMTok: 2, outputPerMTok: 8, cachedInputPerMTok: 0.5 });
    expect(loaded.sources.get('prices["openai:gpt-4.1"].inputPerMTok')?.layer).toBe("user-file");
    expect(loaded.sources.get('prices["openai:gpt-4.1"].cachedInputPerMTok')).toEqual({ layer: "flag", detail: "flag" });
  });

  it("gives every leaf of the final configuration a source", async () => {
    await fixture.write("home/.config/agent/config.json", {
      providers: { vllm: { kind: "openai", baseUrl: "http://localhost:8000/v1" } },
      prices: { "vllm:qwen3": { inputPerMTok: 0, outputPerMTok: 0 } },
    });

    const loaded = await load({ env: { OPENAI_API_KEY: "sk-test-0123456789" } });

    expect([...loaded.sources.keys()].sort()).toEqual([
      "modelRequest.maxRetries",
      "modelRequest.timeoutMs",
      "models",
      'prices["vllm:qwen3"].inputPerMTok',
      'prices["vllm:qwen3"].outputPerMTok',
      "project",
      "providers.openai.apiKey",
      "providers.vllm.baseUrl",
      "providers.vllm.kind",
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
  });
});

describe("files", () => {
  it("finds the project file at the nearest ancestor holding .git", async () => {
    const projectFile = await fixture.write("project/agent.config.json", { project: { instructions: "monorepo" } });
    const nested = path.join(fixture.projectDir, "packages", "app", "src");
    await mkdir(nested, { recursive: true });

    const loaded = await load({ cwd: nested });

    expect(loaded.config.project.instructions).toBe("monorepo");
    expect(loaded.files.projectRoot).toBe(fixture.projectDir);
    expect(loaded.files.project).toBe(projectFile);
  });

  it("treats a .git file (a worktree) as the project root marker", async () => {
    const worktree = path.join(fixture.root, "worktree");
    await fixture.write("worktree/.git", "gitdir: /elsewhere\n");
    await fixture.write("worktree/.agent/config.json", { project: { instructions: "worktree" } });
    await mkdir(path.join(worktree, "src"), { recursive: true });

    const loaded = await load({ cwd: path.join(worktree, "src") });

    expect(loaded.files.projectRoot).toBe(worktree);
    expect(loaded.config.project.instructions).toBe("worktree");
  });

  it("uses cwd as the project root when no ancestor holds .git", async () => {
    const loose = path.join(fixture.root, "loose");
    await fixture.write("loose/.agent/config.json", { project: { instructions: "loose" } });

    const loaded = await load({ cwd: loose });

    expect(loaded.files.projectRoot).toBe(loose);
    expect(loaded.files.project).toBe(path.join(loose, ".agent", "config.json"));
  });

  it("reports a missing user file as absent rather than an error", async () => {
    const loaded = await load();

    expect(loaded.files).toEqual({ user: fixture.userFile, userExists: false, projectRoot: fixture.projectDir });
    expect(loaded.ignoredProjectSettings).toEqual([]);
  });

  it("reads the user file under XDG_CONFIG_HOME when it is set", async () => {
    const xdgFile = await fixture.write("xdg/agent/config.json", { model: "openai:gpt-4.1" });

    const loaded = await load({ env: { XDG_CONFIG_HOME: path.join(fixture.root, "xdg") } });

    expect(loaded.files.user).toBe(xdgFile);
    expect(loaded.sources.get("model")).toEqual({ layer: "user-file", detail: xdgFile });
  });

  it("reads the --config file instead of the user file", async () => {
    await fixture.write("home/.config/agent/config.json", { model: "openai:from-user-file", modelRequest: { maxRetries: 1 } });
    const explicit = await fixture.write("elsewhere/custom.json", { model: "openai:from-config-flag" });

    const loaded = await load({ configFile: explicit });

    expect(loaded.config.model).toBe("openai:from-config-flag");
    expect(loaded.config.modelRequest.maxRetries).toBe(6);
    expect(loaded.files).toMatchObject({ user: explicit, userExists: true });
  });

  it("reads the AGENT_CONFIG file instead of the user file", async () => {
    const explicit = await fixture.write("elsewhere/custom.json", { model: "openai:from-agent-config" });

    const loaded = await load({ env: { AGENT_CONFIG: explicit } });

    expect(loaded.sources.get("model")).toEqual({ layer: "user-file", detail: explicit });
  });

  it("rejects a --config file that does not exist, naming it", async () => {
    const missing = path.join(fixture.root, "nope.json");

    const error = await loadError({ configFile: missing });

    expect(error.message).toContain(missing);
    expect(error.message).toContain("--config");
  });

  it("rejects a project with both agent.config.json and .agent/config.json", async () => {
    await fixture.write("project/agent.config.json", {});
    await fixture.write("project/.agent/config.json", {});

    const error = await loadError();

    expect(error.message).toContain("agent.config.json");
    expect(error.message).toContain(path.join(".agent", "config.json"));
    expect(error.message).toContain("keep one");
  });

  it("ignores a providers section in a project file and says where to put it instead", async () => {
    const projectFile = await fixture.write("project/agent.config.json", { providers: { openai: { baseUrl: "https://evil.example" } } });

    const loaded = await load();

    expect(loaded.config.providers).toEqual({});
    expect(loaded.ignoredProjectSettings).toEqual([
      {
        key: "providers.openai.baseUrl",
        why: `a repository may not choose where your API keys and model traffic go; set it in ${fixture.userFile}, or use OPENAI_BASE_URL`,
        file: projectFile,
      },
    ]);
  });

  it.each(["network", "allowLocal"])("ignores sandbox.%s in a project file and reports it", async (key) => {
    await fixture.write("project/agent.config.json", { sandbox: { [key]: true } });

    const loaded = await load();

    expect(loaded.config.sandbox).toMatchObject({ network: false, allowLocal: false });
    expect(loaded.ignoredProjectSettings.map((entry) => entry.key)).toEqual([`sandbox.${key}`]);
  });

  it("ignores the other sandbox settings in a project file too", async () => {
    await fixture.write("project/agent.config.json", { sandbox: { recipe: "python3.9", commandTimeoutSec: 600 } });

    const loaded = await load();

    expect(loaded.config.sandbox).toMatchObject({ recipe: "python3.11", commandTimeoutSec: 300, network: false });
    expect(loaded.ignoredProjectSettings.map((entry) => entry.key)).toEqual(["sandbox.recipe", "sandbox.commandTimeoutSec"]);
  });
});

describe("file errors", () => {
  it("names the file, line and column of invalid JSON", async () => {
    await fixture.write("home/.config/agent/config.json", '{\n  "model": "openai:gpt-4.1",\n}\n');

    const error = await loadError();

    expect(error.message).toMatch(/^\S+config\.json: not valid JSON \(.*line 3 column 1\)\. Fix the file or delete it\.$/);
    expect(error.message).toContain(fixture.userFile);
  });

  it("locates an unexpected token even when the parser gives no position", async () => {
    await fixture.write("project/agent.config.json", '{\n  "model": }\n');

    const error = await loadError();

    expect(error.message).toContain("agent.config.json: not valid JSON");
    expect(error.message).toContain("line 2 column 12");
  });

  it("reports unterminated JSON nested 100,000 deep as invalid JSON, not a stack overflow (found by test/fuzz)", async () => {
    await fixture.write("project/agent.config.json", "[".repeat(100_000));

    const error = await loadError();

    expect(error.message).toContain("agent.config.json: not valid JSON");
    expect(error.message).toContain("at position 100000");
  });

  it("never quotes file content in a JSON error, so a secret cannot leak", async () => {
    await fixture.write("home/.config/agent/config.json", '{"providers": {"openai": {"apiKey": "sk-live-abcdefghijkl"x}}}');

    const error = await loadError();

    expect(error.message).toContain("not valid JSON");
    expect(error.message).not.toContain("sk-live");
  });

  it("rejects a file whose top level is not an object", async () => {
    await fixture.write("project/agent.config.json", '["openai:gpt-4.1"]');

    const error = await loadError();

    expect(error.message).toBe(
      'agent.config.json: the top level must be a JSON object such as {"model": "openai:gpt-4.1"}, got an array. Fix the file or delete it.',
    );
  });

  it("suggests the closest key for an unknown key", async () => {
    await fixture.write("project/agent.config.json", { modle: "openai:gpt-4.1" });

    const error = await loadError();

    expect(error.message).toBe(
      'agent.config.json: key "modle" is not a known setting (did you mean "model"?). See README "Configuration".',
    );
  });

  it("suggests nested keys with their full path", async () => {
    await fixture.write("home/.config/agent/config.json", { modelRequest: { timeout: 1000 } });

    const error = await loadError();

    expect(error.message).toContain('key "modelRequest.timeout" is not a known setting (did you mean "modelRequest.timeoutMs"?)');
  });

  it("names the key path and the expected type of a wrong value", async () => {
    await fixture.write("home/.config/agent/config.json", { modelRequest: { timeoutMs: -5 } });

    const error = await loadError();

    expect(error.message).toBe(`${fixture.userFile}: key "modelRequest.timeoutMs": expected a positive integer, got -5.`);
  });

  it("rejects a provider base URL that is not http(s)", async () => {
    await fixture.write("home/.config/agent/config.json", { providers: { vllm: { baseUrl: "ftp://example.com" } } });

    const error = await loadError();

    expect(error.message).toContain('key "providers.vllm.baseUrl": expected an http(s) URL');
  });

  it("rejects models.executor, saying the executor calls no model and which key chooses among candidates", async () => {
    await fixture.write("home/.config/agent/config.json", { models: { executor: "openai:gpt-4.1", critic: "openai:gpt-4.1" } });

    const error = await loadError();

    expect(error.message).toContain('key "models.executor": the executor calls no model');
    expect(error.message).toContain("set models.critic");
  });

  it("takes search.candidates from 1 to 8", async () => {
    await fixture.write("home/.config/agent/config.json", { search: { candidates: 9 } });
    expect((await loadError()).message).toContain('key "search.candidates": expected an integer from 1 to 8, got 9.');
  });

  it("rejects a provider name that is not lowercase letters, digits and dashes", async () => {
    await fixture.write("home/.config/agent/config.json", { providers: { OpenRouter: {} } });

    const error = await loadError();

    expect(error.message).toContain('key "providers.OpenRouter": expected a provider name');
  });

  it("brackets model ids in key paths", async () => {
    await fixture.write("home/.config/agent/config.json", { prices: { "openai:gpt-4.1": { inputPerMTok: "2" } } });

    const error = await loadError();

    expect(error.message).toContain('key "prices["openai:gpt-4.1"].inputPerMTok": expected a number >= 0, got "2"');
  });

  it("blames the file that introduced an entry missing a required field after merging", async () => {
    await fixture.write("home/.config/agent/config.json", { prices: { "openai:gpt-4.1": { inputPerMTok: 2 } } });

    const error = await loadError();

    expect(error.message).toBe(
      `${fixture.userFile}: key "prices["openai:gpt-4.1"].outputPerMTok" is missing: expected a number >= 0.`,
    );
  });

  it("reports a file that cannot be read", async () => {
    await mkdir(fixture.userFile, { recursive: true });

    const error = await loadError();

    expect(error.message).toMatch(/: cannot be read \(.+\)\. Check its permissions\.$/);
    expect(error.message).toContain(fixture.userFile);
  });
});

describe("environment variables", () => {
  it("normalises an OLLAMA_HOST without scheme or port", async () => {
    const loaded = await load({ env: { OLLAMA_HOST: "0.0.0.0" } });

    expect(loaded.config.providers["ollama"]?.baseUrl).toBe("http://0.0.0.0:11434");
    expect(loaded.sources.get("providers.ollama.baseUrl")).toEqual({ layer: "env", detail: "OLLAMA_HOST" });
  });

  it("maps the provider key and base URL variables onto providers", async () => {
    const loaded = await load({
      env: {
        OPENAI_API_KEY: "sk-openai",
        OPENAI_BASE_URL: "https://proxy.example/v1",
        ANTHROPIC_API_KEY: "sk-ant",
        ANTHROPIC_BASE_URL: "https://anthropic.example",
      },
    });

    expect(loaded.config.providers).toEqual({
      openai: { apiKey: "sk-openai", baseUrl: "https://proxy.example/v1" },
      anthropic: { apiKey: "sk-ant", baseUrl: "https://anthropic.example" },
    });
    expect(loaded.sources.get("providers.anthropic.apiKey")).toEqual({ layer: "env", detail: "ANTHROPIC_API_KEY" });
  });

  it("ignores empty environment variables", async () => {
    await fixture.write("home/.config/agent/config.json", { model: "openai:gpt-4.1" });

    const loaded = await load({ env: { AGENT_MODEL: "", OPENAI_API_KEY: "", AGENT_MODEL_TIMEOUT_MS: "" } });

    expect(loaded.config.model).toBe("openai:gpt-4.1");
    expect(loaded.config.providers).toEqual({});
  });

  it("parses the integer variables", async () => {
    const loaded = await load({ env: { AGENT_MODEL_TIMEOUT_MS: "30000", AGENT_MODEL_MAX_RETRIES: "2" } });

    expect(loaded.config.modelRequest).toEqual({ timeoutMs: 30_000, maxRetries: 2 });
    expect(loaded.sources.get("modelRequest.maxRetries")).toEqual({ layer: "env", detail: "AGENT_MODEL_MAX_RETRIES" });
  });

  it("names the variable when AGENT_MODEL_TIMEOUT_MS is not a number", async () => {
    const error = await loadError({ env: { AGENT_MODEL_TIMEOUT_MS: "2m" } });

    expect(error.message).toBe(
      'AGENT_MODEL_TIMEOUT_MS: key "modelRequest.timeoutMs": expected a whole number, got "2m". Fix or unset AGENT_MODEL_TIMEOUT_MS.',
    );
  });

  it("names the variable when AGENT_MODEL_MAX_RETRIES is out of range", async () => {
    const error = await loadError({ env: { AGENT_MODEL_MAX_RETRIES: "50" } });

    expect(error.message).toContain('AGENT_MODEL_MAX_RETRIES: key "modelRequest.maxRetries": expected an integer from 0 to 20, got 50.');
  });

  it("reads a provider key from the variable named by apiKeyEnv", async () => {
    await fixture.write("home/.config/agent/config.json", {
      providers: { openrouter: { kind: "openai", baseUrl: "https://openrouter.ai/api/v1", apiKeyEnv: "OPENROUTER_API_KEY" } },
    });

    const loaded = await load({ env: { OPENROUTER_API_KEY: "sk-or-123" } });

    expect(loaded.config.providers["openrouter"]?.apiKey).toBe("sk-or-123");
    expect(loaded.sources.get("providers.openrouter.apiKey")).toEqual({ layer: "env", detail: "OPENROUTER_API_KEY" });
  });

  it("prefers an apiKey set in the same layer as apiKeyEnv", async () => {
    await fixture.write("home/.config/agent/config.json", {
      providers: { openrouter: { apiKey: "sk-in-file", apiKeyEnv: "OPENROUTER_API_KEY" } },
    });

    const loaded = await load({ env: { OPENROUTER_API_KEY: "sk-from-env" } });

    expect(loaded.config.providers["openrouter"]?.apiKey).toBe("sk-in-file");
    expect(loaded.sources.get("providers.openrouter.apiKey")?.layer).toBe("user-file");
  });

  it("prefers apiKeyEnv over an apiKey from a lower layer", async () => {
    await fixture.write("home/.config/agent/config.json", { providers: { openai: { apiKey: "sk-in-file" } } });

    const loaded = await load({
      env: { TEAM_OPENAI_KEY: "sk-team" },
      flags: { providers: { openai: { apiKeyEnv: "TEAM_OPENAI_KEY" } } },
    });

    expect(loaded.config.providers["openai"]?.apiKey).toBe("sk-team");
    expect(loaded.sources.get("providers.openai.apiKey")).toEqual({ layer: "env", detail: "TEAM_OPENAI_KEY" });
  });

  it("names the variable and key path of an invalid base URL", async () => {
    const error = await loadError({ env: { OPENAI_BASE_URL: "localhost:8080" } });

    expect(error.message).toMatch(/^OPENAI_BASE_URL: key "providers\.openai\.baseUrl": expected an http\(s\) URL/);
  });
});

describe("flags", () => {
  it("names the flag spelling when a flag value is invalid", async () => {
    const error = await loadError({ flags: { model: "" }, flagNames: { model: "--model" } });

    expect(error.message).toMatch(/^--model: key "model": expected a non-empty string/);
  });

  it("ignores flags left undefined", async () => {
    await fixture.write("home/.config/agent/config.json", { model: "openai:gpt-4.1" });

    const loaded = await load({ flags: { model: undefined } });

    expect(loaded.config.model).toBe("openai:gpt-4.1");
  });
});

describe("isolation", () => {
  it("does not read process.env", async () => {
    process.env["AGENT_MODEL"] = "openai:from-process-env";
    try {
      const loaded = await load();

      expect(loaded.config.model).toBeUndefined();
    } finally {
      delete process.env["AGENT_MODEL"];
    }
  });
});
