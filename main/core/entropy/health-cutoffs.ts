// Cutoffs of the SP 800-90B section 4.4 continuous health tests, computed exactly as 4.4.1 and 4.4.2 say.
//
// Parameters (the decisions, in one place):
// - alpha = 2^-40, the false-alarm probability per test of a source that really has the claimed
//   min-entropy. 90B recommends 2^-20 <= alpha <= 2^-40; we take the stricter end so that a bulk
//   ceremony of thousands of draws practically never raises a false alarm in front of witnesses.
// - H = 4 bits of min-entropy claimed per byte sample. The OS CSPRNG output is designed to be full
//   entropy (8 bits per byte); claiming half of that is the conservative choice 90B asks for (an
//   over-claim makes a healthy source fail, an under-claim only loosens the cutoffs). The tests still
//   catch what they are there for: a stuck source (a run of 11 equal bytes) and a source that keeps
//   repeating a short pattern (period 6 or less: its first byte comes back >= 86 times in 512).
//   A draw of 1,024 bytes then carries at least 4,096 claimed bits, far above the 512 bits any
//   derived key needs.
// - W = 512, the APT window 90B prescribes for non-binary samples.

export const HEALTH_ALPHA_EXPONENT = 40;
export const CLAIMED_MIN_ENTROPY_BITS_PER_BYTE = 4;
export const ADAPTIVE_PROPORTION_WINDOW = 512;

/**
 * Repetition count test cutoff, 90B 4.4.1: C = 1 + ceil(-log2(alpha) / H). A run of C identical samples
 * has probability at most alpha for a source with min-entropy H per sample.
 */
export function repetitionCountCutoff(minEntropyBits: number, alphaExponent: number): number {
  if (!(minEntropyBits > 0)) throw new RangeError('claimed min-entropy must be positive');
  return 1 + Math.ceil(alphaExponent / minEntropyBits);
}

/**
 * Adaptive proportion test cutoff, 90B 4.4.2: C = 1 + CRITBINOM(W, 2^-H, 1 - alpha), where CRITBINOM
 * is the smallest k with P(X <= k) >= 1 - alpha for X ~ Binomial(W, 2^-H). Then a window in which the
 * first sample comes back C or more times has probability at most alpha.
 *
 * Computed exactly in integers (H is a whole number of bits here): with q = 2^H - 1,
 * P(X = k) = C(W, k) * q^(W-k) / 2^(H*W), so the tail comparison is a comparison of big integers and no
 * floating-point rounding can move the cutoff.
 */
export function adaptiveProportionCutoff(window: number, minEntropyBits: number, alphaExponent: number): number {
  if (!Number.isInteger(minEntropyBits) || minEntropyBits <= 0) {
    throw new RangeError('exact cutoff needs a whole, positive number of bits of claimed min-entropy');
  }
  const others = (1n << BigInt(minEntropyBits)) - 1n;
  const total = 1n << BigInt(minEntropyBits * window);
  const weights: bigint[] = [];
  let binomial = 1n;
  for (let k = 0; k <= window; k++) {
    weights.push(binomial * others ** BigInt(window - k));
    binomial = (binomial * BigInt(window - k)) / BigInt(k + 1);
  }
  // Walk down from k = W, keeping tailAbove = P(X > k) * 2^(HW). The first k where P(X >= k) exceeds
  // alpha is CRITBINOM: P(X <= k) = 1 - P(X > k) >= 1 - alpha, and no smaller k has that.
  let tailAbove = 0n;
  for (let k = window; k >= 0; k--) {
    const tailFrom = tailAbove + weights[k]!;
    if (tailFrom << BigInt(alphaExponent) > total) return 1 + k;
    tailAbove = tailFrom;
  }
  return 1;
}

export const REPETITION_COUNT_CUTOFF = repetitionCountCutoff(CLAIMED_MIN_ENTROPY_BITS_PER_BYTE, HEALTH_ALPHA_EXPONENT);
export const ADAPTIVE_PROPORTION_CUTOFF = adaptiveProportionCutoff(
  ADAPTIVE_PROPORTION_WINDOW,
  CLAIMED_MIN_ENTROPY_BITS_PER_BYTE,
  HEALTH_ALPHA_EXPONENT,
);
