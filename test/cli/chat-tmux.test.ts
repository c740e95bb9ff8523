import { execFileSync } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { describeWithDocker } from "../support/require-docker.js";
import { belowLastRule, describeWithTmux, TmuxServer, type TerminalPane } from "../support/tmux.js";
import { createCliSandbox, projectRoot, writeJson, type CliSandbox } from "./cli-harness.js";
import { slugsFiles, slugsScript, writeSlugsRepository } from "./solve-fixture.js";

/**
 * `agent` on a real terminal: tmux panes of 120×40 drive the full-screen session with keys and
 * read it back with capture-pane, while a scripted model solves the slugs task in the Docker
 * sandbox. Every wait is on what the screen says.
 */

const TASK = "slugify keeps surrounding spaces";
/** The programmer's fix as the patch and the approval dialog show it. */
const FIX_ADDED = '+    return "-".join(text.lower().split())';
const FIX_REMOVED = '-    return text.lower().replace(" ", "-")';
/** A first Docker run (image checks, two containers, a checkout) can take a while on a small machine. */
const RUN_TIMEOUT_MS = 120_000;
const SPINNER = "[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏]";

let home: CliSandbox;
let runsDir: string;
let sessionsDir: string;
let scriptPath: string;
let server: TmuxServer;
let headBefore: string;

beforeEach(async () => {
  home = await createCliSandbox();
  runsDir = join(home.home, "runs");
  sessionsDir = join(home.home, "sessions");
  scriptPath = join(home.home, "script.json");
  await writeSlugsRepository(home.project);
  await writeJson(join(home.home, ".config/agent/config.json"), { sandbox: { kind: "docker" } });
  headBefore = git("rev-parse", "HEAD");
  server = await TmuxServer.create();
});

afterEach(async () => {
  await server.kill();
  // Hygiene only (the tests assert that nothing is left): a failed test may leave a run's containers.
  for (const runId of await runIds()) {
    const left = containersOf(runId);
    if (left.length) execFileSync("docker", ["rm", "--force", ...left], { stdio: "ignore" });
  }
});

function git(...args: string[]): string {
  return execFileSync("git", args, { cwd: home.project, encoding: "utf8" }).trim();
}

/** The containers (running or not) of a run, found by the sandbox's run-id label. */
function containersOf(runId: string): string[] {
  return execFileSync("docker", ["ps", "-a", "-q", "--filter", `label=agent.run-id=${runId}`], { encoding: "utf8" }).split("\n").filter(Boolean);
}

async function runIds(): Promise<string[]> {
  return (await readdir(runsDir).catch(() => [] as string[])).filter((name) => /^\d{8}-/.test(name)).sort();
}

