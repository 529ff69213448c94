// What each kind of queued job does. Every handler is idempotent: a job may run again after a crash or
// a lost reply (attempts > 1). A deletion of material that is already gone counts as done. An import is
// never counted done on the key's state alone where the KMS can be asked for evidence: AWS and Tencent
// take a re-import of the identical material into an Enabled key and refuse any other material, so a
// retried import is simply sent again and its acceptance is the proof. Huawei imports only into a key
// pending import: there an Enabled key with the requested expiry is taken as done, and the recorded
// proof says it rests on the key's state only (see `retriedImport`).
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import { PROVIDERS } from '../../../../shared/providers.ts';
import { isoUtc } from '../../clock.ts';
import type { NewAuditEvent } from '../../audit/index.ts';
import type { NewSyncJob, SyncJob } from '../../vault/index.ts';
import type { CoreContext } from '../../use-cases/context.ts';
import { decodeBase64Strict } from '../../wrap/index.ts';
import type { WrappedMaterial } from '../adapter.ts';
import { writeNotes } from './binding-notes.ts';
import { proveImport, stateOnlyProof } from './import-proof.ts';
import { idempotencyKeys, type DeleteMaterialPayload, type FetchParamsPayload, type ImportPayload, type JobKind, type WrappedFields } from './job-payloads.ts';
import type { KmsConnection, KmsConnections } from './kms-connections.ts';
import { reimportWhileEnabled } from './renewal-policy.ts';
import { wrapBackupForImport } from './wrap-for-import.ts';

export interface HandlerContext {
  core: CoreContext;
  connections: KmsConnections;
}

export interface JobOutcome {
  imported?: {
    keyId: string;
    remoteKeyId: string;
    source: 'bundle' | 'renewal';
    materialExpiry: string | null;
    proof: string;
    /** A retry decided on the state: the key showed Enabled with the requested expiry (see retriedImport). */
    alreadyHeld: boolean;
    /** 'import': the KMS accepted the material in this attempt. 'state': done on the key's state alone. */
    evidence: ImportEvidence;
  };
  deleted?: { keyId: string; remoteKeyId: string; alreadyGone: boolean };
  followUps?: NewSyncJob[];
  audit?: NewAuditEvent[];
  /**
   * The outcome's changes to the vault's rows, applied by the engine only after `audit` is appended (a
   * handler never changes rows itself: in the app another operation's save, landing while the pool
   * awaits, would make them durable before their events).
   */
  apply?: () => void;
}

type Handler = (job: SyncJob, context: HandlerContext) => Promise<JobOutcome>;

/** Two expiries are the same when both are absent or they name the same second. */
export function sameExpiry(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b;
  return Math.abs(Date.parse(a) - Date.parse(b)) < 1000;
}

function requireKeyId(job: SyncJob): string {
  if (job.keyId === null) throw new ByokError('INTERNAL', `Sync job ${job.id} (${job.kind}) names no key.`);
  return job.keyId;
}

function wrappedMaterial(fields: WrappedFields): WrappedMaterial {
  return 'ciphertext' in fields
    ? { layout: 'single', ciphertext: decodeBase64Strict(fields.ciphertext, 'ciphertext') }
    : {
        layout: 'split',
        encryptedKeyMaterial: decodeBase64Strict(fields.encryptedKeyMaterial, 'encryptedKeyMaterial'),
        encryptedPrivateKey: decodeBase64Strict(fields.encryptedPrivateKey, 'encryptedPrivateKey'),
      };
}

function updateBinding(core: CoreContext, connection: KmsConnection, keyId: string, remoteKeyId: string, state: string, materialExpiry: string | null): void {
  core.vault.bindings.upsert({
    keyId,
    provider: connection.record.name,
    region: connection.record.region ?? '',
    remoteKeyId,
    state,
    materialExpiry,
    lastSyncedAt: isoUtc(core.clock.now()),
  });
}

export type ImportEvidence = 'import' | 'state';

