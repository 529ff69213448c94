// The key-spec table. Code asks this table; it never switches on spec names elsewhere.

export const KEY_SPEC_NAMES = [
  'AES_128',
  'AES_256',
  'SM4',
  'HMAC_224',
  'HMAC_256',
  'HMAC_384',
  'HMAC_512',
  'RSA_2048',
  'RSA_3072',
  'RSA_4096',
  'EC_P256',
  'EC_P384',
] as const;

export type KeySpecName = (typeof KEY_SPEC_NAMES)[number];

export type KeyCheck =
  /** AES-CMAC of a zero block, first 3 bytes, upper-case hex. */
  | 'aes-cmac'
  /** SM4-CMAC of a zero block, first 3 bytes, upper-case hex. */
  | 'sm4-cmac'
  /** HMAC (the key's own hash) of a 16-byte zero block, first 3 bytes, upper-case hex. */
  | 'hmac'
  /** SHA-256 of the DER SubjectPublicKeyInfo, hex. */
  | 'spki-sha256';

export interface SymmetricSpec {
  kind: 'symmetric';
  family: 'AES' | 'SM4' | 'HMAC';
  /** Raw material length in bytes. */
  bytes: number;
  check: Exclude<KeyCheck, 'spki-sha256'>;
  /** For HMAC keys: the hash the key is used with (also used for its KCV). */
  hash?: 'sha224' | 'sha256' | 'sha384' | 'sha512';
}

export interface AsymmetricSpec {
  kind: 'asymmetric';
  family: 'RSA' | 'EC';
  /** RSA modulus bits or EC field bits. */
  bits: number;
  /** node:crypto name of the curve for EC keys. */
  namedCurve?: 'P-256' | 'P-384';
  check: 'spki-sha256';
}

export type KeySpec = SymmetricSpec | AsymmetricSpec;

export const KEY_SPECS: Readonly<Record<KeySpecName, KeySpec>> = Object.freeze({
  AES_128: { kind: 'symmetric', family: 'AES', bytes: 16, check: 'aes-cmac' },
  AES_256: { kind: 'symmetric', family: 'AES', bytes: 32, check: 'aes-cmac' },
  SM4: { kind: 'symmetric', family: 'SM4', bytes: 16, check: 'sm4-cmac' },
  HMAC_224: { kind: 'symmetric', family: 'HMAC', bytes: 28, check: 'hmac', hash: 'sha224' },
  HMAC_256: { kind: 'symmetric', family: 'HMAC', bytes: 32, check: 'hmac', hash: 'sha256' },
  HMAC_384: { kind: 'symmetric', family: 'HMAC', bytes: 48, check: 'hmac', hash: 'sha384' },
  HMAC_512: { kind: 'symmetric', family: 'HMAC', bytes: 64, check: 'hmac', hash: 'sha512' },
  RSA_2048: { kind: 'asymmetric', family: 'RSA', bits: 2048, check: 'spki-sha256' },
  RSA_3072: { kind: 'asymmetric', family: 'RSA', bits: 3072, check: 'spki-sha256' },
  RSA_4096: { kind: 'asymmetric', family: 'RSA', bits: 4096, check: 'spki-sha256' },
  EC_P256: { kind: 'asymmetric', family: 'EC', bits: 256, namedCurve: 'P-256', check: 'spki-sha256' },
  EC_P384: { kind: 'asymmetric', family: 'EC', bits: 384, namedCurve: 'P-384', check: 'spki-sha256' },
});

export function isKeySpecName(value: string): value is KeySpecName {
  return (KEY_SPEC_NAMES as readonly string[]).includes(value);
}

/**
 * What a key id may look like wherever one comes from outside (a bundle, `remote create-key --key`): the
 * vault makes UUIDs; anything with a path separator, a space or a control character is refused, since
 * ids end up in file names and in the UI.
 */
export const KEY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
/** A KCV as stored: 6 upper-case hex digits; a fingerprint: 64 lower-case hex digits. */
export const CHECK_VALUE_PATTERNS = Object.freeze({ kcv: /^[0-9A-F]{6}$/, fingerprint: /^[0-9a-f]{64}$/ });
