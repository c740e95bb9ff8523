/**
 * What the agents get for one problem: a small git repository holding the module to complete,
 * and the task text. Only the visible part of a problem goes in: HumanEval's prompt (signature
 * and docstring), MBPP's task text and the function's name. The hidden tests never do.
 */
import type { TaskSpec } from "../src/index.js";
import { taskKey, type FuncProblem } from "./dataset.js";

/** The module the agents complete; the one file that is graded. */
export const SOLUTION_FILE = "solution.py";

/** The files of a problem's repository. */
export function workspaceFiles(problem: FuncProblem): Record<string, string> {
  return {
    [SOLUTION_FILE]: problem.benchmark === "humaneval" ? problem.prompt : mbppModule(problem),
    // So the repository's test runner is recognised as pytest (the sandbox images have it).
    "pytest.ini": "[pytest]\n",
    ".gitignore": "__pycache__/\n*.pyc\n.pytest_cache/\n",
  };
}

/** MBPP's module: the task text as comments, and the name the function must have. */
function mbppModule(problem: FuncProblem): string {
  const text = problem.prompt.trim().split("\n").map((line) => `# ${line}`.trimEnd());
  return [...text, "#", `# Define the function \`${problem.entryPoint}\` in this module.`, ""].join("\n");
}

/** The task the agents see. */
export function taskForProblem(problem: FuncProblem): TaskSpec {
  const id = taskKey(problem.taskId);
  const rules =
    `Only ${SOLUTION_FILE} is graded: the function must be defined there, under that exact name, and importing the module must have no side effect ` +
    "(no input(), no printing, no code outside definitions except imports and constants). Use only the Python standard library.";
  if (problem.benchmark === "humaneval") {
    return {
      title: `${id}: complete ${problem.entryPoint} in ${SOLUTION_FILE}`,
      body: [
        `Complete the function \`${problem.entryPoint}\` in \`${SOLUTION_FILE}\`. Its signature and docstring are there already; write its body so that it does what the docstring says, keeping the signature.`,
        rules,
        "",
        "```python",
        problem.prompt.trimEnd(),
        "```",
      ].join("\n"),
      source: `funcbench:${id}`,
    };
  }
  return {
    title: `MBPP/${id}: write ${problem.entryPoint} in ${SOLUTION_FILE}`,
    body: [`${problem.prompt.trim()}`, "", `Write this as a Python function named \`${problem.entryPoint}\` in \`${SOLUTION_FILE}\`.`, rules].join("\n"),
    source: `funcbench:mbpp/${id}`,
  };
}

/**
 * The sample's completion from the module the agents left. HumanEval grades prompt +
 * completion: when the module still starts with the prompt, the completion is what follows it
 * (the official shape); otherwise it is the whole module on a new line, which is still valid
 * after the prompt (the prompt's function ends with its docstring, and the module's own
 * definition comes later and wins). MBPP grades the whole module.
 */
export function completionFromModule(problem: FuncProblem, module: string | null): string {
  if (module === null) return "";
  if (problem.benchmark !== "humaneval") return module;
  return module.startsWith(problem.prompt) ? module.slice(problem.prompt.length) : `\n${module}`;
}
