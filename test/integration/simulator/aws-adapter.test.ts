import { createPublicKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdapter } from '../../../main/core/kms/index.ts';
import type { KmsAdapter } from '../../../main/core/kms/index.ts';
import { CREDENTIALS, readParameters, startTestSimulator, wrapDirect, wrapTwoLayer, type SimHandle } from './fixture.ts';
import { rejection } from '../../support/rejection.ts';

let handle: SimHandle;
let aws: KmsAdapter;

function adapterWith(accessKeyId: string, secret: string): KmsAdapter {
  return createAdapter({ type: 'aws', region: 'eu-west-1', endpoint: handle.sim.url }, { accessKeyId, secret }, { timeoutMs: 2_000 });
}

async function pendingKey(spec: 'AES_256' | 'RSA_2048' = 'AES_256'): Promise<string> {
  return (await aws.createExternalKey({ alias: `test-${spec}`, spec })).remoteKeyId;
}

async function importSymmetric(remoteKeyId: string, material: Uint8Array, materialExpiry: string | null): Promise<void> {
  const { text } = await aws.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' });
  const parameters = readParameters(text);
  await aws.importMaterial({
    remoteKeyId,
    importToken: parameters.importToken,
    importTokenText: parameters.importTokenText,
    wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', material) },
    materialExpiry,
  });
}

beforeAll(async () => {
  handle = await startTestSimulator();
  aws = adapterWith(CREDENTIALS.aws.accessKeyId, CREDENTIALS.aws.secretAccessKey);
});
afterAll(async () => handle.cleanup());

