import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KEY_SPECS, KEY_SPEC_NAMES, type KeySpecName } from '../../../../shared/key-specs.ts';
import { WRAPPING_ALGORITHMS, WRAPPING_ALGORITHM_FACTS, type OutputLayout, type WrappingAlgorithm } from '../../../../shared/providers.ts';
import { wrapMaterial } from '../../../../main/core/wrap/wrap-material.ts';
import { testRsaKey, unwrapForTest } from './support.ts';

// Typical PKCS#8 DER lengths per asymmetric spec (RSA lengths vary by a few bytes with the primes).
const PKCS8_LENGTHS: Record<string, [number, number]> = {
  RSA_2048: [1210, 1220],
  RSA_3072: [1790, 1800],
  RSA_4096: [2370, 2380],
  EC_P256: [138, 138],
  EC_P384: [185, 185],
};

function materialFor(spec: KeySpecName): fc.Arbitrary<Uint8Array> {
  const facts = KEY_SPECS[spec];
  if (facts.kind === 'symmetric') return fc.uint8Array({ minLength: facts.bytes, maxLength: facts.bytes });
  const [minLength, maxLength] = PKCS8_LENGTHS[spec]!;
  return fc.uint8Array({ minLength, maxLength });
}

const combinations: Array<{ algorithm: WrappingAlgorithm; layout: OutputLayout; spec: KeySpecName }> = [];
for (const algorithm of WRAPPING_ALGORITHMS) {
  const twoLayer = WRAPPING_ALGORITHM_FACTS[algorithm].scheme === 'rsa-aes';
  for (const layout of twoLayer ? (['single', 'split'] as const) : (['single'] as const)) {
    for (const spec of KEY_SPEC_NAMES) {
      if (twoLayer || KEY_SPECS[spec].kind === 'symmetric') combinations.push({ algorithm, layout, spec });
    }
  }
}

describe('wrapMaterial', () => {
  const key = testRsaKey(2048);

  for (const { algorithm, layout, spec } of combinations) {
    it(`round-trips ${spec}-sized material with ${algorithm} in the ${layout} layout`, () => {
      fc.assert(
        fc.property(materialFor(spec), (material) => {
          const original = material.slice();
          const wrapped = wrapMaterial({ material, wrappingPublicKeySpki: key.spki, algorithm, layout });
          expect(material).toEqual(original);
          expect(wrapped.layout).toBe(layout);
          expect(unwrapForTest(key, algorithm, wrapped)).toEqual(original);
        }),
        { numRuns: 3 },
      );
    });
  }

  it('makes the RSA part exactly the modulus length and the KWP part 8*ceil(n/8)+8 bytes', () => {
    const rsa3072 = testRsaKey(3072);
    const material = new Uint8Array(1217).fill(5);
    const wrapped = wrapMaterial({ material, wrappingPublicKeySpki: rsa3072.spki, algorithm: 'RSA_AES_KEY_WRAP_SHA_256', layout: 'single' });
    if (wrapped.layout !== 'single') throw new Error('expected single');
    expect(wrapped.ciphertext.length).toBe(384 + 8 * Math.ceil(1217 / 8) + 8);
    expect(unwrapForTest(rsa3072, 'RSA_AES_KEY_WRAP_SHA_256', wrapped)).toEqual(material);
  });

  it('uses a fresh ephemeral AES key for every wrap', () => {
    const material = new Uint8Array(32).fill(1);
    const first = wrapMaterial({ material, wrappingPublicKeySpki: key.spki, algorithm: 'RSA_AES_KEY_WRAP_SHA_1', layout: 'split' });
    const second = wrapMaterial({ material, wrappingPublicKeySpki: key.spki, algorithm: 'RSA_AES_KEY_WRAP_SHA_1', layout: 'split' });
    if (first.layout !== 'split' || second.layout !== 'split') throw new Error('expected split');
    expect(Buffer.from(first.encryptedPrivateKey).equals(Buffer.from(second.encryptedPrivateKey))).toBe(false);
  });

  it('refuses the split layout for a direct RSA algorithm', () => {
    expect(() => wrapMaterial({ material: new Uint8Array(32), wrappingPublicKeySpki: key.spki, algorithm: 'RSAES_OAEP_SHA_256', layout: 'split' }))
      .toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('refuses material too long for direct RSA encryption and names the two-layer alternative', () => {
    expect(() => wrapMaterial({ material: new Uint8Array(191), wrappingPublicKeySpki: key.spki, algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' }))
      .toThrow(/at most 190 bytes.*RSA_AES_KEY_WRAP/);
  });

  it('wraps under the key its bytes say, even when the same array is overwritten with another key', () => {
    const other = testRsaKey(3072);
    const spki = key.spki.slice();
    const material = new Uint8Array(32).fill(7);
    const first = wrapMaterial({ material, wrappingPublicKeySpki: spki, algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' });
    expect(unwrapForTest(key, 'RSAES_OAEP_SHA_256', first)).toEqual(material);
    const reused = new Uint8Array(other.spki.length);
    reused.set(other.spki);
    const second = wrapMaterial({ material, wrappingPublicKeySpki: reused, algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' });
    if (second.layout !== 'single') throw new Error('expected single');
    expect(second.ciphertext.length).toBe(384);
    expect(unwrapForTest(other, 'RSAES_OAEP_SHA_256', second)).toEqual(material);
    // An array changed in place after a wrap is read again, not served from what it held before.
    reused.fill(0);
    expect(() => wrapMaterial({ material, wrappingPublicKeySpki: reused, algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' }))
      .toThrow(expect.objectContaining({ code: 'WRAPPING_KEY_MISMATCH' }));
  });

  it('refuses a wrapping key that is not RSA', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(() => wrapMaterial({ material: new Uint8Array(32), wrappingPublicKeySpki: new Uint8Array(ec), algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' }))
      .toThrow(expect.objectContaining({ code: 'WRAPPING_KEY_MISMATCH' }));
  });
});
