// The pinned ceremony key, with a test double for the keychain (the real Secret Service is exercised by
// test/integration/keychain/ceremony-key-pinning.test.ts).
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CEREMONY_KEY_ACCOUNT, injectFaults, loadOrCreateCeremonyKey, memoryKeychain, type MemoryKeychain } from '../../../../main/core/backup/index.ts';
import { createCeremonyService, openCoreContext } from '../../../../main/core/ceremony.ts';
import { ceremonyKeyStatus, expectedCeremonyPublicKey, loadPinnedCeremonyKey, trustedCeremonyPublicKey } from '../../../../main/core/use-cases/ceremony-signer.ts';
import type { CoreContext } from '../../../../main/core/use-cases/context.ts';
import { generateKeys } from '../../../../main/core/use-cases/generate-keys.ts';
import { wrapKey } from '../../../../main/core/use-cases/wrap-key.ts';
import { providerParamsFile } from '../../../support/provider-params.ts';
import { writeFileSync } from 'node:fs';

let dir: string;
let keychain: MemoryKeychain;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-signer-'));
  keychain = memoryKeychain();
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function withContext<T>(use: (context: CoreContext) => Promise<T>): Promise<T> {
  const context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain });
  try {
    return await use(context);
  } finally {
    await context.audit.close();
    await context.vault.close();
  }
}

/** What a vault from before the record (or one rebuilt from the keychain) looks like: no recorded key. */
function forgetRecordedKey(context: CoreContext): void {
  (context.vault as unknown as { storage: { store: { delete(table: string, key: object): void } } }).storage.store.delete('meta', { k: 'vault.ceremony_public_key' });
}

function strangerKey(): Uint8Array {
  return new Uint8Array(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
}

describe('loadPinnedCeremonyKey', () => {
  it("records the key with the operation's own save, not by saving by itself", async () => {
    const publicKey = await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBeNull();
      const signer = await context.signer();
      expect(context.vault.ceremonyPublicKey).toBe(Buffer.from(signer.publicKey).toString('base64'));
      return signer.publicKey; // closed without a save: the record is not kept
    });
    await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBeNull();
      expect((await context.signer()).publicKey).toEqual(publicKey); // the keychain's key, pinned again
      await context.vault.save();
    });
    await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBe(Buffer.from(publicKey).toString('base64'));
    });
  });

  it('pins the key already in the keychain for a vault that never signed, instead of making another', async () => {
    const existing = await loadOrCreateCeremonyKey(keychain);
    await withContext(async (context) => {
      expect((await loadPinnedCeremonyKey(context)).publicKey).toEqual(existing.publicKey);
    });
  });

  it('refuses a missing or different key once the vault has signed, and makes none', async () => {
    await withContext(async (context) => {
      await context.signer();
      await context.vault.save();
    });
    await keychain.delete(CEREMONY_KEY_ACCOUNT);
    await withContext(async (context) => {
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    });
    await keychain.set(CEREMONY_KEY_ACCOUNT, strangerKey());
    await withContext(async (context) => {
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISMATCH' });
    });
  });

  it('expects the key of the newest checkpoint when the vault recorded none (older or rebuilt vaults)', async () => {
    const signed = await withContext(async (context) => {
      const signer = await context.signer();
      // An older checkpoint by another key comes first: only the newest one counts.
      const other = await loadOrCreateCeremonyKey(memoryKeychain());
      await context.audit.checkpoint(other);
      await context.audit.checkpoint(signer);
      forgetRecordedKey(context);
      await context.vault.save();
      return signer.publicKey;
    });
    await keychain.delete(CEREMONY_KEY_ACCOUNT);
    await withContext(async (context) => {
      expect(context.vault.ceremonyPublicKey).toBeNull();
      expect(expectedCeremonyPublicKey(context.vault, context.audit)).toEqual(signed);
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    });
  });

  it('refuses rather than guesses when the log shows signing but names no usable key', async () => {
    await withContext(async (context) => {
      await context.audit.append({ type: 'bundle.written', data: { keyId: 'k' } });
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    });
    await withContext(async (context) => {
      await context.audit.append({ type: 'checkpoint', data: { publicKey: 'not a key' } });
      await expect(context.signer()).rejects.toMatchObject({ code: 'AUDIT_CHAIN_BROKEN' });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    });
  });
});

describe('closing the service', () => {
  it('does not make a key to checkpoint a session of a vault that never signed', async () => {
    const service = await createCeremonyService({ vaultDir: join(dir, 'vault'), create: true, keychain });
    await expect(service.verifyBundle({ path: join(dir, 'no-such-bundle.json') })).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
    await service.close();
    expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
    await withContext(async (context) => {
      expect(context.audit.list({ type: 'checkpoint' })).toEqual([]);
      expect(context.audit.count()).toBeGreaterThan(1); // the refusal was recorded
    });
  });

  it("checkpoints the session with the vault's key once it has one, and still closes when the key is unreadable", async () => {
    const service = await createCeremonyService({ vaultDir: join(dir, 'vault'), create: true, keychain });
    await service.generateKeys({ spec: 'AES_128', alias: 'signed' });
    await service.close();
    await keychain.set(CEREMONY_KEY_ACCOUNT, Uint8Array.of(1, 2, 3)); // a corrupt item
    const again = await createCeremonyService({ vaultDir: join(dir, 'vault'), keychain });
    await again.backupVerify({});
    await again.close(); // the checkpoint is skipped, the close still completes
    await withContext(async (context) => {
      expect(context.audit.list({ type: 'checkpoint' })).toHaveLength(1);
      expect(context.audit.list({ limit: 1 })[0]!.type).toBe('backup.verified');
    });
  });
});

