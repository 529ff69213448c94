// The journal's line format. One line per save():
//
//   <sha256 hex of JSON, 64 chars> <space> <JSON {"n": save number, "changes": [row changes]}> <LF>
//
// A line whose checksum does not match, or the bytes after the last LF, can only be the tail of an
// append that a crash interrupted (appends are sequential and each is fsynced before save() returns),
// so a bad *tail* is dropped: it was never reported saved. A bad line followed by good ones is damage,
// not a crash, and the vault is refused as corrupt.
import { createHash } from 'node:crypto';
import { ByokError } from '../../../shared/errors.ts';
import type { RowChange } from './row-store.ts';

export interface JournalRecord {
  /** Save number, +1 per save, never reused; the snapshot remembers the last one it contains. */
  n: number;
  changes: RowChange[];
}

export interface ParsedJournal {
  records: JournalRecord[];
  /** Length of the intact prefix; anything after it is a torn tail. */
  intactBytes: number;
  tornTailBytes: number;
}

const LF = 0x0a;
const CHECKSUM_LENGTH = 64;

export function encodeJournalRecord(record: JournalRecord): Buffer {
  const json = JSON.stringify(record);
  return Buffer.from(`${sha256Hex(json)} ${json}\n`, 'utf8');
}

export function parseJournal(bytes: Uint8Array): ParsedJournal {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const records: JournalRecord[] = [];
  let offset = 0;
  let firstBadOffset: number | null = null;
  while (offset < buffer.length) {
    const end = buffer.indexOf(LF, offset);
    if (end === -1) {
      firstBadOffset ??= offset; // no LF: the append was cut short
      break;
    }
    const record = decodeLine(buffer.subarray(offset, end));
    if (record && firstBadOffset !== null) {
      throw new ByokError('VAULT_CORRUPT', corruptMessage(`a damaged record at byte ${firstBadOffset} is followed by intact ones`), { offset: firstBadOffset });
    }
    if (record) records.push(record);
    else firstBadOffset ??= offset;
    offset = end + 1;
  }
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.n !== records[i - 1]!.n + 1) {
      throw new ByokError('VAULT_CORRUPT', corruptMessage(`save ${records[i - 1]!.n + 1} is missing from the journal`), { missingSave: records[i - 1]!.n + 1 });
    }
  }
  const intactBytes = firstBadOffset ?? buffer.length;
  return { records, intactBytes, tornTailBytes: buffer.length - intactBytes };
}

function decodeLine(line: Buffer): JournalRecord | null {
  if (line.length < CHECKSUM_LENGTH + 2 || line[CHECKSUM_LENGTH] !== 0x20) return null;
  const json = line.subarray(CHECKSUM_LENGTH + 1).toString('utf8');
  if (sha256Hex(json) !== line.subarray(0, CHECKSUM_LENGTH).toString('latin1')) return null;
  try {
    const parsed = JSON.parse(json) as JournalRecord;
    if (!Number.isSafeInteger(parsed.n) || !Array.isArray(parsed.changes)) return null;
    return parsed;
  } catch {
    return null;
  }
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function corruptMessage(what: string): string {
  return `The vault database is damaged (${what}): run \`byok vault rebuild\` to recover the key list from the keychain backups.`;
}
