/**
 * The environment validation table: for each (repository, version), how many instances have a
 * valid environment — the gold patch resolves and, without a patch, FAIL_TO_PASS fails while
 * PASS_TO_PASS passes — and why each other one is not. Made by
 * scripts/validate-swebench-envs.sh from the `--json` output of `agent swebench eval --gold`
 * and `--empty`, and kept in swebench/README.md between two markers.
 *
 * Usage: node dist/swebench/validation-report.js DATASET.jsonl README.md GOLD.json... -- EMPTY.json...
 */
import { realpathSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { pathToFileURL } from "node:url";
import type { EnvironmentVerdict } from "./environment-check.js";
import type { SweBenchInstance } from "./instance.js";
import { specFor } from "./specs/index.js";

/** The markers around the table in the README. */
export const TABLE_START = "<!-- validation-table:start -->";
export const TABLE_END = "<!-- validation-table:end -->";

/** One instance's verdicts under both checks (undefined when that check did not judge it). */
interface InstanceValidation {
  instance: Pick<SweBenchInstance, "instance_id" | "repo" | "version">;
  gold: EnvironmentVerdict | undefined;
  empty: EnvironmentVerdict | undefined;
}

/** Whether both checks judged the instance valid; null when one of them did not judge it. */
function validity({ gold, empty }: InstanceValidation): boolean | null {
  if (gold?.valid == null || empty?.valid == null) return gold?.valid === false || empty?.valid === false ? false : null;
  return gold.valid && empty.valid;
}

function reasonOf({ gold, empty }: InstanceValidation): string {
  const parts: string[] = [];
  if (gold?.valid === false) parts.push(`gold: ${gold.problem}: ${gold.reason ?? ""}`);
  if (empty?.valid === false) parts.push(`empty: ${empty.problem}: ${empty.reason ?? ""}`);
  if (gold?.valid == null) parts.push("gold: not evaluated");
  if (empty?.valid == null) parts.push("empty: not evaluated");
  return parts.join(" / ").replace(/\s+/g, " ").replace(/\|/g, "\\|");
}

/** The markdown table and the list of invalid instances with their reasons. */
export function validationTable(validations: readonly InstanceValidation[], heading: string): string {
  const groups = new Map<string, InstanceValidation[]>();
  for (const validation of validations) {
    const key = `${validation.instance.repo}\u0000${validation.instance.version}`;
    groups.set(key, [...(groups.get(key) ?? []), validation]);
  }
  const rows: string[] = [];
  const invalid: string[] = [];
  let validTotal = 0;
  let goldTotal = 0;
  let emptyTotal = 0;
  let notRunTotal = 0;
  for (const [key, members] of [...groups].sort(([a], [b]) => a.localeCompare(b, "en", { numeric: true }))) {
    const [repo, version] = key.split("\u0000") as [string, string];
    const valid = members.filter((member) => validity(member) === true).length;
    const goldValid = members.filter((member) => member.gold?.valid === true).length;
    const emptyValid = members.filter((member) => member.empty?.valid === true).length;
    const column = (judged: number, check: "gold" | "empty") => {
      const notRun = members.filter((member) => member[check]?.valid == null).length;
      notRunTotal += check === "empty" ? notRun : 0;
      return `${judged}/${members.length}${notRun ? ` (${notRun} not run)` : ""}`;
    };
    validTotal += valid;
    goldTotal += goldValid;
    emptyTotal += emptyValid;
    const suite = suiteOf(repo, version);
    rows.push(`| ${repo} | ${version} | ${suite} | ${column(goldValid, "gold")} | ${column(emptyValid, "empty")} | ${valid}/${members.length} |`);
    for (const member of members.filter((candidate) => validity(candidate) !== true)) {
      invalid.push(`| ${member.instance.instance_id} | ${reasonOf(member)} |`);
    }
  }
  return [
    heading,
    "",
    `Valid: ${validTotal}/${validations.length} (the gold patch resolves ${goldTotal}, the tests without a patch behave as the dataset says ${emptyTotal}` +
      `${notRunTotal ? `; ${notRunTotal} not run without a patch yet` : ""}).`,
    "",
    "| repository | version | Debian | gold resolves | empty behaves | valid |",
    "| --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    ...(invalid.length ? ["Not valid, and why:", "", "| instance | reason |", "| --- | --- |", ...invalid] : ["Every instance is valid."]),
  ].join("\n");
}

function suiteOf(repo: string, version: string): string {
  try {
    return specFor(repo, version).debianSuite;
  } catch {
    return "—";
  }
}

/** `text` with the part between the markers replaced by `table` (markers appended when missing). */
export function replaceTable(text: string, table: string): string {
  const block = `${TABLE_START}\n${table}\n${TABLE_END}`;
  const start = text.indexOf(TABLE_START);
  const end = text.indexOf(TABLE_END);
  if (start < 0 || end < start) return `${text.trimEnd()}\n\n${block}\n`;
  return `${text.slice(0, start)}${block}${text.slice(end + TABLE_END.length)}`;
}

/** The verdicts of `agent swebench eval --json` outputs, by instance id. */
function verdictsOf(outputs: readonly string[]): Map<string, EnvironmentVerdict> {
  const verdicts = new Map<string, EnvironmentVerdict>();
  for (const output of outputs) {
    const parsed = JSON.parse(output) as { verdicts?: EnvironmentVerdict[] };
    for (const verdict of parsed.verdicts ?? []) verdicts.set(verdict.instanceId, verdict);
  }
  return verdicts;
}

async function main(argv: readonly string[]): Promise<void> {
  const separator = argv.indexOf("--");
  const [datasetFile, readmeFile, ...goldFiles] = separator < 0 ? argv : argv.slice(0, separator);
  const emptyFiles = separator < 0 ? [] : argv.slice(separator + 1);
  if (!datasetFile || !readmeFile || goldFiles.length === 0) {
    throw new Error("usage: validation-report.js DATASET.jsonl README.md GOLD.json... -- EMPTY.json...");
  }
  const instances = (await readFile(datasetFile, "utf8"))
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as SweBenchInstance);
  const gold = verdictsOf(await Promise.all(goldFiles.map((file) => readFile(file, "utf8"))));
  const empty = verdictsOf(await Promise.all(emptyFiles.map((file) => readFile(file, "utf8"))));
  const validations = instances
    .filter((instance) => gold.has(instance.instance_id) || empty.has(instance.instance_id))
    .map((instance) => ({ instance, gold: gold.get(instance.instance_id), empty: empty.get(instance.instance_id) }));
  const heading = `Measured ${new Date().toISOString().slice(0, 10)} on ${validations.length} instances of ${datasetFile.split("/").pop()} (gold and empty patches, Debian environments, local mirrors).`;
  const table = validationTable(validations, heading);
  await writeFile(readmeFile, replaceTable(await readFile(readmeFile, "utf8"), table));
  process.stdout.write(`${table}\n`);
}

/** True when this module is the script node was started with (through a symbolic link too). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(script)).href;
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`validation-report: ${(error as Error).message}\n`);
    process.exitCode = 1;
  });
}
