// Real files and real processes: the single-writer lock and schema upgrades of vaults made by older code.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FixedClock } from '../../../main/core/clock.ts';
import { MIGRATIONS, SCHEMA_VERSION, Vault } from '../../../main/core/vault/index.ts';
import { loadSqlEngine } from '../../../main/core/vault/sql-engine.ts';

const clock = new FixedClock('2026-03-01T09:00:00Z');
const folders: string[] = [];
const newFolder = () => {
  const folder = mkdtempSync(join(tmpdir(), 'byok-vault-'));
  folders.push(folder);
  return folder;
};
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** The pid of a process that has run and exited: nobody holds it now (until the pid is recycled). */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

describe('vault lock (real processes)', () => {
  it('refuses a second open of the same vault with VAULT_IN_USE naming the holder', async () => {
    const dir = newFolder();
    const first = await Vault.open(dir, { clock, create: true });
    const refused = await Vault.open(dir, { clock }).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: 'VAULT_IN_USE', details: { pid: process.pid, host: hostname() } });
    expect((refused as Error).message).toContain(`process ${process.pid}`);
    await first.close();
    const second = await Vault.open(dir, { clock });
    expect(second.openReport.staleLockRecovered).toBeNull();
    await second.close();
  });

  it('recovers a lock left by a killed process on this host and reports the recovery', async () => {
    const dir = newFolder();
    await (await Vault.open(dir, { clock, create: true })).close();
    const pid = deadPid();
    writeFileSync(join(dir, 'vault.lock'), JSON.stringify({ pid, host: hostname(), processStart: null, acquiredAt: '2026-02-28T23:00:00Z', token: 'left-behind' }));
    const vault = await Vault.open(dir, { clock });
    expect(vault.openReport.staleLockRecovered).toEqual({ pid, host: hostname(), acquiredAt: '2026-02-28T23:00:00Z' });
    expect(JSON.parse(readFileSync(join(dir, 'vault.lock'), 'utf8')).pid).toBe(process.pid);
    await vault.close();
    expect(existsSync(join(dir, 'vault.lock'))).toBe(false);
  });

  it('treats a live pid whose process started at another time as a recycled pid: stale', async () => {
    const dir = newFolder();
    await (await Vault.open(dir, { clock, create: true })).close();
    writeFileSync(join(dir, 'vault.lock'), JSON.stringify({ pid: process.pid, host: hostname(), processStart: '1', acquiredAt: '2026-02-28T23:00:00Z', token: 't' }));
    const vault = await Vault.open(dir, { clock });
    expect(vault.openReport.staleLockRecovered?.pid).toBe(process.pid);
    await vault.close();
  });

  it('never breaks a lock held from another host', async () => {
    const dir = newFolder();
    await (await Vault.open(dir, { clock, create: true })).close();
    writeFileSync(join(dir, 'vault.lock'), JSON.stringify({ pid: 1, host: 'other-laptop', processStart: null, acquiredAt: '2026-02-28T23:00:00Z', token: 't' }));
    await expect(Vault.open(dir, { clock })).rejects.toMatchObject({ code: 'VAULT_IN_USE', details: { host: 'other-laptop' }, message: expect.stringContaining('another host') });
    expect(JSON.parse(readFileSync(join(dir, 'vault.lock'), 'utf8')).host).toBe('other-laptop');
  });

  it('lets exactly one of several concurrent opens win', async () => {
    const dir = newFolder();
    await (await Vault.open(dir, { clock, create: true })).close();
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => Vault.open(dir, { clock })));
    const opened = results.filter((result) => result.status === 'fulfilled');
    expect(opened).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toMatchObject({ code: 'VAULT_IN_USE' });
    await (opened[0] as PromiseFulfilledResult<Vault>).value.close();
  });
});

