import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { AgentEvent } from "../../src/events/agent-event.js";
import { createEventEmitter } from "../../src/events/agent-event.js";
import { createWorkspace } from "../../src/git/create-workspace.js";
import { createWorkspaceGit } from "../../src/git/workspace-git.js";
import { buildAgentGraph } from "../../src/graph/build-graph.js";
import { findSuspects } from "../../src/localisation/spectrum.js";
import { defaultRunLimits, type RunLimits } from "../../src/memory/run-limits.js";
import type { GraphRuntime, Workbench } from "../../src/agents/graph-runtime.js";
import type { AgentStateValue } from "../../src/memory/blackboard.js";
import { createModelClient } from "../../src/models/model-client.js";
import { createRetryPolicy } from "../../src/models/retry-policy.js";
import { ScriptedChatModel, type ScriptedTurn } from "../../src/models/scripted-chat-model.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { SandboxError } from "../../src/errors.js";
import { createToolset } from "../../src/tools/registry.js";
import type { SandboxFactory } from "../support/sandbox-factories.js";

/** Makes a git repository with the given files committed; returns its path and commit. */
export async function createSourceRepository(files: Record<string, string>): Promise<{ path: string; commit: string }> {
  const path = await mkdtemp(join(tmpdir(), "graph-source-"));
  for (const [file, content] of Object.entries(files)) {
    await mkdir(dirname(join(path, file)), { recursive: true });
    await writeFile(join(path, file), content);
  }
  const git = (...args: string[]) => execFileSync("git", ["-c", "user.name=t", "-c", "user.email=t@t", ...args], { cwd: path }).toString().trim();
  git("init", "-q", "-b", "main");
  git("add", "-A");
  git("commit", "-q", "-m", "initial");
  return { path, commit: git("rev-parse", "HEAD") };
}

/** Scripted turns for each role (each role gets its own scripted model, as a run may use a model per role). */
export interface RoleScripts {
  planner: ScriptedTurn[];
  testDesigner: ScriptedTurn[];
  programmer: ScriptedTurn[];
}

/** A finished graph run with what the test wants to inspect. */
export interface GraphRunResult {
  state: AgentStateValue;
  events: AgentEvent[];
  models: Record<keyof RoleScripts, ScriptedChatModel>;
  /** Each candidate's model, and the critic's (search.candidates). */
  candidateModels: ScriptedChatModel[];
  critic?: ScriptedChatModel;
  programmerTree: string;
  sandboxes: Sandbox[];
}

function turn(partial: Partial<ScriptedTurn>): ScriptedTurn {
  return { content: "", toolCalls: [], ...partial };
}

/** Shorthand for a scripted turn that calls one tool; each costs 1,000 input and 50 output tokens, and $0.01. */
export function call(name: string, args: Record<string, unknown>): ScriptedTurn {
  return turn({ toolCalls: [{ name, args }], usage: { input: 1_000, output: 50, cost: 0.01 } });
}

