import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publicKeySpkiFromPrivate, validateMaterial } from '../../../../main/core/keys/index.ts';
import type { KeySpecName } from '../../../../shared/key-specs.ts';

const pkcs8Of = (privateKey: import('node:crypto').KeyObject) => new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
const p256 = pkcs8Of(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey);
const p384 = pkcs8Of(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
const rsa2048 = pkcs8Of(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);

function refusal(spec: KeySpecName, material: Uint8Array): string {
  try {
    validateMaterial(spec, material);
  } catch (error) {
    expect(error).toMatchObject({ code: 'KEY_SPEC_INVALID' });
    return (error as Error).message;
  }
  throw new Error(`expected ${spec} material to be refused`);
}

describe('validateMaterial', () => {
  it('accepts symmetric material of the spec length and matching asymmetric keys', () => {
    expect(() => validateMaterial('AES_128', randomBytes(16))).not.toThrow();
    expect(() => validateMaterial('SM4', randomBytes(16))).not.toThrow();
    expect(() => validateMaterial('HMAC_224', randomBytes(28))).not.toThrow();
    expect(() => validateMaterial('EC_P256', p256)).not.toThrow();
    expect(() => validateMaterial('EC_P384', p384)).not.toThrow();
    expect(() => validateMaterial('RSA_2048', rsa2048)).not.toThrow();
  });

  it('refuses symmetric material of the wrong length, saying the expected length', () => {
    expect(refusal('AES_256', randomBytes(31))).toMatch(/must be 32 bytes, not 31/);
    expect(refusal('HMAC_512', new Uint8Array(0))).toMatch(/must be 64 bytes/);
  });

  it('refuses an EC key on the other curve', () => {
    expect(refusal('EC_P256', p384)).toMatch(/secp384r1, not P-256/);
    expect(refusal('EC_P384', p256)).toMatch(/prime256v1, not P-384/);
  });

  it('refuses an RSA key of another size and a key of another type', () => {
    expect(refusal('RSA_3072', rsa2048)).toMatch(/2048-bit modulus, not 3072/);
    expect(refusal('RSA_2048', p256)).toMatch(/not an RSA key/);
    expect(refusal('EC_P256', rsa2048)).toMatch(/not an EC key/);
    const ed25519 = pkcs8Of(generateKeyPairSync('ed25519').privateKey);
    expect(refusal('EC_P256', ed25519)).toMatch(/ed25519 key/);
  });

  it('refuses bytes that are not PKCS#8 DER: garbage, SEC1 and trailing bytes', () => {
    refusal('EC_P256', randomBytes(138));
    const sec1 = new Uint8Array(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'sec1', format: 'der' }));
    refusal('EC_P256', sec1);
    const trailing = new Uint8Array(p256.length + 2);
    trailing.set(p256);
    expect(refusal('EC_P256', trailing)).toMatch(/not a single DER PKCS#8/);
  });

  it('refuses an unknown spec', () => {
    expect(refusal('AES_512' as KeySpecName, randomBytes(64))).toMatch(/Unknown key spec/);
  });

  it('does not echo material in its messages', () => {
    const key = randomBytes(31);
    expect(refusal('AES_256', key)).not.toContain(key.toString('hex').slice(0, 8));
  });
});

describe('publicKeySpkiFromPrivate', () => {
  it('returns the DER SubjectPublicKeyInfo of the key', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(publicKeySpkiFromPrivate('EC_P256', pkcs8Of(privateKey))).toEqual(new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })));
  });

  it('refuses symmetric specs, which have no public key', () => {
    expect(() => publicKeySpkiFromPrivate('AES_256', randomBytes(32))).toThrowError(expect.objectContaining({ code: 'KEY_SPEC_INVALID' }));
  });
});
