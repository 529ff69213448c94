// byok remote create-key | params | delete-material: the KMS side of a key before and after import.
import type { OperatorContext, RemoteCreateKeyReply, RemoteCreateKeyRequest, RemoteParamsReply, RemoteParamsRequest, RemoteState } from '../../../../shared/ceremony-api.ts';
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import { KEY_ID_PATTERN, KEY_SPECS, type KeySpecName } from '../../../../shared/key-specs.ts';
import type { KeyRecord } from '../../vault/index.ts';
import { PROVIDERS, isWrappingAlgorithm, type ProviderId } from '../../../../shared/providers.ts';
import type { KmsAdapter } from '../adapter.ts';
import { isRetryable, withRetries, type RetryOptions } from './retry.ts';
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
  /**
   * After an interrupted create-key that cannot be resolved here (its key cannot be found, or is not one
   * to take over): the operator has checked the console, and this run forgets the interruption (recorded
   * in the audit log) and creates a key.
   */
  forgetInterruptedCreate?: boolean;
}

/** Not (yet) in the service contract: deleting imported material on purpose. */
export interface DeleteMaterialOperation {
  deleteMaterial(request: { keyId: string; provider?: string } & OperatorContext): Promise<{ keyId: string; provider: string; remoteKeyId: string; state: RemoteState }>;
}

/** A remote create-key started here: recorded (durably) before the KMS is asked, cleared once bound. */
interface CreateIntent {
  alias: string;
  spec: KeySpecName;
  startedAt: string;
}

const CLEARED = '';

function createIntentKey(providerName: string, keyId: string): string {
  return `kms.create-intent.${providerName}.${keyId}`;
}

/**
 * The key an interrupted create made, found by its alias: the one such key waiting for import is taken
 * over; none means the create never reached the KMS (a new one is made); several, one already holding
 * material, or an adapter that cannot search by alias stop here — a second billed key is never created
 * on a guess — and the message says what to check in the console.
 */
