/**
 * Spectrum-based localisation, as AutoCodeRover does it: the functions the failing reproduction
 * runs and the passing tests do not are where the bug most likely is. Python only: the tests run
 * once more in the test designer's tree (the base commit plus the reproduction) with a call
 * recorder loaded through `sitecustomize` (every Python process the command starts, whatever the
 * runner), which writes the repository's functions each process entered.
 */
import { randomBytes } from "node:crypto";
import type { SpectrumRun } from "../agents/graph-runtime.js";
import type { Suspect } from "../memory/blackboard.js";
import { isTestPath } from "../planner/symbol-index.js";
import type { Sandbox } from "../sandbox/sandbox.js";
import { shellQuote } from "../sandbox/shell-session.js";

/** The runners whose tests are Python processes the recorder can ride along with. */
const PYTHON_FRAMEWORKS = new Set(["pytest", "unittest", "django", "sympy"]);


/**
 * The recorder: a profile hook on calls only (cheaper than a line tracer), keeping each function
 * of the repository (under AGENT_SPECTRUM_ROOT, not in an installed package) once with its call
 * count, written at exit as JSON lines of [path, first line, name, calls].
 */
const RECORDER = String.raw`
import atexit, json, os, sys, threading
_root = os.environ.get("AGENT_SPECTRUM_ROOT", "").rstrip("/") + "/"
_out = os.environ.get("AGENT_SPECTRUM_OUT", "")
_calls = {}
def _profile(frame, event, arg):
    if event == "call":
        code = frame.f_code
        _calls[code] = _calls.get(code, 0) + 1
def _dump():
    sys.setprofile(None)
    rows = []
    for code, count in list(_calls.items()):
        path = code.co_filename
        if path.startswith(_root) and "/site-packages/" not in path:
            rows.append([path[len(_root):], code.co_firstlineno, code.co_name, count])
    try:
        with open(os.path.join(_out, "calls-%d.jsonl" % os.getpid()), "w") as handle:
            for row in rows:
                handle.write(json.dumps(row) + "\n")
    except OSError:
        pass
if _out:
    atexit.register(_dump)
    sys.setprofile(_profile)
    threading.setprofile(_profile)
`;

/** A function the recorded runs entered: where it is defined, and how often it was called. */
export interface CalledFunction {
  path: string;
  line: number;
  name: string;
  calls: number;
}

/** What one recorded run gave: its exit code, and the repository's functions it entered. */
export interface RecordedRun {
  exitCode: number | null;
  functions: CalledFunction[];
}

/** Runs a test command with the call recorder in the sandbox; null when nothing could be recorded. */
export async function recordCalledFunctions(sandbox: Sandbox, command: string, options: { timeoutMs: number; signal?: AbortSignal }): Promise<RecordedRun | null> {
  const dir = `/tmp/.agent-spectrum-${randomBytes(6).toString("hex")}`;
  const recorder = Buffer.from(RECORDER).toString("base64");
  const setUp = await sandbox.exec({ command: `mkdir -p ${dir} && printf %s ${shellQuote(recorder)} | base64 -d > ${dir}/sitecustomize.py`, timeoutMs: 30_000 }, options.signal);
  if (setUp.exitCode !== 0) return null;
  try {
    const exports = `export PYTHONPATH=${dir}\${PYTHONPATH:+:$PYTHONPATH} AGENT_SPECTRUM_OUT=${dir} AGENT_SPECTRUM_ROOT=${shellQuote(sandbox.workdir)}`;
    const run = await sandbox.exec({ command: `(\n${exports}\n${command}\n)`, timeoutMs: options.timeoutMs }, options.signal);
    const listing = await sandbox.exec({ command: `cat ${dir}/calls-*.jsonl 2>/dev/null; true`, timeoutMs: 30_000, outputLimitBytes: 8 * 1024 * 1024 }, options.signal);
    if (listing.truncated) return null;
    const byKey = new Map<string, CalledFunction>();
    for (const line of listing.stdout.split("\n")) {
      if (!line.startsWith("[")) continue;
      try {
        const [path, first, name, calls] = JSON.parse(line) as [string, number, string, number];
        const key = `${path}:${first}:${name}`;
        const known = byKey.get(key);
        if (known) known.calls += calls;
        else byKey.set(key, { path, line: first, name, calls });
      } catch {
        continue;
      }
    }
    return { exitCode: run.timedOut ? null : run.exitCode, functions: [...byKey.values()] };
  } finally {
    await sandbox.exec({ command: `rm -rf ${dir}`, timeoutMs: 30_000 }).catch(() => undefined);
  }
}

