// The vault pins its ceremony signing key: once it has signed, a keychain that lost the key (or holds
// another) is refused instead of a new key being made silently, which would leave every bundle and
// checkpoint signed before unverifiable as this vault's. Read-only commands need no signing key. Runs
// the real `byok` against the real Secret Service.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CEREMONY_KEY_ACCOUNT, osKeychain } from '../../../main/core/backup/index.ts';
import { keychainServiceFor } from '../../../main/core/ceremony.ts';
import { runByok, tempDir } from '../../support/byok-cli.ts';
import { opensslWrappingKeyPair } from '../../support/openssl.ts';
import { providerParamsFile } from '../../support/provider-params.ts';

const work = tempDir('ceremony-pin');
afterAll(() => work.remove());

describe('a vault pins its ceremony signing key', () => {
  it('refuses to sign or generate without the recorded key, never makes a new one, and works again once it is restored', async () => {
    const vault = join(work.path, 'vault');
    const first = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'pinned'], { vault });
    expect(first.code, first.stderr).toBe(0);
    const info = await runByok(['--json', 'vault', 'info'], { vault });
    expect(info.code, info.stderr).toBe(0);
    const recorded: string = info.json.ceremonyPublicKey;
    const keychain = osKeychain(keychainServiceFor(info.json.vaultId));
    const original = await keychain.get(CEREMONY_KEY_ACCOUNT);
    expect(original).not.toBeNull();

    try {
      // The keychain loses the item (another tool, a reset profile).
      expect(await keychain.delete(CEREMONY_KEY_ACCOUNT)).toBe(true);

      const list = await runByok(['--json', 'keys', 'list'], { vault });
      expect(list.code, list.stderr).toBe(0);
      expect(list.json.keys.map((key: { alias: string }) => key.alias)).toEqual(['pinned']);
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull(); // listing neither reads nor makes it

      const refused = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'second'], { vault });
      expect(refused.code).not.toBe(0);
      expect(refused.json.error.code).toBe('BACKUP_MISSING');
      expect(refused.json.error.message).toContain(recorded);
      expect(refused.json.error.message).toMatch(/not in the OS keychain/);
      expect(await keychain.get(CEREMONY_KEY_ACCOUNT)).toBeNull();
      // A wrap signs its bundle: refused before the backup is read, and no output is written.
      const params = join(work.path, 'aws.json');
      writeFileSync(params, providerParamsFile({ provider: 'aws', publicDer: opensslWrappingKeyPair(work.path, 2048).publicDer, validTo: new Date(Date.now() + 6 * 3600_000) }));
      const out = join(work.path, 'out');
      const wrap = await runByok(['--json', 'wrap', '--key', first.json.keys[0].id, '--params', params, '--algorithm', 'RSAES_OAEP_SHA_256', '--out', out], { vault });
      expect(wrap.code).not.toBe(0);
      expect(wrap.json.error.code).toBe('BACKUP_MISSING');
      expect(existsSync(out)).toBe(false);

      // What the vault signed before still checks out against the recorded key, without the keychain.
      const verified = await runByok(['--json', 'audit', 'verify'], { vault });
      expect(verified.code, verified.stderr).toBe(0);
      expect(verified.json).toMatchObject({ valid: true });
      expect(verified.json.checkpoints).toBeGreaterThan(0);
      const missingInfo = await runByok(['--json', 'vault', 'info'], { vault });
      expect(missingInfo.code, missingInfo.stderr).toBe(0);
      expect(missingInfo.json.ceremonyPublicKey).toBe(recorded);
      expect(missingInfo.json.ceremonyKeyProblem).toMatch(/not in the OS keychain/);
      expect((await runByok(['vault', 'info'], { vault })).stdout).toMatch(/warning: signing is refused: .*not in the OS keychain/);

      // Another Ed25519 key in its place is not taken for the vault's.
      const stranger = new Uint8Array(generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }));
      await keychain.set(CEREMONY_KEY_ACCOUNT, stranger);
      const mismatch = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'second'], { vault });
      expect(mismatch.code).not.toBe(0);
      expect(mismatch.json.error.code).toBe('BACKUP_MISMATCH');
      expect(mismatch.json.error.message).toContain(recorded);
      expect((await runByok(['--json', 'vault', 'info'], { vault })).json.ceremonyKeyProblem).toMatch(/is not the one this vault has signed with/);

      // The keychain restored from its backup: signing works again, with the same key.
      await keychain.set(CEREMONY_KEY_ACCOUNT, original!);
      const second = await runByok(['--json', 'keys', 'generate', '--spec', 'AES_256', '--alias', 'second'], { vault });
      expect(second.code, second.stderr).toBe(0);
      const restoredInfo = await runByok(['--json', 'vault', 'info'], { vault });
      expect(restoredInfo.json).toMatchObject({ ceremonyPublicKey: recorded, ceremonyKeyProblem: null });
      const list2 = await runByok(['--json', 'keys', 'list'], { vault });
      expect(list2.json.keys.map((key: { alias: string }) => key.alias)).toEqual(['pinned', 'second']);
    } finally {
      if (original) await keychain.set(CEREMONY_KEY_ACCOUNT, original);
      for (const id of (await keychain.list()).filter((account) => account !== CEREMONY_KEY_ACCOUNT)) await keychain.delete(id);
      await keychain.delete(CEREMONY_KEY_ACCOUNT);
    }
  }, 120_000);
});
