import { hkdfSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ByokError } from '../../../../shared/errors.ts';
import {
  MAX_KEYS_PER_DRAW,
  MIN_OS_DRAW_BYTES,
  drawKeyMaterial,
  drawKeyMaterials,
  osSegmentLength,
  healthCheckOsSource,
  operatorEntropyFromDice,
  type RandomSource,
} from '../../../../main/core/entropy/index.ts';

/** A source that records what it handed out, so tests can see it zeroed afterwards. */
function recordingSource(produce: (length: number) => Uint8Array = (length) => new Uint8Array(randomBytes(length))) {
  const handedOut: Uint8Array[] = [];
  const source: RandomSource = (length) => {
    const bytes = produce(length);
    handedOut.push(bytes);
    return bytes;
  };
  return { source, handedOut };
}

function fixedSource(bytes: Uint8Array): RandomSource {
  // A fresh copy per draw: drawKeyMaterial zeroes what it was given (Buffer#slice would be a view).
  return (length) => new Uint8Array(bytes.subarray(0, length));
}

function expectHealthFailure(run: () => unknown): ByokError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ByokError);
    expect((error as ByokError).code).toBe('ENTROPY_HEALTH_FAILED');
    return error as ByokError;
  }
  throw new Error('expected ENTROPY_HEALTH_FAILED');
}

