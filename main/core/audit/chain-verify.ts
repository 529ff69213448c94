// Full verification of an audit log's bytes: every line canonical, every hash right, every event linked to
// the one before, sequence numbers 1, 2, 3, ... and every checkpoint signature valid. The first break is
// reported with the seq where the chain stops being genuine and the likely kind of tampering.
//
// A last line without its LF is a torn tail: an append that a crash interrupted before it was fsynced and
// acknowledged. It is reported separately (`tornTail`) and does not make the log invalid.
// Not detectable by the chain alone: removing events from the end, or replacing the whole log with a
// new chain. Checkpoints (signed heads), the head printed on a signed transcript and the head the vault
// database records at each save (`recordedHead`) bound that.
import { GENESIS_HASH, encodeEvent, hashBody } from './audit-event.ts';
import type { AuditEvent } from './audit-event.ts';
import { checkpointSignatureValid, toHex } from './checkpoint.ts';
import type { CheckpointData } from './checkpoint.ts';

export type ChainProblemKind = 'garbled' | 'edited' | 'inserted' | 'deleted' | 'reordered' | 'broken-link' | 'bad-checkpoint' | 'truncated' | 'replaced';

/** An event the vault database says the log holds: its seq and hash, recorded when the vault was saved. */
export interface RecordedHead {
  seq: number;
  hash: string;
}

export interface ChainProblem {
  seq: number;
  kind: ChainProblemKind;
  reason: string;
}

export interface ChainVerification {
  valid: boolean;
  /** Complete event lines in the log. */
  events: number;
  /** Hash of the last genuine event (GENESIS_HASH for an empty log). */
  head: string;
  problem?: ChainProblem;
  tornTail?: { afterSeq: number; bytes: number; note: string };
  checkpoints: number;
  lastCheckpointSeq: number | null;
  /** Losses the operator accepted (`byok audit accept-loss`): the events before each are gone. Never hidden by "valid". */
  acceptedLosses: Array<{ seq: number; recordedSeq: number }>;
}

export function splitLines(bytes: Uint8Array): { lines: string[]; tornTail: string | null } {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
  const parts = text.split('\n');
  const last = parts.pop() ?? '';
  return { lines: parts, tornTail: last.length ? last : null };
}

export function parseEventLine(line: string): AuditEvent | null {
  try {
    const parsed = JSON.parse(line) as AuditEvent;
    return parsed && typeof parsed === 'object' && typeof parsed.seq === 'number' ? parsed : null;
  } catch {
    return null;
  }
}

export function verifyChain(bytes: Uint8Array, options: { trustedPublicKey?: Uint8Array; recordedHead?: RecordedHead } = {}): ChainVerification {
  const { lines, tornTail } = splitLines(bytes);
  const events = lines.map(parseEventLine);
  const trustedKey = options.trustedPublicKey ? toHex(options.trustedPublicKey) : null;
  let expectedSeq = 1;
  let prev = GENESIS_HASH;
  let checkpoints = 0;
  let lastCheckpointSeq: number | null = null;
  const acceptedLosses: ChainVerification['acceptedLosses'] = [];
  const result = (problem?: ChainProblem): ChainVerification => ({
    valid: !problem,
    events: lines.length,
    head: prev,
    ...(problem ? { problem } : {}),
    ...(tornTail !== null
      ? { tornTail: { afterSeq: expectedSeq - 1, bytes: tornTail.length, note: 'The last line is incomplete: an append was interrupted (a crash) before it was acknowledged. This is not tampering; the next append sets it aside.' } }
      : {}),
    checkpoints,
    lastCheckpointSeq,
    acceptedLosses,
  });

  for (let index = 0; index < lines.length; index++) {
    const event = events[index];
    if (!event) return result({ seq: expectedSeq, kind: 'garbled', reason: `Line ${index + 1} is not a readable event where event ${expectedSeq} belongs: it was edited or damaged.` });
    if (event.seq !== expectedSeq) {
      if (event.seq < expectedSeq) {
        return result({ seq: event.seq, kind: 'inserted', reason: `Event ${event.seq} appears a second time at line ${index + 1}: an event was inserted (or duplicated) at ${event.seq}.` });
      }
      const appearsLater = events.slice(index + 1).some((later) => later?.seq === expectedSeq);
      return appearsLater
        ? result({ seq: expectedSeq, kind: 'reordered', reason: `Line ${index + 1} holds event ${event.seq} where event ${expectedSeq} belongs, and event ${expectedSeq} comes later: events were reordered (or one was inserted).` })
        : result({ seq: expectedSeq, kind: 'deleted', reason: `Event ${expectedSeq} is missing (line ${index + 1} holds event ${event.seq}): it was deleted.` });
    }
    const { hash, ...body } = event;
    if (encodeEvent(event) !== lines[index] || hashBody(body) !== hash) {
      return result({ seq: expectedSeq, kind: 'edited', reason: `Event ${expectedSeq} was edited: its content does not match its hash.` });
    }
    if (event.prev !== prev) {
      return result({
        seq: expectedSeq,
        kind: 'broken-link',
        reason: `Event ${expectedSeq} does not link to event ${expectedSeq - 1}: an earlier event was edited and re-hashed, or events were inserted or removed before it.`,
      });
    }
    if (event.type === 'checkpoint') {
      const data = event.data as Partial<CheckpointData>;
      if (data.head !== prev || data.headSeq !== expectedSeq - 1 || !checkpointSignatureValid(data)) {
        return result({ seq: expectedSeq, kind: 'bad-checkpoint', reason: `Checkpoint ${expectedSeq} does not carry a valid signature over the chain head before it: the log was rewritten or the checkpoint forged.` });
      }
      if (trustedKey !== null && data.publicKey !== trustedKey) {
        return result({ seq: expectedSeq, kind: 'bad-checkpoint', reason: `Checkpoint ${expectedSeq} is signed by a key other than the trusted ceremony key.` });
      }
      checkpoints += 1;
      lastCheckpointSeq = expectedSeq;
    }
    if (event.type === 'audit.gap') {
      const recordedSeq = (event.data as { recordedSeq?: unknown }).recordedSeq;
      acceptedLosses.push({ seq: expectedSeq, recordedSeq: typeof recordedSeq === 'number' && Number.isInteger(recordedSeq) && recordedSeq >= 0 ? recordedSeq : 0 });
    }
    prev = hash;
    expectedSeq += 1;
    if (options.recordedHead?.seq === event.seq && options.recordedHead.hash !== hash) {
      return result({ seq: event.seq, kind: 'replaced', reason: `Event ${event.seq} is not the event the vault database recorded at that place: the log was replaced by another chain. Restore audit.jsonl from a copy.` });
    }
  }
  const recorded = options.recordedHead;
  if (recorded && recorded.seq > lines.length) {
    return result({ seq: lines.length + 1, kind: 'truncated', reason: recordedHeadMissing(lines.length, recorded.seq) });
  }
  return result();
}

/** Why a log shorter than the vault database records is refused; also said when such a vault is opened. */
export function recordedHeadMissing(events: number, recordedSeq: number): string {
  return `The audit log ends at event ${events}, but the vault database records that it held event ${recordedSeq}: events were removed from the end, or the log was deleted or replaced. Restore audit.jsonl from a copy that holds event ${recordedSeq} or later (an older copy is refused the same way); nothing was changed.`;
}
