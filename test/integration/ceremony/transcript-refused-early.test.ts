// `--transcript FILE` is written when a ceremony ends, so a FILE that already exists (or a folder that
// does not) is refused before the run starts: before the offline check, before any key is generated.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';
import { createCeremonyFixture } from './ceremony-fixture.ts';

// Were the refusal late, the run would reach the keychain: it gets one of its own, so that is what a
// regression would show (keys generated), not a missing keychain.
usePrivateKeyring();

const workspace = tempDir('transcript-early');
afterAll(() => workspace.remove());

async function fixtureWithTranscript(name: string) {
  const fixture = await createCeremonyFixture(join(workspace.path, name));
  const transcript = join(fixture.folder, 'transcript.md');
  writeFileSync(transcript, 'an earlier transcript\n');
  return { ...fixture, transcript };
}

async function expectNothingDone(fixture: { vaultDir: string; folder: string; transcript: string }) {
  expect(existsSync(fixture.vaultDir), 'no vault was created').toBe(false);
  const keys = await runByok(['--json', 'keys', 'list'], { vault: fixture.vaultDir });
  expect(keys.json.error.code, 'no keys were generated').toBe('VAULT_NOT_FOUND');
  expect(existsSync(join(fixture.folder, 'out'))).toBe(false);
  expect(existsSync(join(fixture.folder, 'escrow'))).toBe(false);
  expect(readFileSync(fixture.transcript, 'utf8')).toBe('an earlier transcript\n');
}

describe('ceremony --transcript to an existing file', () => {
  it('refuses a real run before anything happens', async () => {
    const fixture = await fixtureWithTranscript('real');
    const run = await runByok(['--json', 'ceremony', 'run', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile, '--transcript', fixture.transcript], { vault: fixture.vaultDir });
    expect(run.code, run.stderr).toBe(3);
    expect(run.json.error).toMatchObject({ code: 'OUTPUT_EXISTS', message: expect.stringContaining(fixture.transcript) });
    await expectNothingDone(fixture);
  });

  it('refuses it before the offline check (the answer is the same whether or not this machine is online)', async () => {
    const fixture = await fixtureWithTranscript('offline-check');
    const run = await runByok(['--json', 'ceremony', 'run', '--plan', fixture.planPath, '--escrow-passphrase-file', fixture.passphraseFile, '--transcript', fixture.transcript], { vault: fixture.vaultDir });
    expect(run.json.error.code).toBe('OUTPUT_EXISTS');
    await expectNothingDone(fixture);
  });

  it('refuses a rehearsal before anything happens', async () => {
    const fixture = await fixtureWithTranscript('rehearsal');
    const run = await runByok(['--json', 'ceremony', 'run', '--rehearsal', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile, '--transcript', fixture.transcript], { vault: fixture.vaultDir });
    expect(run.code, run.stderr).toBe(3);
    expect(run.json.error.code).toBe('OUTPUT_EXISTS');
    expect(run.stderr).not.toContain('Cleared');
    await expectNothingDone(fixture);
  });

  it('refuses a resume before it looks for the ceremony to resume', async () => {
    const fixture = await fixtureWithTranscript('resume');
    const run = await runByok(['--json', 'ceremony', 'resume', '--plan', fixture.planPath, '--allow-online', '--transcript', fixture.transcript], { vault: fixture.vaultDir });
    expect(run.code).toBe(3);
    expect(run.json.error.code).toBe('OUTPUT_EXISTS');
  });

  it('refuses a transcript in a folder that does not exist, before the run', async () => {
    const fixture = await createCeremonyFixture(join(workspace.path, 'no-folder'));
    const transcript = join(fixture.folder, 'missing-folder', 'transcript.md');
    const run = await runByok(['--json', 'ceremony', 'run', '--plan', fixture.planPath, '--allow-online', '--escrow-passphrase-file', fixture.passphraseFile, '--transcript', transcript], { vault: fixture.vaultDir });
    expect(run.code).toBe(2);
    expect(run.json.error).toMatchObject({ code: 'FILE_NOT_FOUND', message: expect.stringContaining(join(fixture.folder, 'missing-folder')) });
    expect(existsSync(fixture.vaultDir)).toBe(false);
  });
});
