// The connected-mode operations of the ceremony service: providers, sync, remote keys, parameters,
// imports and renewals. Composed once per process by ../ceremony.ts. Nothing here opens a socket or
// loads a provider SDK until an operation names a provider (the offline guarantee): adapters are made
// on first use by KmsConnections, through a dynamic import.
import { createHash, randomBytes } from 'node:crypto';
import { lstat, mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type {
  CeremonyService,
  ImportBundleReply,
  OperatorContext,
  ProviderAddRequest,
  ProviderSummary,
  RemoteState,
  SyncJobSummary,
} from '../../../shared/ceremony-api.ts';
import { ByokError, type ErrorCode, ERROR_CODES } from '../../../shared/errors.ts';
import { KEY_SPECS, type KeySpecName } from '../../../shared/key-specs.ts';
import { isWrappingAlgorithm, type ProviderId } from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';
import type { KeyRecord, ProviderRecord } from '../vault/index.ts';
import type { CoreContext } from '../use-cases/context.ts';
import { parseImportParameters, parseMaterialExpiry, verifyBundle } from '../wrap/index.ts';
import { deleteCredentials, hasCredentials, storeCredentials } from './credentials.ts';
import { writeRequestFile } from './request-file.ts';
import { readNotes } from './sync/binding-notes.ts';
import { idempotencyKeys, type DeleteMaterialPayload, type FetchParamsPayload } from './sync/job-payloads.ts';
import { KmsConnections, type AdapterFactory } from './sync/kms-connections.ts';
import { RateLimiters, realSleep, type RateLimit } from './sync/rate-limiter.ts';
import { preferredAlgorithm, renewalExpiry } from './sync/renewal-policy.ts';
import { SyncEngine, runPool, type SyncEngineOptions } from './sync/sync-engine.ts';
import { fetchEntry, importJobFromBundle, runSync, type SyncServices } from './sync/sync-run.ts';

export type ConnectedOperations = Pick<
  CeremonyService,
  'providerAdd' | 'providerList' | 'providerRemove' | 'sync' | 'syncJobs' | 'remoteCreateKey' | 'remoteParams' | 'importBundle' | 'renewKey'
>;

export interface ConnectedServicesOptions {
  /** Makes an adapter; the real one (createAdapter, loaded on first use) by default. */
  adapterFactory?: AdapterFactory;
  engine?: SyncEngineOptions;
  rateLimit?: (record: ProviderRecord) => RateLimit;
  /** How long `importBundle` and `renewKey` keep retrying before leaving the job to `byok sync`. */
  interactiveBudgetMs?: number;
}

const PROVIDER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const CONNECTED_TYPES = ['huawei', 'tencent', 'aws'] as const;
const REMOTE_STATES: readonly RemoteState[] = ['PendingImport', 'Enabled', 'Disabled', 'PendingDeletion', 'Unknown'];

const defaultFactory: AdapterFactory = async (config, credentials) => (await import('./create-adapter.ts')).createAdapter(config, credentials);

/** Not (yet) in the service contract: deleting imported material on purpose. */
export interface DeleteMaterialOperation {
  deleteMaterial(request: { keyId: string; provider?: string } & OperatorContext): Promise<{ keyId: string; provider: string; remoteKeyId: string; state: RemoteState }>;
}

export function createConnectedServices(
  context: CoreContext,
  options: ConnectedServicesOptions = {},
): ConnectedOperations & DeleteMaterialOperation & { close(): Promise<void> } {
  const sleep = options.engine?.sleep ?? realSleep;
  const connections = new KmsConnections(context, {
    factory: options.adapterFactory ?? defaultFactory,
    limiters: new RateLimiters(context.clock, sleep),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
  });
  const engine = new SyncEngine({ core: context, connections }, options.engine);
  const services: SyncServices = { core: context, connections, engine };
  const interactiveBudgetMs = options.interactiveBudgetMs ?? 30_000;
  const { vault, audit, clock } = context;

  async function summary(record: ProviderRecord): Promise<ProviderSummary> {
    const stored = await hasCredentials(context.keychain, record.name);
    return {
      name: record.name,
      type: record.type as ProviderSummary['type'],
      region: record.region ?? '',
      ...(record.projectId ? { projectId: record.projectId } : {}),
      ...(record.endpoint ? { endpoint: record.endpoint } : {}),
      hasCredentials: stored,
      connected: stored && (CONNECTED_TYPES as readonly string[]).includes(record.type),
    };
  }

  function requireKey(keyId: string): KeyRecord {
    const record = vault.keys.get(keyId);
    if (!record) throw new ByokError('KEY_NOT_FOUND', `No key ${keyId} in this vault. See \`byok keys list\`.`);
    return record;
  }

  function requireBinding(keyId: string, providerName: string) {
    const binding = vault.bindings.list({ keyId, provider: providerName })[0];
    if (!binding) throw new ByokError('KEY_NOT_FOUND', `Key ${keyId} has no remote key at provider "${providerName}". Create one with \`byok remote create-key --provider ${providerName} --key ${keyId}\`.`);
    return binding;
  }

  function stateOf(value: string): RemoteState {
    return (REMOTE_STATES as readonly string[]).includes(value) ? (value as RemoteState) : 'Unknown';
  }

  /** The job's recorded failure as the product error it was. */
  function jobError(lastError: string | null): ByokError {
    const match = /^([A-Z_]+): ([\s\S]*)$/.exec(lastError ?? '');
    const code = match && (ERROR_CODES as readonly string[]).includes(match[1]!) ? (match[1] as ErrorCode) : 'KMS_TRANSIENT';
    return new ByokError(code, match ? match[2]! : 'The KMS job failed.');
  }

  return {
    async providerAdd(request: ProviderAddRequest) {
      if (!PROVIDER_NAME.test(request.name)) throw new ByokError('INVALID_ARGUMENT', 'A provider name is 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit.');
      if (!(CONNECTED_TYPES as readonly string[]).includes(request.type)) throw new ByokError('INVALID_ARGUMENT', `Provider type must be one of ${CONNECTED_TYPES.join(', ')}.`);
      if (!/^[A-Za-z0-9-]{1,64}$/.test(request.region)) throw new ByokError('INVALID_ARGUMENT', 'The region must be the provider\'s region id, e.g. eu-west-1, ap-guangzhou or cn-north-4.');
      if (request.type === 'huawei' && !request.projectId) throw new ByokError('INVALID_ARGUMENT', 'Huawei Cloud needs --project-id (the project of the region, from "My Credentials").');
      if (request.endpoint !== undefined) {
        let url: URL;
        try {
          url = new URL(request.endpoint);
        } catch {
          throw new ByokError('INVALID_ARGUMENT', `The endpoint ${request.endpoint} is not a URL (e.g. https://kms.eu-west-1.amazonaws.com).`);
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new ByokError('INVALID_ARGUMENT', 'The endpoint must be an http(s) URL.');
        if (url.username || url.password) throw new ByokError('INVALID_ARGUMENT', 'The endpoint must not carry credentials; they go to the keychain.');
      }
      await storeCredentials(context.keychain, request.name, {
        accessKeyId: request.accessKeyId,
        secret: request.secret,
        ...(request.sessionToken ? { sessionToken: request.sessionToken } : {}),
      });
      const record: ProviderRecord = { name: request.name, type: request.type, region: request.region, projectId: request.projectId ?? null, endpoint: request.endpoint ?? null };
      vault.providers.upsert(record);
      connections.forget(request.name);
      await vault.save();
      await audit.append({ type: 'kms.sync', data: { action: 'provider-added', provider: record.name, providerType: record.type, region: record.region, endpoint: record.endpoint } });
      return summary(record);
    },

    async providerList() {
      return { providers: await Promise.all(vault.providers.list().map(summary)) };
    },

    async providerRemove(request) {
      const record = vault.providers.get(request.name);
      const hadCredentials = await deleteCredentials(context.keychain, request.name);
      if (!record) return { removed: hadCredentials };
      vault.providers.remove(request.name);
      connections.forget(request.name);
      await vault.save();
      await audit.append({ type: 'kms.sync', data: { action: 'provider-removed', provider: request.name } });
      return { removed: true };
    },

    sync: (request, runOptions) => runSync(services, request, runOptions),

    async syncJobs() {
      const jobs: SyncJobSummary[] = vault.jobs.list().map((job) => ({
        id: job.id,
        kind: job.kind,
        keyId: job.keyId,
        provider: job.provider,
        status: job.status === 'queued' ? 'pending' : job.status,
        attempts: job.attempts,
        nextAttemptAt: job.status === 'queued' ? job.nextAttemptAt : null,
        lastError: job.lastError,
      }));
      return { jobs };
    },

    async remoteCreateKey(request) {
      const { operator, witnesses } = request;
      let record = vault.keys.get(request.keyId);
      const { spec, check } = request as { spec?: KeySpecName; check?: string };
      if (!record) {
        // Two-machine flow: the key lives on the air-gapped machine; this vault knows it by the id, spec
        // and check value the operator carries across (the KCV or fingerprint the witnesses read aloud).
        if (!spec || !(spec in KEY_SPECS)) {
          throw new ByokError('KEY_NOT_FOUND', `No key ${request.keyId} in this vault. On the connected machine of a two-machine ceremony, pass the key's spec (--spec) and check value (--check) too.`);
        }
        const kind = KEY_SPECS[spec].kind === 'symmetric' ? 'kcv' : 'fingerprint';
        const value = (check ?? '').trim();
        if (value !== '' && !(kind === 'kcv' ? /^[0-9A-Fa-f]{6}$/ : /^[0-9A-Fa-f]{64}$/).test(value)) {
          throw new ByokError('INVALID_ARGUMENT', kind === 'kcv' ? 'A KCV is 6 hex digits.' : 'A fingerprint is 64 hex digits (SHA-256 of the public key).');
        }
        record = { ...placeholderKey(request.keyId, spec, isoUtc(clock.now())), check: { kind, value: kind === 'kcv' ? value.toUpperCase() : value.toLowerCase() } };
        vault.keys.insert(record);
      }
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
      vault.bindings.upsert({ keyId: record.id, provider: provider.name, region: provider.region ?? '', remoteKeyId, state: 'PendingImport', materialExpiry: null, lastSyncedAt: isoUtc(clock.now()) });
      await vault.save();
      await audit.append({ type: 'kms.sync', ...(operator ? { operator } : {}), ...(witnesses?.length ? { witnesses } : {}), data: { action: 'remote-key-created', keyId: record.id, provider: provider.name, remoteKeyId } });
      return { keyId: record.id, provider: provider.name, remoteKeyId };
    },

    async remoteParams(request) {
      if (request.keyIds.length === 0) throw new ByokError('INVALID_ARGUMENT', 'Name at least one key (--key).');
      if (request.algorithm !== undefined && !isWrappingAlgorithm(request.algorithm)) throw new ByokError('INVALID_ARGUMENT', `Unknown wrapping algorithm ${String(request.algorithm)}.`);
      const provider = connections.record(request.provider);
      const type = provider.type as ProviderId;
      const planned = request.keyIds.map((keyId) => ({ binding: requireBinding(keyId, provider.name), record: requireKey(keyId) }));
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

    async importBundle(request, runOptions): Promise<ImportBundleReply> {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(request.path);
      } catch {
        throw new ByokError('FILE_NOT_FOUND', `Cannot read the bundle ${request.path}. Check the path.`);
      }
      const { bundle } = verifyBundle(bytes, { checkFilesIn: dirname(request.path) });
      if (bundle.remoteKeyId === null) throw new ByokError('BUNDLE_INVALID', 'The bundle names no remote key: it was wrapped with parameters saved for offline use. Wrap with a request file from `byok remote params`.');
      const candidates = (request.provider ? [connections.record(request.provider)] : vault.providers.list()).filter((record) => record.type === bundle.provider);
      const bound = candidates.filter((record) => vault.bindings.list({ keyId: bundle.keyId, provider: record.name }).some((binding) => binding.remoteKeyId === bundle.remoteKeyId));
      const provider = bound[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (!provider) throw new ByokError('PROVIDER_NOT_FOUND', `No single connected ${bundle.provider} provider holds remote key ${bundle.remoteKeyId}; name one with --provider.`);

      // A key this vault knows only by id (two-machine flow) is recorded from the signed bundle; a key it
      // knows must be the bundle's key: same spec, same check value.
      const known = vault.keys.get(bundle.keyId);
      if (!known) {
        vault.keys.insert({ ...placeholderKey(bundle.keyId, bundle.spec, bundle.createdAt), alias: bundle.alias, check: bundle.check });
      } else if (known.spec !== bundle.spec || (known.check.value !== '' && known.check.value !== bundle.check.value)) {
        throw new ByokError('BUNDLE_INVALID', `The bundle says key ${bundle.keyId} is ${bundle.spec} with check value ${bundle.check.value}; this vault records ${known.spec} ${known.check.value}. It is not this key's bundle.`);
      }
      if (!vault.bindings.list({ keyId: bundle.keyId, provider: provider.name }).some((binding) => binding.remoteKeyId === bundle.remoteKeyId)) {
        vault.bindings.upsert({ keyId: bundle.keyId, provider: provider.name, region: provider.region ?? '', remoteKeyId: bundle.remoteKeyId, state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
      }
      const job = vault.jobs.enqueue(importJobFromBundle(provider.name, bundle, sha256Hex(bytes)));
      await vault.save();
      const run = await engine.run({ provider: provider.name, jobIds: [job.id], runBudgetMs: interactiveBudgetMs }, runOptions ?? {});
      const settled = vault.jobs.get(job.id)!;
      if (settled.status === 'failed') throw jobError(settled.lastError);
      if (settled.status !== 'done') {
        throw new ByokError('KMS_TRANSIENT', `The import of ${bundle.keyId} could not be completed yet (${settled.lastError ?? 'no reply'}); it stays queued and \`byok sync\` will push it.`);
      }
      const done = run.completed.find((entry) => entry.job.id === job.id)?.outcome.imported;
      const binding = vault.bindings.list({ keyId: bundle.keyId, provider: provider.name })[0]!;
      return {
        keyId: bundle.keyId,
        provider: provider.name,
        remoteKeyId: bundle.remoteKeyId,
        state: stateOf(binding.state),
        materialExpiry: binding.materialExpiry,
        proof: done?.proof ?? readNotes(vault, provider.name, bundle.keyId).proof ?? 'imported earlier (same bundle)',
      };
    },

    async renewKey(request) {
      const record = requireKey(request.keyId);
      const bindings = vault.bindings.list({ keyId: record.id, ...(request.provider ? { provider: request.provider } : {}) });
      if (bindings.length === 0) throw new ByokError('KEY_NOT_FOUND', `Key ${record.id} has no remote key${request.provider ? ` at "${request.provider}"` : ''}; nothing to renew.`);
      if (bindings.length > 1) throw new ByokError('INVALID_ARGUMENT', `Key ${record.id} is bound at several providers (${bindings.map((b) => b.provider).join(', ')}); name one with --provider.`);
      const binding = bindings[0]!;
      const provider = connections.record(binding.provider);
      const type = provider.type as ProviderId;
      const notes = readNotes(vault, provider.name, record.id);
      const now = clock.now();
      let materialExpiry: string | null;
      if (request.materialExpiry !== undefined) {
        materialExpiry = parseMaterialExpiry(request.materialExpiry, type, now, record.spec);
      } else {
        materialExpiry = renewalExpiry(type, record.spec, notes.validitySeconds, now);
      }
      const algorithm = notes.algorithm ?? preferredAlgorithm(type, record.spec);
      if (record.batchId !== null && request.out === undefined) {
        const payload: FetchParamsPayload = { remoteKeyId: binding.remoteKeyId, algorithm, materialExpiry, reason: 'renewal' };
        const job = vault.jobs.enqueue({ kind: 'fetch-params', keyId: record.id, provider: provider.name, payload, idempotencyKey: idempotencyKeys.renewal(provider.name, record.id, `manual-${isoUtc(now)}`) });
        await vault.save();
        await engine.run({ provider: provider.name, jobIds: [job.id], runBudgetMs: interactiveBudgetMs });
        const fetched = vault.jobs.get(job.id)!;
        if (fetched.status === 'failed') throw jobError(fetched.lastError);
        const imports = vault.jobs.list({ keyId: record.id, provider: provider.name }).filter((candidate) => candidate.kind === 'import' && candidate.createdAt >= fetched.createdAt);
        const importJob = imports[imports.length - 1];
        if (importJob && importJob.status !== 'done') await engine.run({ provider: provider.name, jobIds: [importJob.id], runBudgetMs: interactiveBudgetMs });
        const settled = importJob ? vault.jobs.get(importJob.id)! : undefined;
        if (settled?.status === 'failed') throw jobError(settled.lastError);
        if (settled?.status !== 'done') throw new ByokError('KMS_TRANSIENT', `The renewal of ${record.id} could not be completed yet; it stays queued and \`byok sync\` will finish it.`);
        const after = vault.bindings.list({ keyId: record.id, provider: provider.name })[0]!;
        return { keyId: record.id, renewed: true, renewalRequest: null, materialExpiry: after.materialExpiry };
      }
      // No backup here (or a file was asked for): a renewal request to carry to the air-gapped machine.
      if (request.out !== undefined) await refuseExisting(request.out);
      const entry = await fetchEntry(services, provider, binding, algorithm);
      const out = request.out ?? join(vault.dir, 'renewal-requests', `renewal-${provider.name}-${record.id}-${isoUtc(now).replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}.json`);
      if (request.out === undefined) await mkdir(dirname(out), { recursive: true });
      const written = await writeRequestFile(out, [entry], { purpose: 'renewal', createdAt: isoUtc(now) });
      await audit.append({ type: 'kms.sync', data: { action: 'renewal-requested', keyId: record.id, provider: provider.name, path: written.path, sha256: written.sha256, materialExpiry } });
      return { keyId: record.id, renewed: false, renewalRequest: written.path, materialExpiry };
    },

    async deleteMaterial(request) {
      const record = requireKey(request.keyId);
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

    async close() {
      await engine.idle();
    },
  };
}

/** A key known here by id and spec only; its alias and check value arrive with its signed bundle. */
function placeholderKey(id: string, spec: KeySpecName, createdAt: string): KeyRecord {
  return {
    id,
    alias: null,
    description: 'known from the air-gapped machine',
    spec,
    check: { kind: KEY_SPECS[spec].kind === 'symmetric' ? 'kcv' : 'fingerprint', value: '' },
    createdAt,
    status: 'active',
    backupRef: null,
    entropyEvidence: null,
    operator: null,
    batchId: null,
  };
}

async function refuseExisting(path: string): Promise<void> {
  try {
    await lstat(path);
  } catch {
    return;
  }
  throw new ByokError('OUTPUT_EXISTS', `${path} already exists; outputs are never overwritten. Choose another --out.`);
}

function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
