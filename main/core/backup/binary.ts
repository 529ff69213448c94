// Minimal big-endian writer/reader for the backup formats. Material is copied byte for byte; it never
// passes through a string.
import { ByokError } from '../../../shared/errors.ts';

const utf8 = new TextEncoder();
const fromUtf8 = new TextDecoder('utf-8', { fatal: true });
const NO_TEXT = 0xffff;

/**
 * Appends into one growing buffer (a batch of a thousand keys is some 12,000 fields: one small array per
 * field was most of the cost of encoding it). The buffer may hold material, so a buffer outgrown is
 * zeroed before it is dropped, and finish() zeroes the working buffer after copying the result out.
 */
export class ByteWriter {
  private buffer: Uint8Array;
  private view: DataView;
  private total = 0;

  /** `capacity`: the expected length, to grow the buffer fewer times. */
  constructor(capacity = 256) {
    this.buffer = new Uint8Array(Math.max(16, capacity));
    this.view = new DataView(this.buffer.buffer);
  }

  get length(): number {
    return this.total;
  }
  private reserve(count: number): number {
    const at = this.total;
    if (at + count > this.buffer.length) {
      const grown = new Uint8Array(Math.max(this.buffer.length * 2, at + count));
      grown.set(this.buffer.subarray(0, at));
      this.buffer.fill(0);
      this.buffer = grown;
      this.view = new DataView(grown.buffer);
    }
    this.total = at + count;
    return at;
  }
  /** Copies `value` in (the caller keeps, and zeroes, its own bytes). */
  bytes(value: Uint8Array): this {
    const at = this.reserve(value.length); // before reading this.buffer: reserve may replace it
    this.buffer.set(value, at);
    return this;
  }
  u8(value: number): this {
    const at = this.reserve(1);
    this.view.setUint8(at, value);
    return this;
  }
  u16(value: number): this {
    const at = this.reserve(2);
    this.view.setUint16(at, value);
    return this;
  }
  u32(value: number): this {
    const at = this.reserve(4);
    this.view.setUint32(at, value);
    return this;
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
  /** The bytes written, in a new buffer the caller owns (and zeroes); the writer is left empty and zeroed. */
  finish(): Uint8Array {
    const out = this.buffer.slice(0, this.total);
    this.buffer.fill(0);
    this.total = 0;
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