/** Runs the real graph with scripted models, real tools and real sandboxes made by `factory`. */
export async function runGraphWithScripts(options: {
  factory: SandboxFactory;
  source: { path: string; commit: string };
  task: { title: string; body: string };
  scripts: RoleScripts;
  limits?: Partial<RunLimits>;
  /** What the prompts are told about the repository; "(a small Python package)" by default. */
  context?: string;
  /** The run's clock (wall-time limits); Date.now by default. */
  now?: () => number;
  /** Sees every event as it is emitted (e.g. to move a fake clock). */
  onEvent?: (event: AgentEvent) => void;
  /** Start the test designer and the programmer together (search.parallelRoles). */
  parallelRoles?: boolean;
  /** Rank suspects from the reproduction's calls (search.spectrum), as prepare-run wires it. */
  spectrum?: boolean;
  /** Checkpoints the run under `threadId` (default "test-run"), as a real run does. */
  checkpointer?: BaseCheckpointSaver;
  threadId?: string;
  /** Stops the run (as Ctrl-C does); the run then rejects with the AbortedError. */
  signal?: AbortSignal;
  /** The working trees to use instead of new clones (a resumed run's rebuilt trees). */
  trees?: { programmer: string; testDesigner: string };
  /** Go on from the checkpoint instead of starting (invoke with null). */
  resume?: boolean;
  /** Several first-round candidates (search.candidates), one script each, and optionally a critic's script (models.critic). */
  candidates?: { scripts: ScriptedTurn[][]; critic?: ScriptedTurn[]; /** A candidate whose tree cannot be opened (its sandbox fails to start). */ unopenable?: number };
}): Promise<GraphRunResult> {
  const root = await mkdtemp(join(tmpdir(), "graph-run-"));
  const events: AgentEvent[] = [];
  const emit = createEventEmitter("test-run", (event) => {
    events.push(event);
    options.onEvent?.(event);
  });
  const benches: Workbench[] = [];
  const sandboxes: Sandbox[] = [];
  for (const name of ["programmer", "test-designer"] as const) {
    const given = options.trees?.[name === "programmer" ? "programmer" : "testDesigner"];
    const workdir = given ?? (await createWorkspace({ sourceRepo: options.source.path, baseCommit: options.source.commit, workspaceDir: join(root, name) })).workdir;
    const sandbox = await options.factory.create(workdir, { commandTimeoutMs: 120_000 });
    sandboxes.push(sandbox);
    const git = createWorkspaceGit({ workdir, baseCommit: options.source.commit });
    benches.push({ sandbox, git, tools: createToolset({ sandbox, git }) });
  }
  const models = {
    planner: new ScriptedChatModel({ turns: options.scripts.planner, label: "planner script" }),
    testDesigner: new ScriptedChatModel({ turns: options.scripts.testDesigner, label: "test-designer script" }),
    programmer: new ScriptedChatModel({ turns: options.scripts.programmer, label: "programmer script" }),
  };
  const client = (model: ScriptedChatModel, key: string) =>
    createModelClient({
      chatModel: model,
      provider: { modelKey: `scripted:${key}`, credentialsHint: "" },
      billing: "scripted",
      timeoutMs: 30_000,
      retry: createRetryPolicy(0),
      emit,
    });
  const candidateModels = (options.candidates?.scripts ?? []).map((turns, index) => new ScriptedChatModel({ turns, label: `candidate ${index + 1} script` }));
  const critic = options.candidates?.critic ? new ScriptedChatModel({ turns: options.candidates.critic, label: "critic script" }) : undefined;
  const openCandidateBench = async (index: number) => {
    if (index === options.candidates?.unopenable) throw new SandboxError(`candidate ${index + 1}'s sandbox could not start (test)`);
    const workspaceDir = join(root, `candidate-${index}-${Date.now()}`);
    const { workdir } = await createWorkspace({ sourceRepo: options.source.path, baseCommit: options.source.commit, workspaceDir });
    const sandbox = await options.factory.create(workdir, { commandTimeoutMs: 120_000 });
    const git = createWorkspaceGit({ workdir, baseCommit: options.source.commit });
    return { bench: { sandbox, git, tools: createToolset({ sandbox, git }) }, dispose: () => sandbox.dispose() };
  };
  const runtime: GraphRuntime = {
    models: {
      planner: client(models.planner, "planner"),
      testDesigner: client(models.testDesigner, "test-designer"),
      programmer: client(models.programmer, "programmer"),
      ...(critic ? { critic: client(critic, "critic") } : {}),
    },
    programmer: benches[0]!,
    testDesigner: benches[1]!,
    limits: { ...defaultRunLimits, ...options.limits },
    stepsPerVisit: 30,
    approvalMode: "full-auto",
    emit,
    now: options.now ?? Date.now,
    memoryText: "",
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.parallelRoles ? { parallelRoles: true } : {}),
    ...(options.spectrum ? { findSuspects } : {}),
    ...(candidateModels.length > 1
      ? { candidates: { count: candidateModels.length, openBench: openCandidateBench, model: async (index: number) => client(candidateModels[index]!, `candidate-${index + 1}`) } }
      : {}),
  };
  const graph = buildAgentGraph(runtime, options.checkpointer);
  try {
    const input = { runId: "test-run", task: { ...options.task, source: "typed" }, baseCommit: options.source.commit, context: options.context ?? "(a small Python package)" };
    const state = (await graph.invoke(options.resume ? null : input, {
      recursionLimit: 100,
      configurable: { thread_id: options.threadId ?? "test-run" },
      ...(options.signal ? { signal: options.signal } : {}),
    })) as AgentStateValue;
    return { state, events, models, candidateModels, ...(critic ? { critic } : {}), programmerTree: benches[0]!.sandbox.hostWorkdir, sandboxes };
  } finally {
    for (const sandbox of sandboxes) await sandbox.dispose();
  }
}

/**
 * Fresh clones of the source at its commit, as prepare-run rebuilds them for a resumed run: the
 * programmer's with the checkpoint's patch applied, the test designer's with its designed tests.
 */
export async function rebuiltTrees(source: { path: string; commit: string }, saved: Pick<Partial<AgentStateValue>, "patch" | "designedTests">): Promise<{ programmer: string; testDesigner: string }> {
  const root = await mkdtemp(join(tmpdir(), "graph-resume-"));
  const programmer = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: join(root, "programmer") });
  const testDesigner = await createWorkspace({ sourceRepo: source.path, baseCommit: source.commit, workspaceDir: join(root, "test-designer") });
  if (saved.patch) await createWorkspaceGit({ workdir: programmer.workdir, baseCommit: source.commit }).applyPatch(saved.patch);
  for (const test of saved.designedTests ?? []) {
    await mkdir(dirname(join(testDesigner.workdir, test.path)), { recursive: true });
    await writeFile(join(testDesigner.workdir, test.path), test.content);
  }
  return { programmer: programmer.workdir, testDesigner: testDesigner.workdir };
}
