import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeJournalRecord, parseJournal } from '../../../../main/core/vault/row-journal.ts';
import type { JournalRecord } from '../../../../main/core/vault/row-journal.ts';

const record = (n: number): JournalRecord => ({ n, changes: [{ table: 'meta', op: 'put', row: { k: `key-${n}`, v: `value ${n} ü` } }] });
const journal = (...records: JournalRecord[]) => Buffer.concat(records.map(encodeJournalRecord));

describe('row journal', () => {
  it('reads back every record it wrote, in order', () => {
    const parsed = parseJournal(journal(record(1), record(2), record(3)));
    expect(parsed.records.map((r) => r.n)).toEqual([1, 2, 3]);
    expect(parsed.records[1]).toEqual(record(2));
    expect(parsed.tornTailBytes).toBe(0);
  });

  it('drops a tail cut short by a crash and says how many bytes it dropped', () => {
    const whole = journal(record(1), record(2));
    const cut = Buffer.concat([whole, encodeJournalRecord(record(3)).subarray(0, 40)]);
    const parsed = parseJournal(cut);
    expect(parsed.records.map((r) => r.n)).toEqual([1, 2]);
    expect(parsed.intactBytes).toBe(whole.length);
    expect(parsed.tornTailBytes).toBe(40);
  });

  it('drops a complete last line whose checksum does not match (a torn write of its middle)', () => {
    const last = encodeJournalRecord(record(2));
    last[80] = last[80]! ^ 0x01;
    const parsed = parseJournal(Buffer.concat([journal(record(1)), last]));
    expect(parsed.records.map((r) => r.n)).toEqual([1]);
    expect(parsed.tornTailBytes).toBe(last.length);
  });

  it('refuses a damaged record followed by intact ones as corruption, not a crash', () => {
    const middle = encodeJournalRecord(record(2));
    middle[70] = middle[70]! ^ 0x20;
    expect(() => parseJournal(Buffer.concat([journal(record(1)), middle, journal(record(3))]))).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT' }));
  });

  it('refuses a journal with a missing save in the middle', () => {
    expect(() => parseJournal(journal(record(1), record(3)))).toThrow(expect.objectContaining({ code: 'VAULT_CORRUPT', message: expect.stringContaining('byok vault rebuild') }));
  });

  it('reads an empty journal as no records', () => {
    expect(parseJournal(new Uint8Array(0))).toEqual({ records: [], intactBytes: 0, tornTailBytes: 0 });
  });

  it('cut at any byte, a journal reads back as exactly the whole records before the cut', () => {
    const records = Array.from({ length: 6 }, (_, i) => record(i + 1));
    const lines = records.map(encodeJournalRecord);
    const whole = Buffer.concat(lines);
    const ends = lines.reduce<number[]>((acc, line) => [...acc, (acc[acc.length - 1] ?? 0) + line.length], []);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: whole.length }), (cut) => {
        const parsed = parseJournal(whole.subarray(0, cut));
        const complete = ends.filter((end) => end <= cut).length;
        expect(parsed.records).toEqual(records.slice(0, complete));
        expect(parsed.intactBytes + parsed.tornTailBytes).toBe(cut);
      }),
      { numRuns: 200, seed: 7 },
    );
  });
});
