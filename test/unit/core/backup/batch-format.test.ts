// The binary batch payload and its split into keychain items.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatchPayload, entryMaterialIntact, parseBatchPayload } from '../../../../main/core/backup/batch-payload.ts';
import { itemAccount, parseItemAccount, reassemble, splitIntoItems } from '../../../../main/core/backup/batch-items.ts';
import { KEY_SPEC_NAMES } from '../../../../shared/key-specs.ts';
import type { BackupEntry } from '../../../../main/core/backup/index.ts';

const entryArbitrary: fc.Arbitrary<BackupEntry> = fc.record({
  keyId: fc.uuid(),
  alias: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  spec: fc.constantFrom(...KEY_SPEC_NAMES),
  check: fc.record({ kind: fc.constantFrom('kcv' as const, 'fingerprint' as const), value: fc.stringMatching(/^[0-9A-F]{6,64}$/) }),
  createdAt: fc.constant('2026-11-25T10:00:00Z'),
  material: fc.uint8Array({ minLength: 1, maxLength: 600 }),
});

const batchArbitrary = fc.uniqueArray(entryArbitrary, { minLength: 1, maxLength: 12, selector: (entry) => entry.keyId });

describe('batch payload', () => {
  it('round-trips metadata and material byte for byte', () => {
    fc.assert(
      fc.property(batchArbitrary, (entries) => {
        const payload = encodeBatchPayload({ batchId: 'b-1', createdAt: '2026-11-25T11:00:00Z', entries });
        const parsed = parseBatchPayload(payload, 'b-1');
        expect(parsed).toMatchObject({ version: 1, batchId: 'b-1', createdAt: '2026-11-25T11:00:00Z' });
        expect(parsed.entries).toHaveLength(entries.length);
        for (const [i, record] of parsed.entries.entries()) {
          const entry = entries[i]!;
          expect({ keyId: record.keyId, alias: record.alias, spec: record.spec, check: record.check }).toEqual({ keyId: entry.keyId, alias: entry.alias, spec: entry.spec, check: entry.check });
          expect(payload.subarray(record.materialStart, record.materialEnd)).toEqual(entry.material);
          expect(entryMaterialIntact(payload, record)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('refuses a payload of an unknown format version', () => {
    const payload = encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries: [{ keyId: 'k', alias: '', spec: 'AES_128', check: { kind: 'kcv', value: 'ABCDEF' }, createdAt: 'x', material: new Uint8Array(16) }] });
    payload[4] = 9;
    expect(() => parseBatchPayload(payload, 'b')).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT', message: expect.stringContaining('version 9') }));
  });

  it('reports metadata that falls into a gap as damage, not as garbage', () => {
    const payload = encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries: [{ keyId: 'k', alias: 'a', spec: 'AES_128', check: { kind: 'kcv', value: 'ABCDEF' }, createdAt: 'x', material: new Uint8Array(16) }] });
    expect(() => parseBatchPayload(payload, 'b', (start) => start < 10)).toThrow(expect.objectContaining({ code: 'BACKUP_CORRUPT' }));
  });
});

describe('keychain items of a batch', () => {
  it('never exceeds the item limit and reassembles in any order', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 20_000 }), fc.integer({ min: 512, max: 5_000 }), fc.boolean(), (payload, limit, reverse) => {
        const items = splitIntoItems('batch-x', payload, limit);
        for (const item of items) expect(item.length).toBeLessThanOrEqual(limit);
        const found = items.map((bytes, index) => ({ index, bytes }));
        const assembled = reassemble('batch-x', reverse ? found.reverse() : found);
        expect(assembled.intact).toBe(true);
        expect(assembled.payload).toEqual(payload);
      }),
      { numRuns: 40 },
    );
  });

  it('names a missing, a truncated and a foreign item', () => {
    const payload = Uint8Array.from({ length: 5_000 }, (_, i) => i & 0xff);
    const items = splitIntoItems('b', payload, 1_100);
    expect(items.length).toBe(5);
    const other = splitIntoItems('c', payload, 1_100);
    const found = [
      { index: 0, bytes: items[0]! },
      { index: 1, bytes: null },
      { index: 2, bytes: items[2]!.subarray(0, 500) },
      { index: 3, bytes: other[3]! },
      { index: 4, bytes: items[4]! },
    ];
    const assembled = reassemble('b', found);
    expect(assembled.intact).toBe(false);
    expect(assembled.problems).toEqual(expect.arrayContaining(['item 2 of 5 is missing', expect.stringMatching(/^item 3 is truncated/), 'item 4 belongs to another batch or position']));
    expect(assembled.available(0, 1_000)).toBe(true);
    expect(assembled.available(0, 2_000)).toBe(false);
  });

  it('detects a flipped byte through the whole-payload digest', () => {
    const payload = new Uint8Array(3_000);
    const items = splitIntoItems('b', payload, 1_000);
    items[1]![items[1]!.length - 1]! ^= 0x80;
    const assembled = reassemble('b', items.map((bytes, index) => ({ index, bytes })));
    expect(assembled.problems).toEqual([expect.stringContaining('altered')]);
  });

  it('refuses an item limit too small for the item header', () => {
    expect(() => splitIntoItems('b', new Uint8Array(10), 511)).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names items by batch and position, and ignores other accounts', () => {
    expect(parseItemAccount(itemAccount('ceremony-7', 12))).toEqual({ batchId: 'ceremony-7', index: 12 });
    expect(parseItemAccount('ceremony-signing-key')).toBeNull();
    expect(parseItemAccount('backup/../x/1')).toBeNull();
  });
});
