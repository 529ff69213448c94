// Real files in a temporary folder: the vault's snapshot + journal, reopened the way a new process would.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync, appendFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../main/core/clock.ts';
import { Vault } from '../../../main/core/vault/index.ts';
import type { KeyRecord } from '../../../main/core/vault/index.ts';

const clock = new FixedClock('2026-03-01T09:00:00Z');
const folders: string[] = [];
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'byok-vault-'));
  folders.push(folder);
  return join(folder, 'vault');
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

export function keyRecord(id: string, overrides: Partial<KeyRecord> = {}): KeyRecord {
  return {
    id,
    alias: `alias-${id}`,
    description: null,
    spec: 'AES_256',
    check: { kind: 'kcv', value: 'A1B2C3' },
    createdAt: '2026-03-01T09:00:00Z',
    status: 'active',
    backupRef: `byok-backup/${id}`,
    entropyEvidence: { source: 'os-csprng', health: 'passed' },
    operator: 'alice',
    batchId: null,
    backupVerifiedAt: null,
    ...overrides,
  };
}

describe('vault durability (real files)', () => {
  it('refuses to open a folder without a vault and says how to create one', async () => {
    await expect(Vault.open(newFolder(), { clock })).rejects.toMatchObject({ code: 'VAULT_NOT_FOUND', message: expect.stringContaining('byok keys generate') });
  });

  it('creates a vault with a stable id that survives reopening', async () => {
    const dir = newFolder();
    const created = await Vault.open(dir, { clock, create: true });
    expect(created.openReport.created).toBe(true);
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const id = created.id;
    await created.close();
    const reopened = await Vault.open(dir, { clock });
    expect(reopened.id).toBe(id);
    expect(reopened.openReport.created).toBe(false);
    await reopened.close();
  });

  it('keeps every saved key across reopening, with all its fields', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    vault.keys.insertMany([keyRecord('k1'), keyRecord('k2', { spec: 'RSA_3072', check: { kind: 'fingerprint', value: 'ab'.repeat(32) }, batchId: 'b1' })]);
    vault.bindings.upsert({ keyId: 'k1', provider: 'huawei', region: 'cn-north-4', remoteKeyId: 'r-1', state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
    vault.bundles.insert({ id: 'b-1', keyId: 'k1', path: '/out/k1.bundle.json', provider: 'huawei', algorithm: 'RSAES_OAEP_SHA_256', createdAt: '2026-03-01T09:01:00Z', parametersValidTo: '2026-03-02T09:00:00Z', materialExpiry: null, sha256: 'cd'.repeat(32) });
    vault.providers.upsert({ name: 'hw-prod', type: 'huawei', region: 'cn-north-4', projectId: 'p1', endpoint: null });
    vault.meta.set('ui.theme', 'dark');
    await vault.save();
    await vault.close();

    const reopened = await Vault.open(dir, { clock });
    expect(reopened.keys.get('k2')).toEqual(keyRecord('k2', { spec: 'RSA_3072', check: { kind: 'fingerprint', value: 'ab'.repeat(32) }, batchId: 'b1' }));
    expect(reopened.keys.list({ spec: 'AES_256' }).map((k) => k.id)).toEqual(['k1']);
    expect(reopened.keys.list({ search: 'ALIAS-K2' }).map((k) => k.id)).toEqual(['k2']);
    expect(reopened.bindings.get('k1', 'huawei', 'cn-north-4')?.remoteKeyId).toBe('r-1');
    expect(reopened.bundles.list({ keyId: 'k1' })).toHaveLength(1);
    expect(reopened.providers.get('hw-prod')?.projectId).toBe('p1');
    expect(reopened.meta.get('ui.theme')).toBe('dark');
    await reopened.close();
  });

  it('replays journaled saves over the snapshot when the process ends without closing', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    for (const id of ['k1', 'k2', 'k3']) {
      vault.keys.insert(keyRecord(id));
      await vault.save();
    }
    // Simulate a killed process: copy the folder's files as they are on disk, without close().
    const copy = newFolder();
    snapshotFolder(dir, copy);
    await vault.close();
    const reopened = await Vault.open(copy, { clock });
    expect(reopened.openReport.replayedSaves).toBe(3);
    expect(reopened.keys.list().map((k) => k.id)).toEqual(['k1', 'k2', 'k3']);
    await reopened.close();
  });

  it('discards changes that were never saved', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    vault.keys.insert(keyRecord('saved'));
    await vault.save();
    vault.keys.insert(keyRecord('unsaved'));
    await vault.close();
    const reopened = await Vault.open(dir, { clock });
    expect(reopened.keys.list().map((k) => k.id)).toEqual(['saved']);
    await reopened.close();
  });

  it('drops a torn journal tail from a crash mid-save, reports it, and keeps appending cleanly', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    vault.keys.insert(keyRecord('k1'));
    await vault.save();
    const copy = newFolder();
    snapshotFolder(dir, copy);
    await vault.close();
    appendFileSync(join(copy, 'vault.journal'), 'f00d'.repeat(16) + ' {"n":2,"changes":[{"table":"keys","op":"pu');

    const reopened = await Vault.open(copy, { clock });
    expect(reopened.openReport.droppedJournalTailBytes).toBeGreaterThan(0);
    expect(reopened.keys.list().map((k) => k.id)).toEqual(['k1']);
    reopened.keys.insert(keyRecord('k2'));
    await reopened.save();
    const again = newFolder();
    snapshotFolder(copy, again);
    await reopened.close();
    const third = await Vault.open(again, { clock });
    expect(third.openReport.droppedJournalTailBytes).toBe(0);
    expect(third.keys.list().map((k) => k.id)).toEqual(['k1', 'k2']);
    await third.close();
  });

  it('refuses a journal damaged in the middle as corrupt and points to the rebuild', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    for (const id of ['k1', 'k2', 'k3']) {
      vault.keys.insert(keyRecord(id));
      await vault.save();
    }
    const copy = newFolder();
    snapshotFolder(dir, copy);
    await vault.close();
    const journal = readFileSync(join(copy, 'vault.journal'));
    journal[journal.indexOf('k2') + 1] = 'X'.charCodeAt(0);
    writeFileSync(join(copy, 'vault.journal'), journal);
    await expect(Vault.open(copy, { clock })).rejects.toMatchObject({ code: 'VAULT_CORRUPT', message: expect.stringContaining('byok vault rebuild') });
  });

  it.each([
    ['truncated', (path: string) => truncateSync(path, Math.floor(statSync(path).size / 3))],
    ['garbled', (path: string) => writeFileSync(path, Buffer.from('this is not a database file, just text that replaced it'.repeat(100)))],
    ['zeroed header', (path: string) => {
      const bytes = readFileSync(path);
      bytes.fill(0, 0, 100);
      writeFileSync(path, bytes);
    }],
  ])('refuses a %s database file as VAULT_CORRUPT with the rebuild hint', async (_kind, damage) => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    vault.keys.insertMany(Array.from({ length: 50 }, (_, i) => keyRecord(`k${i}`)));
    await vault.compact();
    await vault.close();
    damage(join(dir, 'vault.db'));
    await expect(Vault.open(dir, { clock })).rejects.toMatchObject({ code: 'VAULT_CORRUPT', message: expect.stringContaining('run `byok vault rebuild`') });
    // The failed open released its lock: a rebuild can take the vault.
    expect(existsSync(join(dir, 'vault.lock'))).toBe(false);
  });

  it('folds the journal into a new snapshot at close, and statements and foreign keys still work after', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true, journalLimitBytes: 1 });
    vault.keys.insert(keyRecord('k1'));
    await vault.save();
    await vault.compact();
    expect(statSync(join(dir, 'vault.journal')).size).toBe(0);
    // The same cached statements and the foreign-key pragma after an export:
    expect(vault.keys.get('k1')?.id).toBe('k1');
    vault.keys.insert(keyRecord('k2'));
    expect(() => vault.bindings.upsert({ keyId: 'ghost', provider: 'aws', region: 'eu-west-1', remoteKeyId: 'x', state: 'Enabled', materialExpiry: null, lastSyncedAt: null })).toThrow(/FOREIGN KEY/);
    await vault.save();
    await vault.close();
    expect(statSync(join(dir, 'vault.journal')).size).toBe(0);
    const reopened = await Vault.open(dir, { clock });
    expect(reopened.openReport.replayedSaves).toBe(0);
    expect(reopened.keys.list().map((k) => k.id)).toEqual(['k1', 'k2']);
    await reopened.close();
  });

  it('compacts in the background once the journal outgrows the snapshot, and the files on disk reopen at any moment', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true, journalLimitBytes: 1 });
    const evidence = { source: 'os-csprng', samples: 'ab'.repeat(1_000) };
    for (let i = 0; i < 60; i++) {
      vault.keys.insert(keyRecord(`k${i}`, { entropyEvidence: evidence }));
      await vault.save();
    }
    const copy = newFolder();
    snapshotFolder(dir, copy); // whatever state a background compaction left the files in
    await vault.close();
    const reopened = await Vault.open(copy, { clock });
    expect(reopened.keys.count()).toBe(60);
    expect(reopened.openReport.replayedSaves).toBeLessThan(60); // some saves were folded into a snapshot
    await reopened.close();
  });

  it('removes temp files that a crash mid-compaction left behind, and never reads them', async () => {
    const dir = newFolder();
    await (await Vault.open(dir, { clock, create: true })).close();
    const leftover = join(dir, '.vault.db.0a1b2c3d4e5f.tmp');
    writeFileSync(leftover, 'half a snapshot');
    const vault = await Vault.open(dir, { clock });
    expect(existsSync(leftover)).toBe(false);
    await vault.close();
  });

  it('refuses a key id that is already in the vault and inserts none of the batch', async () => {
    const vault = await Vault.open(newFolder(), { clock, create: true });
    vault.keys.insert(keyRecord('k1'));
    expect(() => vault.keys.insertMany([keyRecord('k2'), keyRecord('k1')])).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(vault.keys.list().map((k) => k.id)).toEqual(['k1']);
    await vault.close();
  });

  it('updates a key status and refuses an unknown key', async () => {
    const vault = await Vault.open(newFolder(), { clock, create: true });
    vault.keys.insert(keyRecord('k1', { status: 'backup-missing' }));
    expect(vault.keys.updateStatus('k1', 'active').status).toBe('active');
    expect(() => vault.keys.updateStatus('nope', 'active')).toThrow(expect.objectContaining({ code: 'KEY_NOT_FOUND' }));
    await vault.close();
  });

  it('records when a backup was last verified, and survives reopening', async () => {
    const dir = newFolder();
    const vault = await Vault.open(dir, { clock, create: true });
    vault.keys.insert(keyRecord('k1'));
    expect(vault.keys.get('k1')?.backupVerifiedAt).toBeNull();
    vault.keys.setBackupVerified('k1', '2026-03-01T09:30:00Z');
    await vault.save();
    await vault.close();
    const reopened = await Vault.open(dir, { clock });
    expect(reopened.keys.get('k1')?.backupVerifiedAt).toBe('2026-03-01T09:30:00Z');
    await reopened.close();
  });

  it('shows each binding with the type of the provider connection it names', async () => {
    const vault = await Vault.open(newFolder(), { clock, create: true });
    vault.keys.insert(keyRecord('k1'));
    vault.providers.upsert({ name: 'prod-eu', type: 'aws', region: 'eu-west-1', projectId: null, endpoint: null });
    vault.bindings.upsert({ keyId: 'k1', provider: 'prod-eu', region: 'eu-west-1', remoteKeyId: 'arn:1', state: 'Enabled', materialExpiry: null, lastSyncedAt: null });
    vault.bindings.upsert({ keyId: 'k1', provider: 'tencent', region: 'ap-guangzhou', remoteKeyId: 't-1', state: 'PendingImport', materialExpiry: null, lastSyncedAt: null });
    expect(vault.bindings.list({ keyId: 'k1' }).map((b) => [b.provider, b.providerType])).toEqual([['prod-eu', 'aws'], ['tencent', 'tencent']]);
    await vault.close();
  });

  it('queues sync jobs once per idempotency key and retries them when due', async () => {
    const jobClock = new FixedClock('2026-03-01T09:00:00Z');
    const vault = await Vault.open(newFolder(), { clock: jobClock, create: true });
    vault.keys.insert(keyRecord('k1'));
    const job = vault.jobs.enqueue({ kind: 'import', keyId: 'k1', provider: 'aws', payload: { bundle: 'b-1' }, idempotencyKey: 'import:k1:b-1' });
    expect(vault.jobs.enqueue({ kind: 'import', keyId: 'k1', provider: 'aws', payload: {}, idempotencyKey: 'import:k1:b-1' }).id).toBe(job.id);
    const claimed = vault.jobs.claimNext();
    expect(claimed).toMatchObject({ id: job.id, status: 'running', attempts: 1 });
    expect(vault.jobs.claimNext()).toBeUndefined();
    vault.jobs.fail(job.id, 'KMS_THROTTLED', { retryAt: '2026-03-01T09:05:00Z' });
    expect(vault.jobs.claimNext()).toBeUndefined();
    jobClock.advance(5 * 60_000);
    expect(vault.jobs.claimNext()?.attempts).toBe(2);
    expect(vault.jobs.complete(job.id).status).toBe('done');
    await vault.close();
  });
});

/** Copies the vault files as they are on disk right now: what a new process would find after a SIGKILL. */
function snapshotFolder(from: string, to: string): void {
  rmSync(to, { recursive: true, force: true });
  mkdirSync(to, { recursive: true });
  for (const name of ['vault.db', 'vault.journal']) {
    if (existsSync(join(from, name))) {
      writeFileSync(join(to, name), readFileSync(join(from, name)), { flag: 'w' });
    }
  }
}
