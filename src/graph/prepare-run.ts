import { mkdir, readFile, rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { SqliteSaver } from "@langchain/langgraph-checkpoint-sqlite";
import type Docker from "dockerode";
import { detectTestCommand, type TestCommandGuess } from "../agents/executor/detect-test-command.js";
import type { GraphRuntime, RoleModels, Workbench } from "../agents/graph-runtime.js";
import type { RunSteering } from "../agents/run-steering.js";
import type { AgentConfig } from "../config/schema.js";
import { ConfigError, GitError, UsageError } from "../errors.js";
import { createEventEmitter, type AgentEvent, type EmitEvent, type EventSink } from "../events/agent-event.js";
import { createRunRecorder, readTrajectory, redactDeep, type RunRecorder } from "../events/run-recorder.js";
import { createWorkspace } from "../git/create-workspace.js";
import { readOriginUrl } from "../git/inspect-repository.js";
import { createWorkspaceGit } from "../git/workspace-git.js";
import type { AgentStateValue } from "../memory/blackboard.js";
import { createRedactor } from "../memory/secret-patterns.js";
import { condenseHistory } from "../memory/condense-history.js";
import { createLongTermStore, formatMemoryForPrompt, type LongTermStore } from "../memory/long-term-store.js";
import { readProjectInstructions } from "../memory/project-instructions.js";
import { repositoryKey } from "../memory/repository-key.js";
import { createModel } from "../models/create-model.js";
import type { ModelClient } from "../models/model-client.js";
import { createSwitchableModel } from "../models/switchable-model.js";
import { extractIssueTerms } from "../planner/issue-terms.js";
import { buildRepoMap, formatRepoMap } from "../planner/repo-map.js";
import { formatLocalisation, localiseIssue } from "../localisation/localise-issue.js";
import { findSuspects } from "../localisation/spectrum.js";
import { readCheckpointState } from "./checkpoint-state.js";
import { chooseSandbox, createSandbox, type SandboxChoice } from "../sandbox/create-sandbox.js";
import { pruneSandboxes } from "../sandbox/prune-sandboxes.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import type { Approver } from "../tools/approver.js";
import { createToolset } from "../tools/registry.js";
import { writeRunManifest, type RunManifest } from "./run-manifest.js";
import { createSteeredTree } from "./steered-tree.js";

/** What a run needs from its caller (the CLI, a bot, the SWE-bench runner) beyond the task. */
export interface RunEnvironment {
  /** Where run directories go (runs/<run-id>/). */
  runsDir: string;
  config: AgentConfig;
  /** Where `config.model` came from, for error messages. */
  modelOrigin?: string;
  userConfigPath: string;
  cwd: string;
  env: Record<string, string | undefined>;
  docker: Docker;
  /** Asks for consent to the local sandbox; throws to refuse. */
  confirmSandbox: (choice: SandboxChoice) => Promise<void>;
  /** Also receives every event, secrets already removed (the CLI renders them). */
  sink?: EventSink;
  /** Progress lines of slow preparations (building a missing sandbox image). */
  onProgress?: (line: string) => void;
  /** Where the working trees appear in a Docker sandbox (default /workspace); SWE-bench mounts them over the image's /testbed. */
  sandboxWorkdir?: string;
  /** Extra environment variables of the sandboxes. */
  sandboxEnv?: Record<string, string>;
  /** Called on each new working tree before its sandbox starts (SWE-bench copies the image's build artifacts in). */
  prepareWorkspace?: (hostWorkdir: string) => Promise<void>;
  /** Asks a person to allow a tool call the approval policy asks about; its requests carry no secret. */
  approver?: Approver;
  /** A person steering the run from a terminal session: interrupts, guidance, plan review, approval mode and model switches. */
  steering?: RunSteering;
  /** Stream the models' text as `text-delta` events (a screen shows it as it comes). */
  streamText?: boolean;
  memoryPath?: string;
  /** Other secrets to keep out of trajectories, events and memory (e.g. the GitHub token). */
  secrets?: string[];
  signal?: AbortSignal;
  now?: () => number;
}

/** A run ready for the graph: its runtime, its first input (null when resuming), and what must be closed. */
export interface PreparedRun {
  manifest: RunManifest;
  runDir: string;
  runtime: GraphRuntime;
  /** The graph's first input; null when a checkpoint continues the run. */
  input: Partial<AgentStateValue> | null;
  checkpointer: SqliteSaver;
  store: LongTermStore;
  repoKey: string;
  recorder: RunRecorder;
  /** Every event so far, secrets removed. */
  events: AgentEvent[];
  emit: EmitEvent;
  /**
   * When the run first started, in ms: the time of its first run-start (a resumed run keeps its
   * first one), read from the run's clock, which also stamps its events. run-end's durationMs
   * counts from it, so the report's duration is exactly its endedAt − startedAt.
   */
  startedAt: number;
  /** Removes the sandboxes and the working trees (resume rebuilds them) and closes the files. */
  dispose(): Promise<void>;
}

/** Context tokens after which older tool outputs are condensed. */
export const CONDENSE_AT_TOKENS = 60_000;
/** Characters of the repository map in the prompts. */
const REPO_MAP_CHARS = 16_000;
/** Where, in the runs directory, repository maps are cached by commit (beside memory.sqlite; `agent runs` lists run ids only). */
const REPO_MAP_CACHE_DIRECTORY = "repo-map-cache";

/**
 * The model of each role: `models.<role>` in the configuration, else `model`. Roles with the
 * same model string share one client, so a scripted model plays its turns in the order the
 * roles call it; `scriptOffset` (turns already played, on resume) needs that one shared model.
 */
async function createRoleModels(environment: RunEnvironment, emit: EmitEvent, scriptOffset: number): Promise<RoleModels> {
  const { config } = environment;
  const choices = {
    planner: config.models.planner ?? config.model,
    testDesigner: config.models.testDesigner ?? config.model,
    programmer: config.models.programmer ?? config.model,
    ...(config.models.critic ? { critic: config.models.critic } : {}),
  };
  const distinct = [...new Set(Object.values(choices).map((choice) => choice ?? ""))];
  if (scriptOffset > 0 && distinct.length > 1 && distinct.some((choice) => /^(scripted|replay):/.test(choice))) {
    throw new ConfigError("This run used a different scripted or replayed model per role, which cannot be resumed: their turns are counted together. Start the run again.");
  }
  const clients = new Map<string, ModelClient>();
  const build = (choice: string, offset: number) =>
    createModel({
      config: choice === "" ? config : { ...config, model: choice },
      ...(environment.modelOrigin && choice === config.model ? { modelOrigin: environment.modelOrigin } : {}),
      userConfigPath: environment.userConfigPath,
      cwd: environment.cwd,
      emit,
      scriptOffset: offset,
    });
  const { steering } = environment;
  // A model the person switches to is built once and shared by every role, as the configured ones are.
  const switchedTo = new Map<string, Promise<ModelClient>>();
  const buildSwitched = (model: string): Promise<ModelClient> => {
    let client = switchedTo.get(model);
    if (!client) {
      client = build(model, 0);
      client.catch(() => switchedTo.delete(model));
      switchedTo.set(model, client);
    }
    return client;
  };
  for (const choice of distinct) {
    const client = await build(choice, scriptOffset);
    // The person may switch every role to another model for the next turns (/model in the terminal session).
    clients.set(choice, steering ? createSwitchableModel(client, () => steering.modelOverride(), buildSwitched) : client);
  }
  const pick = (choice: string | undefined) => clients.get(choice ?? "") as ModelClient;
  return {
    planner: pick(choices.planner),
    testDesigner: pick(choices.testDesigner),
    programmer: pick(choices.programmer),
    ...(choices.critic ? { critic: pick(choices.critic) } : {}),
  };
}

/**
 * One model client per candidate (search.candidates): `search.candidateModels[i]`, else the
 * programmer's model, the first at modelRequest.temperature and the others at
 * search.candidateTemperature when it is set. Each is a client of its own, built before any tree
 * exists (a bad model leaves nothing behind); a candidate that runs again on resume starts its
 * script, if scripted, from the start, as it starts its work from the base commit.
 */
async function createCandidateModels(environment: RunEnvironment, search: AgentConfig["search"], count: number, emit: EmitEvent): Promise<ModelClient[]> {
  const { config } = environment;
  const programmer = config.models.programmer ?? config.model;
  const clients: ModelClient[] = [];
  for (let index = 0; index < count; index += 1) {
    const own = search.candidateModels[index];
    const choice = own ?? programmer;
    if (!own && choice && /^(scripted|replay):/.test(choice)) {
      throw new ConfigError(
        `search.candidates is ${count}, and candidate ${index + 1} would play the programmer's script (${choice}), which the roles share in order. Name a script per candidate in search.candidateModels, or set search.candidates to 1.`,
      );
    }
    const temperature = index > 0 && !own && search.candidateTemperature !== undefined ? search.candidateTemperature : config.modelRequest.temperature;
    clients.push(
      await createModel({
        config: { ...config, ...(choice ? { model: choice } : {}), modelRequest: { ...config.modelRequest, temperature } },
        ...(environment.modelOrigin && choice === config.model ? { modelOrigin: environment.modelOrigin } : {}),
        userConfigPath: environment.userConfigPath,
        cwd: environment.cwd,
        emit,
      }),
    );
  }
  return clients;
}

/**
 * Prepares a run: the recorder (every event redacted before anyone sees it), the checkpointer,
 * the sandbox choice, the models (before any container or tree exists, so a bad model leaves
 * nothing behind), the two working trees with their sandboxes (rebuilt from the checkpoint on
 * resume), the memory, the runners recognised in the repository, and the graph's first input.
 */
export async function prepareRun(environment: RunEnvironment, manifest: RunManifest, runDir: string, resuming: boolean): Promise<PreparedRun> {
  const now = environment.now ?? Date.now;
  const secrets = [...Object.values(environment.config.providers).map((provider) => provider.apiKey), ...(environment.secrets ?? [])];
  // Known values, then anything shaped like a provider's key or token (what a tool printed from the repository or the sandbox).
  const redact = createRedactor(secrets);
  // What is checked before the run directory exists, so a bad setting leaves nothing behind:
  // the sandbox and the consent to it, the checkpoint of a resumed run, and the models.
  const choice = await chooseSandbox(environment.config.sandbox, environment.docker);
  await environment.confirmSandbox(choice);
  const checkpointPath = join(runDir, "checkpoints.sqlite");
  const resumedCheckpointer = resuming ? SqliteSaver.fromConnString(checkpointPath) : undefined;
  const saved = resumedCheckpointer ? await readCheckpoint(resumedCheckpointer, manifest.runId) : undefined;
  let emitToRun: EmitEvent = () => {};
  const models = await createRoleModels(environment, (payload) => emitToRun(payload), saved?.usage?.modelCalls ?? 0);
  // The run keeps the search settings it started with; a person approving or steering gets one candidate (several would ask at once).
  const search = { ...environment.config.search, ...manifest.search };
  const candidateCount = environment.approver || environment.steering ? 1 : search.candidates;
  const candidateModels = candidateCount > 1 ? await createCandidateModels(environment, search, candidateCount, (payload) => emitToRun(payload)) : [];
  if (choice.kind === "docker" && resuming) await pruneSandboxes(environment.docker, { runId: manifest.runId }).catch(() => []);

  if (!resuming) {
    await mkdir(runDir, { recursive: true });
    await writeRunManifest(runDir, manifest);
  }
  const checkpointer = resumedCheckpointer ?? SqliteSaver.fromConnString(checkpointPath);
  const firstStartedAt = resuming ? await firstRunStart(runDir) : undefined;
  const recorder = await createRunRecorder({ runDir, redact });
  const events: AgentEvent[] = [];
  let observeTree: (event: AgentEvent) => void = () => {};
  // The run's clock stamps its events too, so stamps and durations come from one source.
  const emit = createEventEmitter(
    manifest.runId,
    (event) => {
      const clean = redactDeep(event, redact);
      events.push(clean);
      recorder.sink(clean);
      observeTree(clean);
      environment.sink?.(clean);
    },
    () => new Date(now()),
  );
  emitToRun = emit;
  const sandboxes: Sandbox[] = [];
  let store: LongTermStore | undefined;
  const dispose = async () => {
    environment.steering?.attachTree(undefined);
    for (const sandbox of sandboxes) await sandbox.dispose().catch(() => {});
    // The trees are scratch: the patch and the checkpoints are what a run keeps, and resume rebuilds the trees from them.
    await rm(join(runDir, "workspaces"), { recursive: true, force: true }).catch(() => {});
    store?.close();
    await recorder.close().catch(() => {});
  };
  /** A working tree at the base commit under workspaces/<name>, with its sandbox (kept in `sandboxes` until closed). */
  const openWorkbench = async (name: string, branch?: string): Promise<Workbench> => {
    const workspaceDir = join(runDir, "workspaces", name);
    await rm(workspaceDir, { recursive: true, force: true });
    const workspace = await createWorkspace({ sourceRepo: manifest.repoPath, baseCommit: manifest.baseCommit, workspaceDir, ...(branch ? { branch } : {}) });
    await environment.prepareWorkspace?.(workspace.workdir);
    const sandbox = await createSandbox({
      choice,
      config: environment.config.sandbox,
      docker: environment.docker,
      hostWorkdir: workspace.workdir,
      ...(environment.sandboxWorkdir ? { workdir: environment.sandboxWorkdir } : {}),
      ...(environment.sandboxEnv ? { env: environment.sandboxEnv } : {}),
      runId: manifest.runId,
      hostPath: environment.env["PATH"] ?? "/usr/bin:/bin",
      ...(environment.onProgress ? { onProgress: environment.onProgress } : {}),
      ...(environment.signal ? { signal: environment.signal } : {}),
    });
    sandboxes.push(sandbox);
    const git = createWorkspaceGit({ workdir: workspace.workdir, baseCommit: workspace.baseCommit });
    return { sandbox, git, tools: createToolset({ sandbox, git }) };
  };
  /** A candidate's tree: removed, with its sandbox, once the candidate has been verified. */
  const openCandidateBench = async (index: number) => {
    const name = `candidate-${index + 1}`;
    const bench = await openWorkbench(name);
    return {
      bench,
      dispose: async () => {
        if (sandboxes.includes(bench.sandbox)) sandboxes.splice(sandboxes.indexOf(bench.sandbox), 1);
        await bench.sandbox.dispose().catch(() => {});
        await rm(join(runDir, "workspaces", name), { recursive: true, force: true }).catch(() => {});
      },
    };
  };
  try {
    const programmer = await openWorkbench("programmer", manifest.branch);
    const testDesigner = await openWorkbench("test-designer");
    if (saved?.patch) {
      await programmer.git.applyPatch(saved.patch).catch((error: unknown) => {
        throw new GitError(`The checkpoint's patch does not apply to a fresh tree of ${manifest.baseCommit.slice(0, 7)}: ${(error as Error).message}`, { cause: error });
      });
    }
    for (const test of saved?.designedTests ?? []) await testDesigner.sandbox.writeFile(test.path, test.content);
    if (environment.steering) {
      const steered = createSteeredTree(programmer, redact);
      observeTree = steered.observe;
      environment.steering.attachTree(steered.tree);
    }

    store = createLongTermStore(environment.memoryPath ?? join(runDir, "..", "memory.sqlite"), { secrets: secrets.filter((s): s is string => !!s) });
    const origin = await readOriginUrl(manifest.repoPath);
    const repoKey = repositoryKey({ rootPath: manifest.repoPath, ...(origin ? { originUrl: origin } : {}) });
    const runtime: GraphRuntime = {
      models,
      programmer,
      testDesigner,
      limits: manifest.limits,
      stepsPerVisit: Math.max(10, Math.floor(manifest.limits.maxSteps / 3)),
      approvalMode: manifest.approvalMode,
      ...(environment.approver ? { approver: redactedApprover(environment.approver, redact) } : {}),
      ...(environment.steering ? { steering: environment.steering } : {}),
      ...(environment.streamText ? { streamText: true } : {}),
      emit,
      ...(environment.signal ? { signal: environment.signal } : {}),
      now,
      condense: (messages) => condenseHistory(messages, { maxTokens: CONDENSE_AT_TOKENS }).messages,
      memoryText: formatMemoryForPrompt(store.recall(repoKey)),
      detectedTestCommands: [...projectTestCommand(environment.config.project), ...(await detectTestCommand(testDesigner.sandbox, environment.signal))],
      // Two roles at once would ask a person for approval or steering at the same time: serial then.
      // With candidates the first round is theirs: the programmer does not start beside the test designer.
      parallelRoles: search.parallelRoles && candidateCount === 1 && !environment.approver && !environment.steering,
      ...(search.spectrum ? { findSuspects } : {}),
      ...(candidateCount > 1 ? { candidates: { count: candidateCount, openBench: openCandidateBench, model: async (index: number) => candidateModels[index]! } } : {}),
    };
    // Whole milliseconds, as the event's ISO stamp keeps them.
    const startedAt = new Date(now());
    emit(
      {
        type: "run-start",
        task: { title: manifest.task.title, source: manifest.task.source },
        model: models.programmer.modelKey,
        sandbox: choice.kind,
        baseCommit: manifest.baseCommit,
      },
      startedAt,
    );
    return {
      manifest,
      runDir,
      runtime,
      input: saved
        ? null
        : await firstInput(manifest, programmer.sandbox, {
            startedAt: startedAt.getTime(),
            config: environment.config,
            userInstructionsFile: join(dirname(environment.userConfigPath), "AGENTS.md"),
            repoMapCacheDir: join(environment.runsDir, REPO_MAP_CACHE_DIRECTORY),
            ...(environment.signal ? { signal: environment.signal } : {}),
          }),
      checkpointer,
      store,
      repoKey,
      recorder,
      events,
      emit,
      startedAt: firstStartedAt ?? startedAt.getTime(),
      dispose,
    };
  } catch (error) {
    await dispose();
    throw error;
  }
}

/** The approver as the person sees it: the request's input with secrets removed, like every event. */
function redactedApprover(approver: Approver, redact: (text: string) => string): Approver {
  return (request) => approver(redactDeep(request, redact));
}

/** The state of a run's last checkpoint; a run without one cannot be resumed. */
async function readCheckpoint(checkpointer: SqliteSaver, runId: string): Promise<Partial<AgentStateValue>> {
  const saved = await readCheckpointState(checkpointer, runId);
  if (!saved) throw new UsageError(`Run ${runId} has no checkpoint to resume from (it stopped before its first step); start it again with agent solve.`);
  return saved;
}

/** The test command the project file names, first among the runners the roles are told about. */
function projectTestCommand(project: AgentConfig["project"]): TestCommandGuess[] {
  if (!project.testCommand) return [];
  const command = project.testCommand.replace("{tests}", "").trim();
  return [{ framework: project.testFramework ?? "make", command, selectTemplate: project.testCommand, evidence: "the project file (project.testCommand)" }];
}

/**
 * What every role is told before the task: the user's own AGENTS.md (next to the user config
 * file), the repository's instruction files, and the project file's instructions and
 * conventions, each under a header that says where it comes from.
 */
async function composeInstructions(sandbox: Sandbox, project: AgentConfig["project"], userInstructionsFile: string): Promise<string> {
  const blocks: string[] = [];
  const own = await readFile(userInstructionsFile, "utf8").then((text) => text.trim(), () => "");
  if (own) blocks.push(`=== your ${userInstructionsFile} ===\n${own.slice(0, USER_INSTRUCTIONS_CHARS)}`);
  const repository = await readProjectInstructions((path) => sandbox.readFile(path).then((data) => data.toString("utf8"), () => undefined));
  if (repository.text) blocks.push(repository.text);
  if (project.instructions) blocks.push(`=== the project file's instructions ===\n${project.instructions}`);
  if (project.conventions?.length) blocks.push(`=== the project file's conventions ===\n${project.conventions.map((convention) => `- ${convention}`).join("\n")}`);
  return blocks.join("\n\n");
}

/** Characters of the user's own AGENTS.md put into prompts. */
const USER_INSTRUCTIONS_CHARS = 8_000;

/** The blackboard a new run starts from: the task, the repository map focused on the issue's terms, and the instructions for every role. */
async function firstInput(
  manifest: RunManifest,
  sandbox: Sandbox,
  options: { startedAt: number; config: AgentConfig; userInstructionsFile: string; repoMapCacheDir: string; signal?: AbortSignal },
): Promise<Partial<AgentStateValue>> {
  const map = await buildRepoMap(sandbox, { focus: extractIssueTerms(manifest.task), cacheDir: options.repoMapCacheDir, ...(options.signal ? { signal: options.signal } : {}) });
  const localisation = options.config.search.localisation ? await localiseIssue(sandbox, manifest.task, options.signal) : null;
  return {
    runId: manifest.runId,
    task: manifest.task,
    baseCommit: manifest.baseCommit,
    context: [formatRepoMap(map, { maxChars: REPO_MAP_CHARS }), ...(localisation ? [formatLocalisation(localisation)] : [])].join("\n\n"),
    instructions: await composeInstructions(sandbox, options.config.project, options.userInstructionsFile),
    startedAt: options.startedAt,
  };
}

/** The time of a run's first run-start, from its trajectory; undefined when it has none (then the resumed run starts the count). */
async function firstRunStart(runDir: string): Promise<number | undefined> {
  const trajectory = await readTrajectory(runDir).catch(() => undefined);
  const start = trajectory?.events.find((event) => event.type === "run-start");
  return start ? Date.parse(start.timestamp) : undefined;
}
