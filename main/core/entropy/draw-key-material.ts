// Key material = HKDF-SHA-512 over a health-tested OS draw, with any operator entropy appended to the
// input keying material. HKDF-Extract is HMAC keyed by a fixed salt over the whole IKM, so the output is
// as unpredictable as the least predictable part of the IKM allows, up to 512 bits: the OS draw is always
// in it, so operator input can add to the OS entropy but never take away from it.
import { hkdfSync } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { zeroize } from '../secret.ts';
import type { EntropyEvidence } from './evidence.ts';
import { CLAIMED_MIN_ENTROPY_BITS_PER_BYTE } from './health-cutoffs.ts';
import { runHealthTests, type HealthReport } from './health-tests.ts';
import { OPERATOR_EVIDENCE_KIND, type OperatorEntropy } from './operator-entropy.ts';
import { drawFrom, osRandomSource, randomSourceLabel, type RandomSource } from './random-source.ts';

/** At least two full APT windows per draw, so the adaptive proportion test has something to say. */
export const MIN_OS_DRAW_BYTES = 1024;
/** HKDF-SHA-512 cannot expand beyond 255 hash blocks. */
const MAX_MATERIAL_BYTES = 255 * 64;

const HKDF_SALT = new TextEncoder().encode('byok-ceremony/entropy/v1');
const OPERATOR_KIND_TAG: Readonly<Record<OperatorEntropy['kind'], number>> = Object.freeze({ file: 1, dice: 2 });

export interface DrawOptions {
  operatorEntropy?: OperatorEntropy[];
  source?: RandomSource;
}

/**
 * How many OS bytes to draw for `length` bytes of material: at least two APT windows, and enough that the
 * claimed min-entropy (4 bits a byte) is twice the material's bits.
 */
export function osDrawLength(length: number): number {
  return Math.max(MIN_OS_DRAW_BYTES, Math.ceil((2 * 8 * length) / CLAIMED_MIN_ENTROPY_BITS_PER_BYTE));
}

export function drawKeyMaterial(length: number, options: DrawOptions = {}): { material: Uint8Array; evidence: EntropyEvidence } {
  if (!Number.isInteger(length) || length < 1 || length > MAX_MATERIAL_BYTES) {
    throw new ByokError('INVALID_ARGUMENT', `Key material length must be a whole number of bytes from 1 to ${MAX_MATERIAL_BYTES}.`, { length });
  }
  const operatorEntropy = options.operatorEntropy ?? [];
  refuseEmptyOperatorEntropy(operatorEntropy);
  const source = options.source ?? osRandomSource;

  const osDraw = drawFrom(source, osDrawLength(length));
  let inputKeyingMaterial: Uint8Array | undefined;
  try {
    const health = runHealthTests(osDraw);
    if (!health.passed) throw healthFailure(health);
    inputKeyingMaterial = concatenateInput(osDraw, operatorEntropy);
    const info = new TextEncoder().encode(`key material, ${length} bytes`);
    // node:crypto copies the IKM into its own key object for HMAC; that copy cannot be zeroed from here.
    const material = new Uint8Array(hkdfSync('sha512', inputKeyingMaterial, HKDF_SALT, info, length));
    const evidence: EntropyEvidence = {
      sources: [
        { kind: 'os-csprng', label: randomSourceLabel(source), bytes: osDraw.length },
        ...operatorEntropy.map((entropy) => ({ kind: OPERATOR_EVIDENCE_KIND[entropy.kind], label: entropy.label, bytes: entropy.bytes.length })),
      ],
      health,
    };
    return { material, evidence };
  } finally {
    zeroize(osDraw, inputKeyingMaterial);
  }
}

/**
 * Draws from the OS source and health-tests the draw without deriving material: the evidence for key
 * generation that happens inside the crypto library from the same OS-seeded generator (RSA).
 */
export function healthCheckOsSource(options: { source?: RandomSource } = {}): EntropyEvidence {
  const source = options.source ?? osRandomSource;
  const osDraw = drawFrom(source, MIN_OS_DRAW_BYTES);
  try {
    const health = runHealthTests(osDraw);
    if (!health.passed) throw healthFailure(health);
    return { sources: [{ kind: 'os-csprng', label: randomSourceLabel(source), bytes: osDraw.length }], health };
  } finally {
    zeroize(osDraw);
  }
}

/** IKM = OS draw || for each operator input: kind tag (1 byte), length (4 bytes, big-endian), bytes. */
function concatenateInput(osDraw: Uint8Array, operatorEntropy: OperatorEntropy[]): Uint8Array {
  const total = operatorEntropy.reduce((sum, entropy) => sum + 5 + entropy.bytes.length, osDraw.length);
  const input = new Uint8Array(total);
  input.set(osDraw, 0);
  let offset = osDraw.length;
  for (const entropy of operatorEntropy) {
    input[offset] = OPERATOR_KIND_TAG[entropy.kind];
    new DataView(input.buffer).setUint32(offset + 1, entropy.bytes.length);
    input.set(entropy.bytes, offset + 5);
    offset += 5 + entropy.bytes.length;
  }
  return input;
}

function refuseEmptyOperatorEntropy(operatorEntropy: OperatorEntropy[]): void {
  for (const entropy of operatorEntropy) {
    if (!(entropy.bytes instanceof Uint8Array) || entropy.bytes.length === 0 || !(entropy.kind in OPERATOR_KIND_TAG)) {
      throw new ByokError('ENTROPY_SOURCE_INVALID', `Operator entropy "${entropy.label}" is empty or of an unknown kind; nothing was generated. Provide it again or leave it out.`);
    }
  }
}

function healthFailure(health: HealthReport): ByokError {
  const failed = [
    health.repetitionCount.passed ? null : `repetition count test (a run of ${health.repetitionCount.longestRun} equal bytes, cutoff ${health.repetitionCount.cutoff})`,
    health.adaptiveProportion.passed ? null : `adaptive proportion test (${health.adaptiveProportion.maxCount} equal bytes in a window of ${health.adaptiveProportion.window}, cutoff ${health.adaptiveProportion.cutoff})`,
  ].filter((text): text is string => text !== null);
  return new ByokError(
    'ENTROPY_HEALTH_FAILED',
    `The random source failed the SP 800-90B health tests: ${failed.length > 0 ? failed.join(' and ') : 'no samples were drawn'}. No key material was produced. Do not continue the ceremony on this machine; check its random source.`,
    {
      samples: health.samples,
      repetitionCutoff: health.repetitionCount.cutoff,
      longestRun: health.repetitionCount.longestRun,
      adaptiveWindow: health.adaptiveProportion.window,
      adaptiveCutoff: health.adaptiveProportion.cutoff,
      maxCount: health.adaptiveProportion.maxCount,
    },
  );
}
