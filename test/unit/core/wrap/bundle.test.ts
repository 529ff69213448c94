import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { canonicalJson, createBundle, ed25519Signer, verifyBundle, type BundleFields } from '../../../../main/core/wrap/bundle.ts';

const signer = ed25519Signer(generateKeyPairSync('ed25519').privateKey);
const otherSigner = ed25519Signer(generateKeyPairSync('ed25519').privateKey);

const material = new Uint8Array([9, 8, 7, 6, 5]);
const token = new Uint8Array([1, 2, 3]);
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const fields: BundleFields = {
  keyId: 'key-0001',
  alias: 'payments-2026',
  spec: 'AES_256',
  check: { kind: 'kcv', value: 'A1B2C3' },
  provider: 'aws',
  remoteKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
  algorithm: 'RSAES_OAEP_SHA_256',
  layout: 'single',
  wrapped: { ciphertext: Buffer.from(material).toString('base64') },
  importToken: Buffer.from(token).toString('base64'),
  parametersValidTo: '2026-11-26T10:00:00Z',
  materialExpiry: null,
  createdAt: '2026-11-25T10:00:00Z',
  files: [
    { name: 'EncryptedKeyMaterial.bin', sha256: sha256(material) },
    { name: 'ImportToken.bin', sha256: sha256(token) },
  ],
};

