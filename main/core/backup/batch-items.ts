// Splitting a batch payload into keychain items no larger than the platform allows, and putting it back
// together. Each item says which batch it belongs to, where its bytes go, how many items there are and
// the SHA-256 of the whole payload, so the batch is checked as a whole and a missing or truncated item
// is named.
//
//   magic "BYKC" | version u8 | batchId (u8 len, utf8) | index u16 | count u16 | payload length u32 |
//   offset u32 | data length u32 | payload SHA-256 (32) | data
import { ByokError } from '../../../shared/errors.ts';
import { equalBytes } from '../secret.ts';
import { ByteReader, ByteWriter, TruncatedInput } from './binary.ts';
import { sha256 } from './batch-payload.ts';

const ITEM_MAGIC = Uint8Array.from([0x42, 0x59, 0x4b, 0x43]); // "BYKC"
const ITEM_FORMAT_VERSION = 1;
const ACCOUNT_PREFIX = 'backup/';
const BATCH_ID = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_ITEMS = 0xffff;
const MIN_ITEM_LIMIT = 512;

export function assertBatchId(batchId: string): void {
  if (!BATCH_ID.test(batchId)) {
    throw new ByokError('INVALID_ARGUMENT', 'A backup batch id must be 1-64 characters of letters, digits, ".", "_" or "-".', { batchId: batchId.slice(0, 80) });
  }
}

export function itemAccount(batchId: string, index: number): string {
  return `${ACCOUNT_PREFIX}${batchId}/${index}`;
}

export function parseItemAccount(account: string): { batchId: string; index: number } | null {
  const match = /^backup\/([A-Za-z0-9._-]{1,64})\/(\d{1,5})$/.exec(account);
  return match ? { batchId: match[1]!, index: Number(match[2]) } : null;
}

function headerLength(batchId: string): number {
  return 4 + 1 + 1 + new TextEncoder().encode(batchId).length + 2 + 2 + 4 + 4 + 4 + 32;
}

/** The items for a payload, in order. They hold material: the caller zeroes them. */
export function splitIntoItems(batchId: string, payload: Uint8Array, itemLimit: number): Uint8Array[] {
  // No real keychain is this small; a smaller value is a misconfiguration that would mean thousands of items.
  if (!Number.isInteger(itemLimit) || itemLimit < MIN_ITEM_LIMIT) {
    throw new ByokError('INVALID_ARGUMENT', `A keychain item limit of ${itemLimit} bytes is too small; it must be at least ${MIN_ITEM_LIMIT} bytes.`);
  }
  const room = itemLimit - headerLength(batchId);
  const count = Math.max(1, Math.ceil(payload.length / room));
  if (count > MAX_ITEMS) throw new ByokError('INVALID_ARGUMENT', `This batch would need ${count} keychain items; split it into smaller batches.`);
  const digest = sha256(payload);
  const items: Uint8Array[] = [];
  for (let index = 0; index < count; index++) {
    const offset = index * room;
    const data = payload.subarray(offset, Math.min(payload.length, offset + room));
    items.push(
      new ByteWriter()
        .bytes(ITEM_MAGIC)
        .u8(ITEM_FORMAT_VERSION)
        .text(batchId)
        .u16(index)
        .u16(count)
        .u32(payload.length)
        .u32(offset)
        .u32(data.length)
        .bytes(digest)
        .bytes(data)
        .finish(),
    );
  }
  return items;
}

interface ItemHeader {
  batchId: string;
  index: number;
  count: number;
  payloadLength: number;
  offset: number;
  payloadDigest: Uint8Array;
}

