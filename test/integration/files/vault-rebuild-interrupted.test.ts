// A `vault rebuild` killed before its save must not leave a vault that opens normally with no keys: an
// ordinary open refuses it and says to run the rebuild again, a rebuild-mode reconciliation lists the
// whole keychain (the new database does not claim to know its batches), and the next rebuild finishes.
// The kill is simulated in-process: the rebuild runs up to its save, the save fails, the vault is dropped
// unsaved (close discards unsaved changes) — what a SIGKILL at that moment leaves on disk.
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, truncateSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain, type Keychain } from '../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../main/core/ceremony.ts';
import type { CoreContext } from '../../../main/core/use-cases/context.ts';
import { rebuildVault, reconcile } from '../../../main/core/use-cases/backups.ts';
import { generateKeys } from '../../../main/core/use-cases/generate-keys.ts';

let dir: string;
let vaultDir: string;
let keychain: Keychain;
let listings = 0;
const open: CoreContext[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'byok-rebuild-'));
  vaultDir = join(dir, 'vault');
  const inner = memoryKeychain();
  keychain = { set: inner.set, get: inner.get, delete: inner.delete, list: () => (listings++, inner.list()) };
  listings = 0;
});

afterEach(async () => {
  for (const context of open.splice(0)) await closeContext(context);
  rmSync(dir, { recursive: true, force: true });
});

async function openContext(options: { create?: boolean; rebuild?: { vaultId?: string } } = {}): Promise<CoreContext> {
  const context = await openCoreContext({ vaultDir, keychain, ...options });
  open.push(context);
  return context;
}

async function closeContext(context: CoreContext): Promise<void> {
  const index = open.indexOf(context);
  if (index >= 0) open.splice(index, 1);
  await context.audit.close();
  await context.vault.close();
}

/** A vault with keys in two keychain batches, closed (so its keys live in vault.db), then vault.db damaged. */
async function damagedVaultWithKeys(): Promise<{ ids: string[]; vaultId: string }> {
  const context = await openContext({ create: true });
  const first = await generateKeys(context, { spec: 'AES_256', alias: 'first', count: 3 });
  const second = await generateKeys(context, { spec: 'AES_128', alias: 'second', count: 2 });
  const vaultId = context.vault.id;
  await closeContext(context);
  const snapshot = join(vaultDir, 'vault.db');
  truncateSync(snapshot, Math.floor(statSync(snapshot).size / 2));
  return { ids: [...first.keys, ...second.keys].map((key) => key.id).sort(), vaultId };
}

/** Runs the rebuild up to its save and "dies" there: the save fails and the vault is closed unsaved. */
async function rebuildKilledBeforeItsSave(options: { vaultId?: string } = {}): Promise<void> {
  const context = await openContext({ rebuild: options });
  context.vault.save = async () => {
    throw new Error('killed before the save');
  };
  await expect(rebuildVault(context, {})).rejects.toThrow('killed before the save');
  await closeContext(context);
}

