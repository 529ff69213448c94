import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CEREMONY_KEY_ACCOUNT, injectFaults, loadOrCreateCeremonyKey, memoryKeychain, type MemoryKeychain } from '../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../main/core/ceremony.ts';
import { loadPinnedCeremonyKey, trustedCeremonyPublicKey } from '../../../../main/core/use-cases/ceremony-signer.ts';

let dir: string;
let keychain: MemoryKeychain;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-signer-'));
  keychain = memoryKeychain();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function withContext<T>(use: (context: Awaited<ReturnType<typeof openCoreContext>>) => Promise<T>): Promise<T> {
  const context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain });
  try {
    return await use(context);
  } finally {
    await context.audit.close();
    await context.vault.close();
  }
}

describe('loadPinnedCeremonyKey', () => {
  it('records the public key durably the first time the vault signs', async () => {
    const publicKey = await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBeNull();
      return (await context.signer()).publicKey;
    });
    await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBe(Buffer.from(publicKey).toString('base64'));
    });
  });

  it('pins the key already in the keychain for a vault that recorded none, instead of making another', async () => {
    const existing = await loadOrCreateCeremonyKey(keychain);
    await withContext(async (context) => {
      const signer = await loadPinnedCeremonyKey(context.vault, keychain);
      expect(signer.publicKey).toEqual(existing.publicKey);
      expect(context.vault.ceremonyPublicKey).toBe(Buffer.from(existing.publicKey).toString('base64'));
    });
  });

  it('refuses a missing key once one is recorded, and leaves the keychain without one', async () => {
    await withContext(async (context) => context.signer());
    await keychain.delete(CEREMONY_KEY_ACCOUNT);
    await withContext(async (context) => {
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    });
  });
});

describe('trustedCeremonyPublicKey', () => {
  it('never creates a key: null for a vault that has none, the keychain key for one that recorded none, else the recorded one', async () => {
    await withContext(async (context) => {
      expect(await trustedCeremonyPublicKey(context.vault, keychain)).toBeNull();
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
      const existing = await loadOrCreateCeremonyKey(keychain);
      expect(await trustedCeremonyPublicKey(context.vault, keychain)).toEqual(existing.publicKey);
      expect(context.vault.ceremonyPublicKey).toBeNull();
      const pinned = await context.signer();
      await keychain.delete(CEREMONY_KEY_ACCOUNT);
      expect(await trustedCeremonyPublicKey(context.vault, keychain)).toEqual(pinned.publicKey);
    });
  });

  it('turns an unreadable keychain into "no key to trust" only when asked to be lenient', async () => {
    await withContext(async (context) => {
      const locked = injectFaults(keychain, { locked: true });
      await expect(trustedCeremonyPublicKey(context.vault, locked)).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
      expect(await trustedCeremonyPublicKey(context.vault, locked, { lenient: true })).toBeNull();
    });
  });
});
