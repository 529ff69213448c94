// ed25519Verify (node:crypto) against an independent implementation (@noble/curves), and its refusals.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ed25519Verify } from '../../../main/core/ed25519.ts';

/** The group order L of Ed25519 (RFC 8032). */
const L = 2n ** 252n + 27742317777372353535851937790883648493n;

function littleEndian(value: bigint): Uint8Array {
  const bytes = new Uint8Array(32);
  for (let index = 0; index < 32; index++) bytes[index] = Number((value >> BigInt(8 * index)) & 0xffn);
  return bytes;
}

function fromLittleEndian(bytes: Uint8Array): bigint {
  return bytes.reduceRight((value, byte) => (value << 8n) | BigInt(byte), 0n);
}

describe('ed25519Verify', () => {
  it('accepts what the independent implementation signs, and refuses any changed byte', () => {
    for (let round = 0; round < 20; round++) {
      const secret = ed25519.utils.randomSecretKey();
      const publicKey = ed25519.getPublicKey(secret);
      const message = randomBytes(round * 7);
      const signature = ed25519.sign(message, secret);
      expect(ed25519Verify(signature, message, publicKey)).toBe(true);
      const flipped = Uint8Array.from(signature);
      flipped[round % 64]! ^= 0x01;
      expect(ed25519Verify(flipped, message, publicKey)).toBe(false);
      if (message.length > 0) {
        const changed = Uint8Array.from(message);
        changed[0]! ^= 0x80;
        expect(ed25519Verify(signature, changed, publicKey)).toBe(false);
      }
      expect(ed25519Verify(signature, message, ed25519.getPublicKey(ed25519.utils.randomSecretKey()))).toBe(false);
    }
  });

  it('agrees with the independent implementation on signatures made by node:crypto', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const raw = new Uint8Array(publicKey.export({ format: 'der', type: 'spki' }).subarray(12));
    const message = new TextEncoder().encode('byok-audit-checkpoint/v1\n7\n' + 'ab'.repeat(32));
    const signature = new Uint8Array(sign(null, message, privateKey));
    expect(ed25519.verify(signature, message, raw)).toBe(true);
    expect(ed25519Verify(signature, message, raw)).toBe(true);
  });

  it('refuses a non-canonical S (S + L), wrong lengths and a key that is not a point', () => {
    const secret = ed25519.utils.randomSecretKey();
    const publicKey = ed25519.getPublicKey(secret);
    const message = new TextEncoder().encode('bundle');
    const signature = ed25519.sign(message, secret);
    const malleated = Uint8Array.from(signature);
    malleated.set(littleEndian(fromLittleEndian(signature.subarray(32)) + L), 32);
    expect(ed25519.verify(malleated, message, publicKey, { zip215: false })).toBe(false);
    expect(ed25519Verify(malleated, message, publicKey)).toBe(false);
    expect(ed25519Verify(signature.subarray(0, 63), message, publicKey)).toBe(false);
    expect(ed25519Verify(signature, message, publicKey.subarray(0, 31))).toBe(false);
    expect(ed25519Verify(signature, message, new Uint8Array(32).fill(0xff))).toBe(false);
  });
});
