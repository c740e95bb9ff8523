import type { TestOutcome } from "../../events/agent-event.js";
import type { Verdict } from "../../graph/state.js";

const passed = (outcome: TestOutcome | undefined): boolean => outcome?.status === "passed";

/** Maps outcomes by test id. */
function index(outcomes: TestOutcome[]): Map<string, TestOutcome> {
  return new Map(outcomes.map((outcome) => [outcome.test, outcome]));
}

/**
 * Classifies the designed tests and the existing tests from their runs before and after the
 * patch: reproduced (fails before, passes after), weak (passes before), not fixed (fails
 * after), regression (an existing test that passed before fails after). Pure.
 */
export function classifyTests(input: {
  round: number;
  designedBefore: TestOutcome[];
  designedAfter: TestOutcome[];
  existingBefore: TestOutcome[];
  existingAfter: TestOutcome[];
  hasPatch: boolean;
  failureExcerpt: string;
}): Verdict {
  const before = index(input.designedBefore);
  const after = index(input.designedAfter);
  const ids = [...new Set([...before.keys(), ...after.keys()])].sort();
  const weak = ids.filter((id) => passed(before.get(id)));
  const reproduced = ids.filter((id) => !passed(before.get(id)) && before.has(id) && passed(after.get(id)));
  const notFixed = ids.filter((id) => !weak.includes(id) && !passed(after.get(id)));
  const existingAfter = index(input.existingAfter);
  const regressions = input.existingBefore
    .filter((outcome) => outcome.status === "passed" && existingAfter.has(outcome.test) && !passed(existingAfter.get(outcome.test)))
    .map((outcome) => outcome.test)
    .sort();
  const ran = ids.length > 0;
  const solved = input.hasPatch && reproduced.length > 0 && notFixed.length === 0 && regressions.length === 0;
  const lines: string[] = [];
  if (!ran) lines.push("The designed tests did not run, or their output could not be read.");
  if (!input.hasPatch) lines.push("There is no change in the working tree yet.");
  if (reproduced.length) lines.push(`Fixed (fail before, pass now): ${reproduced.join(", ")}.`);
  if (notFixed.length) lines.push(`Still failing after your change: ${notFixed.join(", ")}.`);
  if (regressions.length) lines.push(`Regressions (existing tests that passed before and fail now): ${regressions.join(", ")}.`);
  if (weak.length) lines.push(`Weak tests (they already pass before the change, so they prove nothing): ${weak.join(", ")}.`);
  if (solved) lines.push("All designed tests that reproduce the issue now pass, with no regression.");
  if (!solved && input.failureExcerpt.trim()) lines.push(`Output of the failing run:\n${input.failureExcerpt.trim()}`);
  return {
    round: input.round,
    reproduced,
    weak,
    notFixed,
    regressions,
    solved,
    feedback: lines.join("\n"),
    score: reproduced.length * 10 - notFixed.length * 5 - regressions.length * 20 + (input.hasPatch ? 1 : 0),
  };
}