/** Token refusals: the retry cannot re-present the material with these parameters any more. */
const TOKEN_REFUSALS: readonly string[] = ['KMS_TOKEN_EXPIRED', 'KMS_TOKEN_KEY_MISMATCH'];

/**
 * A retried import (a previous attempt may have reached the KMS). Where the KMS takes a re-import of the
 * same material into an Enabled key (AWS, Tencent: renewal-policy.ts), the material is sent again: the
 * KMS refuses different material, so its acceptance proves the key holds ours. Only when it can no longer
 * be sent (the token expired, or at Tencent newer parameters replaced it) does the key's state decide,
 * and that is recorded. Where the KMS takes no re-import into an Enabled key (Huawei), the state decides.
 */
async function retriedImport(connection: KmsConnection, payload: ImportPayload, sendImport: () => Promise<void>): Promise<{ alreadyHeld: boolean; evidence: ImportEvidence }> {
  const held = async () => {
    const remote = await connection.adapter.describeKey(payload.remoteKeyId);
    return remote.state === 'Enabled' && sameExpiry(remote.materialExpiry, payload.materialExpiry);
  };
  if (!reimportWhileEnabled(connection.type)) {
    const alreadyHeld = await held();
    if (alreadyHeld) return { alreadyHeld, evidence: 'state' };
    await sendImport();
    return { alreadyHeld, evidence: 'import' };
  }
  // Sent again without asking first: one request, as the state check was, and the only one that proves.
  try {
    await sendImport();
    return { alreadyHeld: false, evidence: 'import' };
  } catch (error) {
    if (isByokError(error) && TOKEN_REFUSALS.includes(error.code) && (await held())) return { alreadyHeld: true, evidence: 'state' };
    throw error;
  }
}

const importHandler: Handler = async (job, { core, connections }) => {
  const keyId = requireKeyId(job);
  const payload = job.payload as ImportPayload;
  const connection = await connections.get(job.provider);
  const { adapter } = connection;
  const sendImport = () =>
    adapter.importMaterial({
      remoteKeyId: payload.remoteKeyId,
      importToken: decodeBase64Strict(payload.importToken, 'importToken'),
      importTokenText: payload.importToken,
      wrapped: wrappedMaterial(payload.wrapped),
      materialExpiry: payload.materialExpiry,
    });
  let alreadyHeld = false;
  let evidence: ImportEvidence = 'import';
  if (job.attempts > 1) ({ alreadyHeld, evidence } = await retriedImport(connection, payload, sendImport));
  else await sendImport();
  const proven = await proveImport(adapter, { provider: connection.type, remoteKeyId: payload.remoteKeyId, keyId, spec: payload.spec, check: payload.check });
  // A public key compared is evidence whatever the path; the symmetric "accepted" proof is not when
  // nothing was accepted in this attempt.
  const proof = evidence === 'state' && !proven.startsWith('public key compared') ? stateOnlyProof(connection.type, payload.check) : proven;
  const now = core.clock.now();
  return {
    apply: () => {
      updateBinding(core, connection, keyId, payload.remoteKeyId, 'Enabled', payload.materialExpiry);
      writeNotes(core.vault, connection.record.name, keyId, {
        importedAt: isoUtc(now),
        validitySeconds: payload.materialExpiry === null ? null : Math.round((Date.parse(payload.materialExpiry) - now.getTime()) / 1000),
        algorithm: payload.algorithm,
        proof,
        renewalRequest: null,
      });
    },
    imported: { keyId, remoteKeyId: payload.remoteKeyId, source: payload.source, materialExpiry: payload.materialExpiry, proof, alreadyHeld, evidence },
    audit: [
      {
        type: 'kms.import',
        data: { action: payload.source === 'renewal' ? 'renewed' : 'imported', alreadyHeld, evidence, keyId, provider: connection.record.name, remoteKeyId: payload.remoteKeyId, check: payload.check.value, materialExpiry: payload.materialExpiry, proof, jobId: job.id },
      },
    ],
  };
};

