// The routine reconciliation (keys list, vault info) reads the batches the vault knows of (recorded
// before they were written, or pointed to by a key) straight from their items, never listing the
// keychain; a batch killed before its keys' records were saved is still reported. `backup verify` reads
// the batches the records name the same way, and lists only when a key is not proven there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain, type Keychain } from '../../../../main/core/backup/index.ts';
import { createCeremonyService, openCoreContext } from '../../../../main/core/ceremony.ts';
import { placeholderKey } from '../../../../main/core/kms/sync/operation-support.ts';
import { computeKeyCheck } from '../../../../main/core/keys/index.ts';
import type { CoreContext } from '../../../../main/core/use-cases/context.ts';
import { reconcile, restoreBackup, verifyBackups } from '../../../../main/core/use-cases/backups.ts';
import { generateKeys } from '../../../../main/core/use-cases/generate-keys.ts';

let dir: string;
let context: CoreContext;
let listings = 0;
let keychain: Keychain;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-reconcile-'));
  const inner = memoryKeychain();
  keychain = { ...inner, set: inner.set, get: inner.get, delete: inner.delete, list: () => (listings++, inner.list()) };
  listings = 0;
  context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain });
});

afterEach(async () => {
  await context.audit.close();
  await context.vault.close();
  rmSync(dir, { recursive: true, force: true });
});

function material(byte: number): Uint8Array {
  return new Uint8Array(32).fill(byte);
}

