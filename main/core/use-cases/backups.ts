// Backup lifecycle: verify against the vault, restore a record from its backup, rebuild a lost vault
// from the keychain, and reconcile the two at open. Material is read only to recompute check values.
import type {
  BackupRestoreReply,
  BackupVerifyReply,
  OperatorContext,
  ReconciliationReport,
  RunOptions,
  VaultRebuildReply,
} from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import type { BackupEntryMetadata } from '../backup/index.ts';
import { isoUtc } from '../clock.ts';
import { zeroize } from '../secret.ts';
import type { KeyRecord } from '../vault/index.ts';
import type { CoreContext } from './context.ts';
import { requireKey } from './key-queries.ts';
import { operatorFields } from './validation.ts';

export async function verifyBackups(context: CoreContext, request: { keyId?: string } & OperatorContext, options: RunOptions = {}): Promise<BackupVerifyReply> {
  const records = request.keyId ? [requireKey(context, request.keyId)] : context.vault.keys.list();
  options.onProgress?.({ operation: 'backup-verify', done: 0, total: records.length, message: 'reading the keychain' });
  // Every record names its batch (all but keys from before batches were recorded): read just those.
  const batchIds = records.every((record) => record.batchId) ? [...new Set(records.map((record) => record.batchId!))] : undefined;
  const result = records.length === 0
    ? { verified: 0, failed: [] }
    : await context.backups.verify(records.map((record) => ({ keyId: record.id, spec: record.spec, check: record.check })), batchIds ? { inBatches: batchIds } : {});
  const failedIds = new Set(result.failed.map((failure) => failure.id));
  const verifiedAt = isoUtc(context.clock.now());
  for (const record of records) {
    context.vault.keys.setBackupVerified(record.id, failedIds.has(record.id) ? null : verifiedAt);
  }
  await context.audit.append({
    type: 'backup.verified',
    ...operatorFields(request),
    data: { verified: result.verified, failed: result.failed.map((failure) => failure.id), keyIds: records.map((record) => record.id) },
  });
  await context.vault.save();
  options.onProgress?.({ operation: 'backup-verify', done: records.length, total: records.length, message: `${result.verified} verified, ${result.failed.length} failed` });
  return result;
}

/** Restores one key's vault record from its keychain backup (after a lost or damaged database). */
export async function restoreBackup(context: CoreContext, request: { keyId: string } & OperatorContext): Promise<BackupRestoreReply> {
  const existing = context.vault.keys.get(request.keyId);
  // The batches the vault knows of first (read directly); a full listing of the keychain only when the key is in none of them.
  const known = await context.backups.inspectBatches(existing?.batchId ? [existing.batchId] : context.vault.backupBatches.knownIds());
  const entry =
    known.entries.find((candidate) => candidate.keyId === request.keyId) ??
    (await context.backups.listEntries()).find((candidate) => candidate.keyId === request.keyId);
  if (!entry) {
    throw new ByokError('BACKUP_MISSING', `No keychain backup holds key ${request.keyId}. Check \`byok backup verify --all\`, or restore it from shares (\`byok backup combine\`) or an escrow file.`);
  }
  // Reading the key recomputes its check value against the backup's own metadata.
  const { material } = await context.backups.readKey(entry.keyId, { batchId: entry.batchId });
  zeroize(material);
  if (existing && existing.check.value !== entry.check.value) {
    throw new ByokError('BACKUP_MISMATCH', `The backup of ${request.keyId} has check value ${entry.check.value} but the vault records ${existing.check.value}. Nothing was changed; compare with the ceremony transcript.`);
  }
  if (!existing) context.vault.keys.insertMany([recordFromBackup(entry)]);
  context.vault.keys.setBackupVerified(entry.keyId, isoUtc(context.clock.now()));
  await context.audit.append({ type: 'backup.restored', ...operatorFields(request), data: { keyId: entry.keyId, check: entry.check.value, restoredRecord: !existing } });
  await context.vault.save();
  return { key: { id: entry.keyId, alias: entry.alias ?? '', spec: entry.spec, check: entry.check }, restoredRecord: !existing };
}

/**
 * Rebuilds the key list from the keychain backups (each batch read once); says what could not be recovered.
 * A database the rebuild created says "rebuild pending" (ordinary opens refuse it) and does not claim to
 * know its batches until this save: a rebuild killed before it is run again, never shown as an empty vault.
 */
