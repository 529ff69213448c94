// `byok ceremony run --rehearsal` as a user runs it before the real ceremony: nothing real is touched
// (no vault created, no output written, the keychain namespace emptied), and the transcript is kept.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../main/core/backup/index.ts';
import { BYOK_BIN, REPO_ROOT, runByok, tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture } from './ceremony-fixture.ts';

const workspace = tempDir('rehearsal-cli');
afterAll(() => workspace.remove());

describe('byok ceremony run --rehearsal', () => {
  it('refuses a witnessed plan without a terminal, like the real run', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'witnessed'), { confirmations: 'witness' });
    const result = await runByok(['--json', 'ceremony', 'run', '--rehearsal', '--plan', fixture.planPath, '--allow-online'], { vault: fixture.vaultDir });
    expect(result.json.error.code).toBe('CEREMONY_CONFIRMATION_FAILED');
  });

  it('leaves no vault, no outputs and no keychain items, and keeps a transcript labelled REHEARSAL', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'unattended'));
    const transcript = join(fixture.folder, 'rehearsal.html');
    const result = await runByok(
      ['--json', 'ceremony', 'run', '--rehearsal', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile, '--transcript', transcript, '--format', 'html'],
      { vault: fixture.vaultDir },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.json).toMatchObject({ rehearsal: true, unattended: true, status: 'completed', transcript, stateFile: null });
    expect(result.json.keys).toHaveLength(4);
    expect(existsSync(fixture.vaultDir)).toBe(false);
    expect(existsSync(join(fixture.folder, 'out'))).toBe(false);
    expect(existsSync(join(fixture.folder, 'escrow'))).toBe(false);
    expect(await osKeychain(result.json.keychainService).list()).toEqual([]);
    const html = readFileSync(transcript, 'utf8');
    expect(html).toContain('REHEARSAL — not a real ceremony');
    expect(html).toContain(result.json.plan.sha256);
    expect(html).toContain('<svg');
  });

  it('clears what an interrupted rehearsal left (workspace and keychain items) at the next rehearsal', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'interrupted'));
    const temp = join(workspace.path, 'tmp');
    mkdirSync(temp);
    const args = [BYOK_BIN, '--vault', fixture.vaultDir, '--json', 'ceremony', 'run', '--rehearsal', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: { ...process.env, TMPDIR: temp }, stdio: 'ignore' });
    // Kill it once its throwaway namespace holds items: the moment a rehearsal must not leave them behind.
    let service: string | null = null;
    for (let attempt = 0; attempt < 400 && service === null; attempt++) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 25));
      const folder = readdirSync(temp).find((name) => name.startsWith('byok-rehearsal-'));
      const marker = folder ? join(temp, folder, 'rehearsal.json') : null;
      if (!marker || !existsSync(marker)) continue;
      const named = folder!; // the workspace and its keychain namespace share their name
      if ((await osKeychain(named).list()).length > 0) service = named;
    }
    child.kill('SIGKILL');
    await new Promise((resolveExit) => child.once('exit', resolveExit));
    expect(service, 'the rehearsal wrote to its keychain namespace before it was killed').not.toBeNull();
    expect((await osKeychain(service!).list()).length).toBeGreaterThan(0);

    const next = await runByok(['--json', 'ceremony', 'run', '--rehearsal', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile], { vault: fixture.vaultDir, env: { TMPDIR: temp } });
    expect(next.code, next.stderr).toBe(0);
    expect(next.json.abandonedRehearsalsCleared).toBe(1);
    expect(next.stderr).toContain('earlier rehearsal(s) that were interrupted');
    expect(await osKeychain(service!).list()).toEqual([]);
    expect(readdirSync(temp).filter((name) => name.startsWith('byok-rehearsal-'))).toEqual([]);
  }, 120_000);
});
