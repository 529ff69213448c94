// A file a ceremony resume moves aside stays, even when a killed write had linked it (it then shares an
// inode with that write's temporary file, which the next write into the folder cleans up).
import { link, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { moveAside } from '../../../../main/core/ceremony-run/recorded-outputs.ts';
import { writeNewFiles } from '../../../../main/core/new-files.ts';

let dir: string;
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

it('keeps a moved-aside file that a killed write had linked, through the next write into the folder', async () => {
  dir = await mkdtemp(join(tmpdir(), 'byok-move-aside-'));
  // What a write killed between link() and removing its temporary names leaves: a final and its twin,
  // the twin named for a process that no longer exists (pid 2^22 + 1 is above Linux's pid_max ceiling).
  const stale = join(dir, `.byok-new-${2 ** 22 + 1}-0123abcd-00ff.tmp`);
  await writeFile(stale, 'unreported bundle');
  await link(stale, join(dir, 'bundle.json'));

  const [moved] = await moveAside([join(dir, 'bundle.json')], new Date('2026-12-01T09:00:00Z'));
  expect(moved).toBe(join(dir, 'bundle.json.interrupted-20261201T090000Z'));
  await writeNewFiles(dir, [{ name: 'bundle.json', bytes: new TextEncoder().encode('redone') }]);

  expect((await readdir(dir)).sort()).toEqual(['bundle.json', 'bundle.json.interrupted-20261201T090000Z']);
  expect(await readFile(moved!, 'utf8')).toBe('unreported bundle');
  expect(await readFile(join(dir, 'bundle.json'), 'utf8')).toBe('redone');
});