describe('drawKeyMaterial', () => {
  it('returns material of the requested length with evidence of the OS draw and its health', () => {
    const { material, evidence } = drawKeyMaterial(32);
    expect(material).toBeInstanceOf(Uint8Array);
    expect(material.length).toBe(32);
    expect(evidence.sources).toEqual([{ kind: 'os-csprng', label: 'node:crypto randomBytes (OS-seeded CSPRNG)', bytes: MIN_OS_DRAW_BYTES }]);
    expect(evidence.health.passed).toBe(true);
    expect(evidence.health.samples).toBe(MIN_OS_DRAW_BYTES);
  });

  it('draws at least 1024 OS bytes and health-tests all of them', () => {
    const { source, handedOut } = recordingSource();
    const { evidence } = drawKeyMaterial(16, { source });
    expect(handedOut.map((bytes) => bytes.length)).toEqual([1024]);
    expect(evidence.health.samples).toBe(1024);
    expect(drawKeyMaterial(512, { source }).evidence.health.samples).toBe(2048);
  });

  it('zeroes the OS draw after deriving the material', () => {
    const { source, handedOut } = recordingSource();
    drawKeyMaterial(32, { source });
    expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('derives the material from the draw rather than handing the draw out', () => {
    const draw = randomBytes(1024);
    const { material } = drawKeyMaterial(32, { source: fixedSource(draw) });
    expect(Buffer.from(material).equals(draw.subarray(0, 32))).toBe(false);
    // Deterministic given the same draw: the derivation is a function of the OS bytes.
    expect(drawKeyMaterial(32, { source: fixedSource(draw) }).material).toEqual(material);
  });

  it('refuses a stuck source (all zeros) and produces no material', () => {
    const { source, handedOut } = recordingSource((length) => new Uint8Array(length));
    const error = expectHealthFailure(() => drawKeyMaterial(32, { source }));
    expect(error.details).toEqual({ samples: 1024, repetitionCutoff: 11, longestRun: 1024, adaptiveWindow: 512, adaptiveCutoff: 78, maxCount: 512 });
    expect(error.message).toMatch(/No key material was produced/);
    expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a source that repeats a short pattern', () => {
    const source: RandomSource = (length) => Uint8Array.from({ length }, (_, i) => [0x13, 0x37, 0xc0, 0xde][i % 4]!);
    const error = expectHealthFailure(() => drawKeyMaterial(32, { source }));
    expect(error.details).toMatchObject({ maxCount: 128, adaptiveCutoff: 78 });
  });

  it('refuses an unhealthy OS draw even when operator entropy is offered', () => {
    const dice = operatorEntropyFromDice('1 2 3 4 5 6 6 5 4 3 2 1 3 1 4 1 5 2 6 5 3 5');
    expectHealthFailure(() => drawKeyMaterial(32, { source: (length) => new Uint8Array(length), operatorEntropy: [dice] }));
  });

  it('keeps error details to numbers', () => {
    const error = expectHealthFailure(() => drawKeyMaterial(16, { source: (length) => new Uint8Array(length).fill(9) }));
    for (const value of Object.values(error.details ?? {})) expect(typeof value).toBe('number');
  });

  it('refuses a source that returns the wrong number of bytes', () => {
    expect(() => drawKeyMaterial(32, { source: () => new Uint8Array(10) })).toThrowError(
      expect.objectContaining({ code: 'ENTROPY_SOURCE_INVALID' }),
    );
  });

  it('refuses lengths that are not a positive whole number of bytes', () => {
    for (const length of [0, -1, 1.5, 255 * 64 + 1]) {
      expect(() => drawKeyMaterial(length)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});

describe('mixing operator entropy with HKDF-SHA-512', () => {
  const dice = () => operatorEntropyFromDice('6 2 4 1 5 3 3 6 1 2 5 4 4 4 2 6 1 3 5 5');

  it('changes the material when operator entropy is added to the same OS draw', () => {
    const draw = randomBytes(1024);
    const plain = drawKeyMaterial(32, { source: fixedSource(draw) }).material;
    const mixed = drawKeyMaterial(32, { source: fixedSource(draw), operatorEntropy: [dice()] }).material;
    expect(mixed).not.toEqual(plain);
  });

  it('gives different material for different operator entropy on the same OS draw', () => {
    const draw = randomBytes(1024);
    const one = drawKeyMaterial(32, { source: fixedSource(draw), operatorEntropy: [operatorEntropyFromDice('123456')] }).material;
    const other = drawKeyMaterial(32, { source: fixedSource(draw), operatorEntropy: [operatorEntropyFromDice('123455')] }).material;
    expect(one).not.toEqual(other);
  });

  it('always includes the OS draw: the same operator entropy twice gives different material', () => {
    const operatorEntropy = [dice()];
    const first = drawKeyMaterial(32, { operatorEntropy }).material;
    const second = drawKeyMaterial(32, { operatorEntropy }).material;
    expect(first).not.toEqual(second);
  });

  it('keeps separate operator inputs apart (no ambiguity from concatenation)', () => {
    const draw = randomBytes(1024);
    const split = [operatorEntropyFromDice('12'), operatorEntropyFromDice('34')];
    const joined = [operatorEntropyFromDice('1234')];
    const a = drawKeyMaterial(32, { source: fixedSource(draw), operatorEntropy: split }).material;
    const b = drawKeyMaterial(32, { source: fixedSource(draw), operatorEntropy: joined }).material;
    expect(a).not.toEqual(b);
  });

  it('records each source with its kind, label and length, never its bytes or a hash', () => {
    const operatorEntropy = [dice(), { kind: 'file' as const, label: 'file witness.bin', bytes: Uint8Array.of(1, 2, 3) }];
    const { evidence } = drawKeyMaterial(32, { operatorEntropy });
    expect(evidence.sources).toEqual([
      { kind: 'os-csprng', label: 'node:crypto randomBytes (OS-seeded CSPRNG)', bytes: 1024 },
      { kind: 'operator-dice', label: '20 dice rolls', bytes: 20 },
      { kind: 'operator-file', label: 'file witness.bin', bytes: 3 },
    ]);
    expect(JSON.stringify(evidence)).not.toMatch(/[0-9a-f]{16}/);
  });

  it('leaves the caller its operator entropy (the caller zeroes it)', () => {
    const operatorEntropy = [dice()];
    const copy = operatorEntropy[0]!.bytes.slice();
    drawKeyMaterial(32, { operatorEntropy });
    expect(operatorEntropy[0]!.bytes).toEqual(copy);
  });

  it('refuses empty operator entropy', () => {
    expect(() => drawKeyMaterial(32, { operatorEntropy: [{ kind: 'file', label: 'file empty.bin', bytes: new Uint8Array(0) }] })).toThrowError(
      expect.objectContaining({ code: 'ENTROPY_SOURCE_INVALID' }),
    );
  });
});

describe('healthCheckOsSource', () => {
  it('returns evidence of a healthy 1024-byte draw and zeroes it', () => {
    const { source, handedOut } = recordingSource();
    const evidence = healthCheckOsSource({ source });
    expect(evidence.sources).toEqual([{ kind: 'os-csprng', label: 'injected random source', bytes: 1024 }]);
    expect(evidence.health.passed).toBe(true);
    expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses a stuck source', () => {
    expectHealthFailure(() => healthCheckOsSource({ source: (length) => new Uint8Array(length) }));
  });
});

describe('drawKeyMaterials: one health-tested draw for a batch of keys', () => {
  const SALT = 'byok-ceremony/entropy/v1';
  /** The derivation spelled out independently: HKDF-SHA-512 over the key's own segment of the draw. */
  const expected = (segment: Uint8Array, length: number, operator = new Uint8Array(0)) =>
    new Uint8Array(hkdfSync('sha512', Buffer.concat([segment, operator]), SALT, `key material, ${length} bytes`, length));

  it('draws once, health-tests the whole stream, and derives each key from its own segment', () => {
    const draw = new Uint8Array(randomBytes(1000 * 128));
    const { source, handedOut } = recordingSource((length) => draw.slice(0, length));
    const { keys, health } = drawKeyMaterials(32, 1000, { source });
    expect(handedOut.map((bytes) => bytes.length)).toEqual([128_000]);
    expect(health).toMatchObject({ passed: true, samples: 128_000 });
    expect(keys).toHaveLength(1000);
    for (const index of [0, 1, 499, 999]) {
      expect(keys[index]!.material).toEqual(expected(draw.subarray(index * 128, (index + 1) * 128), 32));
    }
    expect(new Set(keys.map((key) => Buffer.from(key.material).toString('hex'))).size).toBe(1000);
    expect(keys[3]!.evidence).toEqual({
      sources: [{ kind: 'os-csprng', label: 'injected random source', bytes: 128 }],
      health,
      osStream: { keys: 1000, bytes: 128_000 },
    });
    expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('gives each key twice its bits of claimed min-entropy, and the whole draw at least two APT windows', () => {
    expect(osSegmentLength(32, 1000)).toBe(128); // 128 bytes x 4 claimed bits = 512 bits for a 256-bit key
    expect(osSegmentLength(16, 1000)).toBe(64);
    expect(osSegmentLength(64, 1000)).toBe(256);
    expect(osSegmentLength(32, 4)).toBe(256); // 4 x 256 = 1,024
    expect(osSegmentLength(32, 1)).toBe(MIN_OS_DRAW_BYTES);
    const { keys, health } = drawKeyMaterials(32, 1);
    expect(health.samples).toBe(MIN_OS_DRAW_BYTES);
    expect(keys[0]!.evidence.osStream).toBeUndefined();
  });

  it('mixes operator entropy into every key of the batch', () => {
    const draw = new Uint8Array(randomBytes(10 * 128));
    const dice = operatorEntropyFromDice('6 2 4 1 5 3 3 6 1 2 5 4 4 4 2 6 1 3 5 5');
    const operatorPart = Buffer.concat([Uint8Array.of(2), Buffer.from([0, 0, 0, dice.bytes.length]), dice.bytes]);
    const { keys } = drawKeyMaterials(32, 10, { source: fixedSource(draw), operatorEntropy: [dice] });
    for (const [index, key] of keys.entries()) expect(key.material).toEqual(expected(draw.subarray(index * 128, (index + 1) * 128), 32, operatorPart));
    expect(keys[9]!.evidence.sources.map((source) => source.kind)).toEqual(['os-csprng', 'operator-dice']);
  });

  it('refuses the whole batch when the source is stuck, and zeroes the draw', () => {
    const { source, handedOut } = recordingSource((length) => new Uint8Array(length));
    const error = expectHealthFailure(() => drawKeyMaterials(32, 1000, { source }));
    expect(error.details).toMatchObject({ samples: 128_000, longestRun: 128_000 });
    expect(handedOut[0]!.every((byte) => byte === 0)).toBe(true);
  });

  it('refuses the whole batch when the source sticks inside one key\'s segment only', () => {
    const stuckFrom = 700 * 128 + 40; // 11 equal bytes in the middle of key 700's segment
    const source: RandomSource = (length) => {
      const bytes = new Uint8Array(randomBytes(length));
      bytes.fill(0x5a, stuckFrom, stuckFrom + 11);
      return bytes;
    };
    const error = expectHealthFailure(() => drawKeyMaterials(32, 1000, { source }));
    expect(error.details).toMatchObject({ samples: 128_000, longestRun: expect.any(Number) });
    expect((error.details as { longestRun: number }).longestRun).toBeGreaterThanOrEqual(11);
  });

  it('catches a run that crosses from one key\'s segment into the next', () => {
    const source: RandomSource = (length) => {
      const bytes = new Uint8Array(randomBytes(length));
      bytes.fill(0x00, 5 * 128 - 6, 5 * 128 + 6); // 12 zero bytes across the boundary of keys 4 and 5
      return bytes;
    };
    expectHealthFailure(() => drawKeyMaterials(32, 1000, { source }));
  });

  it('refuses a batch size it does not serve', () => {
    for (const count of [0, -1, 1.5, MAX_KEYS_PER_DRAW + 1]) {
      expect(() => drawKeyMaterials(32, count)).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    }
  });
});