describe('AWS adapter against the simulator (official @aws-sdk/client-kms)', () => {
  it('creates an external key that waits for import', async () => {
    const remoteKeyId = await pendingKey();
    expect(remoteKeyId).toMatch(/^arn:aws:kms:eu-west-1:\d{12}:key\//);
    const state = await aws.describeKey(remoteKeyId);
    expect(state).toMatchObject({ state: 'PendingImport', origin: 'external', materialExpiry: null, providerState: 'PendingImport' });
  });

  it('returns import parameters as the provider JSON, with a 24-hour deadline', async () => {
    const remoteKeyId = await pendingKey();
    const { text } = await aws.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_1', wrappingKeySpec: 'RSA_3072' });
    const document = JSON.parse(text) as Record<string, unknown>;
    expect(document.KeyId).toBe(remoteKeyId);
    expect(createPublicKey({ key: readParameters(text).publicKeyDer, format: 'der', type: 'spki' }).asymmetricKeyDetails?.modulusLength).toBe(3072);
    const hours = ((document.ParametersValidTo as number) * 1000 - handle.sim.clock.now().getTime()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
  });

  it('imports symmetric material with an expiry, lists it, deletes it and re-imports the same material', async () => {
    const remoteKeyId = await pendingKey();
    const material = randomBytes(32);
    const expiry = new Date(handle.sim.clock.now().getTime() + 30 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await importSymmetric(remoteKeyId, material, expiry);
    expect(await aws.describeKey(remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: expiry });
    const listed = await aws.listKeys();
    expect(listed.find((key) => key.remoteKeyId === remoteKeyId)?.state).toBe('Enabled');
    await aws.deleteImportedMaterial(remoteKeyId);
    expect((await aws.describeKey(remoteKeyId)).state).toBe('PendingImport');
    await importSymmetric(remoteKeyId, material, null);
    expect(await aws.describeKey(remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: null });
  });

  it('imports an RSA private key with RSA_AES_KEY_WRAP_SHA_256 and serves its public key', async () => {
    const remoteKeyId = await pendingKey('RSA_2048');
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pkcs8 = pair.privateKey.export({ format: 'der', type: 'pkcs8' });
    const { text } = await aws.getImportParameters({ remoteKeyId, algorithm: 'RSA_AES_KEY_WRAP_SHA_256' });
    const parameters = readParameters(text);
    const { encryptedAesKey, wrappedMaterial } = wrapTwoLayer(parameters.publicKeyDer, 'sha256', pkcs8);
    await aws.importMaterial({
      remoteKeyId,
      importToken: parameters.importToken,
      importTokenText: parameters.importTokenText,
      wrapped: { layout: 'single', ciphertext: Buffer.concat([encryptedAesKey, wrappedMaterial]) },
      materialExpiry: null,
    });
    const publicKey = await aws.getPublicKey!(remoteKeyId);
    expect(Buffer.from(publicKey).equals(pair.publicKey.export({ format: 'der', type: 'spki' }))).toBe(true);
  });

  it('maps an unknown access key to PROVIDER_AUTH_FAILED (UnrecognizedClientException)', async () => {
    const error = await rejection(adapterWith('AKIAUNKNOWN000000000', 'whatever').listKeys());
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('UnrecognizedClientException');
  });

  it('maps a wrong secret to PROVIDER_AUTH_FAILED (InvalidSignatureException) without echoing the secret', async () => {
    const error = await rejection(adapterWith(CREDENTIALS.aws.accessKeyId, 'not-the-secret-at-all').listKeys());
    expect(error.code).toBe('PROVIDER_AUTH_FAILED');
    expect(error.message).toContain('InvalidSignatureException');
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain('not-the-secret-at-all');
  });

  it('refuses an import token after its 24 hours as KMS_TOKEN_EXPIRED', async () => {
    const remoteKeyId = await pendingKey();
    const { text } = await aws.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' });
    const parameters = readParameters(text);
    await handle.advanceHours(24.1);
    const error = await rejection(
      aws.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', randomBytes(32)) }, materialExpiry: null }),
    );
    expect(error.code).toBe('KMS_TOKEN_EXPIRED');
    expect(error.message).toContain('ExpiredImportTokenException');
  });

  it('refuses a token issued for another key as KMS_TOKEN_KEY_MISMATCH', async () => {
    const first = await pendingKey();
    const second = await pendingKey();
    const parameters = readParameters((await aws.getImportParameters({ remoteKeyId: first, algorithm: 'RSAES_OAEP_SHA_256' })).text);
    const error = await rejection(
      aws.importMaterial({ remoteKeyId: second, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(parameters.publicKeyDer, 'oaep-sha256', randomBytes(32)) }, materialExpiry: null }),
    );
    expect(error.code).toBe('KMS_TOKEN_KEY_MISMATCH');
  });

  it('refuses different material on re-import as KMS_MATERIAL_MISMATCH', async () => {
    const remoteKeyId = await pendingKey();
    await importSymmetric(remoteKeyId, randomBytes(32), null);
    await aws.deleteImportedMaterial(remoteKeyId);
    const error = await rejection(importSymmetric(remoteKeyId, randomBytes(32), null));
    expect(error.code).toBe('KMS_MATERIAL_MISMATCH');
    expect(error.message).toContain('IncorrectKeyMaterialException');
  });

  it('refuses material wrapped under another wrapping key as KMS_CIPHERTEXT_INVALID', async () => {
    const remoteKeyId = await pendingKey();
    const parameters = readParameters((await aws.getImportParameters({ remoteKeyId, algorithm: 'RSAES_OAEP_SHA_256' })).text);
    const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'der', type: 'spki' });
    const error = await rejection(
      aws.importMaterial({ remoteKeyId, importToken: parameters.importToken, importTokenText: parameters.importTokenText, wrapped: { layout: 'single', ciphertext: wrapDirect(stranger, 'oaep-sha256', randomBytes(32)) }, materialExpiry: null }),
    );
    expect(error.code).toBe('KMS_CIPHERTEXT_INVALID');
  });

  it('returns a key to PendingImport once its material expiry passes', async () => {
    const remoteKeyId = await pendingKey();
    const expiry = new Date(handle.sim.clock.now().getTime() + 2 * 3_600_000).toISOString();
    await importSymmetric(remoteKeyId, randomBytes(32), expiry);
    expect((await aws.describeKey(remoteKeyId)).state).toBe('Enabled');
    await handle.advanceHours(3);
    expect(await aws.describeKey(remoteKeyId)).toMatchObject({ state: 'PendingImport', materialExpiry: null });
  });

  it('re-imports the same material into an Enabled key to change its expiry', async () => {
    const remoteKeyId = await pendingKey();
    const material = randomBytes(32);
    await importSymmetric(remoteKeyId, material, new Date(handle.sim.clock.now().getTime() + 86_400_000).toISOString());
    const later = new Date(Math.floor(handle.sim.clock.now().getTime() / 1000 + 90 * 86_400) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await importSymmetric(remoteKeyId, material, later);
    expect(await aws.describeKey(remoteKeyId)).toMatchObject({ state: 'Enabled', materialExpiry: later });
  });

  it('maps an unknown key to KMS_NOT_FOUND', async () => {
    const error = await rejection(aws.describeKey('arn:aws:kms:eu-west-1:111122223333:key/00000000-0000-4000-8000-000000000000'));
    expect(error.code).toBe('KMS_NOT_FOUND');
  });
});

describe('AWS adapter endpoint', () => {
  it('ignores AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_KMS: requests go only where the connection says', async () => {
    const connections: string[] = [];
    const trap = createServer((socket) => {
      connections.push(String(socket.remoteAddress));
      socket.destroy();
    });
    await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    const trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}`;
    const saved = { general: process.env.AWS_ENDPOINT_URL, kms: process.env.AWS_ENDPOINT_URL_KMS };
    process.env.AWS_ENDPOINT_URL = trapUrl;
    process.env.AWS_ENDPOINT_URL_KMS = trapUrl;
    try {
      // No endpoint on the connection: the public AWS endpoint, unreachable from this machine.
      const unconfigured = createAdapter({ type: 'aws', region: 'eu-west-1' }, { accessKeyId: CREDENTIALS.aws.accessKeyId, secret: CREDENTIALS.aws.secretAccessKey }, { timeoutMs: 2_000 });
      await expect(unconfigured.describeKey('arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab')).rejects.toMatchObject({ code: expect.stringMatching(/^KMS_/) });
      // The connection's own endpoint is still used.
      const remoteKeyId = await pendingKey();
      await expect(aws.describeKey(remoteKeyId)).resolves.toMatchObject({ state: 'PendingImport' });
      expect(connections).toEqual([]);
    } finally {
      for (const [name, value] of [['AWS_ENDPOINT_URL', saved.general], ['AWS_ENDPOINT_URL_KMS', saved.kms]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
      await new Promise((resolve) => trap.close(resolve));
    }
  });
});
