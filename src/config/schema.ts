/**
 * The shape of the agent's configuration. Each error message here is the human description of
 * what a setting accepts; load-config.ts puts it after the file and key path.
 */
import { availableParallelism, freemem } from "node:os";
import { z } from "zod";

/** Provider names (keys of `providers`): lowercase, digits and "-", starting with a letter. */
export const providerNamePattern = /^[a-z][a-z0-9-]*$/;

/** Price keys: "provider:model", where the provider part follows `providerNamePattern`. */
export const priceKeyPattern = /^[a-z][a-z0-9-]*:.+$/;

const positiveInteger = "expected a positive integer";
const nonNegativeNumber = "expected a number >= 0";

/** Settings for one model provider; user-file, environment and flags only (a project file's are ignored). */
export const providerConfigSchema = z.strictObject(
  {
    kind: z
      .enum(["openai", "anthropic", "ollama"], {
        error: 'expected one of "openai", "anthropic", "ollama"',
      })
      .optional(),
    baseUrl: z
      .url({ protocol: /^https?$/, error: 'expected an http(s) URL such as "http://localhost:8000/v1"' })
      .optional(),
    apiKey: z.string({ error: "expected a non-empty string" }).min(1, { error: "expected a non-empty string" }).optional(),
    apiKeyEnv: z
      .string({ error: "expected the name of an environment variable" })
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected the name of an environment variable" })
      .optional(),
  },
  { error: "expected an object" },
);

/** Prices of one model in USD per million tokens. */
export const modelPriceSchema = z.strictObject(
  {
    inputPerMTok: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }),
    outputPerMTok: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }),
    cachedInputPerMTok: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }).optional(),
    cacheWritePerMTok: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }).optional(),
  },
  { error: "expected an object" },
);

const modelString = z
  .string({ error: 'expected a non-empty string such as "openai:gpt-4.1"' })
  .min(1, { error: 'expected a non-empty string such as "openai:gpt-4.1"' });

/**
 * A model per role (`models.planner`, `models.testDesigner`, `models.programmer`), each defaulting
 * to `model`, and the critic (`models.critic`) that breaks ties among candidates (search.candidates),
 * which has no default: without it the smaller change wins a tie. The executor is code and calls no model.
 */
export const roleModelsSchema = z.strictObject(
  {
    planner: modelString.optional(),
    testDesigner: modelString.optional(),
    programmer: modelString.optional(),
    critic: modelString.optional(),
    executor: z
      .never({ error: "the executor calls no model (it runs the tests and judges them in code); set models.critic for the model that chooses among candidates the tests cannot tell apart" })
      .optional(),
  },
  { error: "expected an object" },
);

/** How every model call is made: timeout, retries and sampling. */
export const modelRequestSchema = z.strictObject(
  {
    timeoutMs: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(120_000),
    maxRetries: z
      .int({ error: "expected an integer from 0 to 20" })
      .min(0, { error: "expected an integer from 0 to 20" })
      .max(20, { error: "expected an integer from 0 to 20" })
      .default(6),
    temperature: z
      .number({ error: "expected a number from 0 to 2" })
      .min(0, { error: "expected a number from 0 to 2" })
      .max(2, { error: "expected a number from 0 to 2" })
      .optional(),
    maxOutputTokens: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).optional(),
  },
  { error: "expected an object" },
);

