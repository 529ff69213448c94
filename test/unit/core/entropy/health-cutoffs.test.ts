import { describe, expect, it } from 'vitest';
import {
  ADAPTIVE_PROPORTION_CUTOFF,
  ADAPTIVE_PROPORTION_WINDOW,
  CLAIMED_MIN_ENTROPY_BITS_PER_BYTE,
  HEALTH_ALPHA_EXPONENT,
  REPETITION_COUNT_CUTOFF,
  adaptiveProportionCutoff,
  repetitionCountCutoff,
} from '../../../../main/core/entropy/health-cutoffs.ts';

/** log P(X >= k) for X ~ Binomial(n, p), in floating point: an independent check of the exact integers. */
function log2UpperTail(n: number, p: number, k: number): number {
  const logFactorial = [0];
  for (let i = 1; i <= n; i++) logFactorial.push(logFactorial[i - 1]! + Math.log(i));
  const terms: number[] = [];
  for (let j = k; j <= n; j++) {
    terms.push(logFactorial[n]! - logFactorial[j]! - logFactorial[n - j]! + j * Math.log(p) + (n - j) * Math.log1p(-p));
  }
  const max = Math.max(...terms);
  return (max + Math.log(terms.reduce((sum, term) => sum + Math.exp(term - max), 0))) / Math.LN2;
}

describe('SP 800-90B 4.4 cutoffs', () => {
  it('uses alpha = 2^-40, 4 bits claimed per byte and a 512-sample window', () => {
    expect(HEALTH_ALPHA_EXPONENT).toBe(40);
    expect(CLAIMED_MIN_ENTROPY_BITS_PER_BYTE).toBe(4);
    expect(ADAPTIVE_PROPORTION_WINDOW).toBe(512);
  });

  it('sets the repetition count cutoff to 1 + ceil(40 / 4) = 11', () => {
    expect(REPETITION_COUNT_CUTOFF).toBe(11);
  });

  it('sets the adaptive proportion cutoff to 78, where the binomial tail first drops to 2^-40', () => {
    expect(ADAPTIVE_PROPORTION_CUTOFF).toBe(78);
    const p = 2 ** -CLAIMED_MIN_ENTROPY_BITS_PER_BYTE;
    expect(log2UpperTail(512, p, ADAPTIVE_PROPORTION_CUTOFF)).toBeLessThanOrEqual(-40);
    expect(log2UpperTail(512, p, ADAPTIVE_PROPORTION_CUTOFF - 1)).toBeGreaterThan(-40);
  });

  it('reproduces the published cutoffs of the Linux jitterentropy RNG (W = 512, H = 1)', () => {
    // crypto/jitterentropy.c: APT 325 at alpha 2^-30, 355 at 2^-60; RCT 31 at 2^-30, 61 at 2^-60.
    expect(adaptiveProportionCutoff(512, 1, 30)).toBe(325);
    expect(adaptiveProportionCutoff(512, 1, 60)).toBe(355);
    expect(repetitionCountCutoff(1, 30)).toBe(31);
    expect(repetitionCountCutoff(1, 60)).toBe(61);
  });

  it('agrees with the floating-point tail for other claims', () => {
    for (const bits of [1, 2, 6, 8]) {
      const cutoff = adaptiveProportionCutoff(512, bits, 40);
      expect(log2UpperTail(512, 2 ** -bits, cutoff)).toBeLessThanOrEqual(-40);
      expect(log2UpperTail(512, 2 ** -bits, cutoff - 1)).toBeGreaterThan(-40);
    }
  });
});
