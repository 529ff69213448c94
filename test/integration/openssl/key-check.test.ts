// The openssl CLI as an independent oracle for every key check value and fingerprint we compute.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { KEY_SPECS, KEY_SPEC_NAMES, type KeySpecName } from '../../../shared/key-specs.ts';
import { generateKey } from '../../../main/core/keys/index.ts';

const folder = mkdtempSync(join(tmpdir(), 'byok-key-check-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));
const zeroBlock = join(folder, 'zero16.bin');
writeFileSync(zeroBlock, new Uint8Array(16));

/** How openssl computes each symmetric spec's check: the MAC algorithm and its cipher or digest. */
const OPENSSL_MAC: Record<string, string[]> = {
  AES_128: ['-cipher', 'AES-128-CBC', 'CMAC'],
  AES_256: ['-cipher', 'AES-256-CBC', 'CMAC'],
  SM4: ['-cipher', 'SM4-CBC', 'CMAC'],
  HMAC_224: ['-digest', 'SHA224', 'HMAC'],
  HMAC_256: ['-digest', 'SHA256', 'HMAC'],
  HMAC_384: ['-digest', 'SHA384', 'HMAC'],
  HMAC_512: ['-digest', 'SHA512', 'HMAC'],
};

function opensslKcv(spec: KeySpecName, material: Uint8Array): string {
  const [option, algorithm, mac] = OPENSSL_MAC[spec]!;
  const hexKey = Buffer.from(material).toString('hex');
  const output = execFileSync('openssl', ['mac', option!, algorithm!, '-macopt', `hexkey:${hexKey}`, '-in', zeroBlock, mac!], { encoding: 'utf8' });
  return output.trim().slice(0, 6).toUpperCase();
}

let keyFiles = 0;
function writeKeyFile(material: Uint8Array): string {
  const path = join(folder, `key-${keyFiles++}.der`);
  writeFileSync(path, material, { mode: 0o600 });
  return path;
}

const SYMMETRIC_SPECS = KEY_SPEC_NAMES.filter((spec) => KEY_SPECS[spec].kind === 'symmetric');
const ASYMMETRIC_SPECS = KEY_SPEC_NAMES.filter((spec) => KEY_SPECS[spec].kind === 'asymmetric');

describe('key check values agree with openssl mac', () => {
  it('covers every symmetric spec in the table', () => {
    expect(Object.keys(OPENSSL_MAC).sort()).toEqual([...SYMMETRIC_SPECS].sort());
  });

  it.each(SYMMETRIC_SPECS)('%s: the KCV is the first 3 bytes of the openssl MAC of a zero block', async (spec) => {
    const key = await generateKey(spec);
    expect(key.check.kind).toBe('kcv');
    expect(key.check.value).toBe(opensslKcv(spec, key.material));
  });

  it('holds for any generated symmetric key (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...SYMMETRIC_SPECS), async (spec) => {
        const key = await generateKey(spec);
        expect(key.check.value).toBe(opensslKcv(spec, key.material));
      }),
      { numRuns: 25 },
    );
  });
});

describe('fingerprints agree with openssl pkey', () => {
  it.each(ASYMMETRIC_SPECS)('%s: the fingerprint is sha256sum of the SPKI openssl derives from our PKCS#8', async (spec) => {
    const key = await generateKey(spec);
    const path = writeKeyFile(key.material);
    const digest = execFileSync('sh', ['-c', 'openssl pkey -inform DER -in "$1" -pubout -outform DER | sha256sum', 'sh', path], { encoding: 'utf8' });
    expect(key.check).toEqual({ kind: 'fingerprint', value: digest.split(' ')[0] });

    const spki = execFileSync('openssl', ['pkey', '-inform', 'DER', '-in', path, '-pubout', '-outform', 'DER']);
    expect(Buffer.from(key.publicKeySpki!).equals(spki)).toBe(true);

    const details = KEY_SPECS[spec];
    const text = execFileSync('openssl', ['pkey', '-inform', 'DER', '-in', path, '-text', '-noout'], { encoding: 'utf8' });
    if (details.kind === 'asymmetric' && details.family === 'RSA') {
      expect(text).toContain(`Private-Key: (${details.bits} bit, 2 primes)`);
      expect(text).toContain('publicExponent: 65537');
    } else {
      expect(text).toContain(`NIST CURVE: ${details.kind === 'asymmetric' ? details.namedCurve : ''}`);
    }
  });

  it('openssl accepts the generated keys as valid PKCS#8 (pkey -check)', async () => {
    for (const spec of ['EC_P256', 'EC_P384', 'RSA_2048'] as const) {
      const path = writeKeyFile((await generateKey(spec)).material);
      const output = execFileSync('openssl', ['pkey', '-inform', 'DER', '-in', path, '-check', '-noout'], { encoding: 'utf8' });
      expect(output).toMatch(/valid/i);
    }
  });
});
