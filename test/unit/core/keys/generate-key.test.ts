import { createPrivateKey, createPublicKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { KEY_SPECS, KEY_SPEC_NAMES, type KeySpecName } from '../../../../shared/key-specs.ts';
import { operatorEntropyFromDice, type RandomSource } from '../../../../main/core/entropy/index.ts';
import { computeKeyCheck, generateKey, generateKeyBatch, publicKeySpkiFromPrivate, type GeneratedKey } from '../../../../main/core/keys/index.ts';

const SYMMETRIC_SPECS = KEY_SPEC_NAMES.filter((spec) => KEY_SPECS[spec].kind === 'symmetric');
const EC_SPECS = ['EC_P256', 'EC_P384'] as const;
const RSA_SPECS = ['RSA_2048', 'RSA_3072', 'RSA_4096'] as const;
const stuckSource: RandomSource = (length) => new Uint8Array(length);

async function expectRefusal(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toMatchObject({ code });
}

describe('generateKey: symmetric specs', () => {
  it.each(SYMMETRIC_SPECS)('generates %s material of the spec length with a 6-character KCV and health evidence', async (spec) => {
    const details = KEY_SPECS[spec];
    const key = await generateKey(spec);
    expect(key.spec).toBe(spec);
    expect(key.material).toBeInstanceOf(Uint8Array);
    expect(key.material.length).toBe(details.kind === 'symmetric' ? details.bytes : -1);
    expect(key.check).toEqual({ kind: 'kcv', value: expect.stringMatching(/^[0-9A-F]{6}$/) });
    expect(key.publicKeySpki).toBeUndefined();
    expect(key.entropy.health.passed).toBe(true);
    expect(key.entropy.sources[0]).toMatchObject({ kind: 'os-csprng', bytes: 1024 });
  });

  it('generates different keys each time', async () => {
    const a = await generateKey('AES_256');
    const b = await generateKey('AES_256');
    expect(a.material).not.toEqual(b.material);
  });

  it('records operator entropy in the evidence when it is mixed in', async () => {
    const key = await generateKey('SM4', { operatorEntropy: [operatorEntropyFromDice('3141526')] });
    expect(key.entropy.sources.map((source) => source.kind)).toEqual(['os-csprng', 'operator-dice']);
  });

  it('refuses a stuck source and produces no key', async () => {
    await expectRefusal(generateKey('AES_256', { source: stuckSource }), 'ENTROPY_HEALTH_FAILED');
  });

  it('refuses an unknown spec', async () => {
    await expectRefusal(generateKey('DES3' as KeySpecName), 'KEY_SPEC_INVALID');
  });
});

describe('generateKey: EC specs', () => {
  it.each(EC_SPECS)('generates %s as PKCS#8 DER on the right curve with its SPKI and fingerprint', async (spec) => {
    const key = await generateKey(spec);
    const privateKey = createPrivateKey({ key: Buffer.from(key.material), format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyType).toBe('ec');
    expect(privateKey.asymmetricKeyDetails?.namedCurve).toBe(spec === 'EC_P256' ? 'prime256v1' : 'secp384r1');
    expect(key.publicKeySpki).toEqual(new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' })));
    expect(key.check).toEqual({ kind: 'fingerprint', value: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(key.entropy.health.passed).toBe(true);
  });

  it('derives the scalar from the health-tested draw: the same draw gives the same key, another draw another key', async () => {
    const draw = new Uint8Array(1024).map((_, i) => (i * 131 + 7) % 251);
    const fixed: RandomSource = (length) => draw.slice(0, length);
    const a = await generateKey('EC_P256', { source: fixed });
    const b = await generateKey('EC_P256', { source: fixed });
    const c = await generateKey('EC_P256');
    expect(a.check).toEqual(b.check);
    expect(c.check).not.toEqual(a.check);
  });

  it('mixes operator entropy into the scalar', async () => {
    const draw = new Uint8Array(1024).map((_, i) => (i * 131 + 7) % 251);
    const fixed: RandomSource = (length) => draw.slice(0, length);
    const plain = await generateKey('EC_P384', { source: fixed });
    const mixed = await generateKey('EC_P384', { source: fixed, operatorEntropy: [operatorEntropyFromDice('66612')] });
    expect(mixed.check).not.toEqual(plain.check);
  });

  it('refuses a stuck source and produces no key', async () => {
    await expectRefusal(generateKey('EC_P384', { source: stuckSource }), 'ENTROPY_HEALTH_FAILED');
  });
});

describe('generateKey: RSA specs', () => {
  const keys = new Map<KeySpecName, GeneratedKey>();
  beforeAll(async () => {
    for (const spec of RSA_SPECS) keys.set(spec, await generateKey(spec));
  });

  it.each(RSA_SPECS)('generates %s as PKCS#8 DER with the spec modulus and exponent 65537', (spec) => {
    const key = keys.get(spec)!;
    const privateKey = createPrivateKey({ key: Buffer.from(key.material), format: 'der', type: 'pkcs8' });
    expect(privateKey.asymmetricKeyType).toBe('rsa');
    expect(privateKey.asymmetricKeyDetails).toEqual({ modulusLength: KEY_SPECS[spec].kind === 'asymmetric' ? KEY_SPECS[spec].bits : 0, publicExponent: 65537n });
    expect(key.publicKeySpki).toEqual(publicKeySpkiFromPrivate(spec, key.material));
    expect(computeKeyCheck(spec, key.material)).toEqual(key.check);
  });

  it('records a health-tested OS sample as the evidence', () => {
    const evidence = keys.get('RSA_2048')!.entropy;
    expect(evidence.health.passed).toBe(true);
    expect(evidence.sources).toEqual([{ kind: 'os-csprng', label: expect.stringContaining('generateKeyPair'), bytes: 1024 }]);
  });

  it('does not block the event loop while generating RSA-3072', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 1);
    try {
      await generateKey('RSA_3072');
    } finally {
      clearInterval(timer);
    }
    expect(ticks).toBeGreaterThan(0);
  });

  it('refuses operator entropy, which cannot reach RSA prime generation', async () => {
    const promise = generateKey('RSA_2048', { operatorEntropy: [operatorEntropyFromDice('123456')] });
    await expect(promise).rejects.toMatchObject({ code: 'ENTROPY_SOURCE_INVALID', message: expect.stringMatching(/cannot be mixed into RSA_2048/) });
  });

  it('refuses to generate when the health sample fails', async () => {
    await expectRefusal(generateKey('RSA_2048', { source: stuckSource }), 'ENTROPY_HEALTH_FAILED');
  });
});

describe('the generated check is what computeKeyCheck recomputes (property)', () => {
  it('holds for symmetric and EC specs, with and without operator entropy', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...SYMMETRIC_SPECS, ...EC_SPECS),
        fc.option(fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 40 }), { nil: undefined }),
        async (spec, rolls) => {
          const operatorEntropy = rolls ? [operatorEntropyFromDice(rolls.join(''))] : [];
          const key = await generateKey(spec, { operatorEntropy });
          expect(computeKeyCheck(spec, key.material)).toEqual(key.check);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('holds for RSA-2048 (few runs: RSA generation is slow)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant('RSA_2048' as const), async (spec) => {
        const key = await generateKey(spec);
        expect(computeKeyCheck(spec, key.material)).toEqual(key.check);
      }),
      { numRuns: 2 },
    );
  });
});

