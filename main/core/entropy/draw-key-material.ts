// Key material = HKDF-SHA-512 over a health-tested OS draw, with any operator entropy appended to the
// input keying material. HKDF-Extract is HMAC keyed by a fixed salt over the whole IKM, so the output is
// as unpredictable as the least predictable part of the IKM allows, up to 512 bits: the OS draw is always
// in it, so operator input can add to the OS entropy but never take away from it.
import { createSecretKey, hkdfSync } from 'node:crypto';
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

export function drawKeyMaterial(length: number, options: DrawOptions = {}): { material: Uint8Array; evidence: EntropyEvidence } {
  return drawKeyMaterials(length, 1, options).keys[0]!;
}

/** The OS bytes behind each key of a draw for `count` keys: two APT windows in all, and twice the key's bits each. */
export function osSegmentLength(length: number, count: number): number {
  return Math.max(Math.ceil((2 * 8 * length) / CLAIMED_MIN_ENTROPY_BITS_PER_BYTE), Math.ceil(MIN_OS_DRAW_BYTES / count));
}

/** Keys per draw and bytes per draw: a ceremony batch (1,000 keys) of the largest symmetric keys is 256 KiB. */
export const MAX_KEYS_PER_DRAW = 10_000;
const MAX_DRAW_BYTES = 16 * 1024 * 1024;

/**
 * Material for `count` keys of `length` bytes from ONE OS draw, health-tested as one continuous stream
 * before anything is derived (a failure anywhere in it refuses the whole draw). Each key is derived with
 * HKDF-SHA-512 from its own, disjoint segment of the draw (plus any operator entropy), a segment as long
 * as a single key's draw would be for the claimed min-entropy (twice the key's bits), so no key shares
 * OS entropy with another. One draw and one pass of the tests instead of one per key is what makes a
 * bulk ceremony cheap; for one key this is exactly the single draw.
 */
export function drawKeyMaterials(
  length: number,
  count: number,
  options: DrawOptions = {},
): { keys: Array<{ material: Uint8Array; evidence: EntropyEvidence }>; health: HealthReport } {
  if (!Number.isInteger(length) || length < 1 || length > MAX_MATERIAL_BYTES) {
    throw new ByokError('INVALID_ARGUMENT', `Key material length must be a whole number of bytes from 1 to ${MAX_MATERIAL_BYTES}.`, { length });
  }
  const segment = Number.isInteger(count) && count >= 1 && count <= MAX_KEYS_PER_DRAW ? osSegmentLength(length, count) : 0;
  if (segment === 0 || segment * count > MAX_DRAW_BYTES) {
    throw new ByokError('INVALID_ARGUMENT', `One entropy draw serves 1 to ${MAX_KEYS_PER_DRAW} keys and at most ${MAX_DRAW_BYTES / 1024 / 1024} MiB; split the batch.`, { count });
  }
  const operatorEntropy = options.operatorEntropy ?? [];
  refuseEmptyOperatorEntropy(operatorEntropy);
  const source = options.source ?? osRandomSource;

  const osDraw = drawFrom(source, segment * count);
  const keys: Array<{ material: Uint8Array; evidence: EntropyEvidence }> = [];
  let inputKeyingMaterial: Uint8Array | undefined;
  try {
    const health = runHealthTests(osDraw);
    if (!health.passed) throw healthFailure(health);
    // One IKM buffer: the operator part is written once, each key's segment is copied in front of it.
    inputKeyingMaterial = concatenateInput(osDraw.subarray(0, segment), operatorEntropy);
    const info = new TextEncoder().encode(`key material, ${length} bytes`);
    const sources: EntropyEvidence['sources'] = [
      { kind: 'os-csprng', label: randomSourceLabel(source), bytes: segment },
      ...operatorEntropy.map((entropy) => ({ kind: OPERATOR_EVIDENCE_KIND[entropy.kind], label: entropy.label, bytes: entropy.bytes.length })),
    ];
    // Every key of a draw has the same evidence: one frozen object, so a batch's records share it (and
    // the vault serialises it once, not once per key).
    const evidence: EntropyEvidence = deepFreeze({ sources, health: structuredClone(health), ...(count > 1 ? { osStream: { keys: count, bytes: osDraw.length } } : {}) });
    for (let index = 0; index < count; index++) {
      inputKeyingMaterial.set(osDraw.subarray(index * segment, (index + 1) * segment), 0);
      // node:crypto copies the IKM into a key object for HMAC either way; that copy cannot be zeroed from
      // here. Making it explicitly skips hkdfSync's slow type probe of a plain buffer (about 4 µs a key).
      const material = new Uint8Array(hkdfSync('sha512', createSecretKey(inputKeyingMaterial), HKDF_SALT, info, length));
      keys.push({ material, evidence });
    }
    return { keys, health };
  } catch (error) {
    for (const key of keys) zeroize(key.material);
    throw error;
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

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}
