// The queue runner against a scripted in-memory KMS: lost replies, a process killed mid-job, transient
// and permanent failures. The vault is real (a temp folder); time is a FixedClock moved by the sleeps.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ByokError } from '../../../../../shared/errors.ts';
import { memoryKeychain } from '../../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../../main/core/ceremony.ts';
import { FixedClock, isoUtc } from '../../../../../main/core/clock.ts';
import type { KmsAdapter, RemoteKeyState } from '../../../../../main/core/kms/adapter.ts';
import { createConnectedServices } from '../../../../../main/core/kms/connected-service.ts';
import { deleteCredentials, storeCredentials } from '../../../../../main/core/kms/credentials.ts';
import { idempotencyKeys } from '../../../../../main/core/kms/sync/job-payloads.ts';
import { bundleImportPayload } from './import-payload.ts';
import type { CoreContext } from '../../../../../main/core/use-cases/context.ts';

type Script = 'ok' | 'lost-reply' | 'transient' | 'mismatch' | 'token-expired';

/** A KMS with one key per remote id; `script` decides what each import call does, in order. */
function scriptedKms(script: Script[]) {
  const keys = new Map<string, { state: RemoteKeyState['state']; expiry: string | null; imports: number }>();
  const calls: string[] = [];
  const adapter: KmsAdapter = {
    provider: 'aws',
    async createExternalKey() {
      throw new Error('not used');
    },
    async getImportParameters() {
      throw new Error('not used');
    },
    async importMaterial(input) {
      calls.push('import');
      const step = script.shift() ?? 'ok';
      const key = keys.get(input.remoteKeyId) ?? { state: 'PendingImport', expiry: null, imports: 0 };
      keys.set(input.remoteKeyId, key);
      if (step === 'transient') throw new ByokError('KMS_TRANSIENT', 'AWS KMS: ImportKeyMaterial failed on the network.', { retryable: true });
      if (step === 'mismatch') throw new ByokError('KMS_MATERIAL_MISMATCH', 'AWS KMS refused ImportKeyMaterial (IncorrectKeyMaterialException).');
      if (step === 'token-expired') throw new ByokError('KMS_TOKEN_EXPIRED', 'AWS KMS refused ImportKeyMaterial (ExpiredImportTokenException).');
      Object.assign(key, { state: 'Enabled', expiry: input.materialExpiry, imports: key.imports + 1 });
      if (step === 'lost-reply') throw new ByokError('KMS_TRANSIENT', 'AWS KMS: ImportKeyMaterial timed out.', { retryable: true });
    },
    async deleteImportedMaterial() {
      throw new Error('not used');
    },
    async describeKey(remoteKeyId) {
      calls.push('describe');
      const key = keys.get(remoteKeyId) ?? { state: 'PendingImport' as const, expiry: null, imports: 0 };
      return { remoteKeyId, state: key.state, materialExpiry: key.expiry, origin: 'external', providerState: key.state };
    },
    async listKeys() {
      return [];
    },
  };
  return { adapter, keys, calls };
}

