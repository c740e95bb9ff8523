/**
 * bench/startup: how long `agent` takes to start for commands that need neither the core nor ink,
 * against `node -e ''` measured in the same run: `agent --version` (target <= 500 ms),
 * `agent --help` and `agent config show --help`. Runs are interleaved, after one untimed warm-up
 * of each; it prints the medians and the ratios to node, and exits 0 whether the target is met or not.
 * Run: npm run build && node dist/bench/startup.js [--runs N]
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const runsFlag = process.argv.indexOf("--runs");
const runs = runsFlag >= 0 ? Math.max(1, Math.floor(Number(process.argv[runsFlag + 1])) || 1) : 10;
const projectRoot = fileURLToPath(new URL("../..", import.meta.url));
const agent = fileURLToPath(new URL("../../bin/agent.js", import.meta.url));
const VERSION_TARGET_MS = 500;

const cases: { label: string; args: string[] }[] = [
  { label: "node -e ''", args: ["-e", ""] },
  { label: "agent --version", args: [agent, "--version"] },
  { label: "agent --help", args: [agent, "--help"] },
  { label: "agent config show --help", args: [agent, "config", "show", "--help"] },
];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Runs node with `args` to its exit and returns the wall time in ms; throws when it fails. */
function timeRun(args: string[]): number {
  const started = performance.now();
  const result = spawnSync(process.execPath, args, { cwd: projectRoot, stdio: ["ignore", "ignore", "pipe"], encoding: "utf8" });
  const elapsed = performance.now() - started;
  if (result.status !== 0) throw new Error(`node ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

for (const { args } of cases) timeRun(args);
const times = cases.map(() => [] as number[]);
for (let run = 0; run < runs; run += 1) {
  for (const [index, { args }] of cases.entries()) times[index]!.push(timeRun(args));
}

const medians = times.map(median);
const baseline = medians[0]!;
process.stdout.write(`bench/startup: median of ${runs} interleaved runs each, node ${process.version}\n`);
for (const [index, { label }] of cases.entries()) {
  const ms = medians[index]!;
  const ratio = index === 0 ? "" : `  ratio ${(ms / baseline).toFixed(2)} to node`;
  const target = label === "agent --version" ? `  (target <= ${VERSION_TARGET_MS} ms) ${ms <= VERSION_TARGET_MS ? "met" : "NOT met"}` : "";
  process.stdout.write(`${label.padEnd(28)} ${ms.toFixed(1).padStart(8)} ms${ratio}${target}\n`);
}
