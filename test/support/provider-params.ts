// Import-parameter files shaped as each provider's own response (as users save them from the console,
// CLI or API), around a wrapping public key made in the test.
import { randomBytes } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { ProviderId } from '../../shared/providers.ts';

export interface ParamsFileOptions {
  provider: ProviderId;
  publicDer: Uint8Array;
  validTo: Date;
  remoteKeyId?: string;
  /** GCP import method; Huawei/Tencent/AWS algorithm names when the file states one. */
  method?: string;
}

export function providerParamsFile(options: ParamsFileOptions): string {
  const publicKey = Buffer.from(options.publicDer).toString('base64');
  const importToken = randomBytes(256).toString('base64');
  const seconds = Math.floor(options.validTo.getTime() / 1000);
  switch (options.provider) {
    case 'aws':
      return JSON.stringify({ KeyId: options.remoteKeyId ?? 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab', ImportToken: importToken, PublicKey: publicKey, ParametersValidTo: options.validTo.toISOString() }, null, 2);
    case 'tencent':
      return JSON.stringify({ Response: { KeyId: options.remoteKeyId ?? '1b2c3d4e-0000-1111-2222-333344445555', ImportToken: importToken, PublicKey: publicKey, ParametersValidTo: seconds, RequestId: 'b5e0a3c4-1111-2222-3333-444455556666' } }, null, 2);
    case 'huawei':
      return JSON.stringify({ key_id: options.remoteKeyId ?? '0d0466b0-e727-4d9c-b35d-f84bb474a37f', import_token: importToken, expiration_time: seconds, public_key: publicKey }, null, 2);
    case 'gcp': {
      const pem = createPublicKey({ key: Buffer.from(options.publicDer), format: 'der', type: 'spki' }).export({ format: 'pem', type: 'spki' }).toString();
      return JSON.stringify({ name: 'projects/p/locations/global/keyRings/r/importJobs/job-1', importMethod: options.method ?? 'RSA_OAEP_3072_SHA256_AES_256', protectionLevel: 'HSM', state: 'ACTIVE', expireTime: options.validTo.toISOString(), publicKey: { pem } }, null, 2);
    }
    case 'azure': {
      const jwk = createPublicKey({ key: Buffer.from(options.publicDer), format: 'der', type: 'spki' }).export({ format: 'jwk' });
      return JSON.stringify({ kid: 'https://contoso.vault.azure.net/keys/kek/0123456789abcdef0123456789abcdef', kty: 'RSA-HSM', key_ops: ['import'], n: jwk.n, e: jwk.e }, null, 2);
    }
  }
}
