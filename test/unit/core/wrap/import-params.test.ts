import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseImportParameters } from '../../../../main/core/wrap/import-params.ts';
import { paramsFixture, testRsaKey } from './support.ts';

const validTo = new Date('2026-11-26T09:30:15.250Z');
const rsa2048 = testRsaKey(2048);
const rsa3072 = testRsaKey(3072);
const fill = { spki: rsa2048.spki, validTo };

const code = (expected: string) => expect.objectContaining({ code: expected });

describe('parseImportParameters: provider shapes', () => {
  it('reads the AWS CLI output with an ISO deadline in microseconds', () => {
    const params = parseImportParameters(paramsFixture('aws-cli.json', fill), { fileName: 'aws-cli.json' });
    expect(params).toMatchObject({
      provider: 'aws',
      remoteKeyId: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      wrappingKeySpec: 'RSA_2048',
      wrappingKeyBits: 2048,
      importTokenText: 'AQECAHhwl6RwbmdpbXBvcnQtdG9rZW4tc2FtcGxlLWJ5dGVzLWZvci10ZXN0cw==',
      parametersValidTo: '2026-11-26T09:30:15Z',
      algorithm: null,
    });
    expect(params.wrappingPublicKeySpki).toEqual(rsa2048.spki);
    expect(Buffer.from(params.importToken!).toString('base64')).toBe(params.importTokenText);
  });

  it('reads an AWS reply whose deadline is fractional epoch seconds', () => {
    const params = parseImportParameters(paramsFixture('aws-epoch.json', fill));
    expect(params.provider).toBe('aws');
    expect(params.parametersValidTo).toBe('2026-11-26T09:30:15Z');
  });

  it('reads a Tencent reply wrapped in Response', () => {
    const params = parseImportParameters(paramsFixture('tencent-response.json', fill));
    expect(params).toMatchObject({ provider: 'tencent', remoteKeyId: '23e80852-1e38-11e9-b129-5cb9019b4b01', parametersValidTo: '2026-11-26T09:30:15Z' });
  });

  it('reads a bare Tencent reply with a unix-seconds deadline', () => {
    expect(parseImportParameters(paramsFixture('tencent-bare.json', fill)).provider).toBe('tencent');
  });

  it('reads a Huawei reply with expiration_time in epoch seconds', () => {
    const params = parseImportParameters(paramsFixture('huawei.json', fill));
    expect(params).toMatchObject({ provider: 'huawei', remoteKeyId: '0d0466b0-e727-4d9c-b35d-f84bb474a37f', parametersValidTo: '2026-11-26T09:30:15Z', importTokenText: 'aHVhd2VpLWltcG9ydC10b2tlbi1zYW1wbGUtYnl0ZXM=' });
  });

  it('reads a Huawei expiration_time given in milliseconds as the same instant', () => {
    const text = paramsFixture('huawei.json', fill).replace(/"expiration_time": (\d+)/, (_m, seconds: string) => `"expiration_time": ${seconds}000`);
    expect(parseImportParameters(text).parametersValidTo).toBe('2026-11-26T09:30:15Z');
  });

  it('reads a GCP import job and takes the algorithm and key size from its import method', () => {
    const params = parseImportParameters(paramsFixture('gcp-import-job.json', { spki: rsa3072.spki, validTo }));
    expect(params).toMatchObject({
      provider: 'gcp',
      remoteKeyId: null,
      wrappingKeySpec: 'RSA_3072',
      declaredWrappingKeySpec: 'RSA_3072',
      algorithm: 'RSA_AES_KEY_WRAP_SHA_256',
      gcpImportMethod: 'RSA_OAEP_3072_SHA256_AES_256',
      gcpImportJob: 'projects/example-project/locations/europe-west1/keyRings/ceremony/importJobs/job-1',
      importToken: null,
      parametersValidTo: '2026-11-26T09:30:15Z',
    });
    expect(params.wrappingPublicKeySpki).toEqual(rsa3072.spki);
  });

  it('reads an Azure key-exchange key as printed by az keyvault key show (JWK under "key")', () => {
    const params = parseImportParameters(paramsFixture('azure-az-cli.json', fill));
    expect(params).toMatchObject({ provider: 'azure', azureKid: 'https://ceremony-vault.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef', wrappingKeySpec: 'RSA_2048', parametersValidTo: null, importToken: null });
    expect(params.wrappingPublicKeySpki).toEqual(rsa2048.spki);
  });

  it('reads an Azure key-exchange key given as a PEM with its kid', () => {
    const params = parseImportParameters(paramsFixture('azure-pem-kid.json', fill));
    expect(params.provider).toBe('azure');
    expect(params.wrappingPublicKeySpki).toEqual(rsa2048.spki);
  });

  it('takes the algorithm from the options when the file does not say it', () => {
    expect(parseImportParameters(paramsFixture('aws-cli.json', fill), { algorithm: 'RSAES_OAEP_SHA_1' }).algorithm).toBe('RSAES_OAEP_SHA_1');
  });

  it("accepts Huawei's RSAES_OAEP_SHA_256 parameters with --algorithm RSA_AES_KEY_WRAP_SHA_256 (its two-field form)", () => {
    const text = paramsFixture('huawei.json', fill).replace('"key_id"', '"wrapping_algorithm": "RSAES_OAEP_SHA_256",\n  "key_id"');
    expect(parseImportParameters(text, { algorithm: 'RSA_AES_KEY_WRAP_SHA_256' }).algorithm).toBe('RSAES_OAEP_SHA_256');
    expect(() => parseImportParameters(text, { algorithm: 'RSAES_OAEP_SHA_1' })).toThrow(code('INVALID_ARGUMENT'));
  });

  it('refuses an --algorithm that contradicts the file', () => {
    expect(() => parseImportParameters(paramsFixture('gcp-import-job.json', { spki: rsa3072.spki, validTo }), { algorithm: 'RSA_AES_KEY_WRAP_SHA_1' })).toThrow(code('INVALID_ARGUMENT'));
  });
});

