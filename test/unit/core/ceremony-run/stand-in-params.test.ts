import { describe, expect, it } from 'vitest';
import { createStandInParams, type StandInRequest } from '../../../../main/core/ceremony-run/index.ts';
import { parseImportParameters } from '../../../../main/core/wrap/import-params.ts';
import { checkWrapRequest } from '../../../../main/core/wrap/check-params.ts';

const validTo = new Date('2026-12-02T09:00:00Z');
const now = new Date('2026-12-01T09:00:00Z');

describe('rehearsal stand-in parameters', () => {
  it.each<[string, StandInRequest, 'AES_256' | 'EC_P256']>([
    ['aws', { provider: 'aws', remoteKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/0f1e2d3c-0000-4000-8000-000000000001', wrappingKeyBits: 2048, algorithm: null, validTo }, 'AES_256'],
    ['tencent', { provider: 'tencent', remoteKeyId: '0f1e2d3c-0000-4000-8000-000000000002', wrappingKeyBits: 2048, algorithm: null, validTo }, 'AES_256'],
    ['huawei', { provider: 'huawei', remoteKeyId: '0f1e2d3c-0000-4000-8000-000000000003', wrappingKeyBits: 2048, algorithm: null, validTo }, 'EC_P256'],
    ['gcp', { provider: 'gcp', remoteKeyId: 'projects/p/locations/global/keyRings/r/importJobs/j', wrappingKeyBits: 3072, algorithm: 'RSA_AES_KEY_WRAP_SHA_256', gcpImportMethod: 'RSA_OAEP_3072_SHA256_AES_256', validTo }, 'EC_P256'],
    ['azure', { provider: 'azure', remoteKeyId: null, azureKid: 'https://v.vault.azure.net/keys/kek/0123', wrappingKeyBits: 2048, algorithm: null, validTo }, 'AES_256'],
  ])('writes %s parameters the wrap core reads back as the same provider, key and deadline', async (provider, request, spec) => {
    const params = parseImportParameters(await createStandInParams(request), { fileName: `${provider}.json` });
    expect(params.provider).toBe(provider);
    expect(params.wrappingKeyBits).toBe(request.wrappingKeyBits);
    if (request.remoteKeyId && provider !== 'gcp') expect(params.remoteKeyId).toBe(request.remoteKeyId);
    if (provider === 'gcp') expect(params.gcpImportJob).toBe(request.remoteKeyId);
    if (provider === 'azure') expect(params.azureKid).toBe(request.azureKid);
    if (provider !== 'azure') expect(params.parametersValidTo).toBe('2026-12-02T09:00:00Z');
    const algorithm = provider === 'tencent' || provider === 'aws' ? 'RSAES_OAEP_SHA_256' : undefined;
    expect(() => checkWrapRequest({ params, spec, now, ...(algorithm ? { algorithm } : {}) })).not.toThrow();
  });

  it('generates a fresh wrapping key each time', async () => {
    const request: StandInRequest = { provider: 'aws', remoteKeyId: null, wrappingKeyBits: 2048, algorithm: null, validTo };
    const [first, second] = await Promise.all([createStandInParams(request), createStandInParams(request)]);
    expect(JSON.parse(first).PublicKey).not.toBe(JSON.parse(second).PublicKey);
    expect(JSON.parse(first).KeyId).toMatch(/^arn:aws:kms:/);
  });
});
