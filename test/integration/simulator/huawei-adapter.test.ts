import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type KmsAdapter } from '../../../main/core/kms/index.ts';
import { CREDENTIALS, readParameters, startTestSimulator, wrapDirect, wrapTwoLayer, type SimHandle } from './fixture.ts';
import { rejection } from '../../support/rejection.ts';

let handle: SimHandle;
let huawei: KmsAdapter;

function adapterWith(ak: string, sk: string, projectId = CREDENTIALS.huawei.projectId): KmsAdapter {
  return createAdapter({ type: 'huawei', region: 'cn-north-4', projectId, endpoint: handle.sim.url }, { accessKeyId: ak, secret: sk }, { timeoutMs: 2_000 });
}

async function importSymmetric(remoteKeyId: string, material: Uint8Array, materialExpiry: string | null = null, parametersText?: string): Promise<void> {
  const text = parametersText ?? (await huawei.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' })).text;
  const parameters = readParameters(text);
  await huawei.importMaterial({
    remoteKeyId,
    importToken: parameters.importToken,
    importTokenText: parameters.importTokenText,
    wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', material) },
    materialExpiry,
  });
}

async function pendingKey(spec: 'AES_256' | 'SM4' | 'EC_P256' | 'RSA_2048' = 'AES_256'): Promise<string> {
  return (await huawei.createExternalKey({ alias: `byok-${spec.toLowerCase()}`, spec })).remoteKeyId;
}

beforeAll(async () => {
  handle = await startTestSimulator();
  huawei = adapterWith(CREDENTIALS.huawei.ak, CREDENTIALS.huawei.sk);
});
afterAll(async () => handle.cleanup());

describe('Huawei adapter against the simulator (SDK-HMAC-SHA256 signed client)', () => {
  it('creates an external key that waits for import', async () => {
    const remoteKeyId = await pendingKey();
    expect(await huawei.describeKey(remoteKeyId)).toMatchObject({ remoteKeyId, state: 'PendingImport', providerState: '5', origin: 'external' });
  });

  it('imports AES-256 and SM4 material, with and without expiry, and lists both', async () => {
    const aes = await pendingKey('AES_256');
    const sm4 = await pendingKey('SM4');
    const expiry = new Date(Math.floor(handle.sim.clock.now().getTime() / 1000 + 7 * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await importSymmetric(aes, randomBytes(32), expiry);
    await importSymmetric(sm4, randomBytes(16));
    expect(await huawei.describeKey(aes)).toMatchObject({ state: 'Enabled', materialExpiry: expiry });
    const listed = await huawei.listKeys();
    expect(listed.find((key) => key.remoteKeyId === sm4)).toMatchObject({ state: 'Enabled', materialExpiry: null });
  });

  it('deletes symmetric material and accepts the same material again', async () => {
    const remoteKeyId = await pendingKey();
    const material = randomBytes(32);
    await importSymmetric(remoteKeyId, material);
    await huawei.deleteImportedMaterial(remoteKeyId);
    expect((await huawei.describeKey(remoteKeyId)).state).toBe('PendingImport');
    await importSymmetric(remoteKeyId, material);
    expect((await huawei.describeKey(remoteKeyId)).state).toBe('Enabled');
  });

  it('imports an EC private key in two fields, serves its public key, and refuses to delete it (KMS.2702)', async () => {
    const remoteKeyId = await pendingKey('EC_P256');
    const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const { text } = await huawei.getImportParameters({ remoteKeyId, algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    expect((JSON.parse(text) as Record<string, unknown>).wrapping_algorithm).toBe('RSAES_OAEP_SHA_256');
    const parameters = readParameters(text);
    const { encryptedAesKey, wrappedMaterial } = wrapTwoLayer(parameters.publicKeyDer, 'sha256', pair.privateKey.export({ format: 'der', type: 'pkcs8' }));
    await huawei.importMaterial({
      remoteKeyId,
      importToken: parameters.importToken,
      importTokenText: parameters.importTokenText,
      wrapped: { layout: 'split', encryptedKeyMaterial: encryptedAesKey, encryptedPrivateKey: wrappedMaterial },
      // Asymmetric imported keys never expire on Huawei: the expiry is not kept.
      materialExpiry: new Date(handle.sim.clock.now().getTime() + 86_400_000).toISOString(),
    });
    expect(await huawei.describeKey(remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: null });
    const publicKey = await huawei.getPublicKey!(remoteKeyId);
    expect(Buffer.from(publicKey).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
    const error = await rejection(huawei.deleteImportedMaterial(remoteKeyId));
    expect(error.code).toBe('KMS_INVALID_STATE');
    expect(error.message).toContain('KMS.2702');
  });

  it('refuses an asymmetric import without the private-key field', async () => {
    const remoteKeyId = await pendingKey('RSA_2048');
    const parameters = readParameters((await huawei.getImportParameters({ remoteKeyId, algorithm: 'RSA_AES_KEY_WRAP_SHA_256' })).text);
    const error = await rejection(
      huawei.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', randomBytes(32)) }, materialExpiry: null }),
    );
    expect(error.message).toContain('KMS.2608');
    expect(error.code).toBe('KMS_CIPHERTEXT_INVALID');
  });

  it('answers wrong credentials with HTTP 401 APIGW.0301, mapped to PROVIDER_AUTH_FAILED', async () => {
    for (const adapter of [adapterWith('HUNKNOWNAK000000000', 'x'), adapterWith(CREDENTIALS.huawei.ak, 'wrong-secret-key')]) {
      const error = await rejection(adapter.listKeys());
      expect(error.code).toBe('PROVIDER_AUTH_FAILED');
      expect(error.message).toContain('APIGW.0301');
      expect(error.details?.httpStatus).toBe(401);
      expect(JSON.stringify(error.details)).not.toContain('wrong-secret-key');
    }
  });

  it('refuses an expired token (KMS.2601) and a token of another key (KMS.2603)', async () => {
    const first = await pendingKey();
    const second = await pendingKey();
    const { text } = await huawei.getImportParameters({ remoteKeyId: first, algorithm: 'RSAES_OAEP_SHA_256' });
    const mismatch = await rejection(importSymmetric(second, randomBytes(32), null, text));
    expect(mismatch.code).toBe('KMS_TOKEN_KEY_MISMATCH');
    expect(mismatch.message).toContain('KMS.2603');
    await handle.advanceHours(24.5);
    const expired = await rejection(importSymmetric(first, randomBytes(32), null, text));
    expect(expired.code).toBe('KMS_TOKEN_EXPIRED');
    expect(expired.message).toContain('KMS.2601');
  });

  it('refuses different material on re-import (KMS.2606)', async () => {
    const remoteKeyId = await pendingKey();
    await importSymmetric(remoteKeyId, randomBytes(32));
    await huawei.deleteImportedMaterial(remoteKeyId);
    const error = await rejection(importSymmetric(remoteKeyId, randomBytes(32)));
    expect(error.code).toBe('KMS_MATERIAL_MISMATCH');
    expect(error.message).toContain('KMS.2606');
  });

  it('deletes expired symmetric material: the key returns to PendingImport', async () => {
    const remoteKeyId = await pendingKey();
    await importSymmetric(remoteKeyId, randomBytes(32), new Date(handle.sim.clock.now().getTime() + 3_600_000).toISOString());
    await handle.advanceHours(1.5);
    expect(await huawei.describeKey(remoteKeyId)).toMatchObject({ state: 'PendingImport', materialExpiry: null });
  });

  it('refuses an import into a key that is not pending import (KMS.0310)', async () => {
    const remoteKeyId = await pendingKey();
    const material = randomBytes(32);
    await importSymmetric(remoteKeyId, material);
    const error = await rejection(importSymmetric(remoteKeyId, material));
    expect(error.code).toBe('KMS_INVALID_STATE');
    expect(error.message).toContain('KMS.0310');
  });

  it('maps an unknown key to KMS_NOT_FOUND', async () => {
    expect((await rejection(huawei.describeKey('00000000-0000-4000-8000-000000000000'))).code).toBe('KMS_NOT_FOUND');
  });

  it('needs a project id', () => {
    expect(() => createAdapter({ type: 'huawei', region: 'cn-north-4' }, { accessKeyId: 'a', secret: 'b' })).toThrow(/project id/);
  });
});
