// generateKeys with a wrap target: each key is wrapped from the copy its backup was written from while
// the keychain write and read-back are in flight, and a wrap is handed out only when the read-back
// proves the keychain holds exactly that material.
import { constants, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { injectFaults, memoryKeychain, type Keychain } from '../../../../main/core/backup/index.ts';
import { generateAndWrapKeys } from '../../../../main/core/use-cases/generate-and-wrap.ts';
import { providerParamsFile } from '../../../support/provider-params.ts';
import { openCoreContext } from '../../../../main/core/ceremony.ts';
import { computeKeyCheck } from '../../../../main/core/keys/index.ts';
import type { CoreContext } from '../../../../main/core/use-cases/context.ts';
import { generateKeys, type WrapTarget } from '../../../../main/core/use-cases/generate-keys.ts';

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const target: WrapTarget = { wrappingPublicKeySpki: publicKey.export({ format: 'der', type: 'spki' }), algorithm: 'RSAES_OAEP_SHA_256', layout: 'single' };

let dir: string | undefined;
let context: CoreContext | undefined;

async function open(keychain: Keychain): Promise<CoreContext> {
  dir = mkdtempSync(join(tmpdir(), 'byok-generate-wrap-'));
  context = await openCoreContext({ vaultDir: join(dir, 'vault'), create: true, keychain });
  return context;
}

afterEach(async () => {
  await context?.audit.close();
  await context?.vault.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  context = undefined;
  dir = undefined;
});

/** A keychain whose reads return the stored bytes with one byte flipped at `offset` from the end. */
function alteringReads(inner: Keychain, offsetFromEnd: number): Keychain {
  return {
    ...inner,
    set: (account, secret) => inner.set(account, secret),
    async get(account) {
      const bytes = await inner.get(account);
      if (bytes && bytes.length > offsetFromEnd) bytes[bytes.length - offsetFromEnd] = bytes[bytes.length - offsetFromEnd]! ^ 0x01;
      return bytes;
    },
  };
}

describe('generateKeys with a wrap target', () => {
  it('wraps every key of every batch; each unwraps to material whose KCV is the one reported and backed up', async () => {
    const ctx = await open(memoryKeychain());
    const { keys, wrappedMaterial } = await generateKeys(ctx, { spec: 'AES_128', alias: 'w', count: 130 }, { wrapFor: target, batchSize: 60 });
    expect(keys).toHaveLength(130);
    expect(wrappedMaterial?.size).toBe(130);
    const backedUp = new Map<string, string>();
    await ctx.backups.forEachKey((entry) => void backedUp.set(entry.keyId, entry.check.value));
    for (const key of keys) {
      const wrapped = wrappedMaterial!.get(key.id)!;
      expect(wrapped.layout).toBe('single');
      const material = privateDecrypt({ key: privateKey, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' }, (wrapped as { ciphertext: Uint8Array }).ciphertext);
      expect(computeKeyCheck('AES_128', material).value).toBe(key.check.value);
      expect(backedUp.get(key.id)).toBe(key.check.value);
    }
  });

  it('hands out no wrap, and records no key, when the keychain gives back different material', async () => {
    const ctx = await open(alteringReads(memoryKeychain(), 5));
    await expect(generateKeys(ctx, { spec: 'AES_256', alias: 'bad', count: 20 }, { wrapFor: target })).rejects.toMatchObject({ code: 'BACKUP_MISMATCH' });
    expect(ctx.vault.keys.count()).toBe(0);
    expect(ctx.audit.list().filter((event) => event.type === 'key.generated')).toHaveLength(0);
  });

  it('keeps the keys it backed up when the wrap itself fails, and says they are saved but not wrapped', async () => {
    const ctx = await open(memoryKeychain());
    // PKCS#1 v1.5 with a 512-bit key cannot carry 64 bytes: the wrap fails after generation.
    const small = generateKeyPairSync('rsa', { modulusLength: 512 }).publicKey.export({ format: 'der', type: 'spki' });
    const failing: WrapTarget = { wrappingPublicKeySpki: small, algorithm: 'RSAES_PKCS1_V1_5', layout: 'single' };
    const attempt = generateKeys(ctx, { spec: 'HMAC_512', alias: 'h', count: 3 }, { wrapFor: failing });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringMatching(/^3 key\(s\) were generated, backed up and saved, but not wrapped: /) });
    expect(ctx.vault.keys.count()).toBe(3);
    expect((await ctx.backups.verify(ctx.vault.keys.list().map((key) => ({ keyId: key.id, spec: key.spec, check: key.check })))).verified).toBe(3);
  });

  it('writes each batch\'s outputs as soon as the batch is saved, so a later batch\'s failure keeps them', async () => {
    const keychain = injectFaults(memoryKeychain());
    const ctx = await open(keychain);
    await ctx.signer();
    const paramsPath = join(dir!, 'job.json');
    // One Azure key-exchange key wraps many keys (parameters for one AWS remote key would be refused).
    writeFileSync(paramsPath, providerParamsFile({ provider: 'azure', publicDer: target.wrappingPublicKeySpki, validTo: new Date(Date.now() + 6 * 3_600_000) }));
    // The first batch's keychain write goes through; the second batch's fails.
    keychain.plan({ failAfter: 1, counting: ['set'] });
    const out = join(dir!, 'out');
    const saved: string[] = [];
    const attempt = generateAndWrapKeys(ctx, { spec: 'AES_256', alias: 'b', count: 6, wrap: { paramsPath, outDir: out } }, { batchSize: 3, onSaved: (keys) => saved.push(...keys.map((key) => key.id)) });
    await expect(attempt).rejects.toMatchObject({ code: 'KEYCHAIN_UNAVAILABLE' });
    expect(saved).toHaveLength(3);
    expect(readdirSync(out).sort()).toEqual(['b-1', 'b-2', 'b-3']);
    for (const alias of ['b-1', 'b-2', 'b-3']) expect(readdirSync(join(out, alias)).sort()).toEqual([`${alias}.byok`, 'bundle.json']);
    expect(ctx.vault.bundles.list()).toHaveLength(3);
    expect(ctx.audit.list().filter((event) => event.type === 'bundle.written')).toHaveLength(3);
  });
});
