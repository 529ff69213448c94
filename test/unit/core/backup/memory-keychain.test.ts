import { describe, expect, it } from 'vitest';
import { FALLBACK_ITEM_LIMIT, KEYCHAIN_ITEM_LIMITS, itemLimitFor, memoryKeychain } from '../../../../main/core/backup/index.ts';

describe('memoryKeychain', () => {
  it('stores copies, so a caller zeroing its buffer does not change the stored item', async () => {
    const keychain = memoryKeychain();
    const secret = Uint8Array.of(1, 2, 3);
    await keychain.set('a', secret);
    secret.fill(0);
    expect(await keychain.get('a')).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('fails every operation after the first N with the chosen error', async () => {
    const keychain = memoryKeychain({ failAfter: 2, counting: ['set'], failure: 'locked' });
    await keychain.set('a', Uint8Array.of(1));
    await keychain.set('b', Uint8Array.of(1));
    await expect(keychain.set('c', Uint8Array.of(1))).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
    expect(await keychain.list()).toEqual(['a', 'b']); // not counted, not failed
  });

  it('simulates a locked keychain until unlocked', async () => {
    const keychain = memoryKeychain({ locked: true });
    await expect(keychain.get('a')).rejects.toMatchObject({ code: 'KEYCHAIN_LOCKED' });
    keychain.unlock();
    expect(await keychain.get('a')).toBeNull();
  });
});

describe('KEYCHAIN_ITEM_LIMITS', () => {
  it('holds the Windows credential limit and a larger bound elsewhere', () => {
    expect(KEYCHAIN_ITEM_LIMITS.win32).toBe(2_560);
    expect(KEYCHAIN_ITEM_LIMITS.linux).toBeGreaterThanOrEqual(64 * 1024);
    expect(KEYCHAIN_ITEM_LIMITS.darwin).toBeGreaterThanOrEqual(64 * 1024);
    expect(itemLimitFor('win32')).toBe(2_560);
    expect(itemLimitFor('aix')).toBe(FALLBACK_ITEM_LIMIT);
  });
});
