import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter, type KmsAdapter } from '../../../main/core/kms/index.ts';
import type { WrappingAlgorithm } from '../../../shared/providers.ts';
import { CREDENTIALS, readParameters, startTestSimulator, wrapDirect, type SimHandle } from './fixture.ts';
import { rejection } from '../../support/rejection.ts';

let handle: SimHandle;
let tencent: KmsAdapter;

function adapterWith(secretId: string, secret: string): KmsAdapter {
  return createAdapter({ type: 'tencent', region: 'ap-guangzhou', endpoint: handle.sim.url }, { accessKeyId: secretId, secret }, { timeoutMs: 2_000 });
}

const SCHEMES = { RSAES_OAEP_SHA_1: 'oaep-sha1', RSAES_OAEP_SHA_256: 'oaep-sha256', RSAES_PKCS1_V1_5: 'pkcs1' } as const;

async function params(remoteKeyId: string, algorithm: keyof typeof SCHEMES = 'RSAES_OAEP_SHA_256'): Promise<ReturnType<typeof readParameters> & { algorithm: keyof typeof SCHEMES; text: string }> {
  const { text } = await tencent.getImportParameters({ remoteKeyId, algorithm: algorithm as WrappingAlgorithm });
  return { ...readParameters(text), algorithm, text };
}

function importWith(remoteKeyId: string, parameters: Awaited<ReturnType<typeof params>>, material: Uint8Array, materialExpiry: string | null = null): Promise<void> {
  return tencent.importMaterial({
    remoteKeyId,
    importToken: parameters.importToken,
    importTokenText: parameters.importTokenText,
    wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, SCHEMES[parameters.algorithm], material) },
    materialExpiry,
  });
}

async function pendingKey(): Promise<string> {
  return (await tencent.createExternalKey({ alias: 'byok-test', spec: 'AES_256' })).remoteKeyId;
}

beforeAll(async () => {
  handle = await startTestSimulator();
  tencent = adapterWith(CREDENTIALS.tencent.secretId, CREDENTIALS.tencent.secretKey);
});
afterAll(async () => handle.cleanup());

describe('Tencent adapter against the simulator (official tencentcloud-sdk-nodejs-common)', () => {
  it('creates an external key that waits for import', async () => {
    const remoteKeyId = await pendingKey();
    expect(await tencent.describeKey(remoteKeyId)).toMatchObject({ remoteKeyId, state: 'PendingImport', origin: 'external', materialExpiry: null });
  });

  it('returns the parameters in Tencent\'s own {"Response": …} envelope', async () => {
    const parameters = await params(await pendingKey());
    const document = JSON.parse(parameters.text) as { Response: Record<string, unknown> };
    expect(typeof document.Response.RequestId).toBe('string');
    expect(typeof document.Response.ParametersValidTo).toBe('number');
  });

  for (const algorithm of Object.keys(SCHEMES) as Array<keyof typeof SCHEMES>) {
    it(`imports material wrapped with ${algorithm}`, async () => {
      const remoteKeyId = await pendingKey();
      await importWith(remoteKeyId, await params(remoteKeyId, algorithm), randomBytes(32));
      expect((await tencent.describeKey(remoteKeyId)).state).toBe('Enabled');
    });
  }

  it('sets an expiry, deletes the material, re-imports the same material and lists the key', async () => {
    const remoteKeyId = await pendingKey();
    const material = randomBytes(32);
    const expiry = new Date(Math.floor(handle.sim.clock.now().getTime() / 1000 + 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await importWith(remoteKeyId, await params(remoteKeyId), material, expiry);
    expect(await tencent.describeKey(remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: expiry });
    await tencent.deleteImportedMaterial(remoteKeyId);
    expect((await tencent.describeKey(remoteKeyId)).state).toBe('PendingImport');
    await importWith(remoteKeyId, await params(remoteKeyId), material);
    const listed = await tencent.listKeys();
    expect(listed.find((key) => key.remoteKeyId === remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: null });
  });

  it('treats older parameters as invalid once newer ones were issued', async () => {
    const remoteKeyId = await pendingKey();
    const older = await params(remoteKeyId);
    await params(remoteKeyId);
    const error = await rejection(importWith(remoteKeyId, older, randomBytes(32)));
    expect(error.code).toBe('KMS_TOKEN_EXPIRED');
    expect(error.message).toContain('ResourceUnavailable.TokenExpired');
  });

  it('maps an unknown SecretId and a wrong secret to PROVIDER_AUTH_FAILED', async () => {
    const unknown = await rejection(adapterWith('AKIDunknown0000000000000000000000', 'x').listKeys());
    expect(unknown.code).toBe('PROVIDER_AUTH_FAILED');
    expect(unknown.message).toContain('AuthFailure.SecretIdNotFound');
    const wrong = await rejection(adapterWith(CREDENTIALS.tencent.secretId, 'wrong-secret-value').listKeys());
    expect(wrong.code).toBe('PROVIDER_AUTH_FAILED');
    expect(wrong.message).toContain('AuthFailure.SignatureFailure');
  });

  it('refuses a token after 24 hours as KMS_TOKEN_EXPIRED', async () => {
    const remoteKeyId = await pendingKey();
    const parameters = await params(remoteKeyId);
    await handle.advanceHours(25);
    expect((await rejection(importWith(remoteKeyId, parameters, randomBytes(32)))).code).toBe('KMS_TOKEN_EXPIRED');
  });

  it('refuses a token issued for another key as KMS_TOKEN_KEY_MISMATCH', async () => {
    const first = await pendingKey();
    const second = await pendingKey();
    const parameters = await params(first);
    expect((await rejection(importWith(second, parameters, randomBytes(32)))).code).toBe('KMS_TOKEN_KEY_MISMATCH');
  });

  it('refuses different material as KMS_MATERIAL_MISMATCH', async () => {
    const remoteKeyId = await pendingKey();
    await importWith(remoteKeyId, await params(remoteKeyId), randomBytes(32));
    const error = await rejection(importWith(remoteKeyId, await params(remoteKeyId), randomBytes(32)));
    expect(error.code).toBe('KMS_MATERIAL_MISMATCH');
    expect(error.message).toContain('InvalidParameterValue.MaterialNotMatch');
  });

  it('returns a key to PendingImport once its material expiry passes', async () => {
    const remoteKeyId = await pendingKey();
    const expiry = new Date(handle.sim.clock.now().getTime() + 3_600_000).toISOString();
    await importWith(remoteKeyId, await params(remoteKeyId), randomBytes(32), expiry);
    await handle.advanceHours(2);
    expect(await tencent.describeKey(remoteKeyId)).toMatchObject({ state: 'PendingImport', materialExpiry: null });
  });

  it('refuses asymmetric specs before calling the provider', async () => {
    const error = await rejection(tencent.createExternalKey({ alias: 'rsa', spec: 'RSA_2048' }));
    expect(error.code).toBe('SPEC_NOT_ACCEPTED');
  });
});
