// Key check values: what witnesses read aloud and what proves that a restore or an import is the same key.
// Symmetric keys: a MAC of a 16-byte zero block, first 3 bytes, upper-case hex (the KCV of PCI PIN
// practice). Asymmetric keys: SHA-256 of the DER SubjectPublicKeyInfo, 64 lower-case hex characters.
import { createHash, createHmac } from 'node:crypto';
import { cmac as aesCmac } from '@noble/ciphers/aes.js';
import { KEY_SPECS, type KeyCheck as KeyCheckMethod, type KeySpecName, type SymmetricSpec } from '../../../shared/key-specs.ts';
import { zeroize } from '../secret.ts';
import { publicKeySpkiFromPrivate } from './asymmetric-material.ts';
import { cmac } from './cmac.ts';
import { expandSm4Key, sm4EncryptBlock } from './sm4.ts';
import { validateMaterial } from './validate-material.ts';

export type KeyCheck = { kind: 'kcv'; value: string } | { kind: 'fingerprint'; value: string };

const KCV_BYTES = 3;
const CHECK_BLOCK_BYTES = 16;

/** Each symmetric check method: the full MAC of the zero block under the key. */
const SYMMETRIC_MACS: Readonly<Record<Exclude<KeyCheckMethod, 'spki-sha256'>, (spec: SymmetricSpec, key: Uint8Array, zeroBlock: Uint8Array) => Uint8Array>> =
  Object.freeze({
    'aes-cmac': (_spec, key, zeroBlock) => aesCmac(zeroBlock, key),
    'sm4-cmac': (_spec, key, zeroBlock) => {
      const roundKeys = expandSm4Key(key);
      try {
        return cmac((block) => sm4EncryptBlock(roundKeys, block), zeroBlock);
      } finally {
        roundKeys.fill(0);
      }
    },
    // There is no industry KCV for HMAC keys (PCI's KCV is defined for block-cipher keys; an HMAC key of
    // 28 or 48 bytes is not even an AES key). Our choice, made here only: HMAC with the key's own hash
    // over the same 16-byte zero block, first 3 bytes, upper-case hex. It reads like every other KCV and
    // can be recomputed with any HMAC tool (`openssl mac -digest SHA256 -macopt hexkey:... HMAC`).
    // node:crypto copies the key into its HMAC context, which cannot be zeroed from here.
    hmac: (spec, key, zeroBlock) => new Uint8Array(createHmac(spec.hash!, key).update(zeroBlock).digest()),
  });

export function computeKeyCheck(spec: KeySpecName, material: Uint8Array): KeyCheck {
  validateMaterial(spec, material);
  const details = KEY_SPECS[spec];
  if (details.kind === 'asymmetric') return fingerprintOfSpki(publicKeySpkiFromPrivate(spec, material));
  const zeroBlock = new Uint8Array(CHECK_BLOCK_BYTES);
  const mac = SYMMETRIC_MACS[details.check](details, material, zeroBlock);
  try {
    return { kind: 'kcv', value: Buffer.from(mac.subarray(0, KCV_BYTES)).toString('hex').toUpperCase() };
  } finally {
    zeroize(mac);
  }
}

/** SHA-256 of a DER SubjectPublicKeyInfo, as the 64-hex-character fingerprint. */
export function fingerprintOfSpki(spki: Uint8Array): KeyCheck {
  return { kind: 'fingerprint', value: createHash('sha256').update(spki).digest('hex') };
}