const folder = mkdtempSync(join(tmpdir(), 'byok-bundle-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

describe('bundle', () => {
  const bytes = createBundle(fields, signer);

  it('verifies what it signed and returns the fields', () => {
    const { valid, bundle } = verifyBundle(bytes, { trustedPublicKey: signer.publicKey });
    expect(valid).toBe(true);
    expect(bundle).toMatchObject({ format: 'byok-ceremony/bundle', version: 1, ...fields, signature: { alg: 'Ed25519' } });
  });

  it('signs the canonical encoding of everything but the signature', () => {
    const { bundle } = verifyBundle(bytes);
    const { signature, ...signed } = bundle;
    const expected = canonicalJson(signed);
    expect(new TextDecoder().decode(expected)).toMatch(/^\{"algorithm":"RSAES_OAEP_SHA_256","alias":/);
    expect(signature.value).toBe(Buffer.from(signer.sign(expected)).toString('base64'));
  });

  it('accepts the wrapped material as bytes and records it in base64', () => {
    const fromBytes = createBundle({ ...fields, wrapped: { layout: 'single', ciphertext: material } }, signer);
    expect(Buffer.from(fromBytes).equals(Buffer.from(bytes))).toBe(true);
  });

  it('fails verification when any single byte of bundle.json changes', () => {
    fc.assert(
      fc.property(fc.nat({ max: bytes.length - 1 }), fc.integer({ min: 1, max: 255 }), (position, flip) => {
        const altered = bytes.slice();
        altered[position]! ^= flip;
        expect(() => verifyBundle(altered)).toThrow(expect.objectContaining({ code: expect.stringMatching(/^BUNDLE_(INVALID|SIGNATURE_INVALID)$/) }));
      }),
      { numRuns: 400 },
    );
  });

  it('fails verification when the lowest bit of any byte flips (every position)', () => {
    for (let position = 0; position < bytes.length; position++) {
      const altered = bytes.slice();
      altered[position]! ^= 1;
      expect(() => verifyBundle(altered), `position ${position}`).toThrow(expect.objectContaining({ code: expect.stringMatching(/^BUNDLE_/) }));
    }
  });

  it('fails with BUNDLE_SIGNATURE_INVALID when a signed field is changed and the file kept well-formed', () => {
    const altered = new TextEncoder().encode(new TextDecoder().decode(bytes).replace('"A1B2C3"', '"A1B2C4"'));
    expect(() => verifyBundle(altered)).toThrow(expect.objectContaining({ code: 'BUNDLE_SIGNATURE_INVALID' }));
  });

  it('fails against a different trusted ceremony key', () => {
    expect(() => verifyBundle(bytes, { trustedPublicKey: otherSigner.publicKey })).toThrow(expect.objectContaining({ code: 'BUNDLE_SIGNATURE_INVALID' }));
  });

  it('fails when re-signed by another key but checked against the trusted one', () => {
    const forged = createBundle(fields, otherSigner);
    expect(verifyBundle(forged).valid).toBe(true);
    expect(() => verifyBundle(forged, { trustedPublicKey: signer.publicKey })).toThrow(expect.objectContaining({ code: 'BUNDLE_SIGNATURE_INVALID' }));
  });

  it('fails a reformatted bundle even though its JSON is the same', () => {
    const reformatted = new TextEncoder().encode(JSON.stringify(JSON.parse(new TextDecoder().decode(bytes))));
    expect(() => verifyBundle(reformatted)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });

  it('fails a bundle with an unknown field (schema)', () => {
    const document = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
    document.extra = 1;
    expect(() => verifyBundle(new TextEncoder().encode(JSON.stringify(document, null, 2)))).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID', message: expect.stringContaining('extra') }));
  });

  it('checks the provider-native files in a folder against their signed SHA-256', () => {
    writeFileSync(join(folder, 'EncryptedKeyMaterial.bin'), material);
    writeFileSync(join(folder, 'ImportToken.bin'), token);
    expect(verifyBundle(bytes, { checkFilesIn: folder }).valid).toBe(true);
    writeFileSync(join(folder, 'ImportToken.bin'), new Uint8Array([1, 2, 4]));
    expect(() => verifyBundle(bytes, { checkFilesIn: folder })).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID', message: expect.stringContaining('ImportToken.bin') }));
    rmSync(join(folder, 'ImportToken.bin'));
    expect(() => verifyBundle(bytes, { checkFilesIn: folder })).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID', message: expect.stringContaining('missing') }));
  });

  it('signs and verifies a bundle for a key without an alias', () => {
    expect(verifyBundle(createBundle({ ...fields, alias: null }, signer)).bundle.alias).toBeNull();
  });

  it('refuses to create a bundle whose wrapped fields do not match the layout', () => {
    expect(() => createBundle({ ...fields, layout: 'split' }, signer)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });

  it('refuses to create a bundle with a file name that has a folder in it', () => {
    expect(() => createBundle({ ...fields, files: [{ name: '../x', sha256: sha256(material) }] }, signer)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });

  // The key id becomes part of file names and the check value is shown and compared: a signed bundle with
  // anything else in them is refused, however valid its signature.
  it.each([
    ['a key id with a folder in it', { keyId: '../../../../tmp/x' }],
    ['a key id with a space', { keyId: 'key 1' }],
    ['a KCV that is not 6 upper-case hex digits', { check: { kind: 'kcv', value: 'not hex <b>' } }],
    ['a lower-case KCV', { check: { kind: 'kcv', value: 'a1b2c3' } }],
    ['a fingerprint that is not 64 lower-case hex digits', { check: { kind: 'fingerprint', value: 'AB'.repeat(32) } }],
  ] as const)('refuses %s, when creating and when verifying', (_name, change) => {
    const changed = { ...fields, ...change } as BundleFields;
    expect(() => createBundle(changed, signer)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
    // A bundle made by hand with the same fields, signed properly, still does not verify.
    const good = JSON.parse(new TextDecoder().decode(bytes));
    const { signature: _signature, ...unsigned } = { ...good, ...change };
    const signature = { alg: 'Ed25519', publicKey: Buffer.from(signer.publicKey).toString('base64'), value: Buffer.from(signer.sign(canonicalJson(unsigned))).toString('base64') };
    const forged = new TextEncoder().encode(`${JSON.stringify({ ...good, ...change, signature }, null, 2)}\n`);
    expect(() => verifyBundle(forged)).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });
});
