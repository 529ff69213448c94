// Escrow for custodians: M-of-N share files (verified right after splitting, and again on combine) and
// a passphrase-protected escrow file. Material comes from the keychain backup and is zeroed after use.
import { basename } from 'node:path';
import type { EscrowWriteRequest, OperatorContext, SharesCombineReply, SharesSplitReply, SharesSplitRequest } from '../../../shared/ceremony-api.ts';
import { ByokError } from '../../../shared/errors.ts';
import { combineShares, readEscrowFile, splitIntoShares, writeEscrowFile, writeShareFiles, type BackupEntry } from '../backup/index.ts';
import { randomUUID } from 'node:crypto';
import { isoUtc } from '../clock.ts';
import { computeKeyCheck } from '../keys/index.ts';
import { zeroize } from '../secret.ts';
import type { CoreContext } from './context.ts';
import { requireKey } from './key-queries.ts';
import { operatorFields } from './validation.ts';
import { mkdir, readFile } from 'node:fs/promises';
import { sha256Hex } from './hashing.ts';

export async function splitShares(context: CoreContext, request: SharesSplitRequest): Promise<SharesSplitReply> {
  const record = requireKey(context, request.keyId);
  const { material } = await context.backups.readKey(record.id, { batchId: record.batchId });
  try {
    const shares = await splitIntoShares({
      keyId: record.id,
      alias: record.alias,
      spec: record.spec,
      check: record.check,
      material,
      threshold: request.threshold,
      shares: request.shares,
      ...(request.custodians ? { custodians: request.custodians } : {}),
    }, { computeCheck: computeKeyCheck });
    await mkdir(request.outDir, { recursive: true, mode: 0o700 }); // like wrap outputs: created when absent
    const written = await writeShareFiles(request.outDir, shares);
    const subsetsVerified = binomial(request.shares, request.threshold);
    await context.audit.append({
      type: 'shares.split',
      ...operatorFields(request),
      data: { keyId: record.id, check: record.check.value, threshold: request.threshold, shares: request.shares, subsetsVerified, shareChecks: shares.map((share) => share.shareCheck) },
    });
    return {
      keyId: record.id,
      check: record.check,
      files: written.map((file, index) => ({ index: shares[index]!.index, path: file.path, shareCheck: shares[index]!.shareCheck, custodian: shares[index]!.custodian ?? null })),
      subsetsVerified,
    };
  } finally {
    zeroize(material);
  }
}

export async function combineShareFiles(context: CoreContext, request: { paths: string[] } & OperatorContext): Promise<SharesCombineReply> {
  const files: unknown[] = [];
  for (const path of request.paths) {
    try {
      files.push(JSON.parse(await readFile(path, 'utf8')));
    } catch {
      throw new ByokError('SHARE_INVALID', `${basename(path)} is not a readable share file (JSON). Check the file given by the custodian.`);
    }
  }
  const combined = await combineShares(files, { computeCheck: computeKeyCheck });
  try {
    const record = context.vault.keys.get(combined.keyId);
    if (record && record.check.value !== combined.check.value) {
      throw new ByokError('SHARE_INVALID', `The shares rebuild key ${combined.keyId} with check ${combined.check.value}, but the vault records ${record.check.value}. Nothing was restored.`);
    }
    // Whether the keychain already holds a verified backup of this key decides if one is written.
    let restoredToKeychain = false;
    const present = await context.backups.verify([{ keyId: combined.keyId, spec: combined.spec, check: combined.check }]);
    const alias = record?.alias ?? files.map((file) => (file as { alias?: string }).alias).find(Boolean) ?? null;
    const createdAt = record?.createdAt ?? isoUtc(context.clock.now());
    if (present.verified !== 1) {
      const batchId = `restore-${randomUUID()}`;
      await recordBatchStarted(context, batchId);
      await context.backups.writeBatch(batchId, [{ keyId: combined.keyId, alias, spec: combined.spec, check: combined.check, createdAt, material: combined.material }]);
      restoredToKeychain = true;
      const verifiedAt = isoUtc(context.clock.now());
      if (record) {
        context.vault.keys.moveToBatch(combined.keyId, batchId);
        context.vault.keys.setBackupVerified(combined.keyId, verifiedAt);
      } else {
        context.vault.keys.insertMany([
          { id: combined.keyId, alias, description: null, spec: combined.spec, check: combined.check, createdAt, status: 'restored', backupRef: batchId, batchId, entropyEvidence: null, operator: null, backupVerifiedAt: verifiedAt },
        ]);
      }
    }
    await context.audit.append({ type: 'shares.combined', ...operatorFields(request), data: { keyId: combined.keyId, check: combined.check.value, sharesUsed: request.paths.length, restoredToKeychain } });
    await context.vault.save();
    return { keyId: combined.keyId, check: combined.check, sharesUsed: request.paths.length, restoredToKeychain };
  } finally {
    zeroize(combined.material);
  }
}

