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

  it('refuses a batch id that could escape its namespace', async () => {
    const backups = new BackupStore({ keychain: memoryKeychain(), computeCheck: testCheck });
    await expect(backups.writeBatch('../x', [aesEntry()])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});
