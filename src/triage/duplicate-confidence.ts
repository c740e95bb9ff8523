/**
 * How sure duplicate detection is that two issues are the same, on a 0..1 scale on which one
 * threshold means the same for a terse and a long issue, a new one and an old one.
 *
 * Lexical confidence is a weighted overlap coefficient: the weight of the terms the two issues
 * share, divided by the total weight of the smaller issue's terms plus a prior of two rare terms.
 * A term weighs its inverse document frequency in the repository (the BM25 idf), twice as much
 * in a title. Why this and not the BM25 score divided by the query's self-score (reported as
 * `lexicalScore`): that ratio is asymmetric, and a long report of a terse original scores low
 * because the query's self-score grows with every line of its traceback or code; the overlap
 * coefficient measures containment of the smaller issue in the larger, which is what a terse and
 * a long report of one bug have in common. The prior keeps an issue of two or three words from
 * reaching a high confidence by being contained in anything. On bench/data/duplicate-issues.json
 * (10 duplicate pairs, 11 near-duplicates), counting the true pairs that score above every false
 * candidate: the BM25 ratio 2 of 10, weighted Dice 2, this 5 (bench/README.md).
 */

/** The confidence from which a candidate is reported as a likely duplicate: above every false candidate of the fixture, with a margin. */
export const DEFAULT_DUPLICATE_THRESHOLD = 0.45;

/** How many rare terms the prior of the lexical confidence is worth. */
const PRIOR_RARE_TERMS = 2;

/** What the lexical confidence of one candidate is computed from; weights are sums of idf. */
export interface LexicalEvidence {
  /** Weight of the terms the query and the candidate share. */
  sharedWeight: number;
  queryWeight: number;
  candidateWeight: number;
  /** The idf of a term that occurs in one issue of the index. */
  rareTermWeight: number;
}

/** Shared weight over the smaller issue's weight plus the prior of two rare terms, in 0..1. */
export function lexicalConfidence(evidence: LexicalEvidence): number {
  const denominator = Math.min(evidence.queryWeight, evidence.candidateWeight) + PRIOR_RARE_TERMS * evidence.rareTermWeight;
  return denominator > 0 ? Math.min(1, evidence.sharedWeight / denominator) : 0;
}

/**
 * Cosine similarity rescaled so that the query's median similarity to the repository's issues is
 * 0 and identical texts are 1: embedding models differ in how similar unrelated texts look
 * (around 0.2 for some, 0.5 for others), and the median of one repository is that level.
 */
export function embeddingConfidence(similarity: number, baseline: number): number {
  if (baseline >= 1) return 0;
  return Math.min(1, Math.max(0, (similarity - baseline) / (1 - baseline)));
}

/**
 * The mean of the lexical and the embedding confidence: a candidate passes the threshold only
 * with support from both, or with strong support from one, so embeddings add paraphrases that
 * share few words without letting a merely topical neighbour through.
 */
export function fuseConfidence(lexical: number, embedding: number): number {
  return (lexical + embedding) / 2;
}