describe('signing commands', () => {
  it('refuse a missing ceremony key before any backup is read', async () => {
    const key = await withContext(async (context) => (await generateKeys(context, { spec: 'AES_256', alias: 'to-wrap' })).keys[0]!);
    await keychain.delete(CEREMONY_KEY_ACCOUNT);
    const reads: string[] = [];
    const inner = keychain;
    keychain = { ...inner, get: (account: string) => (reads.push(account), inner.get(account)) } as MemoryKeychain;
    const paramsPath = join(dir, 'aws.json');
    const publicDer = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
    writeFileSync(paramsPath, providerParamsFile({ provider: 'aws', publicDer, validTo: new Date(Date.now() + 6 * 3600_000) }));
    await withContext(async (context) => {
      await expect(wrapKey(context, { keyId: key.id, paramsPath, algorithm: 'RSAES_OAEP_SHA_256', outDir: join(dir, 'out') })).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
    });
    expect(reads).toContain(CEREMONY_KEY_ACCOUNT);
    expect(reads.filter((account) => account.startsWith('backup/'))).toEqual([]);
  });
});

describe('trustedCeremonyPublicKey', () => {
  it('never creates a key: null for a vault that never signed, else the keychain key, which must agree with the vault', async () => {
    await withContext(async (context) => {
      expect(await trustedCeremonyPublicKey(context)).toBeNull();
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
      const pinned = await context.signer();
      expect(await trustedCeremonyPublicKey(context)).toEqual(pinned.publicKey);
      // The keychain without its key: the vault's own record stands in.
      await keychain.delete(CEREMONY_KEY_ACCOUNT);
      expect(await trustedCeremonyPublicKey(context)).toEqual(pinned.publicKey);
      // Another key in the keychain: the vault's files and the keychain disagree, which is refused.
      await keychain.set(CEREMONY_KEY_ACCOUNT, strangerKey());
      await expect(trustedCeremonyPublicKey(context)).rejects.toMatchObject({ code: 'BACKUP_MISMATCH' });
    });
  });

  it("turns an unreadable keychain into the vault's expected key only when asked to be lenient", async () => {
    await withContext(async (context) => {
      const pinned = await context.signer();
      const locked = injectFaults(keychain, { locked: true });
      const sources = { vault: context.vault, audit: context.audit, keychain: locked };
      await expect(trustedCeremonyPublicKey(sources)).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
      expect(await trustedCeremonyPublicKey(sources, { lenient: true })).toEqual(pinned.publicKey);
    });
  });
});

describe('ceremonyKeyStatus (vault info)', () => {
  it('shows the key and says why signing would be refused, without creating or refusing anything', async () => {
    await withContext(async (context) => {
      expect(await ceremonyKeyStatus(context)).toEqual({ publicKey: null, problem: null });
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
      const pinned = await context.signer();
      expect(await ceremonyKeyStatus(context)).toEqual({ publicKey: pinned.publicKey, problem: null });
      const locked = injectFaults(keychain, { locked: true });
      expect(await ceremonyKeyStatus({ vault: context.vault, audit: context.audit, keychain: locked })).toEqual({ publicKey: pinned.publicKey, problem: null });
      await keychain.delete(CEREMONY_KEY_ACCOUNT);
      const missing = await ceremonyKeyStatus(context);
      expect(missing.publicKey).toEqual(pinned.publicKey);
      expect(missing.problem).toMatch(/not in the OS keychain/);
      await keychain.set(CEREMONY_KEY_ACCOUNT, strangerKey());
      expect((await ceremonyKeyStatus(context)).problem).toMatch(/is not the one this vault has signed with/);
      await keychain.set(CEREMONY_KEY_ACCOUNT, Uint8Array.of(1, 2, 3));
      expect((await ceremonyKeyStatus(context)).problem).toMatch(/not a valid private key/);
      const unreachable = injectFaults(keychain, { failAfter: 0, failure: 'unavailable' });
      expect((await ceremonyKeyStatus({ vault: context.vault, audit: context.audit, keychain: unreachable })).problem).toMatch(/could not be reached/);
    });
  });

  it('names the refusal of a vault whose log shows signing but which has no key anywhere', async () => {
    await withContext(async (context) => {
      await context.audit.append({ type: 'bundle.written', data: { keyId: 'k' } });
      const status = await ceremonyKeyStatus(context);
      expect(status.publicKey).toBeNull();
      expect(status.problem).toMatch(/which its audit log shows it has signed with/);
      await expect(context.signer()).rejects.toMatchObject({ code: 'BACKUP_MISSING', message: status.problem });
    });
  });
});
