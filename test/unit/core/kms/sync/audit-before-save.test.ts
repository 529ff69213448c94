// Nothing the KMS accepted may vanish from the audit log: each connected operation appends its events
// before the vault save that makes its outcome durable. Checked at every save — the moment after it is
// what a process killed right then leaves (the audit log is fsynced on append, the vault on save) — and
// by killing a sync between its append and its save: the job is still claimed, the retry
// presents the material again as the proof and records the import again.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { memoryKeychain, type Keychain } from '../../../../../main/core/backup/index.ts';
import { openCoreContext } from '../../../../../main/core/ceremony.ts';
import { FixedClock } from '../../../../../main/core/clock.ts';
import type { KmsAdapter, RemoteKeyState } from '../../../../../main/core/kms/adapter.ts';
import { createConnectedServices } from '../../../../../main/core/kms/connected-service.ts';
import { idempotencyKeys } from '../../../../../main/core/kms/sync/job-payloads.ts';
import { bundleImportPayload } from './import-payload.ts';
import type { CoreContext } from '../../../../../main/core/use-cases/context.ts';

/** A KMS that creates keys and takes imports; its state outlives the "processes" of a test. */
function fakeKms() {
  const keys = new Map<string, { state: RemoteKeyState['state']; expiry: string | null; imports: number }>();
  let created = 0;
  const adapter: KmsAdapter = {
    provider: 'aws',
    async createExternalKey() {
      const remoteKeyId = `remote-${++created}`;
      keys.set(remoteKeyId, { state: 'PendingImport', expiry: null, imports: 0 });
      return { remoteKeyId };
    },
    async getImportParameters() {
      throw new Error('not used');
    },
    async importMaterial(input) {
      const key = keys.get(input.remoteKeyId)!;
      Object.assign(key, { state: 'Enabled', expiry: input.materialExpiry, imports: key.imports + 1 });
    },
    async deleteImportedMaterial() {
      throw new Error('not used');
    },
    async describeKey(remoteKeyId) {
      const key = keys.get(remoteKeyId) ?? { state: 'PendingImport' as const, expiry: null };
      return { remoteKeyId, state: key.state, materialExpiry: key.expiry, origin: 'external', providerState: key.state };
    },
    async listKeys() {
      return [];
    },
  };
  return { adapter, keys };
}

const KEY_ID = 'c0ffee00-1111-4222-8333-444455556666';
const expiry = '2026-06-01T00:00:00Z';

let dir: string;
let clock: FixedClock;
let keychain: Keychain;
let kms: ReturnType<typeof fakeKms>;
let context: CoreContext;
/** Saves and appends in the order they happened ("save", "append:<action>"). */
let timeline: string[];
/** What a process killed right after a save would leave that breaks the rule; empty when none. */
let violations: string[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-audit-first-'));
  clock = new FixedClock('2026-03-01T00:00:00Z');
  keychain = memoryKeychain();
  kms = fakeKms();
  context = await openObserved();
});

afterEach(async () => {
  await context.audit.close();
  await context.vault.close();
  await rm(dir, { recursive: true, force: true });
});

async function openObserved(): Promise<CoreContext> {
  const opened = await openCoreContext({ vaultDir: dir, create: true, clock, keychain });
  timeline = [];
  violations = [];
  const appendMany = opened.audit.appendMany.bind(opened.audit);
  opened.audit.appendMany = async (events) => {
    // Changes waiting in memory count too: in the app another operation's save could land right now.
    const logged = new Set(opened.audit.list({ type: 'kms.import' }).map((event) => String(event.data.remoteKeyId)));
    for (const binding of opened.vault.bindings.list()) {
      if (binding.state === 'Enabled' && !logged.has(binding.remoteKeyId)) violations.push(`remote key ${binding.remoteKeyId} is Enabled in memory before its kms.import event is in the log`);
    }
    const appended = await appendMany(events);
    for (const event of events) timeline.push(`append:${String(event.data.action ?? event.type)}`);
    return appended;
  };
  const save = opened.vault.save.bind(opened.vault);
  opened.vault.save = async () => {
    await save();
    timeline.push('save');
    violations.push(...durableOutcomesWithoutEvent(opened).map((problem) => `after save ${timeline.filter((entry) => entry === 'save').length}: ${problem}`));
  };
  return opened;
}

