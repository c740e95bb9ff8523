import * as fc from "fast-check";
import { describe, it } from "vitest";
import type { FuzzPropertyGroup } from "../../bench/support/fuzz/fuzz-property.js";
import { fuzzBudget } from "./fuzz-budget.js";

/** Time for one property's runs (and its shrinking, when one fails) on a loaded 2-core machine. */
const PROPERTY_TIMEOUT_MS = 60_000;

/** One `describe` per parser, one `it` per property, each run within the suite's budget (fuzz-budget.ts). */
export function describeFuzzProperties(group: FuzzPropertyGroup): void {
  describe(group.subject, () => {
    for (const property of group.properties) {
      it(property.name, { timeout: PROPERTY_TIMEOUT_MS }, async () => {
        const prepared = await property.prepare();
        try {
          await fc.assert(prepared.property, fuzzBudget(property));
        } finally {
          await prepared.dispose?.();
        }
      });
    }
  });
}
