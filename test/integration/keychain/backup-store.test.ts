// BackupStore against the real Secret Service (gnome-keyring under test/harness/with-keychain.ts).
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { BackupStore, injectFaults, type BackupEntry } from '../../../main/core/backup/index.ts';
import { FixedClock } from '../../../main/core/clock.ts';
import { aesEntry, copyEntry, rsaEntry, testCheck } from '../../unit/core/backup/check-oracle.ts';
import { freshNamespace, type TestNamespace } from './support.ts';
import { rejection } from '../../support/rejection.ts';

const WINDOWS_LIMIT = 2_560;
let namespace: TestNamespace;
let rsa4096: BackupEntry;

beforeAll(async () => {
  rsa4096 = await rsaEntry(4096);
});
afterEach(async () => {
  await namespace?.cleanup();
});

function store(itemLimit?: number, keychain = (namespace = freshNamespace()).keychain): BackupStore {
  return new BackupStore({ keychain, computeCheck: testCheck, clock: new FixedClock('2026-11-25T11:00:00Z'), ...(itemLimit ? { itemLimit } : {}) });
}

const expectedOf = (entries: BackupEntry[]) => entries.map(({ keyId, spec, check }) => ({ keyId, spec, check }));

describe.each([
  ['the Windows item limit (forces splitting)', WINDOWS_LIMIT],
  ['the platform default limit', undefined],
])('round trip with %s', (_, itemLimit) => {
  it('writes, reads back and verifies symmetric keys and an RSA-4096 PKCS#8 key', async () => {
    const backups = store(itemLimit);
    const entries = [aesEntry('AES_256'), aesEntry('AES_128', 'legacy'), copyEntry(rsa4096)];
    const written = await backups.writeBatch('ceremony-1', entries);

    const stored = await namespace.keychain.list();
    expect(stored.sort()).toEqual([...written.items].sort());
    if (itemLimit === WINDOWS_LIMIT) {
      expect(written.items.length).toBeGreaterThan(1);
      for (const account of stored) expect((await namespace.keychain.get(account))!.length).toBeLessThanOrEqual(WINDOWS_LIMIT);
    } else {
      expect(written.items).toHaveLength(1);
    }

    for (const entry of entries) {
      const restored = await backups.readKey(entry.keyId);
      expect(restored.material).toEqual(entry.material);
      expect(restored.entry).toEqual({ keyId: entry.keyId, alias: entry.alias, spec: entry.spec, check: entry.check, createdAt: entry.createdAt });
    }
    expect(await backups.verify(expectedOf(entries))).toEqual({ verified: 3, failed: [] });
  });
});

describe('the number of keychain items stays small', () => {
  it('backs up 1,000 AES-256 keys in one item by default and at most 100 items under the Windows limit', async () => {
    const entries = Array.from({ length: 1_000 }, () => aesEntry('AES_256'));
    const byDefault = await store().writeBatch('bulk', entries);
    expect(byDefault.items).toHaveLength(1);
    expect(await namespace.keychain.list()).toHaveLength(1);
    await namespace.cleanup();

    const windows = store(WINDOWS_LIMIT);
    const split = await windows.writeBatch('bulk', entries);
    expect(split.items.length).toBeLessThanOrEqual(100);
    expect(await namespace.keychain.list()).toHaveLength(split.items.length);
    const report = await windows.verify(expectedOf(entries));
    expect(report).toEqual({ verified: 1_000, failed: [] });
  });
});

