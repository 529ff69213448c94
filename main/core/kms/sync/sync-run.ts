// `byok sync`: push what is queued (and bundles wrapped for keys still waiting for import), pull the
// state and material expiry of every bound key, report expiring / expired / drifted keys, and renew:
// re-import the same material from the keychain backup when this machine holds it, else write a
// renewal request file for the air-gapped machine.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RunOptions, SyncReply, SyncRequest } from '../../../../shared/ceremony-api.ts';
import { ByokError, isByokError } from '../../../../shared/errors.ts';
import { isoUtc } from '../../clock.ts';
import type { ProviderRecord, RemoteBinding, SyncJob } from '../../vault/index.ts';
import type { CoreContext } from '../../use-cases/context.ts';
import { parseImportParameters, verifyBundle } from '../../wrap/index.ts';
import type { RemoteKeyState } from '../adapter.ts';
import { writeRequestFile, type RequestEntry } from '../request-file.ts';
import { readNotes, writeNotes } from './binding-notes.ts';
import type { ImportPayload, FetchParamsPayload } from './job-payloads.ts';
import { idempotencyKeys } from './job-payloads.ts';
import type { KmsConnections } from './kms-connections.ts';
import { materialNeverExpires, preferredAlgorithm, reimportWhileEnabled, renewalExpiry } from './renewal-policy.ts';
import { isBlocking, withRetries } from './retry.ts';
import { classify } from './state-findings.ts';
import { runPool, type RunResult, type SyncEngine } from './sync-engine.ts';
import { wrappedDigest } from './wrap-for-import.ts';
import { sha256Hex } from './operation-support.ts';
import { bundleSignerChecker } from './trusted-signers.ts';
import { PROVIDERS, type ProviderId } from '../../../../shared/providers.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_RENEWAL_WINDOW_DAYS = 7;
const CONNECTED_TYPES: readonly string[] = ['huawei', 'tencent', 'aws'];

export interface SyncServices {
  core: CoreContext;
  connections: KmsConnections;
  engine: SyncEngine;
}

export function providersInScope(services: SyncServices, providerName?: string): ProviderRecord[] {
  if (providerName !== undefined) return [services.connections.record(providerName)];
  return services.core.vault.providers.list().filter((record) => CONNECTED_TYPES.includes(record.type));
}

/** Queues the import of the newest usable bundle of every bound key that was never imported. */
export async function queuePendingBundles(services: SyncServices, provider: ProviderRecord, problems: Array<{ id: string; reason: string }> = []): Promise<number> {
  const { vault, clock } = services.core;
  let queued = 0;
  let checkSigner: Awaited<ReturnType<typeof bundleSignerChecker>> | undefined;
  for (const binding of vault.bindings.list({ provider: provider.name })) {
    if (binding.state !== 'PendingImport' || readNotes(vault, provider.name, binding.keyId).importedAt !== null) continue;
    const now = clock.now().getTime();
    const forProvider = vault.bundles.list({ keyId: binding.keyId }).filter((bundle) => bundle.provider === provider.type);
    const candidates = forProvider
      .filter((bundle) => bundle.parametersValidTo === null || Date.parse(bundle.parametersValidTo) > now)
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    if (candidates.length === 0 && forProvider.length > 0 && !vault.jobs.list({ keyId: binding.keyId, provider: provider.name }).some((job) => job.kind === 'import')) {
      // Wrapped, but too late: say so, or the key would wait silently.
      problems.push({
        id: `params:${binding.keyId}`,
        reason: `PARAMS_EXPIRED: the bundles of key ${binding.keyId} for "${provider.name}" were wrapped with import parameters that have expired. Fetch new ones with \`byok remote params --provider ${provider.name} --key ${binding.keyId}\` and wrap again.`,
      });
    }
    for (const candidate of candidates) {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(candidate.path);
      } catch {
        continue; // moved or deleted: the next candidate, or nothing to push
      }
      let bundle: ReturnType<typeof verifyBundle>['bundle'];
      try {
        // The file must still be the one this vault wrote and recorded, signed by a key trusted here.
        if (sha256Hex(bytes) !== candidate.sha256) throw new ByokError('BUNDLE_INVALID', `${candidate.path} is not the bundle this vault wrote there (its SHA-256 differs); it is not imported. Wrap the key again.`);
        ({ bundle } = verifyBundle(bytes, { checkFilesIn: dirname(candidate.path) }));
        checkSigner ??= await bundleSignerChecker(services.core);
        checkSigner(bundle.signature.publicKey);
      } catch (error) {
        // A damaged or altered bundle is never imported; it is reported and the next candidate tried.
        problems.push({ id: `bundle:${candidate.path}`, reason: isByokError(error) ? `${error.code}: ${error.message}` : 'BUNDLE_INVALID: the bundle could not be verified.' });
        continue;
      }
      if (bundle.remoteKeyId !== binding.remoteKeyId || bundle.importToken === null) continue;
      vault.jobs.enqueue(importJobFromBundle(provider.name, bundle, candidate.sha256));
      queued++;
      break;
    }
  }
  return queued;
}

