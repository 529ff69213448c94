// The self-describing binary payload of one backup batch (also the plaintext of an escrow file).
//
//   magic "BYKB" | version u8 | batchId (u8 len, utf8) | createdAt (u8 len) | entryCount u32
//   entry table, per entry: keyId (u8 len) | alias (u16 len; 0xFFFF = no alias) | spec (u8 len) | check kind u8 |
//     check value (u8 len) | createdAt (u8 len) | material offset u32 | material length u32 |
//     SHA-256 of the material (32)
//   material region: every entry's bytes, back to back
//
// The metadata comes first so it can still be read when a later part of the batch is damaged, and each
// entry carries its own material digest so one damaged key does not take its batch-mates down with it.
// Binary, so material is only ever copied byte for byte (never through text, base64 or JSON).
import { createHash } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import { isKeySpecName } from '../../../shared/key-specs.ts';
import { equalBytes } from '../secret.ts';
import { ByteReader, ByteWriter, TruncatedInput } from './binary.ts';
import type { BackupCheck, BackupEntry, BackupEntryMetadata } from './backup-entry.ts';

export const PAYLOAD_MAGIC = Uint8Array.from([0x42, 0x59, 0x4b, 0x42]); // "BYKB"
export const PAYLOAD_FORMAT_VERSION = 1;
const CHECK_KINDS: readonly BackupCheck['kind'][] = ['kcv', 'fingerprint'];

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

/** Encodes a batch. The result holds material: the caller zeroes it. */
export function encodeBatchPayload(batch: { batchId: string; createdAt: string; entries: readonly BackupEntry[] }): Uint8Array {
  const table = new ByteWriter(batch.entries.length * 160);
  let materialOffset = 0;
  for (const entry of batch.entries) {
    const kind = CHECK_KINDS.indexOf(entry.check.kind);
    if (kind < 0) throw new ByokError('INVALID_INPUT', `Key ${entry.keyId} has an unknown check kind; expected kcv or fingerprint.`);
    table
      .text(entry.keyId)
      .optionalText(entry.alias)
      .text(entry.spec)
      .u8(kind)
      .text(entry.check.value)
      .text(entry.createdAt)
      .u32(materialOffset)
      .u32(entry.material.length)
      .bytes(sha256(entry.material));
    materialOffset += entry.material.length;
  }
  const tableBytes = table.finish();
  const out = new ByteWriter(tableBytes.length + materialOffset + 128)
    .bytes(PAYLOAD_MAGIC)
    .u8(PAYLOAD_FORMAT_VERSION)
    .text(batch.batchId)
    .text(batch.createdAt)
    .u32(batch.entries.length)
    .bytes(tableBytes);
  for (const entry of batch.entries) out.bytes(entry.material);
  return out.finish();
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
    if (version !== PAYLOAD_FORMAT_VERSION) {
      throw new ByokError('BACKUP_CORRUPT', `Backup batch ${batchIdHint} uses format version ${version}, which this version cannot read. Update the app.`, { batchId: batchIdHint });
    }
    const batchId = reader.text();
    const createdAt = reader.text();
    const count = reader.u32();
    const rows: Array<Omit<PayloadEntryRecord, 'materialStart' | 'materialEnd'> & { offset: number; length: number }> = [];
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
    const regionStart = reader.offset;
    const entries = rows.map(({ offset, length, ...row }) => {
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

/** True when the entry's material bytes were recovered and match the digest recorded beside them. */
export function entryMaterialIntact(
  payload: Uint8Array,
  entry: PayloadEntryRecord,
  available: (start: number, end: number) => boolean = () => true,
): boolean {
  if (!available(entry.materialStart, entry.materialEnd)) return false;
  return equalBytes(sha256(payload.subarray(entry.materialStart, entry.materialEnd)), entry.materialDigest);
}
