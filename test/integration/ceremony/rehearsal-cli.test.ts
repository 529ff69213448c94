// `byok ceremony run --rehearsal` as a user runs it before the real ceremony: nothing real is touched
// (no vault created, no output written, the keychain namespace emptied), and the transcript is kept.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../main/core/backup/index.ts';
import { runByok, tempDir } from '../../support/byok-cli.ts';
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
});
