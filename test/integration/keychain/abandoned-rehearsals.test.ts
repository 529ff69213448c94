// A rehearsal killed half-way leaves its temporary workspace and throwaway keychain namespace behind;
// the next rehearsal clears them, against the real Secret Service. It never touches a running
// rehearsal's, an unmarked folder, a link, or a workspace whose namespace could not be emptied.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryKeychain, osKeychain, type Keychain } from '../../../main/core/backup/index.ts';
import { createRehearsalWorkspace, sweepAbandonedRehearsals } from '../../../main/core/ceremony-run/abandoned-rehearsals.ts';

const root = mkdtempSync(join(tmpdir(), 'byok-sweep-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that belonged to a process which has exited. */
function exitedPid(): number {
  return spawnSync('true').pid!;
}

async function rehearsalWithItems(pid: number, at = root): Promise<{ folder: string; service: string }> {
  const service = `byok-rehearsal-${randomUUID()}`;
  const folder = await createRehearsalWorkspace(at, service, { pid, startedAt: '2026-11-25T12:00:00Z' });
  mkdirSync(join(folder, 'vault'));
  await osKeychain(service).set('backup/b/0', new Uint8Array([1, 2, 3]));
  await osKeychain(service).set('ceremony-key', new Uint8Array([4, 5, 6]));
  return { folder, service };
}

async function empty(service: string): Promise<void> {
  for (const account of await osKeychain(service).list()) await osKeychain(service).delete(account);
}

describe('abandoned rehearsals', () => {
  it('clears the workspace and keychain items of a rehearsal whose process is gone, and only those', async () => {
    const abandoned = await rehearsalWithItems(exitedPid());
    const running = await rehearsalWithItems(process.pid);
    const unmarked = join(root, `byok-rehearsal-${randomUUID()}`);
    mkdirSync(unmarked);
    // A link named like a rehearsal, pointing at another abandoned one's folder elsewhere: not followed.
    const elsewhere = mkdtempSync(join(tmpdir(), 'byok-sweep-elsewhere-'));
    const target = await rehearsalWithItems(exitedPid(), elsewhere);
    const link = join(root, target.service);
    symlinkSync(target.folder, link);

    expect(await sweepAbandonedRehearsals({ root })).toBe(1);
    expect(existsSync(abandoned.folder)).toBe(false);
    expect(await osKeychain(abandoned.service).list()).toEqual([]);
    expect(existsSync(running.folder)).toBe(true);
    expect((await osKeychain(running.service).list()).sort()).toEqual(['backup/b/0', 'ceremony-key']);
    expect(existsSync(unmarked)).toBe(true);
    expect(existsSync(target.folder)).toBe(true);
    expect((await osKeychain(target.service).list()).length).toBe(2);

    for (const service of [running.service, target.service]) await empty(service);
    rmSync(elsewhere, { recursive: true, force: true });
    rmSync(link, { force: true });
  });

  it('keeps a workspace whose namespace cannot be emptied now, and clears it once it can', async () => {
    const service = `byok-rehearsal-${randomUUID()}`;
    const folder = await createRehearsalWorkspace(root, service, { pid: exitedPid(), startedAt: '' });
    const inner = memoryKeychain();
    await inner.set('backup/b/0', new Uint8Array([7]));
    let locked = true;
    const lockable: Keychain = { ...inner, delete: (account) => (locked ? Promise.reject(new Error('locked')) : inner.delete(account)) };
    expect(await sweepAbandonedRehearsals({ root, keychainFor: () => lockable })).toBe(0);
    expect(readdirSync(folder)).toEqual(['rehearsal.json']);
    locked = false;
    expect(await sweepAbandonedRehearsals({ root, keychainFor: () => lockable })).toBe(1);
    expect(existsSync(folder)).toBe(false);
    expect(await inner.list()).toEqual([]);
  });

  it('goes on past an entry it cannot read, and finds nothing to do in a missing folder', async () => {
    const broken = join(root, `byok-rehearsal-${randomUUID()}`);
    mkdirSync(broken);
    writeFileSync(join(broken, 'rehearsal.json'), '{not json');
    const abandoned = await rehearsalWithItems(exitedPid());
    expect(await sweepAbandonedRehearsals({ root })).toBe(1);
    expect(existsSync(abandoned.folder)).toBe(false);
    expect(existsSync(broken)).toBe(true);
    expect(await sweepAbandonedRehearsals({ root: join(root, 'missing') })).toBe(0);
  });
});
