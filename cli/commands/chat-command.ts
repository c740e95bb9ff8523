import { resolve } from "node:path";
import { Command, Option } from "commander";
import {
  chooseSandbox,
  createModel,
  createRedactor,
  defaultRunLimits,
  findRepositoryRoot,
  formatIssueReference,
  hasUncommittedChanges,
  Session,
  UsageError,
  type ApprovalMode,
} from "../../src/index.js";
import { globalOptions, type CliContext } from "../cli-context.js";
import { ExitCode } from "../exit-codes.js";
import { sharedRunOptions, stateDirectory } from "../run-options.js";
import { readPromptTask } from "../task-input.js";
import { runSessionTui } from "../tui/session/session-controller.js";
import { mountOnTerminal } from "../tui/session/mount-screen.js";
import { memoryPath } from "./memory-command.js";
import { confirmLocalSandbox } from "./sandbox-command.js";
import { addLimitOptions, limitsFrom, runsDirectory } from "./solve-command.js";

interface ChatOptions {
  resume?: string | boolean;
  yes?: boolean;
  approval?: ApprovalMode;
  apiUrl?: string;
  runsDir?: string;
  maxSteps?: string;
  maxCost?: string;
  maxRounds?: string;
  maxMinutes?: string;
}

/** The description `agent --help` lists for `agent chat` (run-cli.ts repeats it). */
export const CHAT_DESCRIPTION =
  "Open an interactive session in this repository (also `agent` alone): type tasks, review the plan, approve steps and steer the agents; your checkout changes only with /apply.";

/** The sessions' directories: AGENT_SESSIONS_DIR, or the XDG state directory beside the runs. */
export function sessionsDirectory(context: CliContext): string {
  if (context.env["AGENT_SESSIONS_DIR"]) return resolve(context.cwd, context.env["AGENT_SESSIONS_DIR"]);
  return stateDirectory(context, "sessions");
}

/** Why the session cannot open on this terminal, or undefined when it can. */
function terminalProblem(context: CliContext): string | undefined {
  if (!context.stdin || !context.terminal) return "agent chat needs a terminal (its input and its screen), and this is not one";
  if (context.env["CI"]) return "agent chat is interactive and CI is set";
  if (context.env["TERM"] === "dumb") return "agent chat draws a full screen and TERM is dumb";
  return undefined;
}

/** The values of environment variables that look like credentials, so no screen or record shows them. */
function environmentSecrets(env: Record<string, string | undefined>): string[] {
  return Object.entries(env)
    .filter(([name, value]) => value && /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL)/i.test(name))
    .map(([, value]) => value as string);
}

/** `agent chat` (and `agent` alone): the interactive terminal session. */
export function createChatCommand(context: CliContext): Command {
  return addLimitOptions(
    new Command("chat")
      .description(CHAT_DESCRIPTION)
      .option("--resume [session-id]", "continue the last session of this repository, or the one given (an interrupted task goes on)")
      .option("-y, --yes", "accept the planner's plans without review (config tui.autoAcceptPlan)")
      .addOption(new Option("--approval <mode>", "what the agents may do without asking (config tui.approval; default auto-edit)").choices(["suggest", "auto-edit", "full-auto"]))
      .option("--api-url <url>", "GitHub API URL for issues typed at the prompt, for GitHub Enterprise (default https://api.github.com)"),
  ).action(async (options: ChatOptions, command: Command) => {
    const problem = terminalProblem(context);
    if (problem) {
      throw new UsageError(`${problem}. Use \`agent solve --task "..."\` (or an issue URL or file), which runs without a terminal and prints its progress.`);
    }
    const checkoutRoot = await findRepositoryRoot(context.cwd);
    if (!checkoutRoot) throw new UsageError(`${context.cwd} is not inside a git repository: cd into the repository to work on, then run agent again.`);
    const global = globalOptions(command);
    const shared = await sharedRunOptions(context, global);
    const { config } = shared;
    // Builds the model (no request is sent): no model, or one that cannot be built, says what to set before the screen opens.
    await createModel({ config, ...(shared.modelOrigin ? { modelOrigin: shared.modelOrigin } : {}), userConfigPath: shared.userConfigPath, cwd: context.cwd });
    // The sandbox's consent is asked once, before the screen takes the terminal.
    await confirmLocalSandbox(context, await chooseSandbox(config.sandbox, shared.docker));
    const sessionsDir = sessionsDirectory(context);
    let session: Session;
    if (options.resume) {
      const found = typeof options.resume === "string" ? await Session.open(sessionsDir, options.resume) : await Session.latest(sessionsDir, checkoutRoot);
      if (!found) throw new UsageError(`There is no session of ${checkoutRoot} to resume in ${sessionsDir}; run agent (or agent chat) to start one.`);
      session = found;
    } else {
      if (await hasUncommittedChanges(checkoutRoot)) {
        context.io.stderr.write("agent: note: the session works from your last commit; your uncommitted changes are not part of it.\n");
      }
      session = await Session.start({ sessionsDir, checkoutRoot });
    }
    const approvalGiven = command.getOptionValueSource("approval") === "cli";
    const approvalMode = (approvalGiven && options.approval) || config.tui.approval;
    const limits = { ...defaultRunLimits, ...limitsFrom(options) };
    const redact = createRedactor([...(shared.secrets ?? []), ...environmentSecrets(context.env), ...Object.values(config.providers).map((provider) => provider.apiKey)]);
    const terminal = context.terminal!;
    const stdin = context.stdin!;
    const result = await runSessionTui({
      session,
      input: stdin,
      output: terminal,
      mount: mountOnTerminal(terminal, stdin),
      runOptions: {
        ...shared,
        secrets: [...(shared.secrets ?? []), ...environmentSecrets(context.env)],
        confirmSandbox: async () => {},
        runsDir: runsDirectory(context, options.runsDir),
        memoryPath: memoryPath(context),
      },
      limits,
      approvalMode,
      model: config.model!,
      autoAcceptPlan: options.yes === true || config.tui.autoAcceptPlan,
      resolveTask: async (text) => {
        const { task, issue } = await readPromptTask(context, text, options.apiUrl);
        return { task, ...(issue ? { issue: { reference: formatIssueReference(issue), ...(options.apiUrl ? { apiUrl: options.apiUrl } : {}) } } : {}) };
      },
      checkModel: async (model) => {
        await createModel({ config: { ...config, model, models: {} }, modelOrigin: "/model", userConfigPath: shared.userConfigPath, cwd: context.cwd });
      },
      redact,
      resumeOnStart: options.resume !== undefined,
      signal: context.signal,
    });
    context.io.stderr.write(`agent: session ${session.id} saved; continue it with: agent chat --resume\n`);
    context.setExitCode(result.interruptedTask ? ExitCode.interrupted : ExitCode.ok);
  });
}
