import { createHash, createHmac, createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import { computeKeyCheck, formatFingerprintForReading } from '../../../../main/core/keys/index.ts';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));

describe('computeKeyCheck for symmetric keys', () => {
  it('gives the AES-CMAC KCV of the RFC 4493 key: CMAC of a zero block, first 3 bytes, upper-case', () => {
    // AES-128-CMAC(2b7e1516..., 16 zero bytes), computed independently with `openssl mac ... CMAC`.
    expect(computeKeyCheck('AES_128', hex('2b7e151628aed2a6abf7158809cf4f3c'))).toEqual({ kind: 'kcv', value: '7AD386' });
  });

  it('gives the SM4-CMAC KCV of the standard SM4 key', () => {
    // `openssl mac -cipher SM4-CBC -macopt hexkey:0123456789abcdeffedcba9876543210 CMAC` of a zero block.
    expect(computeKeyCheck('SM4', hex('0123456789abcdeffedcba9876543210'))).toEqual({ kind: 'kcv', value: '909F5E' });
  });

  it.each(['HMAC_224', 'HMAC_256', 'HMAC_384', 'HMAC_512'] as const)('checks %s keys with HMAC of their own hash over a zero block', (spec) => {
    const details = KEY_SPECS[spec];
    if (details.kind !== 'symmetric') throw new Error('HMAC specs are symmetric');
    const key = randomBytes(details.bytes);
    const expected = createHmac(details.hash!, key).update(new Uint8Array(16)).digest('hex').slice(0, 6).toUpperCase();
    expect(computeKeyCheck(spec, key)).toEqual({ kind: 'kcv', value: expected });
  });

  it('gives 6 upper-case hex characters for every symmetric spec', () => {
    for (const [spec, details] of Object.entries(KEY_SPECS)) {
      if (details.kind !== 'symmetric') continue;
      expect(computeKeyCheck(spec as KeySpecName, randomBytes(details.bytes)).value).toMatch(/^[0-9A-F]{6}$/);
    }
  });

  it('does not change or zero the material it checks', () => {
    const key = randomBytes(32);
    const copy = Uint8Array.from(key);
    computeKeyCheck('AES_256', key);
    expect(Uint8Array.from(key)).toEqual(copy);
  });

  it('refuses material of the wrong length', () => {
    expect(() => computeKeyCheck('AES_256', randomBytes(16))).toThrowError(expect.objectContaining({ code: 'KEY_SPEC_INVALID' }));
    expect(() => computeKeyCheck('HMAC_384', randomBytes(32))).toThrowError(expect.objectContaining({ code: 'KEY_SPEC_INVALID' }));
  });
});

describe('computeKeyCheck for asymmetric keys', () => {
  it('gives the SHA-256 of the DER SubjectPublicKeyInfo of an EC key', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const pkcs8 = new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' }));
    const spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    expect(computeKeyCheck('EC_P384', pkcs8)).toEqual({ kind: 'fingerprint', value: createHash('sha256').update(spki).digest('hex') });
  });

  it('gives 64 lower-case hex characters for an RSA key', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const check = computeKeyCheck('RSA_2048', new Uint8Array(privateKey.export({ type: 'pkcs8', format: 'der' })));
    expect(check.kind).toBe('fingerprint');
    expect(check.value).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('formatFingerprintForReading', () => {
  it('groups a fingerprint in fours for reading aloud', () => {
    const fingerprint = '0123456789abcdef'.repeat(4);
    expect(formatFingerprintForReading(fingerprint)).toBe('0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef 0123 4567 89ab cdef');
  });

  it('leaves a short last group when the length is not a multiple of four', () => {
    expect(formatFingerprintForReading('ABCDEF')).toBe('ABCD EF');
  });

  it('refuses text that is not hexadecimal', () => {
    expect(() => formatFingerprintForReading('12 34')).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() => formatFingerprintForReading('')).toThrowError(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
