// RSAES-PKCS1-v1_5 decryption for Tencent's RSAES_PKCS1_V1_5 wrapping. Node refuses RSA_PKCS1_PADDING
// for private decryption since CVE-2023-46809 (Marvin), so the simulator does the RSA operation itself
// with BigInt from the JWK and unpads strictly (RFC 8017 §7.2.2). Timing side channels do not matter
// here: this is a loopback test double holding throwaway keys.
import type { KeyObject } from 'node:crypto';

function base64UrlToBigInt(value: string): bigint {
  return BigInt(`0x${Buffer.from(value, 'base64url').toString('hex') || '0'}`);
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** Returns the message, or null when the ciphertext is not a valid PKCS#1 v1.5 encryption block. */
export function rsaPkcs1v15Decrypt(privateKey: KeyObject, ciphertext: Uint8Array): Uint8Array | null {
  const jwk = privateKey.export({ format: 'jwk' });
  if (!jwk.n || !jwk.d || !jwk.p || !jwk.q || !jwk.dp || !jwk.dq || !jwk.qi) return null;
  const n = base64UrlToBigInt(jwk.n);
  const k = Buffer.from(jwk.n, 'base64url').length;
  if (ciphertext.length !== k) return null;
  const c = BigInt(`0x${Buffer.from(ciphertext).toString('hex')}`);
  if (c >= n) return null;
  // CRT: two half-size exponentiations instead of one full-size.
  const p = base64UrlToBigInt(jwk.p);
  const q = base64UrlToBigInt(jwk.q);
  const m1 = modPow(c, base64UrlToBigInt(jwk.dp), p);
  const m2 = modPow(c, base64UrlToBigInt(jwk.dq), q);
  const h = (base64UrlToBigInt(jwk.qi) * (((m1 - m2) % p) + p)) % p;
  const m = m2 + h * q;
  const em = Buffer.from(m.toString(16).padStart(k * 2, '0'), 'hex');
  // EM = 0x00 || 0x02 || PS (at least 8 non-zero bytes) || 0x00 || M
  if (em[0] !== 0x00 || em[1] !== 0x02) return null;
  let separator = -1;
  for (let i = 2; i < em.length; i++) {
    if (em[i] === 0x00) {
      separator = i;
      break;
    }
  }
  if (separator < 10) return null;
  return new Uint8Array(em.subarray(separator + 1));
}
