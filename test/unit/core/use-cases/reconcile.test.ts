// The routine reconciliation (keys list, vault info) reads the batches the vault knows of (recorded
// before they were written, or pointed to by a key) straight from their items, never listing the
// keychain; a batch killed before its keys' records were saved is still reported.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain, type Keychain } from '../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../main/core/ceremony.ts';
import { computeKeyCheck } from '../../../../main/core/keys/index.ts';
import type { CoreContext } from '../../../../main/core/use-cases/context.ts';
import { reconcile } from '../../../../main/core/use-cases/backups.ts';
import { generateKeys } from '../../../../main/core/use-cases/generate-keys.ts';

let dir: string;
let context: CoreContext;
let listings = 0;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'byok-reconcile-'));
  const inner = memoryKeychain();
  const counting: Keychain = { ...inner, set: inner.set, get: inner.get, delete: inner.delete, list: () => (listings++, inner.list()) };
  listings = 0;
  context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain: counting });
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
});