let dir: string;
let clock: FixedClock;
let context: CoreContext;
const sleeps: number[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-engine-'));
  clock = new FixedClock('2026-03-01T00:00:00Z');
  sleeps.length = 0;
  context = await openCoreContext({ vaultDir: dir, create: true, clock, keychain: memoryKeychain() });
  context.vault.providers.upsert({ name: 'aws', type: 'aws', region: 'eu-west-1', projectId: null, endpoint: null });
  await storeCredentials(context.keychain, 'aws', { accessKeyId: 'AKIATEST', secret: 'test-secret' });
  context.vault.keys.insert({
    id: 'key-1',
    alias: 'k',
    description: null,
    spec: 'AES_256',
    check: { kind: 'kcv', value: 'ABCDEF' },
    createdAt: isoUtc(clock.now()),
    status: 'active',
    backupRef: null,
    entropyEvidence: null,
    operator: null,
    batchId: null,
  });
  context.vault.bindings.upsert({ keyId: 'key-1', provider: 'aws', region: 'eu-west-1', remoteKeyId: 'remote-1', state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
});

afterEach(async () => {
  await context.audit.close();
  await context.vault.close();
  await rm(dir, { recursive: true, force: true });
});

const expiry = '2026-06-01T00:00:00Z';

function queueImport(provider = 'aws'): string {
  const payload = bundleImportPayload('remote-1', 'ABCDEF', expiry);
  return context.vault.jobs.enqueue({ kind: 'import', keyId: 'key-1', provider, payload, idempotencyKey: idempotencyKeys.import(provider, 'remote-1', 'digest') }).id;
}

function services(kms: ReturnType<typeof scriptedKms>, runBudgetMs = 60_000, quickRetries = 2) {
  return createConnectedServices(context, {
    adapterFactory: () => kms.adapter,
    engine: {
      random: () => 1,
      runBudgetMs,
      quickRetries,
      backoff: { baseMs: 1000, capMs: 8000 },
      sleep: async (ms) => {
        sleeps.push(ms);
        clock.advance(ms);
      },
    },
  });
}

describe('the sync engine', () => {
  it('proves an import whose reply was lost by importing the same material again (AWS takes it into an Enabled key)', async () => {
    const kms = scriptedKms(['lost-reply']);
    const id = queueImport();
    const reply = await services(kms).sync({});
    expect(reply.imported).toEqual(['key-1']);
    // The quick retry presents the material again (the key already shows Enabled with the expiry): the
    // KMS refuses any other material, so its acceptance is the proof, not the state.
    expect(kms.calls).toEqual(['import', 'import']);
    expect(kms.keys.get('remote-1')!.imports).toBe(2);
    expect(sleeps).toEqual([200]);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'done', attempts: 1 });
    const event = context.audit.list({ type: 'kms.import' }).at(-1)!;
    expect(event.data).toMatchObject({ evidence: 'import', proof: expect.stringMatching(/^symmetric: AWS KMS accepted/) });
  });

  it('re-presents the material of a job a killed process left running, rather than trusting the key state', async () => {
    const kms = scriptedKms([]);
    const id = queueImport();
    // The dead process claimed the job (durably) and its import reached the KMS, then it died.
    context.vault.jobs.claimNext();
    await context.vault.save();
    kms.keys.set('remote-1', { state: 'Enabled', expiry, imports: 1 });
    const reply = await services(kms).sync({});
    expect(reply.imported).toEqual(['key-1']);
    expect(kms.calls).toEqual(['import']);
    expect(kms.keys.get('remote-1')!.imports).toBe(2);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'done', attempts: 2 });
  });

  it('does not count a retried import done when the key shows Enabled with that expiry but holds other material', async () => {
    const kms = scriptedKms(['mismatch']);
    const id = queueImport();
    context.vault.jobs.claimNext();
    await context.vault.save();
    // Someone else's material, with the very expiry this job asks for: the state alone would say "done".
    kms.keys.set('remote-1', { state: 'Enabled', expiry, imports: 1 });
    const reply = await services(kms).sync({});
    expect(reply.imported).toEqual([]);
    expect(reply.failedJobs).toEqual([{ id, reason: expect.stringMatching(/^KMS_MATERIAL_MISMATCH/) }]);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'failed', attempts: 2 });
  });

  it('falls back to the key state, and says so in the proof, when the retry can no longer present the material (token expired)', async () => {
    const kms = scriptedKms(['token-expired']);
    const id = queueImport();
    context.vault.jobs.claimNext();
    await context.vault.save();
    kms.keys.set('remote-1', { state: 'Enabled', expiry, imports: 1 });
    const reply = await services(kms).sync({});
    expect(reply.imported).toEqual(['key-1']);
    expect(kms.calls).toEqual(['import', 'describe']);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'done' });
    expect(context.audit.list({ type: 'kms.import' }).at(-1)!.data).toMatchObject({ evidence: 'state', proof: expect.stringMatching(/^state only: /) });
  });

  it('still fails a retried import whose token expired when the key does not show the material', async () => {
    const kms = scriptedKms(['token-expired']);
    const id = queueImport();
    context.vault.jobs.claimNext();
    await context.vault.save();
    const reply = await services(kms).sync({});
    expect(reply.failedJobs).toEqual([{ id, reason: expect.stringMatching(/^KMS_TOKEN_EXPIRED/) }]);
  });

  it('at Huawei, which takes no import into an Enabled key, decides a retry on the state and records that the proof rests on it', async () => {
    context.vault.providers.upsert({ name: 'huawei', type: 'huawei', region: 'cn-north-4', projectId: 'p', endpoint: null });
    await storeCredentials(context.keychain, 'huawei', { accessKeyId: 'HWTEST', secret: 'test-secret' });
    context.vault.bindings.upsert({ keyId: 'key-1', provider: 'huawei', region: 'cn-north-4', remoteKeyId: 'remote-1', state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
    const kms = scriptedKms([]);
    const id = queueImport('huawei');
    context.vault.jobs.claimNext();
    await context.vault.save();
    kms.keys.set('remote-1', { state: 'Enabled', expiry, imports: 1 });
    const reply = await services(kms).sync({ provider: 'huawei' });
    expect(reply.imported).toEqual(['key-1']);
    expect(kms.calls.filter((call) => call === 'import')).toEqual([]);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'done', attempts: 2 });
    expect(context.audit.list({ type: 'kms.import' }).at(-1)!.data).toMatchObject({ alreadyHeld: true, evidence: 'state', proof: expect.stringMatching(/^state only: .*Huawei/) });
  });

  it('backs off exponentially on transient failures and keeps the job queued when the run ends', async () => {
    const kms = scriptedKms(Array.from({ length: 50 }, () => 'transient' as const));
    const id = queueImport();
    const reply = await services(kms, 20_000, 0).sync({});
    expect(reply.pendingJobs).toBe(1);
    expect(reply.failedJobs).toEqual([]);
    expect(sleeps).toEqual([1000, 2000, 4000, 8000]); // the next wait (8 s) would end past the 20 s budget
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'queued', attempts: 5 });
    expect(context.vault.jobs.get(id)!.lastError).toMatch(/^KMS_TRANSIENT/);
  });

  it('retries a transient failure quickly within the claim before backing off in the queue', async () => {
    const kms = scriptedKms(['transient', 'transient', 'ok']);
    const id = queueImport();
    const reply = await services(kms).sync({});
    expect(reply.imported).toEqual(['key-1']);
    expect(sleeps).toEqual([200, 400]);
    expect(kms.calls).toEqual(['import', 'import', 'import']);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'done', attempts: 1 });
  });

  it('marks a job failed on a permanent refusal and keeps the provider code', async () => {
    const kms = scriptedKms(['mismatch']);
    const id = queueImport();
    const reply = await services(kms).sync({});
    expect(reply.failedJobs).toEqual([{ id, reason: expect.stringMatching(/^KMS_MATERIAL_MISMATCH: .*IncorrectKeyMaterialException/) }]);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'failed', attempts: 1 });
  });

  it('keeps the jobs queued and reports the provider once when its credentials are gone', async () => {
    const kms = scriptedKms([]);
    const id = queueImport();
    await deleteCredentials(context.keychain, 'aws');
    const reply = await services(kms).sync({});
    expect(reply.failedJobs).toEqual([{ id: 'provider:aws', reason: expect.stringMatching(/^PROVIDER_NOT_CONNECTED/) }]);
    expect(reply.pendingJobs).toBe(1);
    expect(context.vault.jobs.get(id)).toMatchObject({ status: 'queued' });
    expect(kms.calls).toEqual([]);
  });

  it('queues the same import once, however often it is queued', () => {
    expect(queueImport()).toBe(queueImport());
    expect(context.vault.jobs.list()).toHaveLength(1);
  });
});
