// The laptop is lost: the vault folder and every keychain item of the vault are gone. Keys come back
// on a new vault from the passphrase-protected escrow file and from custodians' shares, with the same
// KCVs, verified keychain backups and vault records — through the public `byok` command.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runByok, tempDir, usePrivateKeyring } from '../../support/byok-cli.ts';

// This file writes many keychain items: it gets a Secret Service of its own.
const keyring = usePrivateKeyring();


const work = tempDir('disaster');
afterAll(() => work.remove());

const PASSPHRASE = 'correct horse battery staple 2026';

describe('disaster recovery on a new machine', () => {
  it('restores every key from the escrow file and one key from 2 of 3 shares, with the same KCVs', async () => {
    const lost = join(work.path, 'lost-vault');
    const generated = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'escrowed', '--count', '2'], { vault: lost });
    expect(generated.code, generated.stderr).toBe(0);
    const ec = await runByok(['--json', 'keys', 'generate', '--spec', 'EC_P256', '--alias', 'escrowed-ec'], { vault: lost });
    const keys: Array<{ id: string; kcv?: string; fingerprint?: string }> = [...generated.json.keys, ...ec.json.keys];
    const escrowFile = join(work.path, 'offline-copy.escrow');
    const escrow = await runByok(['--json', 'backup', 'escrow', ...keys.flatMap((key) => ['--key', key.id]), '--out', escrowFile], { vault: lost, input: `${PASSPHRASE}\n` });
    expect(escrow.code, escrow.stderr).toBe(0);
    expect(escrow.json.keys).toBe(3);
    const sharesDir = join(work.path, 'shares');
    const split = await runByok(['--json', 'backup', 'split', '--key', keys[0]!.id, '--threshold', '2', '--shares', '3', '--out', sharesDir], { vault: lost });
    expect(split.code, split.stderr).toBe(0);
    expect(split.json.subsetsVerified).toBe(3);

    // The loss: the vault's keychain items (backups and ceremony key) and its folder.
    const vaultId = readFileSync(join(lost, 'vault.id'), 'utf8').trim();
    execFileSync('secret-tool', ['clear', 'service', `byok-ceremony/${vaultId}`], { env: keyring.env() });
    rmSync(lost, { recursive: true, force: true });

    // A wrong passphrase is refused and restores nothing.
    const fresh = join(work.path, 'new-vault');
    const wrong = await runByok(['--json', 'backup', 'escrow-restore', '--file', escrowFile], { vault: fresh, input: 'not the passphrase\n' });
    expect(wrong.json.error.code).toBe('ESCROW_PASSPHRASE_WRONG');

    const restored = await runByok(['--json', 'backup', 'escrow-restore', '--file', escrowFile], { vault: fresh, input: `${PASSPHRASE}\n` });
    expect(restored.code, restored.stderr).toBe(0);
    const byId = new Map(restored.json.keys.map((key: { id: string; kcv?: string; fingerprint?: string }) => [key.id, key.kcv ?? key.fingerprint]));
    for (const key of keys) expect(byId.get(key.id)).toBe(key.kcv ?? key.fingerprint);
    const verify = await runByok(['--json', 'backup', 'verify', '--all'], { vault: fresh });
    expect(verify.json).toEqual({ verified: 3, failed: [] });

    // Shares on a third machine: any two of three rebuild the key, recorded and backed up.
    const third = join(work.path, 'third-vault');
    const shareFiles = readdirSync(sharesDir).filter((name) => name.endsWith('.json')).sort().map((name) => join(sharesDir, name));
    const combined = await runByok(['--json', 'backup', 'combine', shareFiles[0]!, shareFiles[2]!], { vault: third });
    expect(combined.code, combined.stderr).toBe(0);
    expect(combined.json).toMatchObject({ keyId: keys[0]!.id, kcv: keys[0]!.kcv, restoredToKeychain: true });
    const list = await runByok(['--json', 'keys', 'list'], { vault: third });
    expect(list.json.keys).toEqual([expect.objectContaining({ id: keys[0]!.id, kcv: keys[0]!.kcv, status: 'restored', backup: 'verified' })]);
    const verifyThird = await runByok(['--json', 'backup', 'verify', '--all'], { vault: third });
    expect(verifyThird.json).toEqual({ verified: 1, failed: [] });
  }, 180_000);
});
