// Damage, for real: a truncated, garbled or deleted vault database gives a clear error and the rebuild
// path recovers every key from the real Secret Service; a keychain locked in the middle of a batch stops
// the batch cleanly and leaves every reported key intact.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
usePrivateKeyring();


const work = tempDir('corruption');
afterAll(() => work.remove());

async function vaultWithKeys(name: string, count: number): Promise<{ vault: string; ids: string[] }> {
  const vault = join(work.path, name);
  const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', name, '--count', String(count)], { vault });
  expect(run.code, run.stderr).toBe(0);
  // A second save so that the database is more than its first snapshot.
  const more = await runByok(['--json', 'keys', 'generate', '--spec', 'EC_P256', '--alias', `${name}-ec`], { vault });
  expect(more.code, more.stderr).toBe(0);
  return { vault, ids: [...run.json.keys.map((key: { id: string }) => key.id), more.json.keys[0].id] };
}

async function expectRebuildRecovers(vault: string, ids: string[]) {
  const broken = await runByok(['--json', 'keys', 'list'], { vault });
  expect(broken.code).not.toBe(0);
  expect(broken.json.error.code).toBe('VAULT_CORRUPT');
  expect(broken.json.error.message).toContain('byok vault rebuild');

  const rebuild = await runByok(['--json', 'vault', 'rebuild'], { vault });
  expect(rebuild.code, rebuild.stderr).toBe(0);
  expect(rebuild.json.recovered.map((key: { id: string }) => key.id).sort()).toEqual([...ids].sort());
  expect(rebuild.json.unrecoverable).toEqual([]);

  const list = await runByok(['--json', 'keys', 'list'], { vault });
  expect(list.code, list.stderr).toBe(0);
  expect(list.json.keys.map((key: { id: string }) => key.id).sort()).toEqual([...ids].sort());
  const verify = await runByok(['--json', 'backup', 'verify', '--all'], { vault });
  expect(verify.json).toEqual({ verified: ids.length, failed: [] });
  return rebuild.json;
}

describe('a damaged vault database', () => {
  it('truncated: refuses with VAULT_CORRUPT, then rebuild recovers every key and keeps the damaged file', async () => {
    const { vault, ids } = await vaultWithKeys('truncated', 3);
    // Compacted at close: the keys live in the snapshot, which is cut in half here.
    const snapshot = join(vault, 'vault.db');
    truncateSync(snapshot, Math.floor(statSync(snapshot).size / 2));
    const reply = await expectRebuildRecovers(vault, ids);
    expect(reply.quarantined.length).toBeGreaterThan(0);
    for (const path of reply.quarantined) expect(existsSync(path)).toBe(true);
  });

  it('garbled: a block of bytes overwritten in the middle of the file', async () => {
    const { vault, ids } = await vaultWithKeys('garbled', 2);
    const snapshot = join(vault, 'vault.db');
    const bytes = readFileSync(snapshot);
    bytes.fill(0x5a, 0, Math.min(4096, bytes.length));
    writeFileSync(snapshot, bytes);
    await expectRebuildRecovers(vault, ids);
  });

  it('deleted: the database and its journal gone, the vault id file kept', async () => {
    const { vault, ids } = await vaultWithKeys('deleted', 2);
    rmSync(join(vault, 'vault.db'));
    rmSync(join(vault, 'vault.journal'), { force: true });
    await expectRebuildRecovers(vault, ids);
  });

  it('a generation into a folder whose database is gone refuses instead of starting a new vault', async () => {
    const { vault } = await vaultWithKeys('no-silent-new', 1);
    rmSync(join(vault, 'vault.db'));
    rmSync(join(vault, 'vault.journal'), { force: true });
    const run = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'fresh'], { vault });
    expect(run.json.error.code).toBe('VAULT_CORRUPT');
    expect(existsSync(join(vault, 'vault.db'))).toBe(false);
  });
});

describe('a keychain locked in the middle of a batch', () => {
  it('stops the batch cleanly: an error that says to unlock, and every reported key intact', async () => {
    const keyringData = join(work.path, 'keyring-data');
    mkdirSync(keyringData);
    const vault = join(work.path, 'locked-vault');
    const out = join(work.path, 'locked-run');
    mkdirSync(out);
    // A private D-Bus session and keyring of its own, so locking it cannot disturb other tests.
    const env: NodeJS.ProcessEnv = { ...process.env, BYOK_KEYRING_DATA: keyringData };
    delete env.DBUS_SESSION_BUS_ADDRESS;
    const fixture = join(REPO_ROOT, 'test/integration/keychain/fixtures/lock-mid-batch.sh');
    const session = spawnSync(process.execPath, ['test/harness/with-keychain.ts', '--private', 'bash', fixture, BYOK_BIN, vault, out], { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 240_000 });
    expect(session.status, session.stderr).toBe(0);

    const exitCode = Number(readFileSync(join(out, 'exit-code'), 'utf8'));
    const stderr = readFileSync(join(out, 'stderr'), 'utf8');
    expect(exitCode).toBe(5);
    expect(stderr).toMatch(/locked|unlock/i);
    const reported = readFileSync(join(out, 'stdout'), 'utf8')
      .split('\n')
      .filter((line) => /^[0-9a-f-]{36}\s/.test(line))
      .map((line) => line.split(/\s+/)[0]!);
    expect(reported.length).toBeGreaterThanOrEqual(10);
    expect(reported.length).toBeLessThan(600);

    // A new session on the same keyring file (unlocked again with its password): every reported key is
    // recorded and its backup verifies; nothing unreported was recorded.
    const check = spawnSync(
      process.execPath,
      ['test/harness/with-keychain.ts', '--private', process.execPath, BYOK_BIN, '--vault', vault, '--json', 'backup', 'verify', '--all'],
      { cwd: REPO_ROOT, env, encoding: 'utf8', timeout: 120_000 },
    );
    expect(check.status, check.stderr).toBe(0);
    const verified = JSON.parse(check.stdout);
    expect(verified.failed).toEqual([]);
    expect(verified.verified).toBe(reported.length);
    expect(readdirSync(vault)).toContain('vault.db');
  }, 300_000);
});
