import { constants, generateKeyPairSync, publicEncrypt, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rsaPkcs1v15Decrypt } from '../../../main/kms-sim/rsa-pkcs1.ts';

const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });

describe('the simulator PKCS#1 v1.5 decryption (BigInt, for Tencent RSAES_PKCS1_V1_5)', () => {
  it('recovers what OpenSSL encrypted with PKCS#1 v1.5 padding', () => {
    for (const length of [16, 32]) {
      const message = randomBytes(length);
      const ciphertext = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, message);
      expect(Buffer.from(rsaPkcs1v15Decrypt(pair.privateKey, ciphertext)!).equals(message)).toBe(true);
    }
  });

  it('refuses an OAEP block, a wrong length and a tampered ciphertext', () => {
    const message = randomBytes(32);
    const oaep = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, message);
    expect(rsaPkcs1v15Decrypt(pair.privateKey, oaep)).toBeNull();
    const ciphertext = publicEncrypt({ key: pair.publicKey, padding: constants.RSA_PKCS1_PADDING }, message);
    expect(rsaPkcs1v15Decrypt(pair.privateKey, ciphertext.subarray(1))).toBeNull();
    const tampered = Buffer.from(ciphertext);
    tampered[10]! ^= 0x01;
    const result = rsaPkcs1v15Decrypt(pair.privateKey, tampered);
    expect(result === null || !Buffer.from(result).equals(message)).toBe(true);
  });
});
