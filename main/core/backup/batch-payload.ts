// The self-describing binary payload of one backup batch (also the plaintext of an escrow file).
//
// Version 2 (written since the one-pass bulk ceremony; about 90 bytes of metadata per key instead of 160,
// which halves what the keychain stores, rewrites and hands back, and the items of a batch on Windows):
//
//   magic "BYKB" | version u8 = 2 | batchId (u8 len, utf8) | createdAt (u8 len) | entryCount u32 |
//   spec table: count u8, each spec name (u8 len)
//   entry table, per entry: flags u8 | keyId (16-byte UUID, or u8 len text) | alias (u16 len; 0xFFFF = none) |
//     spec index u8 | check kind u8 | check value (u8 len; raw bytes of the hex, or text) |
//     createdAt (u32 Unix seconds, or u8 len text) | material length u16 | first 16 bytes of its SHA-256
//   material region: every entry's bytes, back to back, in entry order
//
//   flags: 1 = keyId is a canonical lower-case UUID stored as 16 bytes; 2 = the check value is hex stored
//   as raw bytes; 4 = that hex is lower case (else upper); 8 = createdAt is "YYYY-MM-DDTHH:MM:SSZ" stored as
//   seconds. A value that would not come back identical is stored as text, so every field round-trips.
//
// Version 1 (still read): per entry keyId (u8 len) | alias (u16 len) | spec (u8 len) | check kind u8 |
//   check value (u8 len) | createdAt (u8 len) | material offset u32 | material length u32 | SHA-256 (32).
//
// The metadata comes first so it can still be read when a later part of the batch is damaged, and each
// entry carries its own material digest so one damaged key does not take its batch-mates down with it
// (the batch as a whole is covered by a full SHA-256 in its keychain items, batch-items.ts). Binary, so
// material is only ever copied byte for byte (never through text, base64 or JSON).
import { createHash } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { isKeySpecName, type KeySpecName } from '../../../shared/key-specs.ts';
import { equalBytes } from '../secret.ts';
import { ByteReader, ByteWriter, TruncatedInput } from './binary.ts';
import type { BackupCheck, BackupEntry, BackupEntryMetadata } from './backup-entry.ts';

export const PAYLOAD_MAGIC = Uint8Array.from([0x42, 0x59, 0x4b, 0x42]); // "BYKB"
export const PAYLOAD_FORMAT_VERSION = 2;
const READABLE_VERSIONS = new Set([1, 2]);
const CHECK_KINDS: readonly BackupCheck['kind'][] = ['kcv', 'fingerprint'];
/** Bytes of each entry's SHA-256 kept in version 2: damage detection, not a security boundary. */
const ENTRY_DIGEST_BYTES = 16;
const MAX_MATERIAL_BYTES = 0xffff;

const FLAG_UUID_ID = 1;
const FLAG_HEX_CHECK = 2;
const FLAG_LOWER_HEX = 4;
const FLAG_SECONDS_CREATED = 8;
const KNOWN_FLAGS = FLAG_UUID_ID | FLAG_HEX_CHECK | FLAG_LOWER_HEX | FLAG_SECONDS_CREATED;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const UPPER_HEX = /^(?:[0-9A-F]{2})+$/;
const LOWER_HEX = /^(?:[0-9a-f]{2})+$/;
const WHOLE_SECONDS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export interface PayloadEntryRecord extends BackupEntryMetadata {
  /** Absolute byte range of the material inside the payload. */
  materialStart: number;
  materialEnd: number;
  materialDigest: Uint8Array;
}

