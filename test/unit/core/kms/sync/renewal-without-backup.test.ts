// A renewal job for a key this machine holds no backup of (known by id only: the connected side of a
// two-machine ceremony) fails at once with what to do, without listing the keychain (which hands back
// every item's secret as text) and without fetching parameters.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { memoryKeychain, type Keychain } from '../../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../../main/core/ceremony.ts';
import { FixedClock } from '../../../../../main/core/clock.ts';
import type { KmsAdapter } from '../../../../../main/core/kms/adapter.ts';
import { createConnectedServices } from '../../../../../main/core/kms/connected-service.ts';
import { storeCredentials } from '../../../../../main/core/kms/credentials.ts';
import { idempotencyKeys, type FetchParamsPayload } from '../../../../../main/core/kms/sync/job-payloads.ts';
import { placeholderKey } from '../../../../../main/core/kms/sync/operation-support.ts';
import type { CoreContext } from '../../../../../main/core/use-cases/context.ts';

let dir: string;
let clock: FixedClock;
let context: CoreContext;
let listings = 0;
const calls: string[] = [];

const adapter: KmsAdapter = {
  provider: 'aws',
  async createExternalKey() {
    throw new Error('not used');
  },
  async getImportParameters() {
    calls.push('params');
    throw new Error('must not be reached');
  },
  async importMaterial() {
    throw new Error('not used');
  },
  async deleteImportedMaterial() {
    throw new Error('not used');
  },
  async describeKey(remoteKeyId) {
    return { remoteKeyId, state: 'Enabled', materialExpiry: null, origin: 'external', providerState: 'Enabled' };
  },
  async listKeys() {
    return [];
  },
};

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-renew-no-backup-'));
  const inner = memoryKeychain();
  const keychain: Keychain = { set: inner.set, get: inner.get, delete: inner.delete, list: () => (listings++, inner.list()) };
  listings = 0;
  calls.length = 0;
  clock = new FixedClock('2026-03-01T00:00:00Z');
  context = await openCoreContext({ vaultDir: dir, create: true, clock, keychain });
  context.vault.providers.upsert({ name: 'aws', type: 'aws', region: 'eu-west-1', projectId: null, endpoint: null });
  await storeCredentials(context.keychain, 'aws', { accessKeyId: 'AKIATEST', secret: 'test-secret' });
});

afterEach(async () => {
  await context.audit.close();
  await context.vault.close();
  await rm(dir, { recursive: true, force: true });
});

it('fails a renewal job for a key known here only by id, without listing the keychain or fetching parameters', async () => {
  const keyId = '44444444-1111-4222-8333-444455556666';
  context.vault.keys.insert({ ...placeholderKey(keyId, 'AES_256', '2026-03-01T00:00:00Z'), check: { kind: 'kcv', value: 'ABC123' } });
  context.vault.bindings.upsert({ keyId, provider: 'aws', region: 'eu-west-1', remoteKeyId: 'remote-1', state: 'Enabled', materialExpiry: null, lastSyncedAt: null });
  const payload: FetchParamsPayload = { remoteKeyId: 'remote-1', algorithm: 'RSAES_OAEP_SHA_256', materialExpiry: null, reason: 'renewal' };
  const job = context.vault.jobs.enqueue({ kind: 'fetch-params', keyId, provider: 'aws', payload, idempotencyKey: idempotencyKeys.renewal('aws', keyId, 'test') });
  await context.vault.save();
  const connected = createConnectedServices(context, { adapterFactory: () => adapter, engine: { random: () => 1, quickRetries: 0, runBudgetMs: 10_000, sleep: async (ms) => clock.advance(ms) } });
  listings = 0;
  const reply = await connected.sync({});
  await connected.close();
  expect(reply.failedJobs).toEqual([{ id: job.id, reason: expect.stringMatching(/^BACKUP_MISSING: .*no backup on this machine.*byok renew --key/) }]);
  expect(context.vault.jobs.get(job.id)).toMatchObject({ status: 'failed', attempts: 1 });
  expect(listings).toBe(0);
  expect(calls).toEqual([]);
});
