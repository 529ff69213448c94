import { describe, expect, it } from 'vitest';
import { providerNativeFiles } from '../../../../main/core/wrap/native-files.ts';
import type { ImportParameters } from '../../../../main/core/wrap/import-params.ts';
import type { WrappedMaterial } from '../../../../main/core/wrap/wrap-material.ts';
import type { ProviderId } from '../../../../shared/providers.ts';

const token = new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0x01]);
function params(provider: ProviderId, extra: Partial<ImportParameters> = {}): ImportParameters {
  return {
    provider,
    remoteKeyId: 'key-1',
    wrappingPublicKeySpki: new Uint8Array(0),
    wrappingKeySpec: 'RSA_2048',
    wrappingKeyBits: 2048,
    importToken: token,
    importTokenText: Buffer.from(token).toString('base64'),
    parametersValidTo: null,
    algorithm: null,
    ...extra,
  };
}
const single: WrappedMaterial = { layout: 'single', ciphertext: new Uint8Array([0xfb, 0xff, 0x00, 0x3e]) };
const split: WrappedMaterial = { layout: 'split', encryptedKeyMaterial: new Uint8Array([1, 2]), encryptedPrivateKey: new Uint8Array([3, 4, 5]) };
const parse = (bytes: Uint8Array): Record<string, unknown> => JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;

describe('providerNativeFiles', () => {
  it('writes the raw bytes the AWS CLI takes with fileb://', () => {
    const files = providerNativeFiles({ provider: 'aws', params: params('aws'), wrapped: single, materialExpiry: null, alias: 'k' });
    expect(files).toEqual([
      { name: 'EncryptedKeyMaterial.bin', bytes: single.ciphertext },
      { name: 'ImportToken.bin', bytes: token },
    ]);
  });

  it('writes the Huawei import-key-material request body with expiration_time in epoch seconds', () => {
    const [file] = providerNativeFiles({ provider: 'huawei', params: params('huawei'), wrapped: single, materialExpiry: '2027-01-01T00:00:00Z', alias: 'k' });
    expect(file!.name).toBe('import-key-material.json');
    expect(parse(file!.bytes)).toEqual({ key_id: 'key-1', import_token: '3q2+7wE=', encrypted_key_material: '+/8APg==', expiration_time: 1798761600 });
  });

  it('writes both Huawei fields for the split form and no expiry', () => {
    const [file] = providerNativeFiles({ provider: 'huawei', params: params('huawei'), wrapped: split, materialExpiry: null, alias: 'k' });
    expect(parse(file!.bytes)).toEqual({ key_id: 'key-1', import_token: '3q2+7wE=', encrypted_key_material: 'AQI=', encrypted_privatekey: 'AwQF' });
  });

  it('writes the Tencent ImportKeyMaterial parameters with ValidTo only when set', () => {
    const [withExpiry] = providerNativeFiles({ provider: 'tencent', params: params('tencent'), wrapped: single, materialExpiry: '2027-01-01T00:00:00Z', alias: 'k' });
    expect(withExpiry!.name).toBe('ImportKeyMaterial.json');
    expect(parse(withExpiry!.bytes)).toEqual({ KeyId: 'key-1', ImportToken: '3q2+7wE=', EncryptedKeyMaterial: '+/8APg==', ValidTo: 1798761600 });
    const [without] = providerNativeFiles({ provider: 'tencent', params: params('tencent'), wrapped: single, materialExpiry: null, alias: 'k' });
    expect(parse(without!.bytes)).not.toHaveProperty('ValidTo');
  });

  it('writes wrapped_key.bin for GCP', () => {
    expect(providerNativeFiles({ provider: 'gcp', params: params('gcp', { importToken: null, importTokenText: null }), wrapped: single, materialExpiry: null, alias: 'k' }))
      .toEqual([{ name: 'wrapped_key.bin', bytes: single.ciphertext }]);
  });

  it('writes an Azure .byok named after the alias, with base64url ciphertext and our generator', () => {
    const kid = 'https://v.vault.azure.net/keys/kek/1';
    const [file] = providerNativeFiles({ provider: 'azure', params: params('azure', { azureKid: kid }), wrapped: single, materialExpiry: null, alias: 'payments-2026' });
    expect(file!.name).toBe('payments-2026.byok');
    expect(parse(file!.bytes)).toEqual({
      schema_version: '1.0.0',
      header: { kid, alg: 'dir', enc: 'CKM_RSA_AES_KEY_WRAP' },
      ciphertext: '-_8APg',
      generator: expect.stringMatching(/^byok-ceremony \d+\.\d+\.\d+/),
    });
  });

  it('refuses an alias that cannot be a file name for Azure', () => {
    expect(() => providerNativeFiles({ provider: 'azure', params: params('azure', { azureKid: 'k' }), wrapped: single, materialExpiry: null, alias: '../x' }))
      .toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });

  it('names the Azure .byok after the key id when the key has no alias', () => {
    const [file] = providerNativeFiles({ provider: 'azure', params: params('azure', { azureKid: 'k' }), wrapped: single, materialExpiry: null, alias: null, keyId: 'key-0001' });
    expect(file!.name).toBe('key-0001.byok');
  });

  it('refuses the split form for AWS', () => {
    expect(() => providerNativeFiles({ provider: 'aws', params: params('aws'), wrapped: split, materialExpiry: null, alias: 'k' })).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
  });
});
