import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AbortedError } from "../../src/errors.js";
import type { Sandbox } from "../../src/sandbox/sandbox.js";
import { dockerFactories, sandboxFactories, type SandboxFactory } from "../support/sandbox-factories.js";

/**
 * Counts live processes whose command line contains `needle` (via /proc, present in both
 * sandboxes). The first character is bracketed so the grep never counts itself.
 */
const countProcesses = (needle: string): string =>
  `n=0; for f in /proc/[0-9]*/cmdline; do tr '\\0' ' ' < "$f" 2>/dev/null | grep -q -- "[${needle[0]}]${needle.slice(1)}" && n=$((n+1)); done; echo $n`;

/** A sleep duration unique to this test run, so processes from other runs on the host never count. */
const unique = (): string => String(100_000 + Math.floor(Math.random() * 800_000));

describe.each(sandboxFactories)("the $name sandbox", (factory: SandboxFactory) => {
  let hostDir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), `sandbox-${factory.name}-`));
    await writeFile(join(hostDir, "README.md"), "hello\n");
    sandbox = await factory.create(hostDir, { env: { GIVEN_VARIABLE: "given" } });
  }, 20 * 60_000);

  afterAll(async () => {
    await sandbox?.dispose();
    await rm(hostDir, { recursive: true, force: true });
  });

  it("runs a command in the workspace and reports exit code and both streams", async () => {
    const result = await sandbox.exec({ command: "cat README.md; echo oops >&2; (exit 3)" });
    expect(result).toMatchObject({ exitCode: 3, stdout: "hello\n", stderr: "oops\n", timedOut: false, truncated: false });
  });

  it("keeps cd and export between commands", async () => {
    await sandbox.exec({ command: "mkdir -p sub && cd sub && export KEPT=yes" });
    const result = await sandbox.exec({ command: 'echo "$PWD $KEPT"' });
    expect(result.stdout).toBe(`${sandbox.workdir}/sub yes\n`);
    await sandbox.exec({ command: `cd ${sandbox.workdir}` });
  });

  it("runs a command with its own cwd and env without changing the session", async () => {
    const scoped = await sandbox.exec({ command: 'echo "$PWD $ONLY_HERE"', cwd: "/", env: { ONLY_HERE: "it's here" } });
    const after = await sandbox.exec({ command: 'echo "$PWD ${ONLY_HERE:-unset}"' });
    expect(scoped.stdout).toBe("/ it's here\n");
    expect(after.stdout).toBe(`${sandbox.workdir} unset\n`);
  });

  it("passes only the given environment, never the host's", async () => {
    process.env["AGENT_TEST_HOST_SECRET"] = "host-secret-value";
    try {
      const result = await sandbox.exec({ command: 'echo "[${AGENT_TEST_HOST_SECRET:-}] [$GIVEN_VARIABLE]"; env | grep -c API_KEY || true' });
      expect(result.stdout).toBe("[] [given]\n0\n");
    } finally {
      delete process.env["AGENT_TEST_HOST_SECRET"];
    }
  });

  it("kills a command that sleeps past its timeout, with its children", async () => {
    const id = unique();
    const result = await sandbox.exec({ command: `sleep ${id}1 & sleep ${id}2 & sleep ${id}3; echo not-reached`, timeoutMs: 1_000 });
    expect(result.timedOut).toBe(true);
    expect(result.stdout).not.toContain("not-reached");
    expect(result.durationMs).toBeLessThan(5_000);
    const left = await sandbox.exec({ command: countProcesses(`sleep ${id}`) });
    expect(left.stdout.trim()).toBe("0");
  });

  it("stops what a command leaves running when it returns, and counts it", async () => {
    const id = unique();
    const result = await sandbox.exec({ command: `sleep ${id} & (sleep ${id} &) ; nohup sleep ${id} >/dev/null 2>&1 & echo started` });
    expect(result).toMatchObject({ exitCode: 0, stdout: "started\n", strayProcessesStopped: 3 });
    const left = await sandbox.exec({ command: countProcesses(`sleep ${id}`) });
    expect(left).toMatchObject({ stdout: "0\n", strayProcessesStopped: 0 });
  });

  // One retry: it times a command out on a machine the other test files load unevenly (each try must still pass).
  it("keeps a background job the caller asked for across commands and a timeout, until it is stopped", { retry: 1 }, async () => {
    const id = unique();
    const started = await sandbox.exec({ command: `echo serving; sleep ${id}`, background: true });
    expect(started.stdout).toMatch(/^Started in the background as process group (\d+); its output goes to .*\/\.agent-jobs\/job-\d+\.log\./);
    const group = /process group (\d+)/.exec(started.stdout)![1]!;
    // Long enough that a loaded machine has begun the command (and listed the job to spare) before it times out.
    await sandbox.exec({ command: `sleep ${unique()}`, timeoutMs: 2_000 });
    expect((await sandbox.exec({ command: countProcesses(`sleep ${id}`) })).stdout).toBe("1\n");
    const listed = await sandbox.exec({ command: "__agent_jobs" });
    expect(listed.stdout).toContain(`${group}  running`);
    expect(listed.stdout).toContain(`echo serving; sleep ${id}`);
    const stopped = await sandbox.exec({ command: `__agent_jobs_stop ${group}` });
    expect(stopped.stdout).toContain(`Stopped background job ${group}`);
    expect((await sandbox.exec({ command: countProcesses(`sleep ${id}`) })).stdout).toBe("0\n");
    expect((await sandbox.exec({ command: "__agent_jobs" })).stdout).toBe("No background jobs.\n");
  });

  it("interrupts a busy shell loop on timeout and keeps the session", async () => {
    await sandbox.exec({ command: "export BEFORE_LOOP=1" });
    const result = await sandbox.exec({ command: "while :; do :; done", timeoutMs: 500 });
    const after = await sandbox.exec({ command: 'echo "$BEFORE_LOOP"' });
    expect(result.timedOut).toBe(true);
    expect(after.stdout).toBe("1\n");
  });

  it("starts a new shell when the command exits the shell, and says so", async () => {
    const exited = await sandbox.exec({ command: "cd / && exit 7" });
    const next = await sandbox.exec({ command: "pwd" });
    expect(exited).toMatchObject({ sessionRestarted: true, exitCode: 7 });
    expect(next).toMatchObject({ exitCode: 0, stdout: `${sandbox.workdir}\n` });
  });

  it("caps 10 MB of output to its head and tail and counts what it omitted", async () => {
    const result = await sandbox.exec({
      command: "echo START; head -c 10000000 /dev/zero | tr '\\0' x; echo; echo END",
      outputLimitBytes: 20_000,
    });
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThan(21_000);
    expect(result.stdout.startsWith("START\n")).toBe(true);
    expect(result.stdout.endsWith("END\n")).toBe(true);
    expect(result.omittedBytes).toBeGreaterThan(9_900_000);
  });

  it("gives a command that reads stdin end-of-file instead of hanging", async () => {
    const result = await sandbox.exec({ command: "cat; read -r line; echo read=$?", timeoutMs: 10_000 });
    expect(result).toMatchObject({ exitCode: 0, stdout: "read=1\n", timedOut: false });
  });

  it("survives a command with unbalanced quotes", async () => {
    const broken = await sandbox.exec({ command: "echo 'unterminated" });
    const next = await sandbox.exec({ command: "echo fine" });
    expect(broken.exitCode).not.toBe(0);
    expect(next.stdout).toBe("fine\n");
  });

  it("stops a running command when the caller aborts", async () => {
    const controller = new AbortController();
    const id = unique();
    const running = sandbox.exec({ command: `sleep ${id}` }, controller.signal);
    setTimeout(() => controller.abort(), 300);
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    const left = await sandbox.exec({ command: countProcesses(`sleep ${id}`) });
    expect(left.stdout.trim()).toBe("0");
  });

  it("keeps file bytes exact both ways: UTF-8, CRLF and no final newline", async () => {
    const bytes = Buffer.from("héllo wörld ✓\r\nsecond line\r\nno newline at end", "utf8");
    await sandbox.writeFile("roundtrip/crlf.txt", bytes);
    const inside = await sandbox.exec({ command: "od -An -tx1 roundtrip/crlf.txt | tr -d ' \\n'" });
    expect(inside.stdout).toBe(bytes.toString("hex"));
    await sandbox.exec({ command: "printf 'caf\\xc3\\xa9\\r\\nend' > roundtrip/made-inside.txt" });
    expect((await sandbox.readFile("roundtrip/made-inside.txt")).toString("hex")).toBe(Buffer.from("café\r\nend").toString("hex"));
  });

  it("lets commands in the sandbox change files the host wrote through the sandbox", async () => {
    await sandbox.writeFile("nested/dir/new.py", "x = 1\n");
    const result = await sandbox.exec({ command: "echo 'y = 2' >> nested/dir/new.py && touch nested/dir/other.txt" });
    expect(result.exitCode).toBe(0);
    expect(await readFile(join(hostDir, "nested/dir/new.py"), "utf8")).toBe("x = 1\ny = 2\n");
  });

  it("refuses paths outside the workspace", async () => {
    await expect(sandbox.readFile("../../etc/passwd")).rejects.toThrow(/outside the workspace/);
    await expect(sandbox.readFile("/etc/passwd")).rejects.toThrow(/outside the workspace/);
    await sandbox.exec({ command: "ln -sf /etc/passwd escape-link" });
    await expect(sandbox.readFile("escape-link")).rejects.toThrow(/outside the workspace/);
    await expect(sandbox.writeFile("escape-link", "x")).rejects.toThrow(/outside the workspace/);
  });
});

describe.each(dockerFactories)("the $name sandbox's isolation", (factory: SandboxFactory) => {
  let hostDir: string;
  let sandbox: Sandbox;

  beforeAll(async () => {
    hostDir = await mkdtemp(join(tmpdir(), "sandbox-isolation-"));
    sandbox = await factory.create(hostDir);
  }, 20 * 60_000);

  afterAll(async () => {
    await sandbox?.dispose();
    await rm(hostDir, { recursive: true, force: true });
  });

  it("runs commands as a user who is not root", async () => {
    const result = await sandbox.exec({ command: "id -u" });
    expect(result.stdout.trim()).not.toBe("0");
  });

  it("has no network by default: only the loopback interface and no name resolution", async () => {
    const interfaces = await sandbox.exec({ command: "ls /sys/class/net" });
    const lookup = await sandbox.exec({ command: "getent hosts deb.debian.org", timeoutMs: 10_000 });
    expect(interfaces.stdout.trim()).toBe("lo");
    expect(lookup.exitCode).not.toBe(0);
  });

  it("has the tools the agent relies on", async () => {
    const result = await sandbox.exec({ command: "git --version && rg --version | head -1 && python3 --version && gcc --version | head -1" });
    expect(result.exitCode).toBe(0);
  });
});