describe('parseImportParameters: refusals', () => {
  it('refuses text that is not JSON with PARAMS_MALFORMED', () => {
    expect(() => parseImportParameters('{"KeyId": ', { fileName: 'p.json' })).toThrow(code('PARAMS_MALFORMED'));
  });

  it('refuses a public key that is not base64 and names the field', () => {
    const text = paramsFixture('aws-cli.json', fill).replace(/"PublicKey": "([^"]+)"/, '"PublicKey": "not*base64"');
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('PublicKey') }));
  });

  it('refuses an import token whose base64 has a stray character', () => {
    const text = paramsFixture('huawei.json', fill).replace('aHVhd2Vp', 'aHVhd2V!');
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('import_token') }));
  });

  it('refuses a public key that is base64 but not DER', () => {
    const text = paramsFixture('tencent-bare.json', fill).replace(/"PublicKey": "([^"]+)"/, `"PublicKey": "${Buffer.from('not a key at all').toString('base64')}"`);
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('DER') }));
  });

  it('refuses a public key with bytes after the DER structure', () => {
    const padded = Buffer.concat([Buffer.from(rsa2048.spki), Buffer.from([0, 0])]).toString('base64');
    const text = paramsFixture('huawei.json', fill).replace(/"public_key": "([^"]+)"/, `"public_key": "${padded}"`);
    expect(() => parseImportParameters(text)).toThrow(code('PARAMS_MALFORMED'));
  });

  it('refuses a deadline that is not a timestamp', () => {
    const text = paramsFixture('aws-cli.json', fill).replace(/"ParametersValidTo": "[^"]+"/, '"ParametersValidTo": "tomorrow"');
    expect(() => parseImportParameters(text)).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('ParametersValidTo') }));
  });

  it('refuses an EC wrapping key with WRAPPING_KEY_MISMATCH', () => {
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'der', type: 'spki' });
    expect(() => parseImportParameters(paramsFixture('huawei.json', { spki: new Uint8Array(ec), validTo }))).toThrow(code('WRAPPING_KEY_MISMATCH'));
  });

  it('refuses an RSA wrapping key of a size no provider issues', () => {
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' });
    expect(() => parseImportParameters(paramsFixture('aws-cli.json', { spki: new Uint8Array(small), validTo }))).toThrow(code('WRAPPING_KEY_MISMATCH'));
  });

  it('refuses an unknown shape with PARAMS_PROVIDER_UNKNOWN and lists the known ones', () => {
    expect(() => parseImportParameters('{"keyId": "x", "publicKey": "AAAA"}')).toThrow(expect.objectContaining({ code: 'PARAMS_PROVIDER_UNKNOWN', message: expect.stringContaining('Huawei') }));
  });

  it('refuses JSON that is not an object', () => {
    expect(() => parseImportParameters('[1, 2]')).toThrow(code('PARAMS_PROVIDER_UNKNOWN'));
  });

  it('refuses a file that matches two providers instead of guessing', () => {
    const aws = JSON.parse(paramsFixture('aws-cli.json', fill)) as Record<string, unknown>;
    const huawei = JSON.parse(paramsFixture('huawei.json', fill)) as Record<string, unknown>;
    expect(() => parseImportParameters(JSON.stringify({ ...aws, ...huawei }))).toThrow(expect.objectContaining({ code: 'PARAMS_PROVIDER_UNKNOWN', message: expect.stringMatching(/AWS KMS or Huawei/) }));
  });

  it('refuses a PascalCase reply that is neither an AWS key ARN nor marked as Tencent', () => {
    const text = paramsFixture('aws-cli.json', fill).replace(/"KeyId": "[^"]+"/, '"KeyId": "1234abcd-12ab-34cd-56ef-1234567890ab"');
    expect(() => parseImportParameters(text)).toThrow(code('PARAMS_PROVIDER_UNKNOWN'));
  });

  it('refuses a Tencent error reply and says it is an error', () => {
    expect(() => parseImportParameters('{"Response":{"Error":{"Code":"ResourceUnavailable.CmkNotFound","Message":"x"},"RequestId":"r"}}')).toThrow(expect.objectContaining({ code: 'PARAMS_MALFORMED', message: expect.stringContaining('error reply') }));
  });

  it('refuses a GCP import method it does not support', () => {
    const text = paramsFixture('gcp-import-job.json', { spki: rsa3072.spki, validTo }).replace('RSA_OAEP_3072_SHA256_AES_256', 'RSA_OAEP_3072_SHA256_AES_256_X');
    expect(() => parseImportParameters(text)).toThrow(code('ALGORITHM_NOT_ACCEPTED'));
  });

  it('refuses an Azure key-exchange key without the import operation', () => {
    const text = paramsFixture('azure-az-cli.json', fill).replace('"keyOps": ["import"]', '"keyOps": ["encrypt", "decrypt"]');
    expect(() => parseImportParameters(text)).toThrow(code('WRAPPING_KEY_MISMATCH'));
  });

  it('refuses a JWK modulus that is not base64url', () => {
    const text = paramsFixture('azure-az-cli.json', fill).replace(/"n": "[^"]+"/, '"n": "abc+/="');
    expect(() => parseImportParameters(text)).toThrow(code('PARAMS_MALFORMED'));
  });
});
