// BackupStore logic over the in-memory keychain (fault injection, buffer zeroing). Every behaviour here
// is also exercised against the real Secret Service in test/integration/keychain/.
import { describe, expect, it } from 'vitest';
import { BackupStore, memoryKeychain, type Keychain } from '../../../../main/core/backup/index.ts';
import { aesEntry, testCheck } from './check-oracle.ts';

/** Records every buffer handed to and returned by the keychain, to check they are zeroed after use. */
function recording(inner: Keychain): Keychain & { written: Uint8Array[]; read: Uint8Array[] } {
  const written: Uint8Array[] = [];
  const read: Uint8Array[] = [];
  return {
    written,
    read,
    async set(account, secret) {
      written.push(secret);
      await inner.set(account, secret);
    },
    async get(account) {
      const bytes = await inner.get(account);
      if (bytes) read.push(bytes);
      return bytes;
    },
    delete: (account) => inner.delete(account),
    list: () => inner.list(),
  };
}

const allZero = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);

describe('BackupStore', () => {
  it('zeroes every item buffer it wrote or read, and leaves the caller\'s material alone', async () => {
    const keychain = recording(memoryKeychain());
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const entries = Array.from({ length: 20 }, () => aesEntry());
    const originals = entries.map((entry) => entry.material.slice());
    await backups.writeBatch('b', entries);
    await backups.verify(entries);
    expect(keychain.written.length).toBeGreaterThan(1);
    expect(keychain.written.every(allZero)).toBe(true);
    expect(keychain.read.every(allZero)).toBe(true);
    expect(entries.map((entry) => entry.material)).toEqual(originals);
  });

  it('refuses to write when the keychain is locked, and verify says so instead of reporting keys missing', async () => {
    const keychain = memoryKeychain({ locked: true });
    const backups = new BackupStore({ keychain, computeCheck: testCheck });
    await expect(backups.writeBatch('b', [aesEntry()])).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
    await expect(backups.verify([aesEntry()])).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
  });

  it('writeNewBatch: a check that does not match the material removes the batch, with an error that does not say "try again"', async () => {
    const keychain = memoryKeychain();
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const good = aesEntry();
    const wrong = { ...aesEntry(), check: good.check };
    const attempt = backups.writeNewBatch(backups.newBatchId(), [good, wrong]);
    await expect(attempt).rejects.toMatchObject({ code: 'BACKUP_MISMATCH', message: expect.stringContaining(`The material of key ${wrong.keyId} does not give the kcv`) });
    await expect(attempt).rejects.not.toMatchObject({ message: expect.stringContaining('Try again') });
    expect(keychain.items.size).toBe(0);
  });

  it('removes what it wrote when reading back fails', async () => {
    const keychain = memoryKeychain({ failAfter: 1, counting: ['get'] }); // the existence probe passes, the read-back fails
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    await expect(backups.writeBatch('b', Array.from({ length: 20 }, () => aesEntry()))).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(keychain.items.size).toBe(0);
  });

  it('visits every restorable key once per batch and skips the damaged one', async () => {
    const keychain = memoryKeychain();
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const entries = Array.from({ length: 20 }, () => aesEntry());
    await backups.writeBatch('b', entries);
    const lastItem = [...keychain.items.keys()].sort((a, b) => Number(a.split('/')[2]) - Number(b.split('/')[2])).at(-1)!;
    const item = keychain.items.get(lastItem)!;
    item[item.length - 1]! ^= 0x01; // the last byte: the last key's material
    const seen = new Map<string, Uint8Array>();
    const result = await backups.forEachKey((entry, material) => {
      seen.set(entry.keyId, material.slice());
    });
    expect(result.visited).toBe(19);
    expect(result.skipped).toEqual([{ keyId: entries[19]!.keyId, batchId: 'b', reason: expect.stringContaining('altered') }]);
    for (const entry of entries.slice(0, 19)) expect(seen.get(entry.keyId)).toEqual(entry.material);
  });

  it('reads a named batch straight from its items, without listing the keychain', async () => {
    const keychain = memoryKeychain();
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const entries = Array.from({ length: 20 }, () => aesEntry());
    await backups.writeBatch('b', entries);
    await backups.writeBatch('other', [aesEntry()]);
    expect([...keychain.items.keys()].filter((account) => account.startsWith('backup/b/')).length).toBeGreaterThan(1);
    keychain.plan({ failAfter: 0, counting: ['list'] }); // any listing now fails
    const seen = new Map<string, Uint8Array>();
    const result = await backups.forEachKey((entry, material) => {
      seen.set(entry.keyId, material.slice());
    }, { batchId: 'b' });
    expect(result).toEqual({ visited: 20, skipped: [], unreadableBatches: [] });
    for (const entry of entries) expect(seen.get(entry.keyId)).toEqual(entry.material);
    const { material } = await backups.readKey(entries[7]!.keyId, { batchId: 'b' });
    expect(material).toEqual(entries[7]!.material);
  });

  it('still finds and names a damaged named batch whose first item is gone', async () => {
    const keychain = memoryKeychain();
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const entries = Array.from({ length: 20 }, () => aesEntry());
    await backups.writeBatch('b', entries);
    keychain.items.delete('backup/b/0');
    await expect(backups.readKey(entries[19]!.keyId, { batchId: 'b' })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT', message: expect.stringContaining('item 1 of') });
    const result = await backups.forEachKey(() => undefined, { batchId: 'b' });
    expect(result.visited).toBe(0);
    expect(result.unreadableBatches).toEqual([expect.objectContaining({ batchId: 'b' })]);
    await expect(backups.readKey(entries[0]!.keyId, { batchId: 'nothing-here' })).rejects.toMatchObject({ code: 'BACKUP_MISSING' });
  });

  it('does not take a named batch\'s first item for another batch\'s', async () => {
    const keychain = memoryKeychain();
    const backups = new BackupStore({ keychain, computeCheck: testCheck, itemLimit: 1_024 });
    const entries = Array.from({ length: 20 }, () => aesEntry());
    await backups.writeBatch('b', entries);
    const other = aesEntry();
    await backups.writeBatch('c', [other]);
    keychain.items.set('backup/b/0', Uint8Array.from(keychain.items.get('backup/c/0')!)); // item 0 of c, under b's name
    await expect(backups.readKey(entries[0]!.keyId, { batchId: 'b' })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' });
    await expect(backups.readKey(other.keyId, { batchId: 'b' })).rejects.toMatchObject({ code: 'BACKUP_CORRUPT' }); // c's key is not served as b's
  });

  it('refuses a batch id that could escape its namespace', async () => {
    const backups = new BackupStore({ keychain: memoryKeychain(), computeCheck: testCheck });
    await expect(backups.writeBatch('../x', [aesEntry()])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