describe('damage is reported per key', () => {
  async function splitBatch(): Promise<{ backups: BackupStore; entries: BackupEntry[]; items: string[] }> {
    const backups = store(WINDOWS_LIMIT);
    const entries = [...Array.from({ length: 60 }, () => aesEntry('AES_256')), copyEntry(rsa4096)];
    const { items } = await backups.writeBatch('damaged', entries);
    expect(items.length).toBeGreaterThanOrEqual(4);
    return { backups, entries, items };
  }

  /** Every key is either verified and restorable, or failed with a reason and not restorable. */
  async function expectConsistent(backups: BackupStore, entries: BackupEntry[], report: { verified: number; failed: Array<{ id: string; reason: string }> }) {
    expect(report.verified + report.failed.length).toBe(entries.length);
    const failedIds = new Set(report.failed.map((failure) => failure.id));
    // Every failed key, and the verified keys next to the damage (reading is per batch, so keep it short).
    const failedSample = entries.filter((entry) => failedIds.has(entry.keyId)).slice(-3);
    const verifiedSample = entries.filter((entry) => !failedIds.has(entry.keyId)).slice(-3);
    const sample = [...failedSample, ...verifiedSample];
    for (const entry of sample) {
      if (failedIds.has(entry.keyId)) {
        expect((await rejection(backups.readKey(entry.keyId))).code).toMatch(/BACKUP_CORRUPT|BACKUP_MISSING|BACKUP_MISMATCH/);
      } else {
        expect((await backups.readKey(entry.keyId)).material).toEqual(entry.material);
      }
    }
  }

  it('names a missing item and fails the keys whose bytes were in it', async () => {
    const { backups, entries, items } = await splitBatch();
    await namespace.keychain.delete(items.at(-1)!); // the RSA key's DER ends in the last item
    const report = await backups.verify(expectedOf(entries));
    const rsaFailure = report.failed.find((failure) => failure.id === rsa4096.keyId);
    expect(rsaFailure?.reason).toContain(`item ${items.length} of ${items.length} is missing`);
    expect(report.verified).toBeGreaterThan(0); // keys stored wholly in other items survive
    await expectConsistent(backups, entries, report);
  });

  it('names a truncated item', async () => {
    const { backups, entries, items } = await splitBatch();
    const account = items[1]!;
    const item = (await namespace.keychain.get(account))!;
    await namespace.keychain.set(account, item.subarray(0, item.length - 100));
    const report = await backups.verify(expectedOf(entries));
    expect(report.failed.length).toBeGreaterThan(0);
    for (const failure of report.failed) expect(failure.reason).toContain('item 2 is truncated');
    await expectConsistent(backups, entries, report);
  });

  it('fails exactly the key whose byte was flipped', async () => {
    const { backups, entries, items } = await splitBatch();
    const account = items.at(-1)!;
    const item = (await namespace.keychain.get(account))!;
    item[item.length - 1]! ^= 0x01; // last byte of the batch: inside the RSA key's material
    await namespace.keychain.set(account, item);
    const report = await backups.verify(expectedOf(entries));
    expect(report.failed).toEqual([{ id: rsa4096.keyId, reason: expect.stringContaining('altered') }]);
    expect(report.verified).toBe(entries.length - 1);
    expect((await rejection(backups.readKey(rsa4096.keyId))).code).toBe('BACKUP_CORRUPT');
  });

  it('reports every key of a batch that is gone entirely as missing', async () => {
    const { backups, entries } = await splitBatch();
    await backups.deleteBatch('damaged');
    const report = await backups.verify(expectedOf(entries));
    expect(report.verified).toBe(0);
    expect(report.failed).toHaveLength(entries.length);
    expect(report.failed[0]!.reason).toMatch(/^missing/);
    expect((await rejection(backups.readKey(entries[0]!.keyId))).code).toBe('BACKUP_MISSING');
  });

  it('reports a key whose recorded check differs from the vault', async () => {
    const backups = store();
    const entry = aesEntry();
    await backups.writeBatch('one', [entry]);
    const report = await backups.verify([{ keyId: entry.keyId, spec: entry.spec, check: { kind: 'kcv', value: '000000' } }]);
    expect(report.failed).toEqual([{ id: entry.keyId, reason: expect.stringContaining('mismatch') }]);
  });
});