/** Outcomes the vault holds (durably, right after a save) that the audit log does not record. */
function durableOutcomesWithoutEvent(opened: CoreContext): string[] {
  const events = opened.audit.list();
  const sync = events.filter((event) => event.type === 'kms.sync').map((event) => event.data);
  const imports = events.filter((event) => event.type === 'kms.import').map((event) => event.data);
  const problems: string[] = [];
  for (const job of opened.vault.jobs.list()) {
    if (job.kind === 'import' && job.status === 'done' && !imports.some((data) => data.jobId === job.id)) problems.push(`import job ${job.id} is done with no kms.import event`);
    if (job.status === 'failed' && !sync.some((data) => data.action === 'job-failed' && data.jobId === job.id)) problems.push(`job ${job.id} failed with no job-failed event`);
  }
  for (const binding of opened.vault.bindings.list()) {
    if (!sync.some((data) => data.action === 'remote-key-created' && data.remoteKeyId === binding.remoteKeyId)) problems.push(`remote key ${binding.remoteKeyId} is bound with no remote-key-created event`);
  }
  for (const name of new Set([...opened.vault.providers.list().map((record) => record.name), ...sync.filter((data) => data.provider !== undefined).map((data) => String(data.provider))])) {
    const added = sync.filter((data) => data.action === 'provider-added' && data.provider === name).length;
    const removed = sync.filter((data) => data.action === 'provider-removed' && data.provider === name).length;
    const held = opened.vault.providers.get(name) !== undefined;
    if (held && added <= removed) problems.push(`provider ${name} is held with no provider-added event`);
    if (!held && added > removed) problems.push(`provider ${name} was removed with no provider-removed event`);
  }
  return problems;
}

function services(opened: CoreContext) {
  return createConnectedServices(opened, {
    adapterFactory: () => kms.adapter,
    engine: { random: () => 1, quickRetries: 0, sleep: async (ms) => clock.advance(ms) },
  });
}

/** The import a bundle of KEY_ID for `remoteKeyId` would queue. */
function queueImport(opened: CoreContext, remoteKeyId: string): string {
  const payload = bundleImportPayload(remoteKeyId, 'ABC123', expiry);
  return opened.vault.jobs.enqueue({ kind: 'import', keyId: KEY_ID, provider: 'aws', payload, idempotencyKey: idempotencyKeys.import('aws', remoteKeyId, 'digest') }).id;
}

describe('the audit log of connected operations', () => {
  it('holds every event before the save that makes its outcome durable: provider add, remote key, import, sync, provider remove', async () => {
    const connected = services(context);
    await connected.providerAdd({ name: 'aws', type: 'aws', region: 'eu-west-1', accessKeyId: 'AKIATEST', secret: 'test-secret' });
    // Two-machine flow: the key is known here by id, spec and KCV only.
    const { remoteKeyId } = await connected.remoteCreateKey({ provider: 'aws', keyId: KEY_ID, spec: 'AES_256', check: 'abc123' } as Parameters<typeof connected.remoteCreateKey>[0]);
    const jobId = queueImport(context, remoteKeyId);
    await context.vault.save();
    const reply = await connected.sync({});
    expect(reply.imported).toEqual([KEY_ID]);
    expect(context.vault.jobs.get(jobId)).toMatchObject({ status: 'done' });
    // The sync summary comes before the run's last save, not after it.
    expect(timeline.lastIndexOf('save')).toBeGreaterThan(timeline.indexOf('append:synced'));
    await connected.providerRemove({ name: 'aws' });
    await connected.close();
    expect(violations).toEqual([]);
    expect(timeline.filter((entry) => entry !== 'save')).toEqual(['append:provider-added', 'append:remote-key-created', 'append:imported', 'append:synced', 'append:provider-removed']);
  });

  it('records the import again when the process died between the event and the save that marks the job done', async () => {
    const connected = services(context);
    await connected.providerAdd({ name: 'aws', type: 'aws', region: 'eu-west-1', accessKeyId: 'AKIATEST', secret: 'test-secret' });
    const { remoteKeyId } = await connected.remoteCreateKey({ provider: 'aws', keyId: KEY_ID, spec: 'AES_256', check: 'ABC123' } as Parameters<typeof connected.remoteCreateKey>[0]);
    const jobId = queueImport(context, remoteKeyId);
    await context.vault.save();
    // The kill: the save that would mark the job done never happens.
    const save = context.vault.save;
    context.vault.save = async () => {
      if (context.vault.jobs.get(jobId)?.status === 'done') throw new Error('killed');
      await save();
    };
    await expect(connected.sync({})).rejects.toThrow('killed');
    expect(kms.keys.get(remoteKeyId)).toMatchObject({ state: 'Enabled', imports: 1 });
    await connected.close();
    await context.audit.close();
    await context.vault.close(); // unsaved changes are discarded, as by the kill

    context = await openObserved();
    expect(context.vault.jobs.get(jobId)).toMatchObject({ status: 'running' }); // claimed, never marked done
    const retry = services(context);
    expect((await retry.sync({})).imported).toEqual([KEY_ID]);
    await retry.close();
    expect(context.vault.jobs.get(jobId)).toMatchObject({ status: 'done', attempts: 2 });
    // The same material presented again as the proof (AWS takes it into an Enabled key), not the state.
    expect(kms.keys.get(remoteKeyId)!.imports).toBe(2);
    const recorded = context.audit.list({ type: 'kms.import' }).map((event) => ({ jobId: event.data.jobId, alreadyHeld: event.data.alreadyHeld, evidence: event.data.evidence }));
    expect(recorded).toEqual([{ jobId, alreadyHeld: false, evidence: 'import' }, { jobId, alreadyHeld: false, evidence: 'import' }]);
    expect(violations).toEqual([]);
  });
});