/**
 * Ranks the non-test functions of .py files by Ochiai over the runs (module bodies, lambdas and comprehensions left out): entered by the failing reproduction and
 * not by the passing tests first (score 1), then those both entered (1/√2 with one of each);
 * ties go to the function called fewer times (a helper every path calls says less than one only
 * the failing input reaches). Functions of test files and of the designed tests are left out.
 */
export function rankSuspects(runs: { failing: readonly CalledFunction[][]; passing: readonly CalledFunction[][] }, options: { exclude?: readonly string[]; limit?: number } = {}): Suspect[] {
  const excluded = new Set(options.exclude ?? []);
  const stats = new Map<string, { fn: CalledFunction; failed: number; passed: number; calls: number }>();
  const count = (functions: readonly CalledFunction[], outcome: "failed" | "passed") => {
    for (const fn of functions) {
      // Scripts without .py (a runner such as sympy's bin/test) are the harness, not the library.
      if (excluded.has(fn.path) || !fn.path.endsWith(".py") || isTestPath(fn.path) || fn.name.startsWith("<")) continue;
      const key = `${fn.path}:${fn.line}:${fn.name}`;
      const entry = stats.get(key) ?? { fn, failed: 0, passed: 0, calls: 0 };
      entry[outcome] += 1;
      entry.calls += fn.calls;
      stats.set(key, entry);
    }
  };
  for (const run of runs.failing) count(run, "failed");
  for (const run of runs.passing) count(run, "passed");
  const totalFailed = runs.failing.length;
  if (totalFailed === 0) return [];
  return [...stats.values()]
    .filter((entry) => entry.failed > 0)
    .map((entry) => ({
      path: entry.fn.path,
      line: entry.fn.line,
      name: entry.fn.name,
      score: entry.failed / Math.sqrt(totalFailed * (entry.failed + entry.passed)),
      calls: entry.calls,
      evidence: entry.passed === 0 ? "run by the failing reproduction, by none of the passing tests" : "run by the failing reproduction and by passing tests",
    }))
    .sort((a, b) => b.score - a.score || a.calls - b.calls || a.path.localeCompare(b.path) || a.line - b.line)
    .slice(0, options.limit ?? 10)
    .map(({ calls: _calls, ...suspect }) => suspect);
}

/** The longest one recorded run may take (the recorder slows Python calls down). */
const RECORDED_RUN_TIMEOUT_MS = 120_000;

/**
 * The spectrum of a reproduction (GraphRuntime.findSuspects): the failing command runs with the
 * call recorder and must fail (a reproduction that passes points at nothing); the passing tests
 * run with it too and count only when they pass. Empty when the runner is not Python or nothing
 * could be recorded.
 */
export async function findSuspects(sandbox: Sandbox, run: SpectrumRun, signal?: AbortSignal): Promise<Suspect[]> {
  if (!PYTHON_FRAMEWORKS.has(run.framework)) return [];
  const options = { timeoutMs: RECORDED_RUN_TIMEOUT_MS, ...(signal ? { signal } : {}) };
  const failing = await recordCalledFunctions(sandbox, run.failingCommand, options);
  if (!failing || failing.exitCode === 0 || failing.exitCode === null || failing.functions.length === 0) return [];
  const passing = run.passingCommand ? await recordCalledFunctions(sandbox, run.passingCommand, options) : null;
  return rankSuspects({ failing: [failing.functions], passing: passing && passing.exitCode === 0 ? [passing.functions] : [] }, { exclude: run.exclude });
}
