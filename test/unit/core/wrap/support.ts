// Test-side unwrapping, written without the product's wrap code: node:crypto for RSA, our AES-KWP only
// where the brief asks for it (the openssl integration test replaces that with `openssl enc`).
import { constants, createPublicKey, generateKeyPairSync, privateDecrypt, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { WRAPPING_ALGORITHM_FACTS, type WrappingAlgorithm } from '../../../../shared/providers.ts';
import { aesKeyUnwrapPad } from '../../../../main/core/wrap/aes-kwp.ts';
import type { WrappedMaterial } from '../../../../main/core/wrap/wrap-material.ts';

export interface TestRsaKey {
  bits: number;
  privateKey: KeyObject;
  spki: Uint8Array;
}

const cache = new Map<number, TestRsaKey>();

/** A wrapping key pair generated at test time, one per size per test file. */
export function testRsaKey(bits: number): TestRsaKey {
  const cached = cache.get(bits);
  if (cached) return cached;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: bits });
  const key = { bits, privateKey, spki: new Uint8Array(publicKey.export({ format: 'der', type: 'spki' })) };
  cache.set(bits, key);
  return key;
}

/** PKCS#1 v1.5 type-2 unpadding by hand: Node refuses RSA_PKCS1_PADDING for private decryption. */
function pkcs1Decrypt(privateKey: KeyObject, ciphertext: Uint8Array): Uint8Array {
  const block = privateDecrypt({ key: privateKey, padding: constants.RSA_NO_PADDING }, ciphertext);
  if (block[0] !== 0 || block[1] !== 2) throw new Error('not a PKCS#1 v1.5 encryption block');
  const separator = block.indexOf(0, 2);
  if (separator < 10) throw new Error('PKCS#1 v1.5 padding string too short');
  return new Uint8Array(block.subarray(separator + 1));
}

export function rsaDecrypt(privateKey: KeyObject, algorithm: WrappingAlgorithm, ciphertext: Uint8Array): Uint8Array {
  const { hash } = WRAPPING_ALGORITHM_FACTS[algorithm];
  if (hash === null) return pkcs1Decrypt(privateKey, ciphertext);
  return new Uint8Array(privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash }, ciphertext));
}

export function unwrapForTest(key: TestRsaKey, algorithm: WrappingAlgorithm, wrapped: WrappedMaterial): Uint8Array {
  const modulusBytes = key.bits / 8;
  if (WRAPPING_ALGORITHM_FACTS[algorithm].scheme !== 'rsa-aes') {
    if (wrapped.layout !== 'single') throw new Error('direct RSA wrap must be single');
    return rsaDecrypt(key.privateKey, algorithm, wrapped.ciphertext);
  }
  const rsaPart = wrapped.layout === 'single' ? wrapped.ciphertext.subarray(0, modulusBytes) : wrapped.encryptedKeyMaterial;
  const kwpPart = wrapped.layout === 'single' ? wrapped.ciphertext.subarray(modulusBytes) : wrapped.encryptedPrivateKey;
  const aesKey = rsaDecrypt(key.privateKey, algorithm, rsaPart);
  return aesKeyUnwrapPad(aesKey, kwpPart);
}

const FIXTURES = new URL('../../../fixtures/params/', import.meta.url);

/** A provider sample from test/fixtures/params with a test-time public key and deadline filled in. */
export function paramsFixture(name: string, fill: { spki: Uint8Array; validTo: Date }): string {
  const template = readFileSync(new URL(name, FIXTURES), 'utf8');
  const publicKey = createPublicKey({ key: Buffer.from(fill.spki), format: 'der', type: 'spki' });
  const jwk = publicKey.export({ format: 'jwk' });
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const iso = fill.validTo.toISOString();
  const values: Record<string, string> = {
    PUBLIC_KEY_B64: Buffer.from(fill.spki).toString('base64'),
    PUBLIC_KEY_PEM: JSON.stringify(pem).slice(1, -1),
    N: jwk.n ?? '',
    E: jwk.e ?? '',
    VALID_TO_ISO: iso,
    VALID_TO_ISO_MICROS: iso.replace(/\.(\d{3})Z$/, '.$1000+00:00'),
    VALID_TO_UNIX: String(Math.floor(fill.validTo.getTime() / 1000)),
    VALID_TO_EPOCH_FRACTIONAL: (fill.validTo.getTime() / 1000).toFixed(3),
  };
  return template.replace(/\{\{([A-Z_0-9]+)\}\}/g, (_match, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`unknown fixture placeholder ${key}`);
    return value;
  });
}
