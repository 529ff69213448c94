// byok remote create-key | params | delete-material: the KMS side of a key before and after import.
import type { OperatorContext, RemoteCreateKeyReply, RemoteCreateKeyRequest, RemoteParamsReply, RemoteParamsRequest, RemoteState } from '../../../../shared/ceremony-api.ts';
import { ByokError } from '../../../../shared/errors.ts';
import { KEY_ID_PATTERN, KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import type { KeyRecord } from '../../vault/index.ts';
import { isWrappingAlgorithm, type ProviderId } from '../../../../shared/providers.ts';
import { isoUtc } from '../../clock.ts';
import { parseImportParameters } from '../../wrap/index.ts';
import { writeRequestFile } from '../request-file.ts';
import { idempotencyKeys, type DeleteMaterialPayload } from './job-payloads.ts';
import { jobError, placeholderKey, refuseExisting, requireBinding, requireKey, type OperationServices } from './operation-support.ts';
import { preferredAlgorithm } from './renewal-policy.ts';
import { runPool } from './sync-engine.ts';
import { fetchEntry } from './sync-run.ts';

export interface RemoteCreateKeyOptions {
  /** Two-machine flow: the spec of a key this vault does not hold. */
  spec?: KeySpecName;
  /** Two-machine flow: its KCV or fingerprint, as read at the air-gapped machine. */
  check?: string;
}

/** Not (yet) in the service contract: deleting imported material on purpose. */
export interface DeleteMaterialOperation {
  deleteMaterial(request: { keyId: string; provider?: string } & OperatorContext): Promise<{ keyId: string; provider: string; remoteKeyId: string; state: RemoteState }>;
}

export function remoteOperations(services: OperationServices) {
  const { core: context, connections, engine, interactiveBudgetMs } = services;
  const { vault, audit, clock } = context;

  function placeholderFor(request: RemoteCreateKeyRequest & RemoteCreateKeyOptions): KeyRecord {
    const { spec, check } = request;
    if (!spec || !(spec in KEY_SPECS) || !check) {
      throw new ByokError('KEY_NOT_FOUND', `No key ${request.keyId} in this vault. On the connected machine of a two-machine ceremony, pass the key's spec (--spec) and its KCV or fingerprint (--check) as read at the air-gapped machine.`);
    }
    if (!KEY_ID_PATTERN.test(request.keyId)) throw new ByokError('INVALID_ARGUMENT', 'That is not a key id (letters, digits, ".", "_" and "-" only); copy the id `byok keys list` shows on the air-gapped machine.');
    const kind = KEY_SPECS[spec].kind === 'symmetric' ? 'kcv' : 'fingerprint';
    const value = check.trim();
    if (!(kind === 'kcv' ? /^[0-9A-Fa-f]{6}$/ : /^[0-9A-Fa-f]{64}$/).test(value)) {
      throw new ByokError('INVALID_ARGUMENT', kind === 'kcv' ? 'A KCV is 6 hex digits.' : 'A fingerprint is 64 hex digits (SHA-256 of the public key).');
    }
    return { ...placeholderKey(request.keyId, spec, isoUtc(clock.now())), check: { kind, value: kind === 'kcv' ? value.toUpperCase() : value.toLowerCase() } };
  }

  return {
    async remoteCreateKey(request: RemoteCreateKeyRequest & RemoteCreateKeyOptions): Promise<RemoteCreateKeyReply> {
      const { operator, witnesses } = request;
      const known = vault.keys.get(request.keyId);
      // Two-machine flow: the key lives on the air-gapped machine; this vault knows it by the id, spec and
      // check value the operator carries across (the KCV or fingerprint the witnesses read aloud), and
      // records it only once its remote key exists. The bundle must later show the same check value.
      const record = known ?? placeholderFor(request);
      const provider = connections.record(request.provider);
      const existing = vault.bindings.list({ keyId: record.id, provider: provider.name })[0];
      if (existing) throw new ByokError('OUTPUT_EXISTS', `Key ${record.id} already has remote key ${existing.remoteKeyId} at "${provider.name}".`);
      const { adapter, type } = await connections.get(provider.name);
      preferredAlgorithm(type, record.spec); // refuses a spec the provider does not import, before creating anything
      // Not retried: a create whose reply was lost may have created a key; a blind retry would make two.
      const { remoteKeyId } = await adapter.createExternalKey({
        alias: `byok-${record.id}`.replace(/[^A-Za-z0-9:/_-]/g, '-').slice(0, 255),
        spec: record.spec,
        ...(request.description ? { description: request.description } : {}),
      });
      // The event before the rows and their save: killed in between, the log still names the remote key
      // the KMS created (a create is never retried blindly, so it is how an unbound one is found again).
      await audit.append({ type: 'kms.sync', ...(operator ? { operator } : {}), ...(witnesses?.length ? { witnesses } : {}), data: { action: 'remote-key-created', keyId: record.id, provider: provider.name, remoteKeyId } });
      if (!known) vault.keys.insert(record);
      vault.bindings.upsert({ keyId: record.id, provider: provider.name, region: provider.region ?? '', remoteKeyId, state: 'PendingImport', materialExpiry: null, lastSyncedAt: isoUtc(clock.now()) });
      await vault.save();
      return { keyId: record.id, provider: provider.name, remoteKeyId };
    },

    async remoteParams(request: RemoteParamsRequest): Promise<RemoteParamsReply> {
      if (request.keyIds.length === 0) throw new ByokError('INVALID_ARGUMENT', 'Name at least one key (--key).');
      if (request.algorithm !== undefined && !isWrappingAlgorithm(request.algorithm)) throw new ByokError('INVALID_ARGUMENT', `Unknown wrapping algorithm ${String(request.algorithm)}.`);
      const provider = connections.record(request.provider);
      const type = provider.type as ProviderId;
      const planned = request.keyIds.map((keyId) => ({ binding: requireBinding(vault, keyId, provider.name), record: requireKey(vault, keyId) }));
      // Refuse an existing output before fetching: at Tencent, new parameters invalidate the previous ones.
      await refuseExisting(request.out);
      const fetched = await runPool(planned, 4, ({ binding, record }) => fetchEntry(services, provider, binding, request.algorithm ?? preferredAlgorithm(type, record.spec)));
      const entries = fetched.map((result) => {
        if (!result.ok) throw result.error;
        return result.value;
      });
      let earliest: string | null = null;
      for (const entry of entries) {
        const validTo = parseImportParameters(entry.responseText).parametersValidTo;
        if (validTo !== null && (earliest === null || validTo < earliest)) earliest = validTo;
      }
      const written = await writeRequestFile(request.out, entries, { purpose: 'import', createdAt: isoUtc(clock.now()) });
      await audit.append({
        type: 'kms.sync',
        ...(request.operator ? { operator: request.operator } : {}),
        ...(request.witnesses?.length ? { witnesses: request.witnesses } : {}),
        data: { action: 'params-fetched', provider: provider.name, keyIds: request.keyIds, path: written.path, sha256: written.sha256, parametersValidTo: earliest },
      });
      return { path: written.path, keys: entries.length, parametersValidTo: earliest, sha256: written.sha256 };
    },


    async deleteMaterial(request: Parameters<DeleteMaterialOperation['deleteMaterial']>[0]): ReturnType<DeleteMaterialOperation['deleteMaterial']> {
      const record = requireKey(vault, request.keyId);
      const bindings = vault.bindings.list({ keyId: record.id, ...(request.provider ? { provider: request.provider } : {}) });
      if (bindings.length !== 1) throw new ByokError(bindings.length ? 'INVALID_ARGUMENT' : 'KEY_NOT_FOUND', bindings.length ? `Key ${record.id} is bound at several providers; name one with --provider.` : `Key ${record.id} has no remote key${request.provider ? ` at "${request.provider}"` : ''}.`);
      const binding = bindings[0]!;
      const payload: DeleteMaterialPayload = { remoteKeyId: binding.remoteKeyId };
      const job = vault.jobs.enqueue({ kind: 'delete-material', keyId: record.id, provider: binding.provider, payload, idempotencyKey: idempotencyKeys.deleteMaterial(binding.provider, binding.remoteKeyId, isoUtc(clock.now())) });
      await vault.save();
      await engine.run({ provider: binding.provider, jobIds: [job.id], runBudgetMs: interactiveBudgetMs });
      const settled = vault.jobs.get(job.id)!;
      if (settled.status === 'failed') throw jobError(settled.lastError);
      if (settled.status !== 'done') throw new ByokError('KMS_TRANSIENT', `The deletion could not be completed yet (${settled.lastError ?? 'no reply'}); it stays queued and \`byok sync\` will push it.`);
      return { keyId: record.id, provider: binding.provider, remoteKeyId: binding.remoteKeyId, state: 'PendingImport' };
    },

  };
}
