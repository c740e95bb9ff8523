/**
 * The on-disk cache of one repository's issue index, so that the bot lists only the issues
 * updated since its last run. The file is versioned JSON written atomically; a missing, corrupt
 * or older-version file reads as no cache, and the caller rebuilds the index.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { z } from "zod";
import { AgentError } from "../errors.js";
import { createIssueIndex, type IssueIndex } from "./issue-index.js";

/** The cache format's version; a file of another version is ignored. */
export const ISSUE_INDEX_CACHE_VERSION = 1;

const issueSchema = z.object({
  number: z.int().positive(),
  title: z.string(),
  body: z.string(),
  state: z.enum(["open", "closed"]),
  stateReason: z.string().nullable(),
  labels: z.array(z.string()),
  author: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  closedAt: z.string().nullable(),
  htmlUrl: z.string(),
});

const cacheSchema = z.object({
  version: z.literal(ISSUE_INDEX_CACHE_VERSION),
  savedAt: z.string(),
  issues: z.array(issueSchema),
  embeddingModel: z.string().optional(),
  /** Vectors as base64 of little-endian float32: a quarter of the size of JSON numbers. */
  vectors: z.array(z.object({ number: z.int().positive(), updatedAt: z.string(), vector: z.base64() })),
});

/** Writes the index to `file` (directories created), through a temporary file and a rename so a reader never sees half a file. */
export async function saveIssueIndex(index: IssueIndex, file: string): Promise<void> {
  const snapshot = index.snapshot();
  const content = {
    version: ISSUE_INDEX_CACHE_VERSION,
    savedAt: new Date().toISOString(),
    issues: snapshot.issues,
    ...(snapshot.embeddingModel === undefined ? {} : { embeddingModel: snapshot.embeddingModel }),
    vectors: snapshot.vectors.map((cached) => ({ number: cached.number, updatedAt: cached.updatedAt, vector: encodeVector(cached.vector) })),
  };
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(temporary, JSON.stringify(content));
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new AgentError(
      "issue-index-cache",
      `Could not write the issue index cache ${file}: ${error instanceof Error ? error.message : String(error)}. ` +
        "Check that its directory is writable, or point the bot's state directory somewhere that is.",
      { cause: error },
    );
  }
}

/** The index saved in `file`, or undefined when there is none or it cannot be used (corrupt, another version): rebuild it then. */
export async function loadIssueIndex(file: string): Promise<IssueIndex | undefined> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return undefined;
  }
  let parsed: z.infer<typeof cacheSchema>;
  try {
    const result = cacheSchema.safeParse(JSON.parse(text));
    if (!result.success) return undefined;
    parsed = result.data;
  } catch {
    return undefined;
  }
  return createIssueIndex({
    issues: parsed.issues,
    ...(parsed.embeddingModel === undefined ? {} : { embeddingModel: parsed.embeddingModel }),
    vectors: parsed.vectors.map((cached) => ({ number: cached.number, updatedAt: cached.updatedAt, vector: decodeVector(cached.vector) })),
  });
}

function encodeVector(vector: readonly number[]): string {
  const bytes = Buffer.alloc(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString("base64");
}

function decodeVector(encoded: string): number[] {
  const bytes = Buffer.from(encoded, "base64");
  return Array.from({ length: Math.floor(bytes.length / 4) }, (_, index) => bytes.readFloatLE(index * 4));
}