/** A sandbox's CPUs unless set: every core but one, so the host stays responsive whatever runs inside. */
export function defaultSandboxCpus(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** A sandbox's memory unless set: half the host's free memory in steps of 512 MB, between 512 MB and 4 GB. */
export function defaultSandboxMemoryMb(): number {
  const halfFreeMb = freemem() / (2 * 1024 * 1024);
  return Math.min(4096, Math.max(512, Math.floor(halfFreeMb / 512) * 512));
}

/** Where agents run commands, and with what limits. */
export const sandboxConfigSchema = z.strictObject(
  {
    kind: z
      .enum(["auto", "docker", "local"], { error: 'expected one of "auto", "docker", "local"' })
      .default("auto"),
    recipe: z.string({ error: "expected the name of an image recipe" }).min(1).default("python3.11"),
    image: z.string({ error: "expected an image name" }).min(1).optional(),
    network: z.boolean({ error: "expected true or false" }).default(false),
    memoryMb: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(defaultSandboxMemoryMb),
    cpus: z.number({ error: "expected a number > 0" }).positive({ error: "expected a number > 0" }).default(defaultSandboxCpus),
    pidsLimit: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(1024),
    commandTimeoutSec: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(300),
    diskMb: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(2048),
    allowLocal: z.boolean({ error: "expected true or false" }).default(false),
  },
  { error: "expected an object" },
);

/**
 * The test runners the executor knows, the names of its `TestFramework` type
 * (src/agents/executor/detect-test-command.ts); a test keeps the two lists equal.
 */
export const projectTestFrameworks = [
  "pytest",
  "django",
  "sympy",
  "unittest",
  "vitest",
  "jest",
  "node",
  "npm",
  "go",
  "cargo",
  "make",
] as const;

/** The placeholder of `project.testCommand` where the test files go. */
export const testsPlaceholder = "{tests}";

const testCommandError = `expected a shell command with "${testsPlaceholder}" where the test files go, such as "python -m pytest ${testsPlaceholder}"`;
const conventionError = "expected a non-empty string of at most 500 characters";
const conventionsError = "expected an array of at most 20 strings";
const instructionsError = "expected a string of at most 8000 characters";

/**
 * Facts about the repository, the only settings a project file may make: none of them can
 * weaken the sandbox or cost the user money.
 */
export const projectSettingsSchema = z.strictObject(
  {
    testCommand: z
      .string({ error: testCommandError })
      .refine((command) => command.includes(testsPlaceholder), { error: testCommandError })
      .optional(),
    testFramework: z
      .enum(projectTestFrameworks, {
        error: `expected one of ${projectTestFrameworks.map((name) => `"${name}"`).join(", ")}`,
      })
      .optional(),
    conventions: z
      .array(z.string({ error: conventionError }).min(1, { error: conventionError }).max(500, { error: conventionError }), {
        error: conventionsError,
      })
      .max(20, { error: conventionsError })
      .optional(),
    instructions: z.string({ error: instructionsError }).max(8000, { error: instructionsError }).optional(),
  },
  { error: "expected an object" },
);

/** Settings of the interactive terminal session (`agent`, `agent chat`). */
const tuiSettingsSchema = z.strictObject(
  {
    autoAcceptPlan: z.boolean({ error: "expected true or false" }).default(false),
    approval: z.enum(["suggest", "auto-edit", "full-auto"], { error: 'expected "suggest", "auto-edit" or "full-auto"' }).default("auto-edit"),
  },
  { error: "expected an object" },
);

const fractionError = "expected a number from 0 to 1";
const labelListError = "expected an array of label names (\"*\" matches any)";

/** Who may run `/agent triage` and `/agent solve` in an issue comment (bot mode). */
const triageCommandsSchema = z.strictObject(
  {
    minimumPermission: z
      .enum(["triage", "write", "maintain", "admin"], { error: 'expected one of "triage", "write", "maintain", "admin"' })
      .default("write"),
    allowedUsers: z.array(z.string({ error: "expected a GitHub login" }).min(1), { error: "expected an array of GitHub logins" }).default([]),
  },
  { error: "expected an object" },
);

/**
 * What the issue-triage bot may do in a repository: the policy. Set here (the user's or the
 * server's configuration) and, per repository, under `triage:` in its `.github/agent.yml`,
 * which wins for every key but `embeddingModel` and `maxDailyCostUsd` (the operator's alone) and
 * `maxCostUsd` (a repository may lower the cost cap, never raise it).
 */
export const triagePolicySchema = z.strictObject(
  {
    labels: z
      .strictObject(
        {
          allow: z.array(z.string().min(1), { error: labelListError }).default(["*"]),
          deny: z.array(z.string().min(1), { error: labelListError }).default([]),
        },
        { error: "expected an object" },
      )
      .prefault({}),
    duplicateThreshold: z.number({ error: fractionError }).min(0, { error: fractionError }).max(1, { error: fractionError }).optional(),
    recentlyClosedDays: z.int({ error: positiveInteger }).positive({ error: positiveInteger }).default(180),
    reproduce: z.boolean({ error: "expected true or false" }).default(true),
    comment: z.boolean({ error: "expected true or false" }).default(true),
    commands: triageCommandsSchema.prefault({}),
    concurrency: z.int({ error: "expected an integer from 1 to 20" }).min(1, { error: "expected an integer from 1 to 20" }).max(20, { error: "expected an integer from 1 to 20" }).default(2),
    maxCostUsd: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }).default(0.5),
    embeddingModel: z.string({ error: 'expected a model such as "openai:text-embedding-3-small"' }).min(1).optional(),
    maxDailyCostUsd: z.number({ error: nonNegativeNumber }).min(0, { error: nonNegativeNumber }).optional(),
  },
  { error: "expected an object" },
);

