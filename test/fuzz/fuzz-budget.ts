/**
 * How long the fuzz properties run in `npm test`: FUZZ_RUNS runs each (100 by default; a
 * property's weight scales it down for the ones that spawn git or parse 1 MB), from the seed
 * FUZZ_SEED (fixed by default, so a failure in CI reproduces on any machine). fast-check prints
 * the seed, the path and the shrunk counterexample of a failure; rerun with that FUZZ_SEED to
 * replay it. `npm run bench:fuzz` runs the same properties far longer with random seeds.
 */
import type * as fc from "fast-check";
import { runsFor, type FuzzProperty } from "../../bench/support/fuzz/fuzz-property.js";

const DEFAULT_RUNS = 100;
/** Any fixed number: the date the suite was written. */
const DEFAULT_SEED = 20261201;

function integerFrom(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === "") return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** The fast-check parameters of one property in this run of the suite. */
export function fuzzBudget(property: FuzzProperty): fc.Parameters<unknown> {
  return { numRuns: runsFor(property, integerFrom("FUZZ_RUNS", DEFAULT_RUNS)), seed: integerFrom("FUZZ_SEED", DEFAULT_SEED) };
}
