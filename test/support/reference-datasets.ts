import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, it } from "vitest";

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** A data directory: the environment variable, else ../shared/<name> next to the repository, else /work/shared/<name>. */
function dataDirectory(envVar: string, name: string, probe: string): string {
  const candidates = [join(repoRoot, "..", "shared", name), join("/work/shared", name)];
  return process.env[envVar] ?? candidates.find((dir) => existsSync(join(dir, probe))) ?? candidates[0]!;
}

/**
 * `describe` for suites that read reference data. Without it they are skipped with a note,
 * except in CI (CI=true), where a failing test says where the data was looked for.
 */
function describeWithData(what: string, dir: string, envVar: string, files: readonly string[]) {
  const present = files.every((file) => existsSync(join(dir, file)));
  return (name: string, fn: () => void): void => {
    if (present) {
      describe(name, fn);
      return;
    }
    if (process.env["CI"] === "true") {
      describe(name, () => {
        it(`${what} are required in CI`, () => {
          throw new Error(`${what} are not in ${dir}; set ${envVar} to their directory.`);
        });
      });
      return;
    }
    console.warn(`[skipped] ${name}: no ${what} in ${dir} (set ${envVar}).`);
    describe.skip(name, fn);
  };
}

/** The reference SWE-bench files (README of ../shared/swebench). */
export const referenceDatasetsDir: string = dataDirectory("SWEBENCH_DATASETS", "swebench", "swe-bench-lite.test.harness.jsonl");
export const describeWithReferenceData = describeWithData("the SWE-bench reference datasets", referenceDatasetsDir, "SWEBENCH_DATASETS", ["swe-bench-lite.test.harness.jsonl"]);

/** HumanEval and MBPP (README of ../shared/benchmarks). */
export const benchmarkDataDir: string = dataDirectory("FUNCBENCH_DATASETS", "benchmarks", "humaneval.jsonl");
export const describeWithBenchmarkData = describeWithData("the HumanEval and MBPP files", benchmarkDataDir, "FUNCBENCH_DATASETS", ["humaneval.jsonl", "mbpp.jsonl"]);