const fetchParamsHandler: Handler = async (job, { core, connections }) => {
  const keyId = requireKeyId(job);
  const payload = job.payload as FetchParamsPayload;
  const record = core.vault.keys.get(keyId);
  if (!record) throw new ByokError('KEY_NOT_FOUND', `Key ${keyId} is not in this vault; it cannot be renewed here.`);
  // A key known here by id only has no backup on this machine: looking for one would list the whole
  // keychain (every item's secret handed back as text) only to fail. Refused before any parameters are
  // fetched (at some providers new parameters invalidate the previous ones).
  if (record.backupRef === null) {
    throw new ByokError('BACKUP_MISSING', `Key ${keyId} has no backup on this machine (its material is on the air-gapped machine), so it cannot be renewed here. Write a renewal request with \`byok renew --key ${keyId} --out FILE\` and wrap it on the air-gapped machine.`, { keyId });
  }
  const connection = await connections.get(job.provider);
  const facts = PROVIDERS[connection.type];
  const { text } = await connection.adapter.getImportParameters({
    remoteKeyId: payload.remoteKeyId,
    algorithm: payload.algorithm,
    ...(facts.wrappingKeySpecs[0] ? { wrappingKeySpec: facts.wrappingKeySpecs[0] } : {}),
  });
  const wrapped = await wrapBackupForImport(core, { record, provider: connection.type, responseText: text, algorithm: payload.algorithm });
  const importPayload: ImportPayload = {
    remoteKeyId: payload.remoteKeyId,
    spec: record.spec,
    check: record.check,
    algorithm: wrapped.algorithm,
    wrapped: wrapped.wrapped,
    importToken: wrapped.importToken,
    parametersValidTo: wrapped.parametersValidTo,
    materialExpiry: payload.materialExpiry,
    source: payload.reason === 'renewal' ? 'renewal' : 'bundle',
    ...(payload.reason === 'renewal' ? { renewalOf: job.idempotencyKey } : {}),
  };
  return {
    followUps: [
      {
        kind: 'import' satisfies JobKind,
        keyId,
        provider: job.provider,
        payload: importPayload,
        idempotencyKey: idempotencyKeys.import(job.provider, payload.remoteKeyId, wrapped.wrappedSha256),
      },
    ],
  };
};

const deleteMaterialHandler: Handler = async (job, { core, connections }) => {
  const keyId = requireKeyId(job);
  const payload = job.payload as DeleteMaterialPayload;
  const connection = await connections.get(job.provider);
  let alreadyGone = false;
  if (job.attempts > 1) alreadyGone = (await connection.adapter.describeKey(payload.remoteKeyId)).state === 'PendingImport';
  if (!alreadyGone) await connection.adapter.deleteImportedMaterial(payload.remoteKeyId);
  const deletedAt = isoUtc(core.clock.now());
  return {
    apply: () => {
      updateBinding(core, connection, keyId, payload.remoteKeyId, 'PendingImport', null);
      writeNotes(core.vault, connection.record.name, keyId, { deletedAt });
    },
    deleted: { keyId, remoteKeyId: payload.remoteKeyId, alreadyGone },
    audit: [{ type: 'kms.sync', data: { action: 'material-deleted', keyId, provider: connection.record.name, remoteKeyId: payload.remoteKeyId, jobId: job.id } }],
  };
};

export const JOB_HANDLERS: Readonly<Record<JobKind, Handler>> = Object.freeze({
  import: importHandler,
  'fetch-params': fetchParamsHandler,
  'delete-material': deleteMaterialHandler,
});

export function handlerFor(kind: string): Handler {
  const handler = (JOB_HANDLERS as Record<string, Handler | undefined>)[kind];
  if (!handler) throw new ByokError('UNSUPPORTED', `This build cannot run sync jobs of kind "${kind}"; update the app.`);
  return handler;
}
