// A whole planned ceremony against the real core (vault, entropy, keychain backups in the real Secret
// Service, shares, escrow, wraps, audit log), unattended; then a rehearsal of the same plan whose
// transcript differs from the real one only in keys, ids, times and hashes.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCeremonyService } from '../../../main/core/ceremony.ts';
import { osKeychain } from '../../../main/core/backup/index.ts';
import { loadState, renderTranscript, runCeremony, runRehearsal, type CeremonyOutcome, type RehearsalOutcome } from '../../../main/core/ceremony-run/index.ts';
import { tempDir } from '../../support/byok-cli.ts';
import { createCeremonyFixture, ESCROW_PASSPHRASE, normaliseTranscript, openVault, type CeremonyFixture } from './ceremony-fixture.ts';

const workspace = tempDir('ceremony-full');
let fixture: CeremonyFixture;
let real: CeremonyOutcome;
let rehearsal: RehearsalOutcome;
let outputsAfterRehearsal: string[] | null;

beforeAll(async () => {
  fixture = await createCeremonyFixture(join(workspace.path, 'real'));
  // As in real life: rehearse first (the real vault folder exists, so the rehearsal's record is kept there).
  const { mkdir } = await import('node:fs/promises');
  await mkdir(fixture.vaultDir, { recursive: true });
  rehearsal = await runRehearsal({
    planPath: fixture.planPath,
    allowOnline: true,
    prompter: null,
    escrowPassphrase: async () => ESCROW_PASSPHRASE,
    openService: (options) => createCeremonyService(options),
    realVaultDir: fixture.vaultDir,
  });
  outputsAfterRehearsal = await readdir(join(fixture.folder, 'out')).catch(() => null);
  const service = await openVault(fixture.vaultDir, true);
  try {
    real = await runCeremony({ service, vaultDir: fixture.vaultDir, planPath: fixture.planPath, allowOnline: true, prompter: null, escrowPassphrase: async () => ESCROW_PASSPHRASE });
  } finally {
    await service.close();
  }
});
afterAll(() => workspace.remove());

describe('a planned ceremony against the real core', () => {
  it('generates, backs up, shares, escrows and wraps every planned key', async () => {
    expect(real.status).toBe('completed');
    const state = await loadState(fixture.vaultDir, real.state.ceremonyId);
    expect(state.keys.map((key) => [key.label, key.spec, key.check.kind])).toEqual([
      ['dek-1', 'AES_256', 'kcv'],
      ['dek-2', 'AES_256', 'kcv'],
      ['ledger', 'AES_256', 'kcv'],
      ['sign', 'EC_P256', 'fingerprint'],
    ]);
    expect(state.keys.map((key) => key.wrap?.provider)).toEqual(['aws', 'aws', 'tencent', 'huawei']);
    expect(state.keys.every((key) => key.backup?.verified && key.shares?.files.length === 3 && key.shares.subsetsVerified >= 3)).toBe(true);
    expect(state.escrow?.keys).toBe(4);
    expect(state.entropy.every((item) => item.healthPassed)).toBe(true);
    expect(state.unattended).toBe(true);
    expect((await readdir(join(fixture.folder, 'out'))).sort()).toEqual(['dek-1', 'dek-2', 'ledger', 'shares', 'sign']);
    expect(await stat(join(fixture.folder, 'escrow/keys.escrow'))).toBeTruthy();
  });

  it('writes output files whose hashes the transcript records, with bundles signed by this vault', async () => {
    const service = await openVault(fixture.vaultDir);
    try {
      const { createHash } = await import('node:crypto');
      for (const key of real.state.keys) {
        for (const file of key.wrap!.files) {
          const bytes = await readFile(join(fixture.folder, 'out', file.name));
          expect(createHash('sha256').update(bytes).digest('hex')).toBe(file.sha256);
        }
        const bundle = key.wrap!.files.find((file) => file.name.endsWith('bundle.json'))!;
        const verified = await service.verifyBundle({ path: join(fixture.folder, 'out', bundle.name) });
        expect(verified).toMatchObject({ valid: true, keyId: key.keyId, signedByThisVault: true, check: key.check });
      }
      const audit = await service.auditVerify();
      expect(audit.valid).toBe(true);
      const steps = (await service.auditList({ limit: 1000 })).events.filter((event) => event.type === 'ceremony.step');
      expect(steps.length).toBeGreaterThan(30);
      expect(real.state.audit?.head).toMatch(/^[0-9a-f]{64}$/);
    } finally {
      await service.close();
    }
  });

  it('rehearses the same plan in a throwaway vault and keychain; the transcripts differ only in keys, ids, times and hashes', async () => {
    expect(rehearsal.status).toBe('completed');
    expect(rehearsal.state.rehearsal).toBe(true);
    // Nothing of the rehearsal is left: keychain namespace empty, nothing written to the plan's folders.
    expect(await osKeychain(rehearsal.keychainService).list()).toEqual([]);
    expect(outputsAfterRehearsal).toBeNull();
    expect(rehearsal.keptStatePath).toBe(join(fixture.vaultDir, 'ceremonies', `${rehearsal.state.ceremonyId}.json`));
    expect(rehearsal.state.keys.map((key) => key.remoteKeyId)).toEqual(real.state.keys.map((key) => key.remoteKeyId));

    const realMarkdown = await renderTranscript(real.state, 'md');
    const rehearsalMarkdown = await renderTranscript(rehearsal.state, 'md');
    expect(rehearsalMarkdown).toContain('REHEARSAL — not a real ceremony');
    expect(rehearsalMarkdown).not.toEqual(realMarkdown);
    expect(normaliseTranscript(rehearsalMarkdown)).toEqual(normaliseTranscript(realMarkdown));
  });
});