export function importJobFromBundle(
  providerName: string,
  bundle: ReturnType<typeof verifyBundle>['bundle'],
  bundleSha256: string,
): { kind: 'import'; keyId: string; provider: string; payload: ImportPayload; idempotencyKey: string } {
  if (bundle.remoteKeyId === null || bundle.importToken === null) {
    throw new ByokError('BUNDLE_INVALID', 'The bundle names no remote key or import token: it was wrapped for offline use. Wrap with parameters from `byok remote params`.');
  }
  const payload: ImportPayload = {
    remoteKeyId: bundle.remoteKeyId,
    spec: bundle.spec,
    check: bundle.check,
    algorithm: bundle.algorithm,
    wrapped: bundle.wrapped,
    importToken: bundle.importToken,
    parametersValidTo: bundle.parametersValidTo,
    materialExpiry: bundle.materialExpiry,
    source: 'bundle',
    bundleSha256,
  };
  return { kind: 'import', keyId: bundle.keyId, provider: providerName, payload, idempotencyKey: idempotencyKeys.import(providerName, bundle.remoteKeyId, wrappedDigest(bundle.wrapped)) };
}

/**
 * Describes every binding, with retries; a key the KMS no longer knows is 'missing'. A provider whose
 * connection fails (credentials missing or refused, keychain locked) is reported once and skipped.
 */
async function pullStates(
  services: SyncServices,
  bindings: RemoteBinding[],
  known: ReadonlyMap<string, RemoteKeyState>,
  options: RunOptions,
): Promise<{ states: Map<RemoteBinding, RemoteKeyState | 'missing' | ByokError>; blocked: Map<string, ByokError> }> {
  const { engine } = services;
  const states = new Map<RemoteBinding, RemoteKeyState | 'missing' | ByokError>();
  const blocked = new Map<string, ByokError>();
  let read = 0;
  const progress = () => {
    read++;
    if (read % 25 === 0 || read === bindings.length) options.onProgress?.({ operation: 'sync', done: read, total: bindings.length, message: 'reading key states' });
  };
  const results = await runPool(bindings, 4, async (binding) => {
    try {
      return await describeBinding(binding);
    } finally {
      progress();
    }
  });
  async function describeBinding(binding: RemoteBinding): Promise<RemoteKeyState | 'missing' | null> {
    const justImported = known.get(bindingKey(binding.provider, binding.keyId));
    if (justImported && justImported.remoteKeyId === binding.remoteKeyId) return justImported;
    if (blocked.has(binding.provider)) return null;
    try {
      const { adapter } = await services.connections.get(binding.provider);
      return await withRetries(() => adapter.describeKey(binding.remoteKeyId), { policy: engine.backoff, maxAttempts: 8, sleep: engine.sleep, random: engine.random });
    } catch (error) {
      if (isByokError(error) && error.code === 'KMS_NOT_FOUND') return 'missing' as const;
      if (isBlocking(error)) {
        if (!blocked.has(binding.provider)) blocked.set(binding.provider, error as ByokError);
        return null;
      }
      throw error;
    }
  }
  bindings.forEach((binding, index) => {
    const result = results[index]!;
    if (result.ok && result.value === null) return;
    states.set(binding, result.ok ? result.value! : isByokError(result.error) ? result.error : new ByokError('KMS_TRANSIENT', 'The key state could not be read.'));
  });
  return { states, blocked };
}