export async function rebuildVault(context: CoreContext, request: OperatorContext): Promise<VaultRebuildReply> {
  const { vault } = context;
  const recovered: VaultRebuildReply['recovered'] = [];
  const fresh: KeyRecord[] = [];
  const batchesSeen = new Set<string>();
  const verifiedAt = isoUtc(context.clock.now());
  // forEachKey recomputes each key's check from its material before visiting it.
  const walk = await context.backups.forEachKey((entry) => {
    batchesSeen.add(entry.batchId);
    if (!vault.keys.get(entry.keyId)) fresh.push({ ...recordFromBackup(entry), backupVerifiedAt: verifiedAt });
    recovered.push({ id: entry.keyId, alias: entry.alias ?? '', spec: entry.spec, check: entry.check });
  });
  for (const skip of walk.skipped) batchesSeen.add(skip.batchId);
  for (const batch of walk.unreadableBatches) batchesSeen.add(batch.batchId);
  const unrecoverable: VaultRebuildReply['unrecoverable'] = [
    ...walk.skipped.map((skip) => ({ item: skip.keyId, reason: skip.reason })),
    ...walk.unreadableBatches.map((batch) => ({ item: `batch ${batch.batchId}`, reason: batch.problems.join('; ') })),
  ];
  // The event before the save (and before the rows, so no half-done rebuild sits in memory across the
  // append): killed in between, the vault still says a rebuild is pending and the next one records again.
  await context.audit.append({ type: 'backup.restored', ...operatorFields(request), data: { rebuild: true, recovered: recovered.length, added: fresh.length, unrecoverable: unrecoverable.length, quarantined: vault.openReport.quarantined.length } });
  const known = new Set(vault.backupBatches.knownIds());
  if (fresh.length) vault.keys.insertMany(fresh);
  // The walk read the whole keychain: every batch it saw is now known, damaged ones included (so the
  // routine reconciliation reads them directly and keeps reporting what is wrong with them).
  for (const batchId of batchesSeen) if (!known.has(batchId)) vault.backupBatches.recordStarted(batchId, verifiedAt);
  vault.backupBatches.markComplete();
  vault.markRebuilt();
  await vault.save();
  return { recovered, unrecoverable, quarantined: vault.openReport.quarantined };
}

/** Backups without a key record and key records without a backup: reported, never silently dropped. */
export async function reconcile(context: CoreContext): Promise<ReconciliationReport> {
  const { entries, damagedBatches } = await inspectKnownBatches(context);
  const backedUp = new Set(entries.filter((entry) => entry.intact).map((entry) => entry.keyId));
  const recorded = context.vault.keys.listSummaries(); // ids are all it needs: no evidence to parse
  const recordedIds = new Set(recorded.map((record) => record.id));
  const knownOnlyById = context.vault.keys.idsWithoutBackupHere();
  return {
    backupsWithoutRecord: [...backedUp].filter((id) => !recordedIds.has(id)),
    // Keys known here only by id never had a backup on this machine: their absence is expected, not a loss.
    recordsWithoutBackup: recorded.filter((record) => !backedUp.has(record.id) && !knownOnlyById.has(record.id)).map((record) => record.id),
    damagedBatches: damagedBatches.map((batch) => ({ batchId: batch.batchId, problems: batch.problems, keyIds: batch.keyIds })),
  };
}

/**
 * The batches this vault recorded or its keys point to, read directly: no keychain listing, which would
 * read every item of the service and hand back their secrets as text (full listings are left to
 * `backup verify --all` and `vault rebuild`). Two cases still list, because the vault cannot name every
 * batch: a vault upgraded from before batches were recorded, or one a rebuild has not finished refilling
 * (once: what it finds is recorded), and keys whose record says they were backed up here without naming
 * the batch. Keys known only by id (no backup on this machine: the connected side of a two-machine
 * ceremony) name no batch either, but a listing could not find them, so they never trigger one.
 */
async function inspectKnownBatches(context: CoreContext): Promise<Awaited<ReturnType<CoreContext['backups']['inspect']>>> {
  const { vault } = context;
  if (vault.backupBatches.complete && vault.countBackupsWithoutBatch() === 0) return context.backups.inspectBatches(vault.backupBatches.knownIds());
  const listed = await context.backups.inspect();
  if (!vault.backupBatches.complete) {
    const startedAt = isoUtc(context.clock.now());
    for (const batchId of new Set([...listed.entries.map((entry) => entry.batchId), ...listed.damagedBatches.map((batch) => batch.batchId)])) {
      vault.backupBatches.recordStarted(batchId, startedAt);
    }
    vault.backupBatches.markComplete();
    await vault.save();
  }
  return listed;
}

function recordFromBackup(entry: BackupEntryMetadata & { batchId: string }): KeyRecord {
  return {
    id: entry.keyId,
    alias: entry.alias,
    description: null,
    spec: entry.spec,
    check: entry.check,
    createdAt: entry.createdAt,
    status: 'restored',
    backupRef: entry.batchId,
    batchId: entry.batchId,
    entropyEvidence: null,
    operator: null,
  };
}
