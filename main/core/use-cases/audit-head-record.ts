// The vault database records, at every save, the audit log's head (seq and hash). The hash chain alone
// cannot show events removed from the end, nor a log deleted or replaced by a new chain (a fresh log
// would even start with a new `vault.created`). The database can: it was saved after those events were
// durable, so it never names an event the log does not hold. Opening refuses a log shorter than the
// record; `audit verify` also checks that the recorded event is the one in the log.
import { ByokError } from '../../../shared/errors.ts';
import { recordedHeadMissing, type RecordedHead } from '../audit/chain-verify.ts';
import type { AuditLog } from '../audit/index.ts';
import type { Vault } from '../vault/index.ts';

const META_KEY = 'audit.recorded_head';
const ACCEPT_HINT = (seq: number) => `If no copy exists, \`byok audit accept-loss --event ${seq}\` records the loss in the log and opens the vault again.`;

export function recordedAuditHead(vault: Vault): RecordedHead | null {
  const text = vault.meta.get(META_KEY);
  if (text === undefined) return null; // a vault saved before this record existed: nothing to hold the log to
  try {
    const parsed = JSON.parse(text) as Partial<RecordedHead>;
    if (Number.isInteger(parsed.seq) && (parsed.seq as number) >= 0 && typeof parsed.hash === 'string') return { seq: parsed.seq as number, hash: parsed.hash };
  } catch {
    // reported below
  }
  throw new ByokError('VAULT_CORRUPT', 'The vault database holds an unreadable audit head record. Restore vault.db from a copy, or rebuild it with `byok vault rebuild`.');
}

/** Called before every save: the log's events so far are durable, so the database may name its head. */
export function recordAuditHead(vault: Vault, audit: AuditLog): void {
  // A damaged last line reads as another head (its seq, or none): keep the last good record instead.
  if (audit.tailBroken) return;
  const head = JSON.stringify({ seq: audit.lastSeq, hash: audit.head() });
  if (vault.meta.get(META_KEY) !== head) vault.meta.set(META_KEY, head);
}

/**
 * The way out when the log really is lost (a disk fault, a copy that cannot be found): the operator names
 * the recorded event the refusal gave, and the gap is written into the log as an event of its own, so the
 * history says plainly what is missing from it. Then the record follows the log again.
 */
export async function acceptAuditLoss(vault: Vault, audit: AuditLog, confirmedSeq: number, who: { operator?: string; witnesses?: string[] }): Promise<void> {
  const recorded = recordedAuditHead(vault);
  const lost = recorded !== null && !audit.tailBroken && (audit.lastSeq < recorded.seq || (audit.recentHash(recorded.seq) ?? recorded.hash) !== recorded.hash);
  if (!recorded || !lost) throw new ByokError('INVALID_ARGUMENT', 'This vault\'s audit log holds every event its database records: there is no loss to accept.');
  if (confirmedSeq !== recorded.seq) {
    throw new ByokError('INVALID_ARGUMENT', `Give the event number the refusal named (${recorded.seq}) with --event, to confirm that events up to it are lost.`);
  }
  await audit.append({ type: 'audit.gap', ...who, data: { recordedSeq: recorded.seq, recordedHash: recorded.hash, logEndedAt: audit.lastSeq, logHeadBefore: audit.head() } });
  recordAuditHead(vault, audit);
  await vault.save();
}

/** At open: a log that ends before the recorded event, or holds another event there, is refused. */
export function refuseShortenedLog(vault: Vault, audit: AuditLog): void {
  const recorded = recordedAuditHead(vault);
  // A damaged last line is left to `audit verify`, which names the line (appending is refused anyway).
  if (recorded === null || audit.tailBroken) return;
  if (audit.lastSeq < recorded.seq) throw new ByokError('AUDIT_CHAIN_BROKEN', `${recordedHeadMissing(audit.lastSeq, recorded.seq)} ${ACCEPT_HINT(recorded.seq)}`, { events: audit.lastSeq, recordedSeq: recorded.seq });
  // Usually the recorded event is the last one or the one before it (the checkpoint written at close);
  // further back, `audit verify` reads the whole log and checks it.
  const found = audit.recentHash(recorded.seq);
  if (found !== undefined && found !== recorded.hash) {
    throw new ByokError('AUDIT_CHAIN_BROKEN', `Event ${recorded.seq} of the audit log is not the event the vault database recorded there: the log was replaced by another chain. Restore audit.jsonl from a copy; nothing was changed. ${ACCEPT_HINT(recorded.seq)}`, { recordedSeq: recorded.seq });
  }
}