function bindingKey(providerName: string, keyId: string): string {
  return `${providerName}\u0000${keyId}`;
}

/** What this run's imports established: the KMS accepted them, so the key is Enabled with that expiry. */
function importedStates(runs: RunResult[]): Map<string, RemoteKeyState> {
  const states = new Map<string, RemoteKeyState>();
  for (const run of runs) {
    for (const { job, outcome } of run.completed) {
      if (!outcome.imported) continue;
      states.set(bindingKey(job.provider, outcome.imported.keyId), {
        remoteKeyId: outcome.imported.remoteKeyId,
        state: 'Enabled',
        materialExpiry: outcome.imported.materialExpiry,
        origin: 'external',
        providerState: 'Enabled (imported in this sync)',
      });
    }
  }
  return states;
}

function collect(runs: RunResult[], reply: SyncReply): void {
  for (const run of runs) {
    for (const { outcome } of run.completed) {
      if (outcome.imported?.source === 'bundle') reply.imported.push(outcome.imported.keyId);
      if (outcome.imported?.source === 'renewal') reply.renewed.push(outcome.imported.keyId);
    }
    for (const job of run.failed) reply.failedJobs.push({ id: job.id, reason: job.lastError ?? 'failed' });
    for (const blocked of run.blocked) {
      if (!reply.failedJobs.some((entry) => entry.id === `provider:${blocked.provider}`)) reply.failedJobs.push({ id: `provider:${blocked.provider}`, reason: `${blocked.reason} (its jobs stay queued)` });
    }
  }
}

