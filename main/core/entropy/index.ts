export type { RandomSource } from './random-source.ts';
export { osRandomSource } from './random-source.ts';
export type { OperatorEntropy } from './operator-entropy.ts';
export { operatorEntropyFromFile, operatorEntropyFromDice, OPERATOR_ENTROPY_MAX_BYTES } from './operator-entropy.ts';
export type { EntropyEvidence, EntropySourceKind } from './evidence.ts';
export type { HealthReport } from './health-tests.ts';
export { runHealthTests } from './health-tests.ts';
export {
  ADAPTIVE_PROPORTION_CUTOFF,
  ADAPTIVE_PROPORTION_WINDOW,
  CLAIMED_MIN_ENTROPY_BITS_PER_BYTE,
  HEALTH_ALPHA_EXPONENT,
  REPETITION_COUNT_CUTOFF,
} from './health-cutoffs.ts';
export type { DrawOptions } from './draw-key-material.ts';
export { drawKeyMaterial, drawKeyMaterials, healthCheckOsSource, MAX_KEYS_PER_DRAW, MIN_OS_DRAW_BYTES, osSegmentLength } from './draw-key-material.ts';
