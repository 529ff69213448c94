// What each kind of queued job does. Every handler is idempotent: a job may run again after a crash or
// a lost reply (attempts > 1), so before repeating a write it first asks the KMS whether the write
// already happened — an import the KMS already holds (Enabled with the requested expiry) counts as
// done, a deletion of material that is already gone counts as done.
import { ByokError } from '../../../../shared/errors.ts';
import { PROVIDERS } from '../../../../shared/providers.ts';
import { isoUtc } from '../../clock.ts';
import type { NewAuditEvent } from '../../audit/index.ts';
import type { NewSyncJob, SyncJob } from '../../vault/index.ts';
import type { CoreContext } from '../../use-cases/context.ts';
import { decodeBase64Strict } from '../../wrap/index.ts';
import type { WrappedMaterial } from '../adapter.ts';
import { writeNotes } from './binding-notes.ts';
import { proveImport } from './import-proof.ts';
import { idempotencyKeys, type DeleteMaterialPayload, type FetchParamsPayload, type ImportPayload, type JobKind, type WrappedFields } from './job-payloads.ts';
import type { KmsConnection, KmsConnections } from './kms-connections.ts';
import { wrapBackupForImport } from './wrap-for-import.ts';

export interface HandlerContext {
  core: CoreContext;
  connections: KmsConnections;
}

export interface JobOutcome {
  imported?: { keyId: string; remoteKeyId: string; source: 'bundle' | 'renewal'; materialExpiry: string | null; proof: string; alreadyHeld: boolean };
  deleted?: { keyId: string; remoteKeyId: string; alreadyGone: boolean };
  followUps?: NewSyncJob[];
  audit?: NewAuditEvent[];
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

const importHandler: Handler = async (job, { core, connections }) => {
  const keyId = requireKeyId(job);
  const payload = job.payload as ImportPayload;
  const connection = await connections.get(job.provider);
  const { adapter } = connection;
  let alreadyHeld = false;
  if (job.attempts > 1) {
    // A previous attempt may have reached the KMS before the process died or the reply was lost.
    const remote = await adapter.describeKey(payload.remoteKeyId);
    alreadyHeld = remote.state === 'Enabled' && sameExpiry(remote.materialExpiry, payload.materialExpiry);
  }
  if (!alreadyHeld) {
    await adapter.importMaterial({
      remoteKeyId: payload.remoteKeyId,
      importToken: decodeBase64Strict(payload.importToken, 'importToken'),
      importTokenText: payload.importToken,
      wrapped: wrappedMaterial(payload.wrapped),
      materialExpiry: payload.materialExpiry,
    });
  }
  const proof = await proveImport(adapter, { provider: connection.type, remoteKeyId: payload.remoteKeyId, keyId, spec: payload.spec, check: payload.check });
  const now = core.clock.now();
  updateBinding(core, connection, keyId, payload.remoteKeyId, 'Enabled', payload.materialExpiry);
  writeNotes(core.vault, connection.record.name, keyId, {
    importedAt: isoUtc(now),
    validitySeconds: payload.materialExpiry === null ? null : Math.round((Date.parse(payload.materialExpiry) - now.getTime()) / 1000),
    algorithm: payload.algorithm,
    proof,
    renewalRequest: null,
  });
  return {
    imported: { keyId, remoteKeyId: payload.remoteKeyId, source: payload.source, materialExpiry: payload.materialExpiry, proof, alreadyHeld },
    audit: [
      {
        type: 'kms.import',
        data: { action: payload.source === 'renewal' ? 'renewed' : 'imported', alreadyHeld, keyId, provider: connection.record.name, remoteKeyId: payload.remoteKeyId, check: payload.check.value, materialExpiry: payload.materialExpiry, proof, jobId: job.id },
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
  updateBinding(core, connection, keyId, payload.remoteKeyId, 'PendingImport', null);
  writeNotes(core.vault, connection.record.name, keyId, { deletedAt: isoUtc(core.clock.now()) });
  return {
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