async function findEarlierKey(
  adapter: KmsAdapter,
  intent: CreateIntent & { provider: string; keyId: string; requestedSpec: KeySpecName },
  retry: RetryOptions,
  boundHere: ReadonlySet<string>,
): Promise<string | undefined> {
  const console = `in the ${PROVIDERS[adapter.provider].displayName} console (the region and project of provider "${intent.provider}")`;
  const wayOut = `Once you have checked, run the command again with --forget-interrupted-create to create a new key (recorded in the audit log).`;
  if (intent.spec !== intent.requestedSpec) {
    throw new ByokError(
      'KMS_INVALID_STATE',
      `An interrupted create-key for key ${intent.keyId} asked for a ${intent.spec} key; this run asks for ${intent.requestedSpec}. A key the first run may have made (alias ${intent.alias}) is of the wrong spec and is not taken over. Look ${console} for it; if it exists and nothing uses it, schedule its deletion (it is billed). ${wayOut}`,
      { provider: intent.provider, keyId: intent.keyId, alias: intent.alias },
    );
  }
  if (!adapter.findKeysByAlias) {
    throw new ByokError(
      'KMS_INVALID_STATE',
      `A remote create-key for key ${intent.keyId} started at ${intent.startedAt} was interrupted, and this provider's keys cannot be searched by alias here, so a second key is not created. Look ${console} for a key with alias or tag ${intent.alias} waiting for import; if one exists and nothing uses it, schedule its deletion (it is billed). ${wayOut}`,
      { provider: intent.provider, keyId: intent.keyId, alias: intent.alias },
    );
  }
  // A key already bound in this vault (the same account under another connection name, say) is never
  // taken over: it belongs to that binding.
  const found = (await withRetries(() => adapter.findKeysByAlias!(intent.alias), retry)).filter((state) => !boundHere.has(state.remoteKeyId));
  if (found.length === 0) return undefined;
  const ids = found.map((state) => state.remoteKeyId).join(', ');
  if (found.length > 1) {
    throw new ByokError(
      'KMS_INVALID_STATE',
      `Several keys carry the alias ${intent.alias} (${ids}) after an interrupted create-key for key ${intent.keyId}, and none is bound in this vault. Check them ${console}: keys waiting for import that nothing uses are billed and can be scheduled for deletion; never delete one that holds material or that another vault uses. Run the command again when one is left (it takes that one over). ${wayOut}`,
      { provider: intent.provider, keyId: intent.keyId, alias: intent.alias },
    );
  }
  const only = found[0]!;
  if (only.state !== 'PendingImport' || only.origin !== 'external') {
    throw new ByokError(
      'KMS_INVALID_STATE',
      `Key ${only.remoteKeyId} carries the alias ${intent.alias} of an interrupted create-key for key ${intent.keyId}, but it is ${only.providerState} (origin ${only.origin}), not an external key waiting for import: it is not taken over. It may be in use (another vault made a key for the same id, say): do not delete it. Check it ${console}. ${wayOut}`,
      { provider: intent.provider, keyId: intent.keyId, alias: intent.alias, remoteKeyId: only.remoteKeyId },
    );
  }
  return only.remoteKeyId;
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

  function readCreateIntent(intentKey: string): CreateIntent | undefined {
    const text = vault.meta.get(intentKey);
    if (text === undefined || text === CLEARED) return undefined;
    try {
      return JSON.parse(text) as CreateIntent;
    } catch {
      throw new ByokError('VAULT_CORRUPT', `The vault's record of an interrupted remote create-key (${intentKey}) is not readable. Check the provider's console for a key whose alias starts with "byok-" and that is bound to no vault key.`);
    }
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
      const alias = `byok-${record.id}`.replace(/[^A-Za-z0-9:/_-]/g, '-').slice(0, 255);
      const intentKey = createIntentKey(provider.name, record.id);
      let remoteKeyId: string | undefined;
      let adopted = false;
      let earlier = readCreateIntent(intentKey);
      if (earlier && request.forgetInterruptedCreate) {
        // The operator checked the console: the interruption is forgotten, on the record, before a new key is made.
        await audit.append({ type: 'kms.sync', ...(operator ? { operator } : {}), ...(witnesses?.length ? { witnesses } : {}), data: { action: 'interrupted-create-forgotten', keyId: record.id, provider: provider.name, alias, startedAt: earlier.startedAt } });
        vault.meta.set(intentKey, CLEARED);
        await vault.save();
        earlier = undefined;
      }
      if (earlier) {
        // A create was started here before and never recorded: its reply was lost or the process died.
        // The KMS may hold the key it created (billed, and unbound): find it by its alias.
        const boundHere = new Set(vault.bindings.list().map((binding) => binding.remoteKeyId));
        remoteKeyId = await findEarlierKey(
          adapter,
          { ...earlier, alias, provider: provider.name, keyId: record.id, requestedSpec: record.spec },
          { policy: engine.backoff, maxAttempts: 8, sleep: engine.sleep, random: engine.random },
          boundHere,
        );
        adopted = remoteKeyId !== undefined;
      }
      if (remoteKeyId === undefined) {
        // The intent is durable before the KMS is asked, so that a key it creates is never unaccounted for.
        if (!earlier) {
          vault.meta.set(intentKey, JSON.stringify({ alias, spec: record.spec, startedAt: isoUtc(clock.now()) } satisfies CreateIntent));
          await vault.save();
        }
        try {
          // Not retried: a create whose reply was lost may have created a key; a blind retry would make two.
          ({ remoteKeyId } = await adapter.createExternalKey({ alias, spec: record.spec, ...(request.description ? { description: request.description } : {}) }));
        } catch (error) {
          // A refusal created nothing: forget the intent. Anything else (no reply, a 5xx) may have.
          if (!isRetryable(error)) {
            vault.meta.set(intentKey, CLEARED);
            await vault.save();
          } else {
            throw new ByokError(
              isByokError(error) ? error.code : 'KMS_TRANSIENT',
              `${isByokError(error) ? error.message : 'The create-key request got no usable reply.'} The KMS may have created the key anyway: run \`byok remote create-key --provider ${provider.name} --key ${record.id}\` again (with the same options); it looks for a key with alias ${alias} before creating one.`,
              { provider: provider.name, keyId: record.id, alias },
              { cause: error },
            );
          }
          throw error;
        }
      }
      // The event before the rows and their save: killed in between, the intent is still recorded and the
      // next run finds the key by its alias.
      await audit.append({ type: 'kms.sync', ...(operator ? { operator } : {}), ...(witnesses?.length ? { witnesses } : {}), data: { action: 'remote-key-created', keyId: record.id, provider: provider.name, remoteKeyId, alias, ...(adopted ? { foundAfterInterruptedCreate: true } : {}) } });
      if (!known) vault.keys.insert(record);
      vault.bindings.upsert({ keyId: record.id, provider: provider.name, region: provider.region ?? '', remoteKeyId, state: 'PendingImport', materialExpiry: null, lastSyncedAt: isoUtc(clock.now()) });
      vault.meta.set(intentKey, CLEARED);
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
