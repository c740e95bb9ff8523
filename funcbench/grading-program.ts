/**
 * The program that grades one sample, exactly as the official harnesses build it:
 * - HumanEval (openai/human-eval `check_correctness`): prompt + completion + "\n" + test +
 *   "\n" + `check(entry_point)`;
 * - MBPP (google-research/mbpp): the sample's code, then test_setup_code, then the asserts, one
 *   per line. The setup code comes after the code because it uses what the code defines: the
 *   two tasks that have any (367, 927) build trees of the `Node` class the solution declares.
 * The sample passes when the program exits 0 within the time limit.
 */
import type { FuncProblem } from "./dataset.js";

export function gradingProgram(problem: FuncProblem, completion: string): string {
  const tests = problem.hiddenTests;
  if (tests.kind === "humaneval") {
    return `${problem.prompt}${completion}\n${tests.test}\ncheck(${problem.entryPoint})\n`;
  }
  return [completion, tests.setupCode, ...tests.asserts].join("\n") + "\n";
}

/** The completion that is the problem's reference solution (the oracle sample). */
export function oracleCompletion(problem: FuncProblem): string {
  return problem.canonicalSolution;
}