describe('an interrupted vault rebuild', () => {
  it('is refused by an ordinary open instead of showing an empty vault, and the next rebuild recovers every key', async () => {
    const { ids } = await damagedVaultWithKeys();
    await rebuildKilledBeforeItsSave();
    expect(readdirSync(vaultDir).some((name) => name.startsWith('vault.db.damaged-'))).toBe(true);

    // `keys list`, `vault info`, the app: all refuse, and say what to do. `keys generate` too.
    for (const create of [false, true]) {
      await expect(openContext({ create })).rejects.toMatchObject({
        code: 'VAULT_CORRUPT',
        message: expect.stringMatching(/rebuild .*was interrupted.*Run `byok vault rebuild` again/),
      });
    }

    // Reopened for the rebuild, the half-built vault does not trust its empty batch list: a
    // reconciliation lists the keychain and names every backup the vault has no record of.
    const rebuilding = await openContext({ rebuild: {} });
    expect(rebuilding.vault.keys.count()).toBe(0);
    listings = 0;
    const before = await reconcile(rebuilding);
    expect(listings).toBe(1);
    expect([...before.backupsWithoutRecord].sort()).toEqual(ids);
    const reply = await rebuildVault(rebuilding, {});
    expect(reply.recovered.map((key) => key.id).sort()).toEqual(ids);
    expect(reply.unrecoverable).toEqual([]);
    await closeContext(rebuilding);

    const reopened = await openContext();
    expect(reopened.vault.keys.list().map((key) => key.id).sort()).toEqual(ids);
    listings = 0;
    expect(await reconcile(reopened)).toEqual({ backupsWithoutRecord: [], recordsWithoutBackup: [], damagedBatches: [] });
    expect(listings).toBe(0); // the rebuild recorded every batch it read: no more listings
    // Both attempts are in the log: the killed one wrote its event before the save it never made.
    expect(reopened.audit.list({ type: 'backup.restored' }).map((event) => event.data.rebuild)).toEqual([true, true]);
  });

  it('lists the keychain at its first reconciliation, even if that comes before the rebuild has walked it', async () => {
    const { ids } = await damagedVaultWithKeys();
    const rebuilding = await openContext({ rebuild: {} });
    expect(rebuilding.vault.backupBatches.complete).toBe(false);
    listings = 0;
    expect([...(await reconcile(rebuilding)).backupsWithoutRecord].sort()).toEqual(ids);
    expect(listings).toBe(1);
    await rebuildVault(rebuilding, {});
    expect(rebuilding.vault.backupBatches.complete).toBe(true);
    expect(rebuilding.vault.rebuildPending).toBe(false);
  });

  it('is refused with the vault id to pass again when it died before its new database existed and vault.id was lost too', async () => {
    const { ids, vaultId } = await damagedVaultWithKeys();
    // What a rebuild given --vault-id leaves when killed right after moving the damaged files aside:
    // its marker (written first, durably), no database, no vault.id.
    rmSync(join(vaultDir, 'vault.id'));
    renameSync(join(vaultDir, 'vault.db'), join(vaultDir, 'vault.db.damaged-test'));
    rmSync(join(vaultDir, 'vault.journal'), { force: true });
    writeFileSync(join(vaultDir, 'vault.rebuild-pending'), `${vaultId}\n`);

    // `keys generate` must not start a new vault under a new id here: the backups are under the old one.
    await expect(openContext({ create: true })).rejects.toMatchObject({
      code: 'VAULT_CORRUPT',
      message: expect.stringContaining(`byok vault rebuild --vault-id ${vaultId}`),
    });
    expect(existsSync(join(vaultDir, 'vault.db'))).toBe(false);

    const rebuilding = await openContext({ rebuild: {} }); // the id comes from the marker
    expect(rebuilding.vault.id).toBe(vaultId);
    expect((await rebuildVault(rebuilding, {})).recovered.map((key) => key.id).sort()).toEqual(ids);
    await closeContext(rebuilding);
    expect(existsSync(join(vaultDir, 'vault.rebuild-pending'))).toBe(false);
    expect(readFileSync(join(vaultDir, 'vault.id'), 'utf8').trim()).toBe(vaultId);

    const reopened = await openContext();
    expect(reopened.vault.keys.count()).toBe(ids.length);
  });

  it('a rebuild killed right after its save leaves a vault that opens normally with every key', async () => {
    const { ids } = await damagedVaultWithKeys();
    const rebuilding = await openContext({ rebuild: {} });
    await rebuildVault(rebuilding, {});
    // Dropped without close (no compaction): only what the save made durable counts. The folder copy
    // is what a SIGKILL right now leaves.
    const copy = join(dir, 'copy');
    cpSync(vaultDir, copy, { recursive: true, filter: (source) => !source.endsWith('vault.lock') });
    await closeContext(rebuilding);
    const reopened = await openCoreContext({ vaultDir: copy, keychain });
    open.push(reopened);
    expect(reopened.vault.keys.list().map((key) => key.id).sort()).toEqual(ids);
    expect(reopened.vault.rebuildPending).toBe(false);
  });
});
