import { posix } from "node:path";
import { SandboxError } from "../../errors.js";
import type { Workbench } from "../graph-runtime.js";

/** A file the test designer hands in: a test the command runs, or a support file the tests need (a conftest.py, a fixture they read). */
export interface HandedInFile {
  path: string;
  isTest: boolean;
}

/** A handed-in file's size limit: its content travels on the blackboard, in checkpoints and in a triage's record. */
export const MAX_HANDED_IN_BYTES = 256 * 1024;

/** Extensions of data, not code: such a file is something a test reads, never a test the command runs. */
const DATA_FILE = /\.(json|jsonl|ya?ml|toml|ini|cfg|conf|env|properties|txt|csv|tsv|xml|dat|md|rst|html?|svg|png|jpe?g|gif|bmp|ico|pdf|bin|npy|npz|pkl|pickle|parquet|sqlite3?|db|gz|zip|tar)$/i;

/** A handed-in path as the working tree names it: relative, without a leading `./` or doubled slashes. */
export function normaliseHandedInPath(path: string): string {
  return posix.normalize(path.trim()).replace(/^(\.\/)+/, "");
}

/**
 * Why a handed-in file cannot be taken, in words for the model; undefined when it can. A file
 * must be named relative to the repository root, inside it and outside .git; be new in the test
 * designer's tree (`newFiles`, from git status); be UTF-8 text of at most MAX_HANDED_IN_BYTES;
 * and a data file (JSON, YAML, CSV...) is a support file, never a test.
 */
export async function problemOfHandedInFile(bench: Pick<Workbench, "sandbox">, file: HandedInFile, newFiles: ReadonlySet<string>): Promise<string | undefined> {
  const raw = file.path.trim();
  if (raw.startsWith("/") || /^[A-Za-z]:[\\/]/.test(raw)) return `${raw} is an absolute path: name it relative to the repository root`;
  const segments = raw.split(/[\\/]/);
  if (segments.includes("..")) return `${raw} goes up with "..": name it relative to the repository root, inside it`;
  const path = normaliseHandedInPath(raw);
  if (path.split("/").includes(".git")) return `${raw} is inside .git, which holds no test`;
  if (file.isTest && DATA_FILE.test(path)) return `${path} is a data file, not a test: hand it in under support_files (files the tests read are written beside them, not run)`;
  if (!newFiles.has(path)) return `${path} is not a new file in your tree: create it first (existing files cannot be handed in or changed)`;
  let content: Buffer;
  try {
    const info = await bench.sandbox.stat(path);
    if (info?.type !== "file") return `${path} is not a regular file`;
    if (info.size > MAX_HANDED_IN_BYTES) return `${path} is ${Math.ceil(info.size / 1024)} KB, over the ${MAX_HANDED_IN_BYTES / 1024} KB a handed-in file may have: make it smaller, or have the test generate it`;
    content = await bench.sandbox.readFile(path);
  } catch (error) {
    if (error instanceof SandboxError) return `${path} cannot be read: ${error.message}`;
    throw error;
  }
  if (content.includes(0) || !Buffer.from(content.toString("utf8"), "utf8").equals(content)) {
    return `${path} is not UTF-8 text: have the test write binary data itself (in a fixture or setUp) instead`;
  }
  return undefined;
}

/** The files new in the test designer's tree (untracked or added), as git status names them. */
export async function newFilesOf(bench: Pick<Workbench, "git">): Promise<Set<string>> {
  return new Set((await bench.git.status()).files.filter((file) => file.status === "untracked" || file.status === "added").map((file) => file.path));
}

/** The problems of a whole hand-in, one per file that cannot be taken; empty when every file can. */
export async function reviewHandedInFiles(bench: Pick<Workbench, "sandbox" | "git">, files: readonly HandedInFile[]): Promise<string[]> {
  const newFiles = await newFilesOf(bench);
  const problems: string[] = [];
  for (const file of files) {
    const problem = await problemOfHandedInFile(bench, file, newFiles);
    if (problem !== undefined) problems.push(problem);
  }
  return problems;
}
