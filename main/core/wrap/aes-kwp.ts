// AES Key Wrap (RFC 3394) and AES Key Wrap with Padding (RFC 5649) from @noble/ciphers: Electron's
// BoringSSL has no `id-aes*-wrap*` ciphers, so the product never asks node:crypto for them.
import { aeskw, aeskwp } from '@noble/ciphers/aes.js';
import { ByokError } from '../../../shared/errors.ts';

const KEK_LENGTHS = [16, 24, 32];

function checkKek(kek: Uint8Array): void {
  if (!KEK_LENGTHS.includes(kek.length)) {
    throw new ByokError('INVALID_INPUT', `An AES key-wrap key must be 16, 24 or 32 bytes, got ${kek.length}.`);
  }
}

/** RFC 5649: wraps any non-empty plaintext; output is 8·⌈n/8⌉ + 8 bytes. */
export function aesKeyWrapPad(kek: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKek(kek);
  if (plaintext.length === 0) throw new ByokError('INVALID_INPUT', 'AES key wrap with padding needs at least one byte to wrap.');
  return aeskwp(kek).encrypt(plaintext);
}

/** RFC 5649 unwrap; a wrong key or a changed ciphertext fails the integrity check. */
export function aesKeyUnwrapPad(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  checkKek(kek);
  try {
    return aeskwp(kek).decrypt(wrapped);
  } catch (error) {
    throw new ByokError('INVALID_INPUT', 'AES key unwrap failed its integrity check: wrong key or altered ciphertext.', undefined, { cause: error });
  }
}

/** RFC 3394: plaintext must be a multiple of 8 bytes, at least 16. */
export function aesKeyWrap(kek: Uint8Array, plaintext: Uint8Array): Uint8Array {
  checkKek(kek);
  if (plaintext.length < 16 || plaintext.length % 8 !== 0) {
    throw new ByokError('INVALID_INPUT', 'AES key wrap (RFC 3394) needs a multiple of 8 bytes, at least 16; use the padded form otherwise.');
  }
  return aeskw(kek).encrypt(plaintext);
}

export function aesKeyUnwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  checkKek(kek);
  try {
    return aeskw(kek).decrypt(wrapped);
  } catch (error) {
    throw new ByokError('INVALID_INPUT', 'AES key unwrap failed its integrity check: wrong key or altered ciphertext.', undefined, { cause: error });
  }
}