describe('generateKeyBatch', () => {
  it.each(SYMMETRIC_SPECS)('makes a batch of %s keys from one health-tested draw, each with its recomputable KCV', async (spec) => {
    const draws: number[] = [];
    const counting: RandomSource = (length) => {
      draws.push(length);
      return new Uint8Array(randomBytes(length));
    };
    const done: number[] = [];
    const { keys, samplesTested } = await generateKeyBatch(spec, 50, { source: counting, onGenerated: (count) => done.push(count) });
    expect(draws).toHaveLength(1);
    expect(samplesTested).toBe(draws[0]);
    expect(keys).toHaveLength(50);
    expect(done).toEqual(Array.from({ length: 50 }, (_, index) => index + 1));
    for (const key of keys) {
      expect(key.spec).toBe(spec);
      expect(computeKeyCheck(spec, key.material)).toEqual(key.check);
      expect(key.entropy.osStream).toEqual({ keys: 50, bytes: draws[0] });
    }
    expect(new Set(keys.map((key) => Buffer.from(key.material).toString('hex'))).size).toBe(50);
  });

  it('refuses the whole batch on a stuck source and produces no key', async () => {
    await expectRefusal(generateKeyBatch('AES_256', 1000, { source: stuckSource }), 'ENTROPY_HEALTH_FAILED');
  });

  it('generates asymmetric keys one by one, each with its own health-tested draw', async () => {
    const { keys, samplesTested } = await generateKeyBatch('EC_P256', 3);
    expect(keys).toHaveLength(3);
    expect(samplesTested).toBe(3 * 1024);
    for (const key of keys) expect(computeKeyCheck('EC_P256', key.material)).toEqual(key.check);
  });
});