describe('vault schema migrations', () => {
  /** A vault file as schema version 1 code wrote it, with one key. */
  async function writeVersionOneVault(dir: string): Promise<void> {
    const SQL = await loadSqlEngine();
    const db = new SQL.Database();
    db.exec(MIGRATIONS[0]!.sql);
    db.exec('PRAGMA user_version = 1');
    db.run("INSERT INTO meta (k, v) VALUES ('vault.id', 'old-vault-id'), ('vault.snapshot_save', '0')");
    db.run(
      "INSERT INTO keys (id, alias, description, spec, check_kind, check_value, created_at, status, backup_ref, entropy_evidence, operator) VALUES ('old-key', 'legacy', NULL, 'AES_128', 'kcv', '0A1B2C', '2025-12-01T00:00:00Z', 'active', 'ref', NULL, 'carol')",
    );
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'vault.db'), db.export());
    db.close();
  }

  it('upgrades a vault written by older code and keeps its keys', async () => {
    const dir = newFolder();
    await writeVersionOneVault(dir);
    const vault = await Vault.open(dir, { clock });
    expect(vault.openReport.migratedFrom).toBe(1);
    expect(vault.openReport.schemaVersion).toBe(SCHEMA_VERSION);
    expect(vault.id).toBe('old-vault-id');
    expect(vault.keys.get('old-key')).toMatchObject({ alias: 'legacy', spec: 'AES_128', check: { kind: 'kcv', value: '0A1B2C' }, batchId: null });
    // Tables added by the upgrade work:
    vault.providers.upsert({ name: 'tc', type: 'tencent', region: 'ap-guangzhou', projectId: null, endpoint: null });
    vault.jobs.enqueue({ kind: 'sync', provider: 'tc', payload: {}, idempotencyKey: 'sync:tc' });
    vault.backupBatches.recordStarted('batch-after-upgrade', '2026-11-25T12:00:00Z');
    expect(vault.backupBatches.knownIds()).toEqual(['batch-after-upgrade']);
    await vault.save();
    await vault.close();
    const reopened = await Vault.open(dir, { clock });
    expect(reopened.openReport.migratedFrom).toBeNull();
    expect(reopened.jobs.list()).toHaveLength(1);
    await reopened.close();
  });

  it('replays the journal of an older vault in its own schema, then upgrades and starts a clean journal', async () => {
    const dir = newFolder();
    await writeVersionOneVault(dir);
    const { encodeJournalRecord } = await import('../../../main/core/vault/row-journal.ts');
    const v1Row = { id: 'journaled-key', alias: null, description: null, spec: 'AES_256', check_kind: 'kcv', check_value: 'FFEE11', created_at: '2025-12-02T00:00:00Z', status: 'active', backup_ref: null, entropy_evidence: null, operator: null };
    writeFileSync(join(dir, 'vault.journal'), encodeJournalRecord({ n: 1, changes: [{ table: 'keys', op: 'put', row: v1Row }] }));
    const vault = await Vault.open(dir, { clock });
    expect(vault.openReport).toMatchObject({ replayedSaves: 1, migratedFrom: 1 });
    expect(vault.keys.get('journaled-key')?.check.value).toBe('FFEE11');
    expect(readFileSync(join(dir, 'vault.journal')).length).toBe(0);
    await vault.close();
  });

  it('refuses a vault written by newer code with VAULT_TOO_NEW and leaves the file untouched', async () => {
    const dir = newFolder();
    await writeVersionOneVault(dir);
    const SQL = await loadSqlEngine();
    const db = new SQL.Database(readFileSync(join(dir, 'vault.db')));
    db.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    writeFileSync(join(dir, 'vault.db'), db.export());
    db.close();
    const before = readFileSync(join(dir, 'vault.db'));
    await expect(Vault.open(dir, { clock })).rejects.toMatchObject({ code: 'VAULT_TOO_NEW', details: { schemaVersion: SCHEMA_VERSION + 1 } });
    expect(readFileSync(join(dir, 'vault.db')).equals(before)).toBe(true);
    expect(existsSync(join(dir, 'vault.lock'))).toBe(false);
  });
});
