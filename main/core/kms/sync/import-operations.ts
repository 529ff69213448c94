// byok import BUNDLE and byok renew: the import of a signed bundle through the queue, with proof; the
// renewal of one key, from the backup here or as a renewal request for the air-gapped machine.
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ImportBundleReply, OperatorContext, RenewReply, RunOptions } from '../../../../shared/ceremony-api.ts';
import { ByokError } from '../../../../shared/errors.ts';
import type { ProviderId } from '../../../../shared/providers.ts';
import { isoUtc } from '../../clock.ts';
import { parseMaterialExpiry, verifyBundle } from '../../wrap/index.ts';
import { writeRequestFile } from '../request-file.ts';
import { readNotes } from './binding-notes.ts';
import { idempotencyKeys, type FetchParamsPayload } from './job-payloads.ts';
import { jobError, placeholderKey, refuseExisting, requireKey, sha256Hex, stateOf, type OperationServices } from './operation-support.ts';
import { preferredAlgorithm, renewalExpiry } from './renewal-policy.ts';
import { checkBundleSigner, recordTrustedSigner } from './trusted-signers.ts';
import { operatorFields } from '../../use-cases/validation.ts';
import { refuseRemoteKeyOfAnotherKey } from '../../use-cases/remote-key-owner.ts';
import { fetchEntry, importJobFromBundle } from './sync-run.ts';

export function importOperations(services: OperationServices) {
  const { core: context, connections, engine, interactiveBudgetMs } = services;
  const { vault, audit, clock } = context;

  return {
    async importBundle(request: { path: string; provider?: string; trustSigner?: string } & OperatorContext, runOptions?: RunOptions): Promise<ImportBundleReply> {
      let bytes: Uint8Array;
      try {
        bytes = await readFile(request.path);
      } catch {
        throw new ByokError('FILE_NOT_FOUND', `Cannot read the bundle ${request.path}. Check the path.`);
      }
      const { bundle } = verifyBundle(bytes, { checkFilesIn: dirname(request.path) });
      const signerTrust = await checkBundleSigner(context, bundle.signature.publicKey, request.trustSigner !== undefined ? { trustSigner: request.trustSigner } : {});
      if (bundle.remoteKeyId === null) throw new ByokError('BUNDLE_INVALID', 'The bundle names no remote key: it was wrapped with parameters saved for offline use. Wrap with a request file from `byok remote params`.');
      const candidates = (request.provider ? [connections.record(request.provider)] : vault.providers.list()).filter((record) => record.type === bundle.provider);
      const bound = candidates.filter((record) => vault.bindings.list({ keyId: bundle.keyId, provider: record.name }).some((binding) => binding.remoteKeyId === bundle.remoteKeyId));
      const provider = bound[0] ?? (candidates.length === 1 ? candidates[0] : undefined);
      if (!provider) throw new ByokError('PROVIDER_NOT_FOUND', `No single connected ${bundle.provider} provider holds remote key ${bundle.remoteKeyId}; name one with --provider.`);

      refuseRemoteKeyOfAnotherKey(vault, { keyId: bundle.keyId, providerType: bundle.provider, remoteKeyId: bundle.remoteKeyId });
      // A key this vault knows only by id (two-machine flow) is recorded from the signed bundle; a key it
      // knows must be the bundle's key: same spec, same check value.
      const known = vault.keys.get(bundle.keyId);
      if (known && (known.spec !== bundle.spec || known.check.value !== bundle.check.value)) {
        throw new ByokError('BUNDLE_INVALID', `The bundle says key ${bundle.keyId} is ${bundle.spec} with check value ${bundle.check.value}; this vault records ${known.spec} ${known.check.value}. It is not this key's bundle.`);
      }
      // Every check has passed. The trust decision is logged before anything changes in memory (no other
      // operation's save can then make a change durable whose event is missing), and saved below.
      if (signerTrust === 'trusted-now') {
        await audit.append({ type: 'kms.import', ...operatorFields(request), data: { action: 'signer-trusted', signerPublicKey: bundle.signature.publicKey, keyId: bundle.keyId, bundleSha256: sha256Hex(bytes) } });
        recordTrustedSigner(vault, bundle.signature.publicKey, isoUtc(clock.now()));
      }
      if (!known) vault.keys.insert({ ...placeholderKey(bundle.keyId, bundle.spec, bundle.createdAt), alias: bundle.alias, check: bundle.check });
      if (!vault.bindings.list({ keyId: bundle.keyId, provider: provider.name }).some((binding) => binding.remoteKeyId === bundle.remoteKeyId)) {
        vault.bindings.upsert({ keyId: bundle.keyId, provider: provider.name, region: provider.region ?? '', remoteKeyId: bundle.remoteKeyId, state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
      }
      const queued = vault.jobs.enqueue(importJobFromBundle(provider.name, bundle, sha256Hex(bytes)));
      // Importing the same bundle again is an explicit retry of a job that failed (the key may have been
      // re-enabled since); it keeps its attempt count, so the KMS is asked before anything is repeated.
      const job = queued.status === 'failed' ? vault.jobs.fail(queued.id, queued.lastError ?? 'retried', { retryAt: isoUtc(clock.now()) }) : queued;
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


    async renewKey(request: { keyId: string; provider?: string; materialExpiry?: string; out?: string } & OperatorContext): Promise<RenewReply> {
      const record = requireKey(vault, request.keyId);
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
        // The import this renewal queues is the one that did not exist before it (timestamps have whole
        // seconds, so "created after" cannot tell it from an earlier import of the same second).
        const importsBefore = new Set(vault.jobs.list({ keyId: record.id, provider: provider.name }).filter((candidate) => candidate.kind === 'import').map((candidate) => candidate.id));
        const job = vault.jobs.enqueue({ kind: 'fetch-params', keyId: record.id, provider: provider.name, payload, idempotencyKey: idempotencyKeys.renewal(provider.name, record.id, `manual-${isoUtc(now)}`) });
        await vault.save();
        await engine.run({ provider: provider.name, jobIds: [job.id], runBudgetMs: interactiveBudgetMs });
        const fetched = vault.jobs.get(job.id)!;
        if (fetched.status === 'failed') throw jobError(fetched.lastError);
        const imports = vault.jobs.list({ keyId: record.id, provider: provider.name }).filter((candidate) => candidate.kind === 'import' && !importsBefore.has(candidate.id));
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

  };
}
