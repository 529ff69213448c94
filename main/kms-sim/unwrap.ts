// The provider's side of unwrapping, with OpenSSL through node:crypto (the simulator runs under plain
// Node, never Electron): RSA-OAEP, RSAES-PKCS1-v1_5 (see rsa-pkcs1.ts) and AES Key Wrap with Padding
// (RFC 5649) via `id-aes256-wrap-pad`.
import { createDecipheriv, privateDecrypt, constants, type KeyObject } from 'node:crypto';
import { rsaPkcs1v15Decrypt } from './rsa-pkcs1.ts';

const KWP_IV = Buffer.from('A65959A6', 'hex');

export function rsaDecrypt(privateKey: KeyObject, scheme: 'oaep-sha1' | 'oaep-sha256' | 'pkcs1', ciphertext: Uint8Array): Uint8Array | null {
  if (scheme === 'pkcs1') return rsaPkcs1v15Decrypt(privateKey, ciphertext);
  try {
    return new Uint8Array(
      privateDecrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: scheme === 'oaep-sha1' ? 'sha1' : 'sha256' },
        ciphertext,
      ),
    );
  } catch {
    return null;
  }
}

export function aesKwpUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array | null {
  if (kek.length !== 32) return null;
  try {
    const decipher = createDecipheriv('id-aes256-wrap-pad', kek, KWP_IV);
    return new Uint8Array(Buffer.concat([decipher.update(wrapped), decipher.final()]));
  } catch {
    return null;
  }
}

/** RSA ciphertext ‖ KWP ciphertext, the RSA part exactly the modulus length (AWS RSA_AES_KEY_WRAP_*). */
export function unwrapConcatenated(privateKey: KeyObject, hash: 'sha1' | 'sha256', blob: Uint8Array): Uint8Array | null {
  const modulusBytes = (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) / 8;
  if (blob.length <= modulusBytes) return null;
  return unwrapTwoFields(privateKey, hash, blob.subarray(0, modulusBytes), blob.subarray(modulusBytes));
}

/** Huawei's two fields: the RSA-OAEP-encrypted AES key and the KWP-wrapped private key. */
export function unwrapTwoFields(privateKey: KeyObject, hash: 'sha1' | 'sha256', encryptedAesKey: Uint8Array, wrappedKey: Uint8Array): Uint8Array | null {
  const aesKey = rsaDecrypt(privateKey, hash === 'sha1' ? 'oaep-sha1' : 'oaep-sha256', encryptedAesKey);
  if (aesKey === null) return null;
  try {
    return aesKwpUnwrap(aesKey, wrappedKey);
  } finally {
    aesKey.fill(0);
  }
}
