import { describe, expect, it } from 'vitest';
import { ByteReader, ByteWriter } from '../../../../main/core/backup/binary.ts';

describe('ByteWriter', () => {
  it('reads back every field in order after growing well past its first capacity', () => {
    const writer = new ByteWriter(16);
    const block = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    for (let i = 0; i < 50; i++) writer.u8(i).u16(1000 + i).u32(70_000 + i).text(`key-${i}`).optionalText(i % 2 ? null : 'ä').bytes(block);
    const bytes = writer.finish();
    expect(bytes.length).toBe(50 * (1 + 2 + 4 + 1 + `key-`.length + 2 + 300) + [...Array(50).keys()].reduce((sum, i) => sum + String(i).length + (i % 2 ? 0 : 2), 0));
    const reader = new ByteReader(bytes);
    for (let i = 0; i < 50; i++) {
      expect([reader.u8(), reader.u16(), reader.u32(), reader.text(), reader.optionalText()]).toEqual([i, 1000 + i, 70_000 + i, `key-${i}`, i % 2 ? null : 'ä']);
      expect(reader.bytes(300)).toEqual(block);
    }
    expect(reader.offset).toBe(bytes.length);
  });

  it('copies what it is given, so the caller can zero its own bytes at once', () => {
    const secret = Uint8Array.of(1, 2, 3);
    const writer = new ByteWriter().bytes(secret);
    secret.fill(0);
    expect(writer.finish()).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('hands out a fresh buffer and starts empty again after finish', () => {
    const writer = new ByteWriter(4).u32(7);
    const first = writer.finish();
    const second = writer.u8(9).finish();
    expect([...first]).toEqual([0, 0, 0, 7]);
    expect([...second]).toEqual([9]);
  });
});