describe('a failure during writeBatch leaves nothing behind', () => {
  it('removes the items written before the Nth write failed', async () => {
    namespace = freshNamespace();
    const faulty = injectFaults(namespace.keychain, { failAfter: 3, counting: ['set'] });
    const backups = store(WINDOWS_LIMIT, faulty);
    const entries = Array.from({ length: 100 }, () => aesEntry());
    const error = await rejection(backups.writeBatch('interrupted', entries));
    expect(error.code).toBe('KEYCHAIN_UNAVAILABLE');
    expect(await namespace.keychain.list()).toEqual([]);
  });

  it('stops with KEYCHAIN_LOCKED when the keychain locks mid-batch and cleans up after', async () => {
    namespace = freshNamespace();
    const faulty = injectFaults(namespace.keychain, { failAfter: 2, counting: ['set'], failure: 'locked' });
    const error = await rejection(store(WINDOWS_LIMIT, faulty).writeBatch('locked', Array.from({ length: 100 }, () => aesEntry())));
    expect(error.code).toBe('KEYCHAIN_LOCKED');
    expect(await namespace.keychain.list()).toEqual([]);
  });

  it('names the items it could not remove and never reads them as a whole batch', async () => {
    namespace = freshNamespace();
    const faulty = injectFaults(namespace.keychain, { failAfter: 3, counting: ['set', 'delete'] });
    const entries = Array.from({ length: 100 }, () => aesEntry());
    const error = await rejection(store(WINDOWS_LIMIT, faulty).writeBatch('stuck', entries));
    // The three written items, plus the fourth whose failed write may or may not have left one.
    expect(error.details?.leftoverItems).toEqual(['backup/stuck/0', 'backup/stuck/1', 'backup/stuck/2', 'backup/stuck/3']);
    const { damagedBatches } = await store(WINDOWS_LIMIT, namespace.keychain).inspect();
    expect(damagedBatches).toEqual([expect.objectContaining({ batchId: 'stuck', problems: expect.arrayContaining([expect.stringMatching(/item 4 of \d+ is missing/)]) })]);
  });

  it('refuses to resolve when what the keychain gives back differs from what was written, and removes it', async () => {
    namespace = freshNamespace();
    const real = namespace.keychain;
    let reads = 0;
    const garbling = {
      ...real,
      async get(account: string) {
        const bytes = await real.get(account);
        if (bytes && reads++ === 2) bytes[bytes.length - 1]! ^= 0x01; // one read-back item comes back altered
        return bytes;
      },
    };
    const error = await rejection(store(WINDOWS_LIMIT, garbling).writeBatch('garbled', Array.from({ length: 60 }, () => aesEntry())));
    expect(error.code).toBe('BACKUP_MISMATCH');
    expect(await real.list()).toEqual([]);
  });

  it('refuses material that does not match its check before writing anything', async () => {
    const backups = store();
    const entry = { ...aesEntry(), check: { kind: 'kcv' as const, value: 'ABCDEF' } };
    expect((await rejection(backups.writeBatch('wrong', [entry]))).code).toBe('BACKUP_MISMATCH');
    expect(await namespace.keychain.list()).toEqual([]);
  });

  it('never overwrites an existing batch', async () => {
    const backups = store();
    const first = aesEntry();
    await backups.writeBatch('same', [first]);
    expect((await rejection(backups.writeBatch('same', [aesEntry()]))).code).toBe('OUTPUT_EXISTS');
    expect((await backups.readKey(first.keyId)).material).toEqual(first.material);
  });
});

describe('listing without a database', () => {
  it('lists every backed-up key with its batch from the keychain alone, and reports damaged batches', async () => {
    const writer = store(WINDOWS_LIMIT);
    const first = [aesEntry(), copyEntry(rsa4096)];
    const second = [aesEntry('AES_128', 'b')];
    const { items } = await writer.writeBatch('batch-a', first);
    await writer.writeBatch('batch-b', second);
    // A new store over the same keychain namespace: nothing but the keychain is shared.
    const reader = store(WINDOWS_LIMIT, namespace.keychain);
    const listed = await reader.listEntries();
    expect(listed.map((entry) => [entry.keyId, entry.batchId, entry.spec, entry.check.value, entry.intact]).sort()).toEqual(
      [...first.map((entry) => [entry.keyId, 'batch-a', entry.spec, entry.check.value, true]), [second[0]!.keyId, 'batch-b', 'AES_128', second[0]!.check.value, true]].sort(),
    );
    await namespace.keychain.delete(items.at(-1)!); // the tail of the RSA key's DER
    const inspected = await reader.inspect();
    expect(inspected.damagedBatches).toEqual([{ batchId: 'batch-a', problems: [`item ${items.length} of ${items.length} is missing`], keyIds: first.map((entry) => entry.keyId) }]);
    const intactness = Object.fromEntries(inspected.entries.map((entry) => [entry.keyId, entry.intact]));
    expect(intactness).toEqual({ [first[0]!.keyId]: true, [rsa4096.keyId]: false, [second[0]!.keyId]: true });
  });
});
