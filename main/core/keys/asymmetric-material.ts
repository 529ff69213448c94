// Parsing and checking PKCS#8 DER private keys for the RSA and EC specs.
//
// node:crypto KeyObjects hold the private key inside OpenSSL/BoringSSL memory, out of reach of `zeroize`:
// they cannot be wiped from here. Keep each one local to a single function call so it becomes garbage
// (and is freed by the library) as soon as possible; never store one.
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { KEY_SPECS, type AsymmetricSpec, type KeySpecName } from '../../../shared/key-specs.ts';

/** The names node:crypto reports in asymmetricKeyDetails.namedCurve for our curves. */
const NODE_CURVE_NAME: Readonly<Record<NonNullable<AsymmetricSpec['namedCurve']>, string>> = Object.freeze({
  'P-256': 'prime256v1',
  'P-384': 'secp384r1',
});

/** What a parsed key must look like for each asymmetric family. */
const FAMILY_CHECKS: Readonly<Record<AsymmetricSpec['family'], (spec: AsymmetricSpec, key: KeyObject) => string | null>> = Object.freeze({
  RSA: (spec, key) => {
    if (key.asymmetricKeyType !== 'rsa') return `is a ${key.asymmetricKeyType ?? 'unknown'} key, not an RSA key`;
    const bits = key.asymmetricKeyDetails?.modulusLength;
    return bits === spec.bits ? null : `has a ${bits ?? 'unknown'}-bit modulus, not ${spec.bits} bits`;
  },
  EC: (spec, key) => {
    if (key.asymmetricKeyType !== 'ec') return `is a ${key.asymmetricKeyType ?? 'unknown'} key, not an EC key`;
    const curve = key.asymmetricKeyDetails?.namedCurve;
    return curve === NODE_CURVE_NAME[spec.namedCurve!] ? null : `is on curve ${curve ?? 'unknown'}, not ${spec.namedCurve}`;
  },
});

export function asymmetricSpec(spec: KeySpecName): AsymmetricSpec {
  const details = KEY_SPECS[spec];
  if (details?.kind !== 'asymmetric') {
    throw new ByokError('KEY_SPEC_INVALID', `${spec} is not an asymmetric key spec; it has no public key.`, { spec });
  }
  return details;
}

/**
 * Parses `pkcs8` as a private key of `spec` and refuses anything else: not DER PKCS#8, trailing bytes
 * after the structure (OpenSSL would ignore them), the wrong algorithm, size or curve.
 */
export function privateKeyFor(spec: KeySpecName, pkcs8: Uint8Array): KeyObject {
  const details = asymmetricSpec(spec);
  const encodedLength = derSequenceLength(pkcs8);
  if (encodedLength !== pkcs8.length) {
    throw invalid(spec, 'is not a single DER PKCS#8 structure (its length does not match its encoding)');
  }
  let key: KeyObject;
  try {
    // A view, not a copy, so no extra unzeroable Buffer of the material is made here.
    key = createPrivateKey({ key: Buffer.from(pkcs8.buffer, pkcs8.byteOffset, pkcs8.byteLength), format: 'der', type: 'pkcs8' });
  } catch {
    throw invalid(spec, 'cannot be parsed as a DER PKCS#8 private key');
  }
  const problem = FAMILY_CHECKS[details.family](details, key);
  if (problem !== null) throw invalid(spec, problem);
  return key;
}

/** The DER SubjectPublicKeyInfo of the public half of a PKCS#8 private key. */
export function publicKeySpkiFromPrivate(spec: KeySpecName, pkcs8: Uint8Array): Uint8Array {
  const spki = createPublicKey(privateKeyFor(spec, pkcs8)).export({ type: 'spki', format: 'der' });
  return new Uint8Array(spki);
}

/** Total length (header + content) of the outer DER SEQUENCE, or -1 when there is none. */
function derSequenceLength(der: Uint8Array): number {
  if (der.length < 2 || der[0] !== 0x30) return -1;
  const first = der[1]!;
  if (first < 0x80) return 2 + first;
  const lengthBytes = first & 0x7f;
  if (lengthBytes === 0 || lengthBytes > 3 || der.length < 2 + lengthBytes) return -1;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[2 + i]!;
  return 2 + lengthBytes + length;
}

function invalid(spec: KeySpecName, problem: string): ByokError {
  return new ByokError('KEY_SPEC_INVALID', `The ${spec} private key ${problem}. Use the PKCS#8 DER material of a ${spec} key.`, { spec });
}
