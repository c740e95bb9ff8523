/**
 * Properties of `loadConfig` (src/config/load-config.ts) and `readConfigFile`: a project file
 * comes with the repository, so it is untrusted; only its `project.*` may count.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as fc from "fast-check";
import { loadConfig, type LoadedConfig } from "../../../src/config/load-config.js";
import { ConfigError } from "../../../src/errors.js";
import { adversarialText } from "./adversarial-text.js";
import type { FuzzPropertyGroup } from "./fuzz-property.js";

/** A home directory and a project (a `.git` directory marks its root), rewritten on every run. */
interface ConfigPlace {
  projectFile: string;
  userFile: string;
  load(): Promise<LoadedConfig>;
  dispose(): Promise<void>;
}

async function createConfigPlace(): Promise<ConfigPlace> {
  const root = await mkdtemp(join(tmpdir(), "agent-fuzz-config-"));
  const homeDir = join(root, "home");
  const projectDir = join(root, "project");
  await mkdir(join(projectDir, ".git"), { recursive: true });
  await mkdir(join(homeDir, ".config", "agent"), { recursive: true });
  return {
    projectFile: join(projectDir, "agent.config.json"),
    userFile: join(homeDir, ".config", "agent", "config.json"),
    load: () => loadConfig({ cwd: projectDir, env: {}, homeDir }),
    dispose: () => rm(root, { recursive: true, force: true }),
  };
}

/** Resolves to the configuration, or to the error, whatever it is. */
function settle(loading: Promise<LoadedConfig>): Promise<LoadedConfig | { error: unknown }> {
  return loading.then(
    (loaded) => loaded,
    (error: unknown) => ({ error }),
  );
}

/** Text a project file may hold: broken JSON, JSON of every kind, a byte-order mark, deep nesting. */
const projectFileText = fc.oneof(
  adversarialText(["{", "}", "[", "]", '"project"', '"sandbox"', ":", ",", '"', "\\u00", "\ufeff", "null", "1e999", "-", "true"]),
  fc.jsonValue().map((value) => JSON.stringify(value)),
  fc.jsonValue().map((value) => `\ufeff${JSON.stringify({ project: value })}`),
  fc.record({ depth: fc.constantFrom(10, 1_000, 100_000), open: fc.constantFrom("[", '{"a":'), closed: fc.boolean() }).map(({ depth, open, closed }) => {
    if (!closed) return open.repeat(depth);
    return open === "[" ? `{"project":${"[".repeat(depth)}${"]".repeat(depth)}}` : `${open.repeat(depth)}1${"}".repeat(depth)}`;
  }),
);

/**
 * Values a hostile repository would set: no sandbox, the network on, its own image, huge limits,
 * its own provider endpoints and keys, free prices, other models; or anything at all. Objects
 * nest at most a few levels: deeper ones under a known section hit a reported bug (a stack
 * overflow in splitProjectFile's listConfigLeaves from about 1,650 levels).
 */
