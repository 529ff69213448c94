// Ed25519 signature checks (bundles, audit checkpoints) through node:crypto, which Electron's BoringSSL
// has too (DESIGN.md, Crypto in Electron). The pure-JS verifier took about 1.3 ms a signature: most of
// the CPU of syncing a few hundred bundles. Strict: a key or signature of the wrong length, a
// non-canonical S or a malformed key is simply "not valid".
import { createPublicKey, verify } from 'node:crypto';

/** DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410); the 32 key bytes follow. */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (publicKey.length !== 32 || signature.length !== 64) return false;
  try {
    const key = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, publicKey]), format: 'der', type: 'spki' });
    return verify(null, message, key, signature);
  } catch {
    return false;
  }
}
