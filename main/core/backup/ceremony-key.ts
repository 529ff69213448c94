// The ceremony's Ed25519 signing key (bundles, audit checkpoints), kept in the OS keychain as PKCS#8
// DER under one item. Created on first use, then reused, so every signature of a vault verifies with
// the same public key.
import { createPrivateKey, createPublicKey, generateKeyPair, sign, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { ByokError } from '../../../shared/errors.ts';
import { zeroize } from '../secret.ts';
import type { Keychain } from './keychain.ts';

export const CEREMONY_KEY_ACCOUNT = 'ceremony-signing-key';

export interface CeremonySigningKey {
  /** Raw 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

const generateEd25519 = promisify(generateKeyPair);

/** The ceremony key from the keychain, or null when it holds none (nothing is created). */
export async function loadCeremonyKey(keychain: Keychain): Promise<CeremonySigningKey | null> {
  const stored = await keychain.get(CEREMONY_KEY_ACCOUNT);
  if (stored === null) return null;
  try {
    return signerFrom(stored);
  } finally {
    zeroize(stored);
  }
}

export async function loadOrCreateCeremonyKey(keychain: Keychain): Promise<CeremonySigningKey> {
  let stored = await keychain.get(CEREMONY_KEY_ACCOUNT);
  if (stored === null) {
    const { privateKey } = await generateEd25519('ed25519');
    const der = new Uint8Array(privateKey.export({ format: 'der', type: 'pkcs8' }));
    try {
      await keychain.set(CEREMONY_KEY_ACCOUNT, der);
      stored = await keychain.get(CEREMONY_KEY_ACCOUNT);
      // Another process may have created it first: the stored key wins, whichever it is.
      if (stored === null) throw new ByokError('KEYCHAIN_UNAVAILABLE', 'The ceremony signing key was written to the OS keychain but could not be read back. Check that the keychain is persistent and unlocked, then try again.');
    } finally {
      zeroize(der);
    }
  }
  try {
    return signerFrom(stored);
  } finally {
    zeroize(stored);
  }
}

function signerFrom(der: Uint8Array): CeremonySigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: Buffer.from(der.buffer, der.byteOffset, der.byteLength), format: 'der', type: 'pkcs8' });
  } catch (error) {
    throw new ByokError('BACKUP_CORRUPT', `The keychain item '${CEREMONY_KEY_ACCOUNT}' is not a valid private key. Restore it from a copy of the keychain: this vault's earlier signatures only verify with the original key.`, undefined, { cause: error });
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') {
    throw new ByokError('BACKUP_CORRUPT', `The keychain item '${CEREMONY_KEY_ACCOUNT}' is not an Ed25519 key. Restore it from a copy.`);
  }
  const spki = new Uint8Array(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
  const publicKey = spki.slice(spki.length - 32); // Ed25519 SPKI ends with the 32-byte raw key
  return Object.freeze({
    publicKey,
    sign: (message: Uint8Array): Uint8Array => new Uint8Array(sign(null, message, privateKey)),
  });
}

