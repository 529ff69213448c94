// The ceremony's Ed25519 key lives in the real Secret Service: created once, reused after.
import { createPublicKey, verify } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CEREMONY_KEY_ACCOUNT, loadOrCreateCeremonyKey, osKeychain } from '../../../main/core/backup/index.ts';
import { freshNamespace, type TestNamespace } from './support.ts';

let namespace: TestNamespace;
afterEach(async () => {
  await namespace?.cleanup();
});

function ed25519PublicKey(raw: Uint8Array) {
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(raw).toString('base64url') }, format: 'jwk' });
}

describe('loadOrCreateCeremonyKey', () => {
  it('creates the key once in the keychain and reuses it from a new process view', async () => {
    namespace = freshNamespace();
    const first = await loadOrCreateCeremonyKey(namespace.keychain);
    expect(await namespace.keychain.list()).toEqual([CEREMONY_KEY_ACCOUNT]);
    // A second binding to the same service, as another app start would make.
    const again = await loadOrCreateCeremonyKey(osKeychain(namespace.service));
    expect(again.publicKey).toEqual(first.publicKey);
    expect(first.publicKey).toHaveLength(32);
    expect(await namespace.keychain.list()).toEqual([CEREMONY_KEY_ACCOUNT]);
  });

  it('signs so that the public key verifies, and a changed message does not', async () => {
    namespace = freshNamespace();
    const signer = await loadOrCreateCeremonyKey(namespace.keychain);
    const message = new TextEncoder().encode('bundle.json sha256 …');
    const signature = signer.sign(message);
    expect(verify(null, message, ed25519PublicKey(signer.publicKey), signature)).toBe(true);
    expect(verify(null, new TextEncoder().encode('bundle.json sha256 !'), ed25519PublicKey(signer.publicKey), signature)).toBe(false);
  });

  it('refuses a keychain item that is not an Ed25519 key instead of replacing it', async () => {
    namespace = freshNamespace();
    await namespace.keychain.set(CEREMONY_KEY_ACCOUNT, Uint8Array.of(1, 2, 3));
    await expect(loadOrCreateCeremonyKey(namespace.keychain)).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
    expect(await namespace.keychain.get(CEREMONY_KEY_ACCOUNT)).toEqual(Uint8Array.of(1, 2, 3));
  });
});