export async function runSync(services: SyncServices, request: SyncRequest, options: RunOptions = {}): Promise<SyncReply> {
  const { core, engine } = services;
  const { vault, clock } = core;
  const windowDays = request.renewalWindowDays ?? DEFAULT_RENEWAL_WINDOW_DAYS;
  if (!(windowDays >= 0 && windowDays <= 366)) throw new ByokError('INVALID_ARGUMENT', 'The renewal window must be between 0 and 366 days.');
  const providers = providersInScope(services, request.provider);
  const names = new Set(providers.map((provider) => provider.name));
  const reply: SyncReply = { imported: [], expiring: [], expired: [], drifted: [], renewed: [], renewalRequests: [], pendingJobs: 0, failedJobs: [] };
  const runs: RunResult[] = [];

  // 1. Push.
  for (const provider of providers) await queuePendingBundles(services, provider, reply.failedJobs);
  await vault.save();
  for (const provider of providers) runs.push(await engine.run({ provider: provider.name }, options));

  // 2. Pull (keys imported a moment ago are not asked again: the accepted import is their state).
  const bindings = vault.bindings.list().filter((binding) => names.has(binding.provider));
  const { states, blocked } = await pullStates(services, bindings, importedStates(runs), options);
  for (const [providerName, error] of blocked) {
    if (!reply.failedJobs.some((entry) => entry.id === `provider:${providerName}`)) reply.failedJobs.push({ id: `provider:${providerName}`, reason: `${error.code}: ${error.message}` });
  }
  const now = clock.now();
  const toRenew: Array<{ binding: RemoteBinding; provider: ProviderRecord }> = [];
  for (const binding of bindings) {
    const remote = states.get(binding);
    if (remote === undefined) continue; // its provider's connection failed (reported above)
    if (remote instanceof ByokError) {
      reply.failedJobs.push({ id: `refresh:${binding.provider}:${binding.keyId}`, reason: `${remote.code}: ${remote.message}` });
      continue;
    }
    const notes = readNotes(vault, binding.provider, binding.keyId);
    const findings = classify({ binding, notes, remote, now, renewalWindowMs: windowDays * DAY_MS });
    for (const finding of findings) {
      if (finding.kind === 'expiring') reply.expiring.push({ id: binding.keyId, materialExpiry: finding.materialExpiry });
      if (finding.kind === 'expired') reply.expired.push(binding.keyId);
      if (finding.kind === 'drifted') reply.drifted.push({ id: binding.keyId, reason: finding.reason });
    }
    const provider = services.connections.record(binding.provider);
    const renewable = findings.some((finding) => finding.kind === 'expired' || (finding.kind === 'expiring' && reimportWhileEnabled(provider.type as ProviderId)));
    if (renewable) toRenew.push({ binding, provider });
    vault.bindings.upsert({
      ...binding,
      state: remote === 'missing' ? 'Unknown' : remote.state,
      materialExpiry: remote === 'missing' ? binding.materialExpiry : remote.materialExpiry,
      lastSyncedAt: isoUtc(now),
    });
  }
  await vault.save();

  // 3. Renew.
  const requests = new Map<string, Array<{ entry: RequestEntry; cycle: string }>>();
  let renewalsQueued = 0;
  for (const { binding, provider } of toRenew) {
    const record = vault.keys.get(binding.keyId);
    if (!record) continue;
    const type = provider.type as ProviderId;
    const notes = readNotes(vault, provider.name, binding.keyId);
    // One renewal per import: the cycle is named by the import it renews.
    const cycle = `imported-${notes.importedAt ?? 'never'}`;
    if (record.batchId !== null) {
      const payload: FetchParamsPayload = {
        remoteKeyId: binding.remoteKeyId,
        algorithm: notes.algorithm ?? preferredAlgorithm(type, record.spec),
        materialExpiry: renewalExpiry(type, record.spec, notes.validitySeconds, now),
        reason: 'renewal',
      };
      vault.jobs.enqueue({ kind: 'fetch-params', keyId: record.id, provider: provider.name, payload, idempotencyKey: renewalAttemptKey(vault.jobs.list({ keyId: record.id, provider: provider.name }), provider.name, record.id, cycle) });
      renewalsQueued++;
    } else if (!materialNeverExpires(type, record.spec)) {
      const previous = notes.renewalRequest;
      if (previous && previous.cycle === cycle && previous.parametersValidTo !== null && Date.parse(previous.parametersValidTo) > now.getTime()) continue;
      const entries = requests.get(provider.name) ?? [];
      entries.push({ entry: await fetchEntry(services, provider, binding, notes.algorithm ?? preferredAlgorithm(type, record.spec)), cycle });
      requests.set(provider.name, entries);
    }
  }
  if (renewalsQueued > 0) {
    await vault.save();
    for (const provider of providers) runs.push(await engine.run({ provider: provider.name }, options));
  }
  for (const [providerName, entries] of requests) {
    const folder = join(vault.dir, 'renewal-requests');
    await mkdir(folder, { recursive: true });
    const stamp = `${isoUtc(clock.now()).replace(/[-:]/g, '')}-${randomBytes(3).toString('hex')}`;
    const { path } = await writeRequestFile(join(folder, `renewal-${providerName}-${stamp}.json`), entries.map((item) => item.entry), { purpose: 'renewal', createdAt: isoUtc(clock.now()) });
    for (const { entry, cycle } of entries) writeNotes(vault, providerName, entry.keyId, { renewalRequest: { cycle, parametersValidTo: validToOf(entry), path } });
    reply.renewalRequests.push(path);
  }

  collect(runs, reply);
  reply.pendingJobs = providers.reduce((sum, provider) => sum + vault.jobs.list({ status: 'queued', provider: provider.name }).length, 0);
  // The summary before the save that records the renewal requests written: killed in between, the log
  // says what this run did and the next sync writes the requests again; the other way round, the notes
  // would say the requests exist while no event names their files.
  await core.audit.append({
    type: 'kms.sync',
    data: {
      action: 'synced',
      providers: [...names],
      imported: reply.imported,
      renewed: reply.renewed,
      expiring: reply.expiring.map((entry) => entry.id),
      expired: reply.expired,
      drifted: reply.drifted.map((entry) => entry.id),
      renewalRequests: reply.renewalRequests,
      pendingJobs: reply.pendingJobs,
      failedJobs: reply.failedJobs.length,
    },
  });
  await vault.save();
  return reply;
}

