/**
 * bench/fuzz: the properties of test/fuzz (bench/support/fuzz/), run far longer than `npm test`
 * runs them and from random seeds: every parser that reads untrusted input (test-runner output,
 * the SWE-bench log parsers, patches, the model's tool-call arguments, project config files,
 * shell commands, issue text, test outcomes). For each property it prints the runs made, the
 * time taken and, when it fails, fast-check's report: the seed, the path and the shrunk
 * counterexample, which replay in the suite with `FUZZ_SEED=<seed>` (the path picks the run).
 * The seed printed is that of the round of runs that failed. Exits 1 when a property fails.
 * Run: npm run bench:fuzz -- [--seconds S | --runs N] [--seed N] [--filter TEXT]
 *   --seconds S  the whole bench's time, shared equally by the properties (default 120);
 *   --runs N     instead, N runs per property, scaled by its weight (git and 1 MB properties run fewer);
 *   --seed N     one fixed seed for every property instead of a random one each;
 *   --filter T   only the properties whose group or name contains T.
 */
import * as fc from "fast-check";
import { fuzzProperties } from "./support/fuzz/fuzz-properties.js";
import { runsFor, type FuzzProperty, type PreparedProperty } from "./support/fuzz/fuzz-property.js";

function flag(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index === -1 ? undefined : process.argv[index + 1];
}

function positiveNumber(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    process.stderr.write(`bench/fuzz: ${name} takes a positive number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return value;
}

const runs = positiveNumber("--runs", flag("--runs"));
const seconds = positiveNumber("--seconds", flag("--seconds")) ?? (runs === undefined ? 120 : undefined);
const fixedSeed = flag("--seed") === undefined ? undefined : Math.trunc(Number(flag("--seed")));
const filter = flag("--filter");

const selected: Array<{ subject: string; property: FuzzProperty }> = fuzzProperties.flatMap((group) =>
  group.properties
    .filter((property) => filter === undefined || group.subject.includes(filter) || property.name.includes(filter))
    .map((property) => ({ subject: group.subject, property })),
);
if (selected.length === 0) {
  process.stderr.write(`bench/fuzz: no property matches --filter ${JSON.stringify(filter)}\n`);
  process.exit(2);
}

/** Milliseconds each property may run when the bench has a time budget. */
const shareMs = seconds === undefined ? undefined : (seconds * 1000) / selected.length;
/** A report is cut here: a counterexample may be a long patch or a long text. */
const MAX_REPORT_CHARS = 4_000;

process.stdout.write(
  `bench/fuzz: ${selected.length} properties, ${shareMs === undefined ? `${runs} runs each (scaled by weight)` : `${(shareMs / 1000).toFixed(1)} s each`}, ${fixedSeed === undefined ? "random seeds" : `seed ${fixedSeed}`}\n\n`,
);

/**
 * Checks a property for its share of the time: rounds of runs, each from its own seed (the
 * base seed plus the round), sized from the time the runs so far took. Rounds rather than
 * fast-check's time-limit plugin, which gives up on a run without waiting for it, so a run
 * that spawns git would go on writing into the directories the property then removes.
 */
async function checkFor(property: FuzzProperty, prepared: PreparedProperty, baseSeed: number): Promise<{ details: fc.RunDetails<unknown>; runs: number; seed: number }> {
  if (shareMs === undefined) {
    const details = await fc.check(prepared.property, { seed: baseSeed, numRuns: runsFor(property, runs ?? 1) });
    return { details, runs: details.numRuns, seed: baseSeed };
  }
  const started = performance.now();
  let total = 0;
  let size = 1;
  for (let round = 0; ; round += 1) {
    const seed = (baseSeed + round) % 2 ** 31;
    const details = await fc.check(prepared.property, { seed, numRuns: size });
    total += details.numRuns;
    const elapsed = performance.now() - started;
    if (details.failed || elapsed >= shareMs) return { details, runs: total, seed };
    const perRun = elapsed / total;
    size = Math.max(1, Math.min(total * 4, Math.floor((shareMs - elapsed) / perRun)));
  }
}

const failures: string[] = [];
for (const { subject, property } of selected) {
  const baseSeed = fixedSeed ?? Math.floor(Math.random() * 2 ** 31);
  const prepared = await property.prepare();
  const started = performance.now();
  let checked: Awaited<ReturnType<typeof checkFor>>;
  try {
    checked = await checkFor(property, prepared, baseSeed);
  } finally {
    await prepared.dispose?.();
  }
  const { details, seed } = checked;
  const ms = performance.now() - started;
  const outcome = details.failed ? "FAILED" : "ok";
  process.stdout.write(`${outcome.padEnd(6)} ${String(checked.runs).padStart(7)} runs ${(ms / 1000).toFixed(1).padStart(6)} s  seed ${String(seed).padStart(10)}  ${subject}: ${property.name}\n`);
  if (details.failed) {
    const cause = details.errorInstance instanceof Error ? `\nCaused by: ${details.errorInstance.message}` : "";
    const report = `${fc.defaultReportMessage(details) ?? ""}${cause}`;
    const shown = report.length > MAX_REPORT_CHARS ? `${report.slice(0, MAX_REPORT_CHARS)}… [${report.length - MAX_REPORT_CHARS} more characters]` : report;
    failures.push(`${subject}: ${property.name} (seed ${seed})\n${shown}`);
    process.stdout.write(`${shown.replace(/^/gm, "         ")}\n`);
  }
}

process.stdout.write(`\n${failures.length === 0 ? "every property held" : `${failures.length} of ${selected.length} properties failed`}\n`);
if (failures.length > 0) process.exitCode = 1;