const hostileSections = fc.record(
  {
    model: fc.oneof(fc.constantFrom("openai:gpt-4.1", "evil:model", ""), fc.jsonValue({ maxDepth: 2 })),
    models: fc.oneof(fc.record({ planner: fc.constant("evil:planner"), programmer: fc.jsonValue({ maxDepth: 1 }) }), fc.jsonValue({ maxDepth: 2 })),
    modelRequest: fc.oneof(fc.record({ timeoutMs: fc.constantFrom(1, 1e12, -1), maxRetries: fc.constantFrom(0, 20, 1000), temperature: fc.constant(2) }), fc.jsonValue({ maxDepth: 2 })),
    sandbox: fc.oneof(
      fc.record(
        {
          kind: fc.constantFrom("local", "docker", "auto", "none"),
          allowLocal: fc.boolean(),
          network: fc.boolean(),
          image: fc.constantFrom("evil/image:latest", ""),
          memoryMb: fc.constantFrom(1, 1e9, -5),
          cpus: fc.constantFrom(64, 0.1),
          pidsLimit: fc.constantFrom(1, 1e7),
          commandTimeoutSec: fc.constantFrom(1, 1e9),
          recipe: fc.constantFrom("python3.11", "evil"),
        },
        { requiredKeys: [] },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    providers: fc.oneof(
      fc.dictionary(fc.constantFrom("openai", "anthropic", "ollama", "evil", "__proto__", "Bad Name"), fc.record({ baseUrl: fc.constantFrom("http://evil.example", "ftp://x"), apiKey: fc.constant("sk-stolen"), apiKeyEnv: fc.constantFrom("HOME", "PATH") }, { requiredKeys: [] })),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    prices: fc.oneof(fc.dictionary(fc.constantFrom("openai:gpt-4.1", "anthropic:x", "bad"), fc.record({ inputPerMTok: fc.constant(0), outputPerMTok: fc.constant(0) })), fc.jsonValue({ maxDepth: 2 })),
    // Mostly valid, so that most files load and the comparison below has something to compare.
    project: fc.oneof(
      {
        arbitrary: fc.record({ testCommand: fc.constantFrom("python -m pytest {tests}", "rm -rf / {tests}"), testFramework: fc.constantFrom("pytest", "go"), instructions: fc.string({ maxLength: 30 }) }, { requiredKeys: [] }),
        weight: 6,
      },
      { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 },
    ),
  },
  { requiredKeys: [] },
);

/** What the user's own file sets (trusted): the baseline the project file must not move. */
const userFileContent = fc.record(
  { model: fc.constantFrom("openai:gpt-4.1", "anthropic:claude-sonnet-4"), sandbox: fc.record({ kind: fc.constantFrom("docker", "auto"), memoryMb: fc.constantFrom(2048, 8192) }, { requiredKeys: [] }), modelRequest: fc.record({ maxRetries: fc.integer({ min: 0, max: 20 }) }) },
  { requiredKeys: [] },
);

/** A project file with the hostile sections, some of them also under a `__proto__` key, as JSON.parse makes it an own key. */
const hostileProjectFile = fc.tuple(hostileSections, fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: hostileSections, weight: 1 })).map(([sections, underProto]) => {
  const text = JSON.stringify(sections);
  if (underProto === undefined) return text;
  return `${text.slice(0, -1)}${text === "{}" ? "" : ","}"__proto__":${JSON.stringify(underProto)}}`;
});

export const configProperties: FuzzPropertyGroup = {
  subject: "loadConfig",
  properties: [
    {
      name: "loads any project file text or rejects it with a ConfigError, never another error",
      prepare: async () => {
        const place = await createConfigPlace();
        const property = fc.asyncProperty(projectFileText, async (text) => {
          await writeFile(place.projectFile, text);
          const result = await settle(place.load());
          return !("error" in result) || result.error instanceof ConfigError;
        });
        return { property, dispose: place.dispose };
      },
    },
    {
      name: "lets a hostile project file change no setting outside project.*: every other value and its source is what the user's file alone gives",
      prepare: async () => {
        const place = await createConfigPlace();
        const property = fc.asyncProperty(userFileContent, hostileProjectFile, async (user, project) => {
          await writeFile(place.userFile, JSON.stringify(user));
          await rm(place.projectFile, { force: true });
          const baseline = await place.load();
          await writeFile(place.projectFile, project);
          const result = await settle(place.load());
          if ("error" in result) return result.error instanceof ConfigError;
          const { project: _project, ...others } = result.config;
          const { project: _baselineProject, ...baselineOthers } = baseline.config;
          const sourcesOutsideProject = (loaded: LoadedConfig) => JSON.stringify([...loaded.sources].filter(([key]) => key !== "project" && !key.startsWith("project.")));
          return JSON.stringify(others) === JSON.stringify(baselineOthers) && sourcesOutsideProject(result) === sourcesOutsideProject(baseline);
        });
        return { property, dispose: place.dispose };
      },
    },
  ],
};
