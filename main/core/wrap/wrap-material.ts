// Wraps key material under a provider's RSA wrapping public key. The scheme comes from the algorithm
// table in shared/providers.ts. RSA-OAEP and PKCS#1 v1.5 go through node:crypto (both exist in
// Electron's BoringSSL); AES-KWP comes from aes-kwp.ts (pure JS).
import { constants, createPublicKey, publicEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { WRAPPING_ALGORITHM_FACTS, type OutputLayout, type WrappingAlgorithm } from '../../../shared/providers.ts';
import { zeroize } from '../secret.ts';
import { aesKeyWrapPad } from './aes-kwp.ts';

export type WrappedMaterial =
  | { layout: 'single'; ciphertext: Uint8Array }
  | { layout: 'split'; encryptedKeyMaterial: Uint8Array; encryptedPrivateKey: Uint8Array };

export interface WrapMaterialInput {
  material: Uint8Array;
  wrappingPublicKeySpki: Uint8Array;
  algorithm: WrappingAlgorithm;
  layout: OutputLayout;
}

const EPHEMERAL_AES_KEY_BYTES = 32;
const HASH_BYTES = { sha1: 20, sha256: 32 } as const;

interface ParsedWrappingKey {
  key: KeyObject;
  modulusBytes: number;
}

/**
 * Parsed wrapping keys by their DER text. A bulk wrap uses one provider key for a thousand keys; parsing
 * it (and asking for its size) once rather than per key is most of the cost of a wrap outside the RSA
 * operation itself. Public keys only (nothing secret is kept); keyed by content, not by the caller's
 * array, so bytes changed in place are parsed again. Small: a ceremony uses a handful of wrapping keys.
 */
const parsedWrappingKeys = new Map<string, ParsedWrappingKey>();
const PARSED_WRAPPING_KEYS_KEPT = 16;

function rsaPublicKey(spki: Uint8Array): ParsedWrappingKey {
  const der = Buffer.from(spki.buffer, spki.byteOffset, spki.byteLength).toString('base64');
  const known = parsedWrappingKeys.get(der);
  if (known) return known;
  let parsed: ParsedWrappingKey;
  try {
    const key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'rsa') throw new Error('not an RSA key');
    parsed = { key, modulusBytes: Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8) };
  } catch (error) {
    throw new ByokError('WRAPPING_KEY_MISMATCH', 'The wrapping public key is not an RSA SubjectPublicKeyInfo; get new import parameters.', undefined, { cause: error });
  }
  if (parsedWrappingKeys.size >= PARSED_WRAPPING_KEYS_KEPT) parsedWrappingKeys.delete(parsedWrappingKeys.keys().next().value!);
  parsedWrappingKeys.set(der, parsed);
  return parsed;
}

/** A Buffer view on the caller's bytes: no copy of the material is made or kept. */
function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function rsaEncrypt({ key, modulusBytes }: ParsedWrappingKey, algorithm: WrappingAlgorithm, plaintext: Uint8Array): Uint8Array {
  const { scheme, hash } = WRAPPING_ALGORITHM_FACTS[algorithm];
  const overhead = hash === null ? 11 : 2 * HASH_BYTES[hash] + 2;
  if (plaintext.length > modulusBytes - overhead) {
    throw new ByokError('INVALID_INPUT', `${algorithm} with a ${modulusBytes * 8}-bit wrapping key can encrypt at most ${modulusBytes - overhead} bytes; this material is ${plaintext.length}. Use an RSA_AES_KEY_WRAP algorithm.`);
  }
  const options = scheme === 'rsa-pkcs1'
    ? { key, padding: constants.RSA_PKCS1_PADDING }
    : { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: hash ?? 'sha256' };
  return new Uint8Array(publicEncrypt(options, view(plaintext)));
}

/** Wraps `material`; the input is neither changed nor retained, the ephemeral AES key is zeroed. */
export function wrapMaterial(input: WrapMaterialInput): WrappedMaterial {
  const { scheme, hash } = WRAPPING_ALGORITHM_FACTS[input.algorithm];
  if (input.material.length === 0) throw new ByokError('INVALID_INPUT', 'There is no key material to wrap.');
  if (input.layout === 'split' && scheme !== 'rsa-aes') {
    throw new ByokError('INVALID_ARGUMENT', `The two-field (split) output needs an RSA_AES_KEY_WRAP algorithm, not ${input.algorithm}.`);
  }
  const key = rsaPublicKey(input.wrappingPublicKeySpki);
  if (scheme !== 'rsa-aes') return { layout: 'single', ciphertext: rsaEncrypt(key, input.algorithm, input.material) };

  // Kept as the Buffer randomBytes returned, so zeroing it clears the only copy.
  const ephemeralAesKey: Uint8Array = randomBytes(EPHEMERAL_AES_KEY_BYTES);
  try {
    const oaep = hash === 'sha1' ? 'RSAES_OAEP_SHA_1' : 'RSAES_OAEP_SHA_256';
    const encryptedAesKey = rsaEncrypt(key, oaep, ephemeralAesKey);
    const kwp = aesKeyWrapPad(ephemeralAesKey, input.material);
    if (input.layout === 'split') return { layout: 'split', encryptedKeyMaterial: encryptedAesKey, encryptedPrivateKey: kwp };
    const ciphertext = new Uint8Array(encryptedAesKey.length + kwp.length);
    ciphertext.set(encryptedAesKey, 0);
    ciphertext.set(kwp, encryptedAesKey.length);
    return { layout: 'single', ciphertext };
  } finally {
    zeroize(ephemeralAesKey);
  }
}