function parseItem(bytes: Uint8Array): { header: ItemHeader; data: Uint8Array } | { problem: string } {
  try {
    const reader = new ByteReader(bytes);
    if (!equalBytes(reader.bytes(4), ITEM_MAGIC) || reader.u8() !== ITEM_FORMAT_VERSION) return { problem: 'is not a backup item of a known format' };
    const batchId = reader.text();
    const index = reader.u16();
    const count = reader.u16();
    const payloadLength = reader.u32();
    const offset = reader.u32();
    const dataLength = reader.u32();
    const payloadDigest = reader.bytes(32);
    if (reader.offset + dataLength !== bytes.length) return { problem: `is truncated (${bytes.length - reader.offset} of ${dataLength} data bytes)` };
    if (offset + dataLength > payloadLength || index >= count) return { problem: 'has an inconsistent header' };
    return { header: { batchId, index, count, payloadLength, offset, payloadDigest }, data: reader.bytes(dataLength) };
  } catch (error) {
    if (error instanceof TruncatedInput || error instanceof TypeError) return { problem: 'is truncated' };
    throw error;
  }
}

/**
 * How many items the batch has, as declared by a valid item `index` of `batchId` (null for anything
 * else). Lets a reader that knows the batch go straight to its items instead of listing the keychain.
 */
export function declaredItemCount(batchId: string, index: number, bytes: Uint8Array): number | null {
  const parsed = parseItem(bytes);
  if ('problem' in parsed || parsed.header.batchId !== batchId || parsed.header.index !== index) return null;
  return parsed.header.count;
}

export interface Reassembly {
  /** The payload with any unrecovered ranges zero-filled. Holds material: the caller zeroes it. */
  payload: Uint8Array;
  /** Every item present and valid, and the whole payload matches its SHA-256. */
  intact: boolean;
  /** What is wrong, in words (empty when intact). */
  problems: string[];
  /** Whether the byte range [start, end) of the payload was recovered. */
  available: (start: number, end: number) => boolean;
}

/** Puts a batch back together from the items found (`bytes` null when the item is missing). */
export function reassemble(batchId: string, found: ReadonlyArray<{ index: number; bytes: Uint8Array | null }>): Reassembly {
  const problems: string[] = [];
  const valid: Array<{ header: ItemHeader; data: Uint8Array }> = [];
  for (const { index, bytes } of found) {
    if (bytes === null) continue;
    const parsed = parseItem(bytes);
    if ('problem' in parsed) problems.push(`item ${index + 1} ${parsed.problem}`);
    else if (parsed.header.batchId !== batchId || parsed.header.index !== index) problems.push(`item ${index + 1} belongs to another batch or position`);
    else valid.push(parsed);
  }
  const reference = valid[0]?.header;
  if (!reference) {
    return { payload: new Uint8Array(0), intact: false, problems: problems.length ? problems : ['no items found'], available: () => false };
  }
  const payload = new Uint8Array(reference.payloadLength);
  const covered: Array<[number, number]> = [];
  const present = new Set<number>();
  for (const { header, data } of valid) {
    if (header.count !== reference.count || header.payloadLength !== reference.payloadLength || !equalBytes(header.payloadDigest, reference.payloadDigest)) {
      problems.push(`item ${header.index + 1} does not match the other items of the batch`);
      continue;
    }
    payload.set(data, header.offset);
    covered.push([header.offset, header.offset + data.length]);
    present.add(header.index);
  }
  for (let index = 0; index < reference.count; index++) {
    if (!present.has(index) && !problems.some((problem) => problem.startsWith(`item ${index + 1} `))) {
      problems.push(`item ${index + 1} of ${reference.count} is missing`);
    }
  }
  covered.sort((a, b) => a[0] - b[0]);
  const available = (start: number, end: number): boolean => {
    let reached = start;
    for (const [from, to] of covered) {
      if (from <= reached && to > reached) reached = to;
      if (reached >= end) return true;
    }
    return reached >= end;
  };
  if (problems.length === 0 && !equalBytes(sha256(payload), reference.payloadDigest)) {
    problems.push('its bytes do not match the SHA-256 recorded when it was written (altered)');
  }
  return { payload, intact: problems.length === 0, problems, available };
}