describe('reconcile', () => {
  it('reports the keys of a recorded batch whose records were never saved, without listing the keychain', async () => {
    const { keys } = await generateKeys(context, { spec: 'AES_256', alias: 'kept', count: 3 });
    // What a process killed between the keychain write and the records leaves behind:
    const batchId = context.backups.newBatchId();
    context.vault.backupBatches.recordStarted(batchId, '2026-11-25T12:00:00Z');
    await context.vault.save();
    const orphan = { keyId: '6f1c1d7e-5a8b-4c2d-9e0f-112233445566', alias: 'orphan', spec: 'AES_256' as const, check: computeKeyCheck('AES_256', material(7)), createdAt: '2026-11-25T12:00:00Z', material: material(7) };
    await context.backups.writeNewBatch(batchId, [orphan]);
    listings = 0;
    const report = await reconcile(context);
    expect(listings).toBe(0);
    expect(report.backupsWithoutRecord).toEqual([orphan.keyId]);
    expect(report.recordsWithoutBackup).toEqual([]);
    expect(report.damagedBatches).toEqual([]);
    expect(keys).toHaveLength(3);
    // Restoring the orphan's record finds it in the recorded batch, again without a listing.
    const restored = await restoreBackup(context, { keyId: orphan.keyId });
    expect(restored).toMatchObject({ restoredRecord: true, key: { id: orphan.keyId, check: orphan.check } });
    expect(listings).toBe(0);
    expect((await reconcile(context)).backupsWithoutRecord).toEqual([]);
  });

  it('names the records whose batch is gone, and leaves a batch the vault never recorded to the full listing', async () => {
    const { keys } = await generateKeys(context, { spec: 'AES_128', alias: 'gone', count: 2 });
    const record = context.vault.keys.get(keys[0]!.id)!;
    await context.backups.deleteBatch(record.batchId!);
    const stray = { keyId: 'c0ffee00-1111-4222-8333-444455556666', alias: 'stray', spec: 'AES_256' as const, check: computeKeyCheck('AES_256', material(9)), createdAt: '2026-11-25T12:00:00Z', material: material(9) };
    await context.backups.writeBatch('written-by-another-tool', [stray]);
    listings = 0;
    const report = await reconcile(context);
    expect(listings).toBe(0);
    expect(report.recordsWithoutBackup.sort()).toEqual(keys.map((key) => key.id).sort());
    expect(report.backupsWithoutRecord).toEqual([]);
    // The full listing (backup verify --all, vault rebuild) still sees it.
    expect((await context.backups.listEntries()).map((entry) => entry.keyId)).toContain(stray.keyId);
  });

  it('refuses a batch id that newBatchId did not hand out on the no-probe path', async () => {
    await expect(context.backups.writeNewBatch('chosen-by-caller', [{ keyId: 'k', alias: null, spec: 'AES_128', check: computeKeyCheck('AES_128', new Uint8Array(16)), createdAt: '2026-11-25T12:00:00Z', material: new Uint8Array(16) }])).rejects.toMatchObject({ code: 'INTERNAL' });
  });

  it('names a recorded batch whose first item is unreadable as damaged', async () => {
    const { keys } = await generateKeys(context, { spec: 'AES_128', alias: 'broken', count: 2 });
    const batchId = context.vault.keys.get(keys[0]!.id)!.batchId!;
    await keychain.set(`backup/${batchId}/0`, new Uint8Array([1, 2, 3]));
    const report = await reconcile(context);
    expect(report.damagedBatches).toEqual([expect.objectContaining({ batchId, problems: [expect.stringContaining('first item is unreadable')] })]);
    expect(report.recordsWithoutBackup.sort()).toEqual(keys.map((key) => key.id).sort());
  });

  it('lists the keychain once in a vault upgraded from before batches were recorded, and records what it finds', async () => {
    await generateKeys(context, { spec: 'AES_256', alias: 'old', count: 2 });
    const orphan = { keyId: '9a8b7c6d-1111-4222-8333-444455556666', alias: 'killed-before-records', spec: 'AES_256' as const, check: computeKeyCheck('AES_256', material(5)), createdAt: '2026-11-25T12:00:00Z', material: material(5) };
    await context.backups.writeBatch('written-before-the-upgrade', [orphan]);
    // What an upgraded vault looks like: its batches were never recorded, so the table is not complete.
    (context.vault as unknown as { storage: { store: { delete(table: string, key: object): void } } }).storage.store.delete('meta', { k: 'vault.backup_batches_complete' });
    await context.vault.save();
    expect(context.vault.backupBatches.complete).toBe(false);
    listings = 0;
    expect((await reconcile(context)).backupsWithoutRecord).toEqual([orphan.keyId]);
    expect(listings).toBe(1);
    expect(context.vault.backupBatches.complete).toBe(true);
    listings = 0;
    expect((await reconcile(context)).backupsWithoutRecord).toEqual([orphan.keyId]);
    expect(listings).toBe(0);
  });

  it('lists the keychain while some record says it was backed up here without naming the batch (older vaults, some restores)', async () => {
    const check = computeKeyCheck('AES_256', material(3));
    await context.backups.writeBatch('holds-the-unnamed-key', [{ keyId: '0f0e0d0c-1111-4222-8333-444455556666', alias: 'x', spec: 'AES_256', check, createdAt: '2026-11-25T12:00:00Z', material: material(3) }]);
    // What an escrow restore records when the keychain already held the backup: a backup, no batch id.
    context.vault.keys.insertMany([{ id: '0f0e0d0c-1111-4222-8333-444455556666', alias: 'x', description: null, spec: 'AES_256', check, createdAt: '2026-11-25T12:00:00Z', status: 'restored', backupRef: 'escrow-restore-1', batchId: null, entropyEvidence: null, operator: null }]);
    // A key known only by id beside it changes nothing: the listing is for the record above.
    context.vault.keys.insert(placeholderKey('a1b2c3d4-1111-4222-8333-444455556666', 'AES_256', '2026-11-25T12:00:00Z'));
    await context.vault.save();
    listings = 0;
    const report = await reconcile(context);
    expect(listings).toBe(1);
    // The escrow-restored key is found by the listing; the key known only by id never had a backup here.
    expect(report.recordsWithoutBackup).toEqual([]);
    expect(report.backupsWithoutRecord).toEqual([]);
  });

  it('never lists the keychain for keys known here only by id (the connected machine of a two-machine ceremony)', async () => {
    const { keys } = await generateKeys(context, { spec: 'AES_256', alias: 'local', count: 2 });
    // What `remote create-key --spec --check` and `import BUNDLE` record for a key of the air-gapped machine.
    const remote = ['11111111-1111-4222-8333-444455556666', '22222222-1111-4222-8333-444455556666'];
    for (const id of remote) context.vault.keys.insert({ ...placeholderKey(id, 'AES_256', '2026-11-25T12:00:00Z'), check: { kind: 'kcv', value: 'ABC123' } });
    await context.vault.save();
    listings = 0;
    for (let i = 0; i < 3; i++) {
      const report = await reconcile(context);
      expect(report.backupsWithoutRecord).toEqual([]);
      expect(report.damagedBatches).toEqual([]);
      // Its own keys are still checked against their batch, directly; the keys known only by id were
      // never backed up here, so their absence is not reported as a lost backup.
      expect(report.recordsWithoutBackup).toEqual([]);
    }
    expect(listings).toBe(0);
    // A key that was backed up here and whose backup is gone is still reported.
    const [lost] = keys;
    const batchId = context.vault.keys.get(lost!.id)!.batchId!;
    await context.backups.deleteBatch(batchId);
    expect((await reconcile(context)).recordsWithoutBackup).toContain(lost!.id);
  });
});

