// The openssl CLI as an independent oracle: wrapping key pairs, unwrapping, check values.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function openssl(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** An RSA wrapping key pair made by openssl: the private key PEM path and the public key as DER SPKI. */
export function opensslWrappingKeyPair(dir: string, bits: number, name = `wrapping-${bits}`): { privatePem: string; publicDer: Buffer } {
  const privatePem = join(dir, `${name}.pem`);
  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${bits}`, '-out', privatePem]);
  const publicDer = openssl(['pkey', '-in', privatePem, '-pubout', '-outform', 'DER']);
  return { privatePem, publicDer };
}

export function opensslRsaDecrypt(privatePem: string, ciphertext: Uint8Array, padding: 'oaep-sha1' | 'oaep-sha256' | 'pkcs1'): Buffer {
  const options =
    padding === 'pkcs1'
      ? ['-pkeyopt', 'rsa_padding_mode:pkcs1']
      : ['-pkeyopt', 'rsa_padding_mode:oaep', '-pkeyopt', `rsa_oaep_md:${padding === 'oaep-sha1' ? 'sha1' : 'sha256'}`, '-pkeyopt', `rsa_mgf1_md:${padding === 'oaep-sha1' ? 'sha1' : 'sha256'}`];
  return openssl(['pkeyutl', '-decrypt', '-inkey', privatePem, ...options], ciphertext);
}

export function opensslAesKeyUnwrapPad(kek: Uint8Array, wrapped: Uint8Array): Buffer {
  const cipher = kek.length === 32 ? 'id-aes256-wrap-pad' : kek.length === 24 ? 'id-aes192-wrap-pad' : 'id-aes128-wrap-pad';
  return openssl(['enc', '-d', `-${cipher}`, '-iv', 'A65959A6', '-K', Buffer.from(kek).toString('hex')], wrapped);
}

/** KCV by openssl: CMAC (AES) or HMAC over a zero block, first 3 bytes, upper-case hex. */
export function opensslKcv(spec: string, material: Uint8Array, dir: string): string {
  const zero = join(dir, 'zero16.bin');
  writeFileSync(zero, new Uint8Array(16));
  const hexkey = `hexkey:${Buffer.from(material).toString('hex')}`;
  let mac: string;
  if (spec.startsWith('HMAC_')) {
    const digest = `SHA${spec.slice(5)}`;
    mac = openssl(['mac', '-digest', digest, '-macopt', hexkey, '-in', zero, 'HMAC']).toString().trim();
  } else if (spec === 'SM4') {
    mac = openssl(['mac', '-cipher', 'SM4-CBC', '-macopt', hexkey, '-in', zero, 'CMAC']).toString().trim();
  } else {
    mac = openssl(['mac', '-cipher', material.length === 32 ? 'AES-256-CBC' : 'AES-128-CBC', '-macopt', hexkey, '-in', zero, 'CMAC']).toString().trim();
  }
  return mac.slice(0, 6).toUpperCase();
}

/** Fingerprint by openssl: SHA-256 of the DER SubjectPublicKeyInfo of a PKCS#8 private key. */
export function opensslFingerprint(pkcs8Der: Uint8Array, dir: string): string {
  const path = join(dir, `pkcs8-${Date.now()}-${Math.random().toString(16).slice(2)}.der`);
  writeFileSync(path, pkcs8Der);
  const spki = openssl(['pkey', '-inform', 'DER', '-in', path, '-pubout', '-outform', 'DER']);
  return openssl(['dgst', '-sha256', '-r'], spki).toString().split(' ')[0]!.trim();
}

export function readBytes(path: string): Buffer {
  return readFileSync(path);
}
