/**
 * Specs for repositories outside the official table (a fork, a private benchmark in the
 * SWE-bench format), from a JSON file given with `--specs`:
 *
 *   { "owner/name": { "versions": { "1.0": { "python": "3.11", "install": "python -m pip install -e .",
 *                                            "test_cmd": "pytest -rA" } },
 *                     "debianPackages": ["python3-requests"], "logParser": "parse_log_pytest" } }
 *
 * `debianSuite` defaults to the release nearest `python`; `debianPackages` are added to the common
 * ones; `logParser` is an official parser name (default parse_log_pytest).
 */
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { UsageError } from "../src/index.js";
import { COMMON_DEBIAN_PACKAGES, debianPackagesFor } from "./debian-packages.js";
import { LOG_PARSERS } from "./log-parsers/index.js";
import { debianSuiteFor, specFor, type RepoVersionSpec } from "./specs/index.js";

const versionSpecSchema = z.strictObject({
  python: z.string().regex(/^3\.\d+$/, { error: 'expected a Python version such as "3.11"' }),
  install: z.string().optional(),
  test_cmd: z.union([z.string(), z.array(z.string())]),
  pre_install: z.array(z.string()).optional(),
  eval_commands: z.array(z.string()).optional(),
  debianSuite: z.enum(["bullseye", "bookworm"]).optional(),
});

const extraSpecsSchema = z.record(
  z.string().regex(/^[^/\s]+\/[^/\s]+$/, { error: "expected owner/name" }),
  z.strictObject({
    versions: z.record(z.string(), versionSpecSchema),
    debianPackages: z.array(z.string()).default([]),
    logParser: z.string().default("parse_log_pytest"),
  }),
);

/** Lookups that consult the extra specs first and the project's table after. */
export interface SpecLookups {
  specLookup: (repo: string, version: string) => RepoVersionSpec;
  debianPackages: (repo: string) => string[] | undefined;
  parserNameForRepo: (repo: string) => string | undefined;
}

/** Reads a `--specs` file; a UsageError says which entry is wrong. */
export async function loadExtraSpecs(path: string): Promise<SpecLookups> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new UsageError(`Cannot read the specs file ${path}: ${(error as Error).message}.`);
  }
  const parsed = extraSpecsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${path}: ${issue.path.join(".") || "(top level)"}: ${issue.message}.`);
  }
  for (const [repo, entry] of Object.entries(parsed.data)) {
    if (!Object.hasOwn(LOG_PARSERS, entry.logParser)) {
      throw new UsageError(`${path}: ${repo}.logParser: unknown parser "${entry.logParser}"; use one of ${Object.keys(LOG_PARSERS).join(", ")}.`);
    }
  }
  const extra = parsed.data;
  return {
    specLookup: (repo, version) => {
      const spec = extra[repo]?.versions[version];
      if (!spec) return specFor(repo, version);
      return { ...spec, debianSuite: spec.debianSuite ?? debianSuiteFor(spec) };
    },
    debianPackages: (repo) => (extra[repo] ? [...COMMON_DEBIAN_PACKAGES, ...extra[repo].debianPackages] : debianPackagesFor(repo)),
    parserNameForRepo: (repo) => extra[repo]?.logParser,
  };
}