async function trajectory(runId: string): Promise<Array<Record<string, unknown>>> {
  const text = await readFile(join(runsDir, runId, "trajectory.jsonl"), "utf8");
  return text
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function reportStatus(runId: string): Promise<string> {
  return (JSON.parse(await readFile(join(runsDir, runId, "report.json"), "utf8")) as { status: string }).status;
}

/** `agent` with the scripted model, on a new 120×40 pane, with only the environment a person's shell would give it (no CI). */
function startAgent(...args: string[]): Promise<TerminalPane> {
  const env: Record<string, string> = {
    HOME: home.home,
    PATH: process.env["PATH"] ?? "/usr/bin:/bin",
    TERM: "xterm-256color",
    AGENT_RUNS_DIR: runsDir,
    // Relative to the working directory (as the product reads it), outside the checkout.
    AGENT_SESSIONS_DIR: relative(home.project, sessionsDir),
    ...(process.env["DOCKER_HOST"] ? { DOCKER_HOST: process.env["DOCKER_HOST"] } : {}),
  };
  return server.start([process.execPath, join(projectRoot, "bin/agent.js"), "--model", `scripted:${scriptPath}`, ...args], { cwd: home.project, env });
}

/** The prompt row (the first row below the screen's last rule), e.g. "› ", "message › ", "guidance › ". */
function promptRow(screen: string): string {
  return belowLastRule(screen)[0] ?? "";
}

/** The session waits for a task: the idle prompt, no dialog. */
const idle = (screen: string) => /^›( |$)/.test(promptRow(screen));

/**
 * The rows of the screen's transcript column: at 120 columns the plan and diff panel takes the
 * right 48, after " │ " at column 69 (tool output's own "│" is near the left edge), and is cut off.
 */
function mainColumn(screen: string): string[] {
  return screen.split("\n").map((line) => {
    const panel = line.lastIndexOf(" │");
    return (panel >= 60 ? line.slice(0, panel) : line).trimEnd();
  });
}

/** The status of the last run-end line (■ status: ...) on the screen. */
function lastRunEnd(screen: string): string | undefined {
  return [...screen.matchAll(/^■ ([\w-]+):/gm)].at(-1)?.[1];
}

/** An approval dialog is open: its title row, its preview, its choices. */
function approvalDialog(screen: string): string[] | undefined {
  const bottom = belowLastRule(screen).map((line) => line.trimEnd());
  return / asks to use [\w_]+: /.test(bottom[0] ?? "") && bottom.some((line) => line.startsWith("y yes · a always allow")) ? bottom : undefined;
}

/** Waits for the screen's header and the idle prompt, and returns the session's id. */
async function waitForSession(pane: TerminalPane): Promise<{ sessionId: string; screen: string }> {
  const screen = await pane.waitFor((text) => idle(text) && /session \d{8}-\d{6}-[0-9a-f]+/.test(text), { timeoutMs: 60_000, what: "the session screen with its idle prompt" });
  return { sessionId: /session (\d{8}-\d{6}-[0-9a-f]+)/.exec(screen)![1]!, screen };
}

function expectCheckoutUnchanged(): void {
  expect(git("status", "--porcelain")).toBe("");
  expect(git("rev-parse", "HEAD")).toBe(headBefore);
  expect(execFileSync("cat", [join(home.project, "slugs/core.py")], { encoding: "utf8" })).toBe(slugsFiles["slugs/core.py"]);
}

describeWithTmux(
  "agent chat on a real terminal (tmux, Docker sandbox)",
  () => {
    it("suggest mode: types a task, accepts the plan, approves the edits, sees the tests, /help and /diff; Ctrl-C twice ends it with no container left and the checkout untouched", async () => {
      await writeJson(scriptPath, slugsScript());
      // `agent` alone opens the session.
      const pane = await startAgent("--approval", "suggest");
      const { sessionId, screen: first } = await waitForSession(pane);
      expect(first).toContain(" agent ");
      expect(first).toMatch(/project · scripted:.* · suggest · session /);
      expect(first).toContain("Type a task, an issue URL or OWNER/REPO#N, or /help.");

      await pane.typeLine(TASK);
      const review = await pane.waitFor("Review the plan (v1) before any code changes", { timeoutMs: RUN_TIMEOUT_MS });
      const dialog = belowLastRule(review).map((line) => line.trimEnd());
      expect(dialog).toContain("1. [programmer] split and join");
      expect(dialog).toContain("files: slugs/core.py");
      expect(dialog.at(-1)).toContain("Enter or y accept · e edit");
      expect(review).toContain("✓ search def slugify");
      await pane.sendKeys("y");
      await pane.waitFor("You accepted the plan.");

      // Every edit and command is asked: answer each dialog with y until the run ends.
      const answered: string[][] = [];
      for (;;) {
        const screen = await pane.waitFor(
          (text) => {
            if (lastRunEnd(text)) return true;
            const open = approvalDialog(text);
            return open !== undefined && open.join("\n") !== answered.at(-1)?.join("\n");
          },
          { timeoutMs: RUN_TIMEOUT_MS, what: "an approval dialog or the end of the run" },
        );
        if (lastRunEnd(screen)) break;
        answered.push(approvalDialog(screen)!);
        expect(answered.length, "more approval dialogs than the script has edits and commands").toBeLessThan(8);
        await pane.sendKeys("y");
      }
      const testsDialog = answered.find((rows) => rows[0]!.startsWith("test-designer asks to use edit_file"));
      expect(testsDialog, JSON.stringify(answered, null, 2)).toBeDefined();
      expect(testsDialog).toContain("create tests/test_repro.py");
      expect(testsDialog).toContain("+class Repro(unittest.TestCase):");
      const editDialog = answered.find((rows) => rows[0]!.startsWith("programmer asks to use edit_file"));
      expect(editDialog, JSON.stringify(answered, null, 2)).toBeDefined();
      expect(editDialog).toContain("str_replace slugs/core.py");
      expect(editDialog).toContain('-text.lower().replace(" ", "-")');
      expect(editDialog).toContain('+"-".join(text.lower().split())');

      // The task ends: the run's end, the tests before and after, and the idle prompt with what to do next.
      const done = await pane.waitFor((text) => idle(text) && text.includes("/diff shows the changes"), { timeoutMs: 60_000, what: "the idle prompt after the task" });
      expect(lastRunEnd(done)).toBe("solved");
      expect(done).toMatch(/■ solved: 1 reproduction test\(s\) fail before and pass after/);
      expect(done).toMatch(/▣ designed tests on the base commit: 0 passed, 1 failed/);
      expect(done).toContain("✗ test_strip");
      expect(done).toMatch(/▣ designed tests on the patched tree: 1 passed, 0 failed/);
      expect(done).toMatch(/── programmer · round 1/);
      // The programmer's approval is in the transcript, answered.
      expect(mainColumn(done).join("\n")).toMatch(/\? programmer asked to use edit_file \([^\n]*\n\s+allowed\n/);
      expect(done).toMatch(/✓ planner → ✓ test-designer → ✓ programmer → ✓ executor/);

      await pane.typeLine("/help");
      const help = await pane.waitFor((text) => text.includes("/quit — end the session") && text.includes("PgUp/PgDn scroll"), { what: "the /help list" });
      expect(help).toContain("/diff — show the current changes (the running task's tree, or the");
      expect(help).toContain("/resume — continue a task that was interrupted");
      expect(help).toContain("Esc — stop the current model turn or tool call");
      expect(help).toContain("Ctrl-C — as Esc; twice within 2 s ends the session");
      // The transcript scrolls: a page up shows what was above, a page down comes back.
      await pane.sendKeys("PageUp");
      await pane.waitFor((text) => text.includes("lines up · PgDn to go back"), { what: "the transcript a page up" });
      await pane.sendKeys("PageDown");
      await pane.waitFor((text) => !text.includes("lines up · PgDn to go back"), { what: "the end of the transcript again" });

      await pane.typeLine("/diff");
      const diff = await pane.waitFor(
        (text) => {
          const rows = mainColumn(text);
          const title = rows.findIndex((row) => row.startsWith("Changes of this session (not in your checkout until /apply)"));
          return title !== -1 && rows.slice(title).some((row) => row === FIX_ADDED);
        },
        { what: "the /diff of the session with the fix" },
      );
      const rows = mainColumn(diff);
      const patch = rows.slice(rows.findIndex((row) => row.startsWith("Changes of this session")));
      expect(patch).toContain("diff --git a/slugs/core.py b/slugs/core.py");
      expect(patch).toContain(FIX_REMOVED);
      expect(patch.some((row) => row.includes("test_repro"))).toBe(false);

      const [runId] = await runIds();
      expect(runId).toBeDefined();
      // The run's record has each answer as given on the terminal.
      const decisions = (await trajectory(runId!)).filter((event) => event.type === "approval-decision").map((event) => [event["node"], event["tool"], event["decision"]]);
      expect(decisions).toEqual([
        ["test-designer", "edit_file", "allow"],
        ["programmer", "edit_file", "allow"],
      ]);
      await pane.sendKeys("C-c", "C-c");
      const exit = await pane.waitForExit(60_000);
      expect(exit.code, exit.output).toBe(0);
      expect(exit.output).toContain(`agent: session ${sessionId} saved; continue it with: agent chat --resume`);
      // The terminal is given back: the session's frames were on the alternate screen.
      expect(exit.output).not.toContain("Enter sends · Ctrl-J new line");

      expect(containersOf(runId!)).toEqual([]);
      expect(await reportStatus(runId!)).toBe("solved");
      expect(await readdir(join(runsDir, runId!))).not.toContain("workspaces");
      expectCheckoutUnchanged();
    }, 300_000);

    it("Esc stops the programmer's sleep 60 and guidance goes on; Ctrl-C twice in a second task exits 130; agent chat --resume finishes that task", async () => {
      await writeJson(scriptPath, slugsScript("sleep 60"));
      const pane = await startAgent("chat", "--yes", "--approval", "full-auto");
      const { sessionId } = await waitForSession(pane);

      await pane.typeLine(TASK);
      await pane.waitFor(new RegExp(`^\\s+${SPINNER} run_shell sleep 60\\s*(│|$)`, "m"), { timeoutMs: RUN_TIMEOUT_MS, what: "the running run_shell sleep 60" });
      const sleepSeen = Date.now();
      const [firstRun] = await runIds();
      expect(containersOf(firstRun!).length, "the run's sandbox containers, found by their labels").toBeGreaterThan(0);
      expect(promptRow(await pane.screen())).toMatch(/^message ›/);

      await pane.sendKeys("Escape");
      const stopped = await pane.waitFor((text) => text.includes("Stopped programmer (run_shell was killed)") && /^guidance ›/.test(promptRow(text)), {
        timeoutMs: 30_000,
        what: "the Stopped programmer notice and the guidance prompt",
      });
      expect(Date.now() - sleepSeen, "Esc must kill the sleep at once").toBeLessThan(15_000);
      expect(stopped).toContain("paused: type guidance");
      expect(stopped).toContain("interrupted by the user");

      const guidance = "do not sleep; fix slugify";
      await pane.typeLine(guidance);
      await pane.waitFor(`→ to programmer: ${guidance}`);
      const solved = await pane.waitFor((text) => idle(text) && text.includes("/diff shows the changes"), { timeoutMs: RUN_TIMEOUT_MS, what: "the end of the guided task" });
      expect(lastRunEnd(solved)).toBe("solved");
      // Had the sleep run out, the run could not have ended before 60 s after it started.
      expect(Date.now() - sleepSeen, "the sleep 60 was killed, not waited for").toBeLessThan(55_000);
      const events = await trajectory(firstRun!);
      expect(events).toContainEqual(expect.objectContaining({ type: "guidance-given", node: "programmer", text: guidance }));
      expect(events).toContainEqual(expect.objectContaining({ type: "turn-interrupted", node: "programmer" }));

      // A second task, from the tree before the first one's changes, stopped by Ctrl-C twice while its programmer sleeps.
      await pane.typeLine("/undo");
      await pane.waitFor('Undid "');
      await writeJson(scriptPath, slugsScript("sleep 60 && echo second"));
      await pane.typeLine("slugify still keeps the spaces");
      await pane.waitFor(new RegExp(`^\\s+${SPINNER} run_shell sleep 60 && echo second`, "m"), { timeoutMs: RUN_TIMEOUT_MS, what: "the second task's running sleep" });
      const secondRun = (await runIds()).find((id) => id !== firstRun);
      expect(secondRun).toBeDefined();
      expect(containersOf(secondRun!).length).toBeGreaterThan(0);
      await pane.sendKeys("C-c", "C-c");
      const interrupted = await pane.waitForExit(60_000);
      expect(interrupted.code, interrupted.output).toBe(130);
      expect(interrupted.output).toContain(`agent: session ${sessionId} saved; continue it with: agent chat --resume`);
      expect(containersOf(firstRun!)).toEqual([]);
      expect(containersOf(secondRun!)).toEqual([]);
      expect(await readdir(join(runsDir, secondRun!))).not.toContain("workspaces");
      const record = JSON.parse(await readFile(join(sessionsDir, sessionId, "session.json"), "utf8")) as { tasks: Array<{ runId: string; status: string }> };
      expect(record.tasks.map((task) => [task.runId, task.status])).toEqual([
        [firstRun, "solved"],
        [secondRun, "interrupted"],
      ]);
      expectCheckoutUnchanged();

      // The resumed run plays the rest of the script from its checkpoint: this time the programmer's command is quick.
      await writeJson(scriptPath, slugsScript("echo resumed"));
      const resumed = await startAgent("chat", "--resume", "--yes", "--approval", "full-auto");
      await resumed.waitFor(`Resuming the unfinished task ${secondRun}`, { timeoutMs: 60_000 });
      const end = await resumed.waitFor((text) => idle(text) && text.includes("/diff shows the changes"), { timeoutMs: RUN_TIMEOUT_MS, what: "the end of the resumed task" });
      expect(end).toContain(`session ${sessionId}`);
      expect(end).toContain("$ echo resumed");
      expect(lastRunEnd(end)).toBe("solved");
      expect(await reportStatus(secondRun!)).toBe("solved");
      await resumed.sendKeys("C-c", "C-c");
      const last = await resumed.waitForExit(60_000);
      expect(last.code, last.output).toBe(0);
      expect(last.output).toContain(`agent: session ${sessionId} saved; continue it with: agent chat --resume`);
      expect(await runIds()).toEqual([firstRun, secondRun]);
      for (const runId of [firstRun!, secondRun!]) expect(containersOf(runId)).toEqual([]);
      expectCheckoutUnchanged();
    }, 300_000);
  },
  describeWithDocker,
);