describe('vault info', () => {
  it('does not list the keychain on a connected vault whose keys are known only by id', async () => {
    context.vault.keys.insert({ ...placeholderKey('33333333-1111-4222-8333-444455556666', 'AES_256', '2026-11-25T12:00:00Z'), check: { kind: 'kcv', value: 'ABC123' } });
    await context.vault.save();
    await context.audit.close();
    await context.vault.close();
    const service = await createCeremonyService({ vaultDir: join(dir, 'vault'), keychain });
    try {
      listings = 0;
      for (let i = 0; i < 3; i++) expect((await service.vaultInfo()).keys).toBe(1);
      expect(listings).toBe(0);
    } finally {
      await service.close();
    }
    // afterEach closes the context again; reopen one for it.
    context = await openCoreContext({ vaultDir: join(dir, 'vault'), keychain });
  });
});

describe('verifyBackups', () => {
  it('verifies every key from the batches its records name, without listing the keychain', async () => {
    await generateKeys(context, { spec: 'AES_256', alias: 'one', count: 3 });
    await generateKeys(context, { spec: 'HMAC_256', alias: 'two', count: 2 });
    listings = 0;
    expect(await verifyBackups(context, {})).toEqual({ verified: 5, failed: [] });
    expect(listings).toBe(0);
    const [key] = context.vault.keys.list({ search: 'two' });
    expect(await verifyBackups(context, { keyId: key!.id })).toEqual({ verified: 1, failed: [] });
    expect(listings).toBe(0);
  });

  it('falls back to the full listing when a key is not proven in its batch, and reports it failed', async () => {
    const { keys: intact } = await generateKeys(context, { spec: 'AES_256', alias: 'intact', count: 2 });
    const { keys: broken } = await generateKeys(context, { spec: 'AES_128', alias: 'broken', count: 2 });
    const batchId = context.vault.keys.get(broken[0]!.id)!.batchId!;
    await keychain.set(`backup/${batchId}/0`, new Uint8Array([1, 2, 3]));
    listings = 0;
    const result = await verifyBackups(context, {});
    expect(listings).toBe(1);
    expect(result.verified).toBe(intact.length);
    expect(result.failed.map((failure) => failure.id).sort()).toEqual(broken.map((key) => key.id).sort());
    expect(context.vault.keys.get(broken[0]!.id)!.backupVerifiedAt).toBeNull();
    expect(context.vault.keys.get(intact[0]!.id)!.backupVerifiedAt).not.toBeNull();
  });
});
