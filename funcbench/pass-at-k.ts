/**
 * The unbiased pass@k estimator of the HumanEval paper (Chen et al. 2021): with n samples of a
 * problem of which c pass, 1 - C(n-c, k) / C(n, k), computed as a product to stay exact in
 * floating point. Undefined (NaN) when k > n: that problem has too few samples.
 */
export function passAtK(samples: number, correct: number, k: number): number {
  if (k > samples) return Number.NaN;
  if (samples - correct < k) return 1;
  let failAll = 1;
  for (let index = samples - correct + 1; index <= samples; index += 1) failAll *= 1 - k / index;
  return 1 - failAll;
}

/** The mean pass@k over problems, each given as [samples, correct]; NaN when any problem has fewer than k samples. */
export function meanPassAtK(counts: readonly (readonly [number, number])[], k: number): number {
  if (counts.length === 0) return Number.NaN;
  let total = 0;
  for (const [samples, correct] of counts) {
    const value = passAtK(samples, correct, k);
    if (Number.isNaN(value)) return Number.NaN;
    total += value;
  }
  return total / counts.length;
}