export interface ParsedPayload {
  version: number;
  batchId: string;
  createdAt: string;
  entries: PayloadEntryRecord[];
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

/** Encodes a batch (version 2). The result holds material: the caller zeroes it. */
export function encodeBatchPayload(batch: { batchId: string; createdAt: string; entries: readonly BackupEntry[] }): Uint8Array {
  const specs = [...new Set(batch.entries.map((entry) => entry.spec))];
  const table = new ByteWriter(batch.entries.length * 96 + 16).u8(specs.length);
  for (const spec of specs) table.text(spec);
  let materialBytes = 0;
  for (const entry of batch.entries) {
    const kind = CHECK_KINDS.indexOf(entry.check.kind);
    if (kind < 0) throw new ByokError('INVALID_INPUT', `Key ${entry.keyId} has an unknown check kind; expected kcv or fingerprint.`);
    if (entry.material.length > MAX_MATERIAL_BYTES) throw new ByokError('INVALID_INPUT', `Key ${entry.keyId} has ${entry.material.length} bytes of material; a backup entry holds at most ${MAX_MATERIAL_BYTES}.`);
    const uuidId = UUID.test(entry.keyId);
    // Raw bytes only while their length fits the u8 that precedes them; longer values go as text.
    const rawFits = entry.check.value.length <= 2 * 0xff;
    const upperHex = rawFits && UPPER_HEX.test(entry.check.value);
    const lowerHex = rawFits && !upperHex && LOWER_HEX.test(entry.check.value);
    const seconds = wholeSecondsOf(entry.createdAt);
    table.u8((uuidId ? FLAG_UUID_ID : 0) | (upperHex || lowerHex ? FLAG_HEX_CHECK : 0) | (lowerHex ? FLAG_LOWER_HEX : 0) | (seconds !== null ? FLAG_SECONDS_CREATED : 0));
    if (uuidId) table.bytes(Buffer.from(entry.keyId.replaceAll('-', ''), 'hex'));
    else table.text(entry.keyId);
    table.optionalText(entry.alias).u8(specs.indexOf(entry.spec)).u8(kind);
    if (upperHex || lowerHex) {
      const raw = Buffer.from(entry.check.value, 'hex');
      table.u8(raw.length).bytes(raw);
    } else {
      table.text(entry.check.value);
    }
    if (seconds !== null) table.u32(seconds);
    else table.text(entry.createdAt);
    table.u16(entry.material.length).bytes(sha256(entry.material).subarray(0, ENTRY_DIGEST_BYTES));
    materialBytes += entry.material.length;
  }
  const tableBytes = table.finish();
  const out = new ByteWriter(tableBytes.length + materialBytes + 128)
    .bytes(PAYLOAD_MAGIC)
    .u8(PAYLOAD_FORMAT_VERSION)
    .text(batch.batchId)
    .text(batch.createdAt)
    .u32(batch.entries.length)
    .bytes(tableBytes);
  for (const entry of batch.entries) out.bytes(entry.material);
  return out.finish();
}

/** Unix seconds for "YYYY-MM-DDTHH:MM:SSZ" when they give the same text back (and fit a u32), else null. */
function wholeSecondsOf(text: string): number | null {
  if (!WHOLE_SECONDS_UTC.test(text)) return null;
  const milliseconds = Date.parse(text);
  if (!Number.isFinite(milliseconds) || milliseconds < 0 || milliseconds / 1000 > 0xffffffff) return null;
  return secondsText(milliseconds / 1000) === text ? milliseconds / 1000 : null;
}

function secondsText(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

function uuidText(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const corrupt = (batchId: string, what: string): ByokError =>
  new ByokError('BACKUP_CORRUPT', `Backup batch ${batchId} is damaged: ${what}. Restore this batch's keys from another copy (escrow file or shares).`, { batchId });

/**
 * Reads the metadata of a payload. `available` says which byte ranges were actually recovered (gaps are
 * zero-filled); metadata that touches a gap makes the payload unreadable (BACKUP_CORRUPT).
 */
export function parseBatchPayload(
  payload: Uint8Array,
  batchIdHint: string,
  available: (start: number, end: number) => boolean = () => true,
): ParsedPayload {
  try {
    const reader = new ByteReader(payload, 0, available);
    if (!equalBytes(reader.bytes(4), PAYLOAD_MAGIC)) throw corrupt(batchIdHint, 'it is not a backup payload');
    const version = reader.u8();
    if (!READABLE_VERSIONS.has(version)) {
      throw new ByokError('BACKUP_CORRUPT', `Backup batch ${batchIdHint} uses format version ${version}, which this version cannot read. Update the app.`, { batchId: batchIdHint });
    }
    const batchId = reader.text();
    const createdAt = reader.text();
    const count = reader.u32();
    const rows = version === 1 ? readEntriesV1(reader, count, batchIdHint) : readEntriesV2(reader, count, batchIdHint);
    const regionStart = reader.offset;
    let next = 0;
    const entries = rows.map(({ offset: stated, length, ...row }) => {
      // Version 2 keeps the material in entry order; version 1 states each offset.
      const offset = stated ?? next;
      next = offset + length;
      const materialStart = regionStart + offset;
      const materialEnd = materialStart + length;
      if (materialEnd > payload.length) throw corrupt(batchIdHint, `the material of key ${row.keyId} runs past the end of the batch`);
      return { ...row, materialStart, materialEnd };
    });
    return { version, batchId, createdAt, entries };
  } catch (error) {
    if (error instanceof TruncatedInput) throw corrupt(batchIdHint, 'its metadata is incomplete');
    if (error instanceof TypeError) throw corrupt(batchIdHint, 'its metadata is not valid text');
    throw error;
  }
}

type EntryRow = Omit<PayloadEntryRecord, 'materialStart' | 'materialEnd'> & { offset: number | null; length: number };

function readEntriesV1(reader: ByteReader, count: number, batchIdHint: string): EntryRow[] {
  const rows: EntryRow[] = [];
  for (let i = 0; i < count; i++) {
    const keyId = reader.text();
    const alias = reader.optionalText();
    const spec = reader.text();
    const kind = CHECK_KINDS[reader.u8()];
    const value = reader.text();
    const entryCreatedAt = reader.text();
    const offset = reader.u32();
    const length = reader.u32();
    const materialDigest = Uint8Array.from(reader.bytes(32));
    if (!isKeySpecName(spec) || kind === undefined) throw corrupt(batchIdHint, `entry ${i + 1} has an unknown key spec or check kind`);
    rows.push({ keyId, alias, spec, check: { kind, value }, createdAt: entryCreatedAt, materialDigest, offset, length });
  }
  return rows;
}

function readEntriesV2(reader: ByteReader, count: number, batchIdHint: string): EntryRow[] {
  const specs: KeySpecName[] = [];
  const specCount = reader.u8();
  for (let i = 0; i < specCount; i++) {
    const spec = reader.text();
    if (!isKeySpecName(spec)) throw corrupt(batchIdHint, `it names an unknown key spec "${spec.slice(0, 32)}"`);
    specs.push(spec);
  }
  const rows: EntryRow[] = [];
  for (let i = 0; i < count; i++) {
    const flags = reader.u8();
    if (flags & ~KNOWN_FLAGS) throw corrupt(batchIdHint, `entry ${i + 1} has flags this version does not know`);
    const keyId = flags & FLAG_UUID_ID ? uuidText(reader.bytes(16)) : reader.text();
    const alias = reader.optionalText();
    const spec = specs[reader.u8()];
    const kind = CHECK_KINDS[reader.u8()];
    let value: string;
    if (flags & FLAG_HEX_CHECK) {
      const hex = Buffer.from(reader.bytes(reader.u8())).toString('hex');
      value = flags & FLAG_LOWER_HEX ? hex : hex.toUpperCase();
    } else {
      value = reader.text();
    }
    const entryCreatedAt = flags & FLAG_SECONDS_CREATED ? secondsText(reader.u32()) : reader.text();
    const length = reader.u16();
    const materialDigest = Uint8Array.from(reader.bytes(ENTRY_DIGEST_BYTES));
    if (spec === undefined || kind === undefined) throw corrupt(batchIdHint, `entry ${i + 1} has an unknown key spec or check kind`);
    rows.push({ keyId, alias, spec, check: { kind, value }, createdAt: entryCreatedAt, materialDigest, offset: null, length });
  }
  return rows;
}

/** True when the entry's material bytes were recovered and match the digest recorded beside them. */
export function entryMaterialIntact(
  payload: Uint8Array,
  entry: PayloadEntryRecord,
  available: (start: number, end: number) => boolean = () => true,
): boolean {
  if (!available(entry.materialStart, entry.materialEnd)) return false;
  // Version 1 kept the whole SHA-256, version 2 its first 16 bytes.
  return equalBytes(sha256(payload.subarray(entry.materialStart, entry.materialEnd)).subarray(0, entry.materialDigest.length), entry.materialDigest);
}
