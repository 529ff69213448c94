// The binary batch payload and its split into keychain items.
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeBatchPayload, entryMaterialIntact, parseBatchPayload } from '../../../../main/core/backup/batch-payload.ts';
import { itemAccount, parseItemAccount, reassemble, splitIntoItems } from '../../../../main/core/backup/batch-items.ts';
import { KEY_SPEC_NAMES } from '../../../../shared/key-specs.ts';
import type { BackupEntry } from '../../../../main/core/backup/index.ts';

const entryArbitrary: fc.Arbitrary<BackupEntry> = fc.record({
  keyId: fc.oneof(fc.uuid(), fc.uuid().map((id) => id.toUpperCase()), fc.string({ minLength: 1, maxLength: 60 })),
  alias: fc.option(fc.string({ maxLength: 40 }), { nil: null }),
  spec: fc.constantFrom(...KEY_SPEC_NAMES),
  // Hex in either case is stored as raw bytes, anything else as text: both must come back identical.
  check: fc.record({ kind: fc.constantFrom('kcv' as const, 'fingerprint' as const), value: fc.oneof(fc.stringMatching(/^[0-9A-F]{6,64}$/), fc.stringMatching(/^[0-9a-f]{6,64}$/), fc.string({ minLength: 1, maxLength: 64 })) }),
  // Stored as seconds when it is whole-second UTC text, as text otherwise: both must come back identical.
  createdAt: fc.oneof(
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().replace(/\.\d{3}Z$/, 'Z')),
    fc.date({ min: new Date('1970-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString()),
    fc.string({ maxLength: 30 }),
  ),
  material: fc.uint8Array({ minLength: 1, maxLength: 600 }),
});

/** A version 1 payload as the version 1 encoder wrote it (two entries: a UUID key and a legacy id, material 0..31 and 255..216). */
const V1_FIXTURE =
  'QllLQgEKdjEtZml4dHVyZRgyMDI2LTExLTI1VDEyOjAwOjAwLjAwMFoAAAACJDBiN2EyZjBlLTFjNTUtNGQ4ZS05ZjFhLTJiM2M0ZDVlNmY3MAAFcGF5LTEHQUVTXzI1NgAGQTFCMkMzGDIwMjYtMTEtMjVUMTI6MDA6MDAuMDAxWgAAAAAAAAAgYw3NKWbEM2aRElRIu7JbT/QSpJxzLbLIq8G4WBvXEN0JbGVnYWN5LWlk//8ISE1BQ18yNTYABjBGMEUwRBQyMDI2LTExLTI1VDEyOjAwOjAwWgAAACAAAAAoqGkH+fma/nqyaorA1ZGkueQrNvbBN2bsBBRHkW3MJ3kAAQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eH//+/fz7+vn49/b19PPy8fDv7u3s6+rp6Ofm5eTj4uHg397d3Nva2dg=';

const batchArbitrary = fc.uniqueArray(entryArbitrary, { minLength: 1, maxLength: 12, selector: (entry) => entry.keyId });

describe('batch payload', () => {
  it('round-trips metadata and material byte for byte', () => {
    fc.assert(
      fc.property(batchArbitrary, (entries) => {
        const payload = encodeBatchPayload({ batchId: 'b-1', createdAt: '2026-11-25T11:00:00Z', entries });
        const parsed = parseBatchPayload(payload, 'b-1');
        expect(parsed).toMatchObject({ version: 2, batchId: 'b-1', createdAt: '2026-11-25T11:00:00Z' });
        expect(parsed.entries).toHaveLength(entries.length);
        for (const [i, record] of parsed.entries.entries()) {
          const entry = entries[i]!;
          expect({ keyId: record.keyId, alias: record.alias, spec: record.spec, check: record.check, createdAt: record.createdAt }).toEqual({ keyId: entry.keyId, alias: entry.alias, spec: entry.spec, check: entry.check, createdAt: entry.createdAt });
          expect(payload.subarray(record.materialStart, record.materialEnd)).toEqual(entry.material);
          expect(entryMaterialIntact(payload, record)).toBe(true);
        }
      }),
      { numRuns: 50 },
    );
  });

  it('still reads version 1 batches, as written before version 2 (a fixed payload)', () => {
    const payload = Buffer.from(V1_FIXTURE, 'base64');
    const parsed = parseBatchPayload(payload, 'v1-fixture');
    expect(parsed).toMatchObject({ version: 1, batchId: 'v1-fixture', createdAt: '2026-11-25T12:00:00.000Z' });
    expect(parsed.entries.map(({ keyId, alias, spec, check, createdAt }) => ({ keyId, alias, spec, check, createdAt }))).toEqual([
      { keyId: '0b7a2f0e-1c55-4d8e-9f1a-2b3c4d5e6f70', alias: 'pay-1', spec: 'AES_256', check: { kind: 'kcv', value: 'A1B2C3' }, createdAt: '2026-11-25T12:00:00.001Z' },
      { keyId: 'legacy-id', alias: null, spec: 'HMAC_256', check: { kind: 'kcv', value: '0F0E0D' }, createdAt: '2026-11-25T12:00:00Z' },
    ]);
    const [first, second] = parsed.entries;
    expect(payload.subarray(first!.materialStart, first!.materialEnd)).toEqual(Buffer.from(Uint8Array.from({ length: 32 }, (_, i) => i)));
    expect(payload.subarray(second!.materialStart, second!.materialEnd)).toEqual(Buffer.from(Uint8Array.from({ length: 40 }, (_, i) => 255 - i)));
    expect(entryMaterialIntact(payload, first!)).toBe(true);
    payload[second!.materialStart + 3]! ^= 1;
    expect(entryMaterialIntact(payload, second!)).toBe(false);
    expect(entryMaterialIntact(payload, first!)).toBe(true);
  });

  it('keeps a typical key of a bulk ceremony under 100 bytes (version 1 took about 160)', () => {
    const entries: BackupEntry[] = Array.from({ length: 1000 }, (_, i) => ({
      keyId: randomUUID(),
      alias: `bulk-${String(i + 1).padStart(4, '0')}`,
      spec: 'AES_256',
      check: { kind: 'kcv', value: 'A1B2C3' },
      createdAt: '2026-11-25T12:00:00Z',
      material: new Uint8Array(32),
    }));
    const payload = encodeBatchPayload({ batchId: randomUUID(), createdAt: '2026-11-25T12:00:00Z', entries });
    expect(payload.length / entries.length).toBeLessThan(100);
    expect(payload.length / entries.length).toBeGreaterThan(32);
  });

  it('finds the damaged key of a version 2 batch and leaves the others intact', () => {
    const entries: BackupEntry[] = [0, 1, 2].map((i) => ({ keyId: randomUUID(), alias: `k${i}`, spec: 'AES_128', check: { kind: 'kcv', value: 'ABCDEF' }, createdAt: '2026-11-25T12:00:00Z', material: new Uint8Array(16).fill(i + 1) }));
    const payload = encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries });
    const parsed = parseBatchPayload(payload, 'b');
    payload[parsed.entries[1]!.materialStart]! ^= 0x80;
    expect(parsed.entries.map((entry) => entryMaterialIntact(payload, entry))).toEqual([true, false, true]);
  });

  it('keeps a hex check value too long for raw bytes as text, or refuses it when too long for text too', () => {
    const entry = (value: string): BackupEntry => ({ keyId: randomUUID(), alias: null, spec: 'AES_128', check: { kind: 'kcv', value }, createdAt: '2026-11-25T12:00:00Z', material: new Uint8Array(16) });
    const long = 'AB'.repeat(127) + 'C';
    expect(parseBatchPayload(encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries: [entry(long)] }), 'b').entries[0]!.check.value).toBe(long);
    const longest = 'AB'.repeat(255);
    expect(parseBatchPayload(encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries: [entry(longest)] }), 'b').entries[0]!.check.value).toBe(longest);
    expect(() => encodeBatchPayload({ batchId: 'b', createdAt: 'x', entries: [entry('AB'.repeat(256))] })).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
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
