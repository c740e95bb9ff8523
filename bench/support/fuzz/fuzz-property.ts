/**
 * One property of the fuzz suite, shared by test/fuzz (a bounded number of runs with a fixed
 * seed, in `npm test`) and bench/fuzz (many runs with random seeds).
 */
import type * as fc from "fast-check";

/** A property ready to check, with what it set up (temporary directories) and how to free it. */
export interface PreparedProperty {
  property: fc.IAsyncProperty<unknown>;
  dispose?: () => Promise<void>;
}

/** One property: what holds, as a sentence, and how to build its check. */
export interface FuzzProperty {
  /** What holds for every input, as a sentence: the title of the test and the bench's row. */
  name: string;
  /**
   * Share of the run budget, 1 unless said: properties that spawn git or parse 1 MB inputs run
   * a few times where the others run a hundred.
   */
  weight?: number;
  /** Builds the check (and what it needs). */
  prepare(): Promise<PreparedProperty> | PreparedProperty;
}

/** A group of properties about one parser, named after it. */
export interface FuzzPropertyGroup {
  /** The parser, as its code names it (`parseTestOutput`). */
  subject: string;
  properties: readonly FuzzProperty[];
}

/** How many runs a property gets out of a budget of `runs`: its weight's share, at least one. */
export function runsFor(property: FuzzProperty, runs: number): number {
  return Math.max(1, Math.round(runs * (property.weight ?? 1)));
}