/** The levers that trade cost for quality in how a run searches for its fix. */
const searchSettingsSchema = z.strictObject(
  {
    /** Rank the files and functions the issue points at before the planner starts (src/localisation); about a second on a repository of sympy's size. */
    localisation: z.boolean({ error: "expected true or false" }).default(true),
    /**
     * Start the test designer and the programmer together from the plan (the executor waits for
     * both): the first round takes the longer of the two instead of their sum, but the programmer's
     * first attempt has no designed tests to run. Off in a terminal session that asks a person to
     * approve or steer (two roles would ask at once).
     */
    parallelRoles: z.boolean({ error: "expected true or false" }).default(false),
    /**
     * When the reproduction is Python and fails on the base commit, run it once more (and the plan's
     * relevant existing tests) with a call recorder, and show the programmer the functions only the
     * failing run entered (spectrum-based localisation). Costs those two test runs, slowed by the recorder.
     */
    spectrum: z.boolean({ error: "expected true or false" }).default(true),
    /**
     * Programmer attempts in the first round, each in its own working tree and sandbox, each verified
     * by the executor; the run goes on with the best (designed tests fixed, then no regressions, then
     * the change most attempts agree on, then the smallest). Each attempt costs about what one
     * programmer round costs, and they share the run's budgets. 1 turns it off. Off (1) in a
     * terminal session that asks a person to approve or steer.
     */
    candidates: z.int({ error: "expected an integer from 1 to 8" }).min(1, { error: "expected an integer from 1 to 8" }).max(8, { error: "expected an integer from 1 to 8" }).default(1),
    /** The model of each candidate in turn (provider:model); a candidate without one uses the programmer's model. */
    candidateModels: z.array(modelString, { error: 'expected a list of models such as ["openai:gpt-4.1", "anthropic:claude-sonnet-4-5"]' }).default([]),
    /**
     * The sampling temperature of candidates after the first, so the attempts differ; unset, every
     * candidate samples at modelRequest.temperature (or the provider's default).
     */
    candidateTemperature: z.number({ error: "expected a number from 0 to 2" }).min(0, { error: "expected a number from 0 to 2" }).max(2, { error: "expected a number from 0 to 2" }).optional(),
  },
  { error: "expected an object" },
);

/** The whole configuration; unknown keys are errors so that typos do not pass silently. */
export const agentConfigSchema = z.strictObject(
  {
    model: z
      .string({ error: 'expected a non-empty string such as "openai:gpt-4.1"' })
      .min(1, { error: 'expected a non-empty string such as "openai:gpt-4.1"' })
      .optional(),
    models: roleModelsSchema.prefault({}),
    modelRequest: modelRequestSchema.prefault({}),
    sandbox: sandboxConfigSchema.prefault({}),
    providers: z
      .record(
        z.string().regex(providerNamePattern, {
          error: 'expected a provider name of lowercase letters, digits and "-", starting with a letter',
        }),
        providerConfigSchema,
        { error: "expected an object" },
      )
      .default({}),
    prices: z
      .record(
        z.string().regex(priceKeyPattern, { error: 'expected a key of the form "provider:model" such as "openai:gpt-4.1"' }),
        modelPriceSchema,
        { error: "expected an object" },
      )
      .default({}),
    project: projectSettingsSchema.prefault({}),
    tui: tuiSettingsSchema.prefault({}),
    triage: triagePolicySchema.prefault({}),
    search: searchSettingsSchema.prefault({}),
  },
  { error: "expected an object" },
);

/** The validated configuration, with defaults applied. */
export type AgentConfig = z.infer<typeof agentConfigSchema>;

/** Sandbox settings after validation. */
export type SandboxConfig = z.infer<typeof sandboxConfigSchema>;

/** Settings for one provider after validation. */
export type ProviderConfig = z.infer<typeof providerConfigSchema>;

/** The repository's own settings (`project.*`) after validation. */
export type ProjectSettings = z.infer<typeof projectSettingsSchema>;

/** The issue-triage policy after validation. */
export type TriagePolicy = z.infer<typeof triagePolicySchema>;

/** Prices of one model after validation. */
export type ModelPrice = z.infer<typeof modelPriceSchema>;

/** Every field optional at every depth: the shape of one configuration layer such as the flags. */
export type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

/** The configuration when no file, variable or flag sets anything. */
export const defaultConfig: AgentConfig = agentConfigSchema.parse({});

/** The keys a strict object accepts at a given path, for "did you mean" suggestions. */
export function knownKeysAt(segments: readonly string[]): readonly string[] {
  if (segments.length === 0) return Object.keys(agentConfigSchema.shape);
  const [section] = segments;
  if (segments.length === 1 && section === "modelRequest") return Object.keys(modelRequestSchema.shape);
  if (segments.length === 1 && section === "models") return Object.keys(roleModelsSchema.shape);
  if (segments.length === 1 && section === "sandbox") return Object.keys(sandboxConfigSchema.shape);
  if (segments.length === 1 && section === "project") return Object.keys(projectSettingsSchema.shape);
  if (segments.length === 1 && section === "tui") return Object.keys(tuiSettingsSchema.shape);
  if (segments.length === 1 && section === "triage") return Object.keys(triagePolicySchema.shape);
  if (segments.length === 2 && section === "triage" && segments[1] === "commands") return Object.keys(triageCommandsSchema.shape);
  if (segments.length === 2 && section === "providers") return Object.keys(providerConfigSchema.shape);
  if (segments.length === 2 && section === "prices") return Object.keys(modelPriceSchema.shape);
  return [];
}