export async function writeEscrow(context: CoreContext, request: EscrowWriteRequest): Promise<{ path: string; keys: number; sha256: string }> {
  if (request.passphrase.length < 12) throw new ByokError('INVALID_ARGUMENT', 'An escrow passphrase must be at least 12 characters; a longer phrase of several words is better.');
  const records = request.keyIds.map((keyId) => requireKey(context, keyId));
  const entries: BackupEntry[] = [];
  const passphrase = new TextEncoder().encode(request.passphrase);
  try {
    for (const record of records) {
      const { material } = await context.backups.readKey(record.id, { batchId: record.batchId });
      entries.push({ keyId: record.id, alias: record.alias, spec: record.spec, check: record.check, createdAt: record.createdAt, material });
    }
    await writeEscrowFile(request.path, entries, passphrase, { computeCheck: computeKeyCheck, clock: context.clock });
  } finally {
    zeroize(passphrase, ...entries.map((entry) => entry.material));
  }
  const sha256 = sha256Hex(await readFile(request.path));
  await context.audit.append({ type: 'backup.written', ...operatorFields(request), data: { escrow: basename(request.path), sha256, keyIds: records.map((record) => record.id) } });
  return { path: request.path, keys: records.length, sha256 };
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

export interface EscrowRestoreReply {
  keys: Array<{ id: string; alias: string; spec: BackupEntry['spec']; check: BackupEntry['check']; restoredToKeychain: boolean; restoredRecord: boolean }>;
}

/**
 * Restores keys from an escrow file: every key's check value is recomputed by the escrow reader; a key
 * the vault records with another check value is refused (nothing written); keys whose keychain backup
 * is missing or damaged get a new verified batch; keys missing from the vault get their record back.
 */
export async function restoreEscrow(context: CoreContext, request: { path: string; passphrase: string } & OperatorContext): Promise<EscrowRestoreReply> {
  const passphrase = new TextEncoder().encode(request.passphrase);
  let entries: BackupEntry[] = [];
  try {
    entries = await readEscrowFile(request.path, passphrase, { computeCheck: computeKeyCheck });
    for (const entry of entries) {
      const record = context.vault.keys.get(entry.keyId);
      if (record && record.check.value !== entry.check.value) {
        throw new ByokError('BACKUP_MISMATCH', `The escrow file holds key ${entry.keyId} with check ${entry.check.value}, but the vault records ${record.check.value}. Nothing was restored.`);
      }
    }
    const present = await context.backups.verify(entries.map((entry) => ({ keyId: entry.keyId, spec: entry.spec, check: entry.check })));
    const missing = new Set(present.failed.map((failure) => failure.id));
    const batchId = `escrow-restore-${randomUUID()}`;
    const toWrite = entries.filter((entry) => missing.has(entry.keyId));
    if (toWrite.length) {
      await recordBatchStarted(context, batchId);
      await context.backups.writeBatch(batchId, toWrite);
    }
    const keys: EscrowRestoreReply['keys'] = [];
    const verifiedAt = isoUtc(context.clock.now());
    for (const entry of entries) {
      const restoredToKeychain = missing.has(entry.keyId);
      const record = context.vault.keys.get(entry.keyId);
      if (!record) {
        context.vault.keys.insertMany([
          { id: entry.keyId, alias: entry.alias, description: null, spec: entry.spec, check: entry.check, createdAt: entry.createdAt, status: 'restored', backupRef: batchId, batchId: restoredToKeychain ? batchId : null, entropyEvidence: null, operator: null, backupVerifiedAt: verifiedAt },
        ]);
      } else if (restoredToKeychain) {
        context.vault.keys.moveToBatch(entry.keyId, batchId);
        context.vault.keys.setBackupVerified(entry.keyId, verifiedAt);
      }
      keys.push({ id: entry.keyId, alias: entry.alias ?? '', spec: entry.spec, check: entry.check, restoredToKeychain, restoredRecord: !record });
    }
    await context.audit.append({ type: 'backup.restored', ...operatorFields(request), data: { escrow: basename(request.path), keyIds: keys.map((key) => key.id), restoredToKeychain: toWrite.length } });
    await context.vault.save();
    return { keys };
  } finally {
    zeroize(passphrase, ...entries.map((entry) => entry.material));
  }
}

/** Records a keychain batch, durably, before it is written (see backup-batches-repository.ts). */
async function recordBatchStarted(context: CoreContext, batchId: string): Promise<void> {
  context.vault.backupBatches.recordStarted(batchId, isoUtc(context.clock.now()));
  await context.vault.save();
}
