// A rehearsal killed half-way leaves its temporary workspace and throwaway keychain namespace behind;
// the next rehearsal clears them, against the real Secret Service, and never touches a running
// rehearsal's, an unmarked folder, or a namespace that is not a rehearsal's.
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../main/core/backup/index.ts';
import { markRehearsal, sweepAbandonedRehearsals } from '../../../main/core/ceremony-run/abandoned-rehearsals.ts';

const root = mkdtempSync(join(tmpdir(), 'byok-sweep-root-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A pid that belonged to a process which has exited. */
function exitedPid(): number {
  return spawnSync('true').pid!;
}

async function workspaceWithItems(pid: number): Promise<{ folder: string; service: string }> {
  const folder = join(root, `byok-rehearsal-${randomUUID().slice(0, 8)}`);
  mkdirSync(folder);
  const service = `byok-rehearsal-${randomUUID()}`;
  await markRehearsal(folder, { keychainService: service, pid, startedAt: '2026-11-25T12:00:00Z' });
  mkdirSync(join(folder, 'vault'));
  await osKeychain(service).set('backup/b/0', new Uint8Array([1, 2, 3]));
  await osKeychain(service).set('ceremony-key', new Uint8Array([4, 5, 6]));
  return { folder, service };
}

describe('abandoned rehearsals', () => {
  it('clears the workspace and keychain items of a rehearsal whose process is gone, and only those', async () => {
    const abandoned = await workspaceWithItems(exitedPid());
    const running = await workspaceWithItems(process.pid);
    const unmarked = join(root, 'byok-rehearsal-unmarked');
    mkdirSync(unmarked);
    const forged = join(root, 'byok-rehearsal-forged');
    mkdirSync(forged);
    const notRehearsal = `byok-real-${randomUUID()}`;
    await osKeychain(notRehearsal).set('backup/x/0', new Uint8Array([9]));
    writeFileSync(join(forged, 'rehearsal.json'), JSON.stringify({ keychainService: notRehearsal, pid: exitedPid(), startedAt: '' }));

    expect(await sweepAbandonedRehearsals({ root })).toBe(1);
    expect(existsSync(abandoned.folder)).toBe(false);
    expect(await osKeychain(abandoned.service).list()).toEqual([]);
    expect(existsSync(running.folder)).toBe(true);
    expect((await osKeychain(running.service).list()).sort()).toEqual(['backup/b/0', 'ceremony-key']);
    expect(existsSync(unmarked)).toBe(true);
    expect(existsSync(forged)).toBe(true);
    expect(await osKeychain(notRehearsal).list()).toEqual(['backup/x/0']);

    for (const service of [running.service, notRehearsal]) for (const account of await osKeychain(service).list()) await osKeychain(service).delete(account);
  });

  it('finds nothing to do in a folder without rehearsals', async () => {
    expect(await sweepAbandonedRehearsals({ root: join(root, 'missing') })).toBe(0);
  });
});
