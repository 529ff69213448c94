// Minimal big-endian writer/reader for the backup formats. Material is copied byte for byte; it never
// passes through a string.
import { ByokError } from '../../../shared/errors.ts';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
const NO_TEXT = 0xffff;

export class ByteWriter {
  private parts: Uint8Array[] = [];
  private total = 0;

  get length(): number {
    return this.total;
  }
  bytes(value: Uint8Array): this {
    this.parts.push(value);
    this.total += value.length;
    return this;
  }
  u8(value: number): this {
    return this.bytes(Uint8Array.of(value));
  }
  u16(value: number): this {
    const out = new Uint8Array(2);
    new DataView(out.buffer).setUint16(0, value);
    return this.bytes(out);
  }
  u32(value: number): this {
    const out = new Uint8Array(4);
    new DataView(out.buffer).setUint32(0, value);
    return this.bytes(out);
  }
  /** A length-prefixed UTF-8 string (u8 or u16 length). For metadata only, never material. */
  text(value: string, lengthBytes: 1 | 2 = 1): this {
    const encoded = utf8.encode(value);
    const max = lengthBytes === 1 ? 0xff : 0xffff;
    if (encoded.length > max) throw new ByokError('INVALID_INPUT', `A backup field is too long (${encoded.length} bytes, at most ${max}). Use a shorter value.`);
    return (lengthBytes === 1 ? this.u8(encoded.length) : this.u16(encoded.length)).bytes(encoded);
  }
  /** Like text with a u16 length, where null is stored as the length 0xFFFF. */
  optionalText(value: string | null): this {
    if (value === null) return this.u16(NO_TEXT);
    const encoded = utf8.encode(value);
    if (encoded.length >= NO_TEXT) throw new ByokError('INVALID_INPUT', `A backup field is too long (${encoded.length} bytes, at most ${NO_TEXT - 1}). Use a shorter value.`);
    return this.u16(encoded.length).bytes(encoded);
  }
  /** Copies the parts into one new buffer; the caller owns (and zeroes) it. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.total);
    let at = 0;
    for (const part of this.parts) {
      out.set(part, at);
      at += part.length;
    }
    this.parts = [];
    return out;
  }
}

/** Thrown by ByteReader when a read would run past the end or into bytes that are not available. */
export class TruncatedInput extends Error {}

export class ByteReader {
  private at: number;
  private readonly source: Uint8Array;
  private readonly view: DataView;
  /** Whether [start, end) was actually present (reassembled payloads may have gaps). */
  private readonly available: (start: number, end: number) => boolean;
  constructor(source: Uint8Array, start = 0, available: (start: number, end: number) => boolean = () => true) {
    this.source = source;
    this.at = start;
    this.available = available;
    this.view = new DataView(source.buffer, source.byteOffset, source.byteLength);
  }
  get offset(): number {
    return this.at;
  }
  private take(count: number): number {
    const start = this.at;
    if (start + count > this.source.length || !this.available(start, start + count)) throw new TruncatedInput();
    this.at += count;
    return start;
  }
  u8(): number {
    return this.view.getUint8(this.take(1));
  }
  u16(): number {
    return this.view.getUint16(this.take(2));
  }
  u32(): number {
    return this.view.getUint32(this.take(4));
  }
  /** A view (not a copy) of the next `count` bytes. */
  bytes(count: number): Uint8Array {
    const start = this.take(count);
    return this.source.subarray(start, start + count);
  }
  text(lengthBytes: 1 | 2 = 1): string {
    const length = lengthBytes === 1 ? this.u8() : this.u16();
    return fromUtf8.decode(this.bytes(length));
  }
  optionalText(): string | null {
    const length = this.u16();
    return length === NO_TEXT ? null : fromUtf8.decode(this.bytes(length));
  }
}