/**
 * The renewal job to queue for this cycle: the current attempt while it is still under way (queued, or
 * its import still queued), done, or failed for a reason fresh parameters would not cure; a new attempt
 * once the import it queued was refused for its parameters (the token expired before the import could
 * run, say after a crash between the two, or newer parameters replaced it). Without a new attempt the cycle would stay renewed "once"
 * and the KMS would delete the material at expiry.
 */
export function renewalAttemptKey(jobs: readonly SyncJob[], providerName: string, keyId: string, cycle: string): string {
  for (let attempt = 1; ; attempt++) {
    const key = idempotencyKeys.renewal(providerName, keyId, cycle, attempt);
    const fetch = jobs.find((job) => job.idempotencyKey === key);
    // At most MAX_RENEWAL_ATTEMPTS per cycle: the last one's failure stays reported, never retried in a loop
    // (each new fetch invalidates earlier parameters at some providers, and grows the queue and the log).
    if (!fetch || attempt >= MAX_RENEWAL_ATTEMPTS || !renewalAttemptSpent(fetch, jobs)) return key;
  }
}

const MAX_RENEWAL_ATTEMPTS = 3;
/** Import refusals that fresh parameters cure; any other failure would only repeat with them. */
const CURED_BY_FRESH_PARAMETERS = ['KMS_TOKEN_EXPIRED', 'KMS_TOKEN_KEY_MISMATCH'];

function renewalAttemptSpent(fetch: SyncJob, jobs: readonly SyncJob[]): boolean {
  // A fetch that failed for good (no backup here, the key in a state that takes no import) would fail again.
  if (fetch.status !== 'done') return false;
  const imports = jobs.filter((job) => {
    if (job.kind !== 'import') return false;
    const payload = job.payload as Partial<ImportPayload>;
    // Imports queued before renewals named their attempt: the renewal imports queued since the fetch.
    return payload.renewalOf === undefined ? payload.source === 'renewal' && job.createdAt >= fetch.createdAt : payload.renewalOf === fetch.idempotencyKey;
  });
  // A done import started a new cycle (importedAt moved on). Only imports refused for their parameters
  // (the token expired before they could run, say after a crash, or newer parameters replaced it) call
  // for a new attempt with fresh ones.
  return imports.length > 0 && imports.every((job) => job.status === 'failed' && CURED_BY_FRESH_PARAMETERS.some((code) => job.lastError?.startsWith(`${code}:`)));
}

/** Fresh parameters for one bound key, as a request-file entry (the provider's reply kept verbatim). */
export async function fetchEntry(services: SyncServices, provider: ProviderRecord, binding: RemoteBinding, algorithm: ReturnType<typeof preferredAlgorithm>): Promise<RequestEntry> {
  const { engine } = services;
  const connection = await services.connections.get(provider.name);
  const wrappingKeySpec = PROVIDERS[connection.type].wrappingKeySpecs[0];
  const { text } = await withRetries(
    () => connection.adapter.getImportParameters({ remoteKeyId: binding.remoteKeyId, algorithm, ...(wrappingKeySpec ? { wrappingKeySpec } : {}) }),
    { policy: engine.backoff, maxAttempts: 8, sleep: engine.sleep, random: engine.random },
  );
  return { keyId: binding.keyId, provider: connection.type, providerName: provider.name, remoteKeyId: binding.remoteKeyId, responseText: text };
}

function validToOf(entry: RequestEntry): string | null {
  return parseImportParameters(entry.responseText).parametersValidTo;
}
