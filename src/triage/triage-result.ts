import { z } from "zod";

/** The kinds of issue the bot tells apart. */
export const issueKinds = ["bug", "feature", "question", "documentation", "other"] as const;
/** What a bug report may lack. */
export const missingInformationItems = ["versions", "steps-to-reproduce", "expected-vs-actual", "logs"] as const;

const candidateSchema = z.object({
  number: z.int(),
  title: z.string(),
  url: z.string(),
  state: z.enum(["open", "closed"]),
  createdAt: z.string(),
  /** Calibrated similarity in [0, 1]: the duplicate threshold is compared with it. */
  confidence: z.number(),
  lexicalScore: z.number(),
  embeddingSimilarity: z.number().optional(),
  matchedTerms: z.array(z.string()),
  passages: z.array(z.object({ source: z.enum(["title", "body"]), text: z.string() })),
  /** Older than the issue, and at or above the threshold: suggested as the original. */
  suggested: z.boolean(),
});

const actionSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("add-labels"), labels: z.array(z.string()), reason: z.string() }),
  z.object({ type: z.literal("comment"), body: z.string(), reason: z.string() }),
  z.object({ type: z.literal("suggest-duplicate"), of: z.int(), url: z.string(), confidence: z.number() }),
  z.object({ type: z.literal("hand-off"), command: z.string(), difficulty: z.enum(["easy", "medium", "hard", "unknown"]), reason: z.string() }),
]);

/**
 * The JSON result of `agent triage` (result.json), version 1. Documented field by field in the
 * README (Issue triage: the JSON result). Every suggestion carries its evidence; `actions` is
 * what `--apply` may do — labels and at most one comment, never a close, lock or delete.
 */
export const triageResultSchema = z.object({
  schemaVersion: z.literal(1),
  issue: z.object({
    reference: z.string(),
    url: z.string(),
    title: z.string(),
    author: z.string(),
    state: z.string(),
    createdAt: z.string().optional(),
    /** SHA-256 of the title and body triaged: a re-triage of unchanged text reuses the reproduction. */
    textDigest: z.string().optional(),
  }),
  triagedAt: z.string(),
  model: z.string().nullable(),
  policy: z.object({ source: z.string(), problems: z.array(z.string()) }),
  classification: z.object({
    kind: z.enum(issueKinds),
    confidence: z.number(),
    reason: z.string(),
    language: z.string(),
    /** True when the issue had no text to classify (no model was asked). */
    empty: z.boolean(),
  }),
  labels: z.object({
    suggested: z.array(z.object({ name: z.string(), reason: z.string() })),
    /** Labels proposed but not suggested: not among the repository's labels, or refused by the policy. */
    rejected: z.array(z.object({ name: z.string(), reason: z.string() })),
  }),
  missingInformation: z.object({
    items: z.array(z.enum(missingInformationItems)),
    /** Items the model said were missing but the issue plainly has (with what shows it). */
    present: z.array(z.object({ item: z.enum(missingInformationItems), evidence: z.string() })),
    request: z.string().nullable(),
  }),
  duplicates: z.object({
    threshold: z.number(),
    indexedIssues: z.int(),
    candidates: z.array(candidateSchema),
    notes: z.array(z.string()),
  }),
  reproduction: z.object({
    status: z.enum(["reproduced", "not-reproduced", "could-not-run", "skipped"]),
    reason: z.string(),
    tests: z.array(z.object({ path: z.string(), content: z.string() })),
    command: z.string().optional(),
    log: z.string().optional(),
    runId: z.string().optional(),
    runDir: z.string().optional(),
    /** When the text was unchanged since an earlier triage: that triage's time, whose reproduction this is. */
    reusedFrom: z.string().optional(),
  }),
  difficulty: z.object({ level: z.enum(["easy", "medium", "hard", "unknown"]), reason: z.string() }),
  actions: z.array(actionSchema),
  usage: z.object({ modelCalls: z.int(), inputTokens: z.int(), outputTokens: z.int(), costUsd: z.number().nullable() }),
  notes: z.array(z.string()),
  /** What `--apply` did; absent when nothing was applied. */
  applied: z
    .object({
      labelsAdded: z.array(z.string()),
      comment: z.object({ action: z.enum(["created", "updated", "unchanged"]), url: z.string() }).nullable(),
    })
    .optional(),
});

/** The JSON result of a triage. */
export type TriageResult = z.infer<typeof triageResultSchema>;
/** One recommended action. */
export type TriageAction = z.infer<typeof actionSchema>;
/** One duplicate candidate as the result shows it. */
export type TriageDuplicateCandidate = z.infer<typeof candidateSchema>;
/** An issue kind. */
export type IssueKind = (typeof issueKinds)[number];
/** A kind of information a bug report may lack. */
export type MissingInformationItem = (typeof missingInformationItems)[number];
