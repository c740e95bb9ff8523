import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.js";
import { debianSuiteFor, listSpecs, specFor } from "../../swebench/specs/index.js";
import { describeWithReferenceData, referenceDatasetsDir } from "../support/reference-datasets.js";

const referenceDir = referenceDatasetsDir;
const datasetFiles = ["swe-bench-lite.dev.jsonl", "swe-bench-lite.test.jsonl", "swe-bench-verified.test.jsonl"];

describe("specFor", () => {
  it("returns the spec of a known repository and version", () => {
    expect(specFor("sympy/sympy", "1.7")).toMatchObject({ python: "3.9", install: "python -m pip install -e ." });
  });

  it("throws a ConfigError naming the repository and the missing version", () => {
    expect(() => specFor("django/django", "9.9")).toThrow(ConfigError);
    expect(() => specFor("django/django", "9.9")).toThrow(/django\/django version 9\.9/);
  });

  it("throws a ConfigError naming an unknown repository", () => {
    expect(() => specFor("nobody/nothing", "1.0")).toThrow(/nobody\/nothing/);
  });

  it("does not treat inherited object keys as versions", () => {
    expect(() => specFor("sympy/sympy", "constructor")).toThrow(ConfigError);
  });
});

describe("debianSuiteFor", () => {
  it.each([
    ["3.5", "bullseye"],
    ["3.6", "bullseye"],
    ["3.8", "bullseye"],
    ["3.9", "bullseye"],
    ["3.10", "bookworm"],
    ["3.11", "bookworm"],
  ])("puts Python %s on %s", (python, suite) => {
    expect(debianSuiteFor({ python })).toBe(suite);
  });

  it("agrees with the debianSuite recorded in every spec, unless the spec says why not", () => {
    const disagreeing = listSpecs()
      .filter(({ spec }) => spec.debianSuite !== debianSuiteFor(spec) && !spec.debianSuiteReason)
      .map(({ repo, version }) => `${repo} ${version}`);
    expect(disagreeing).toEqual([]);
  });
});

describeWithReferenceData("coverage of the datasets", () => {
  it("has a spec for exactly the repository versions of Lite dev, Lite test and Verified", () => {
    const needed = new Set<string>();
    for (const file of datasetFiles) {
      for (const line of readFileSync(join(referenceDir, file), "utf8").split("\n")) {
        if (line.trim() === "") continue;
        const { repo, version } = JSON.parse(line) as { repo: string; version: string };
        needed.add(`${repo} ${version}`);
      }
    }
    const covered = new Set(listSpecs().map(({ repo, version }) => `${repo} ${version}`));
    expect([...covered].sort()).toEqual([...needed].sort());
  });
});
