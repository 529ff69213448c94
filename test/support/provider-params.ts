// Import-parameter files shaped as each provider's own response (as users save them from the console,
// CLI or API), around a wrapping public key made in the test.
import { randomBytes, randomUUID } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import type { ProviderId } from '../../shared/providers.ts';

export interface ParamsFileOptions {
  provider: ProviderId;
  publicDer: Uint8Array;
  validTo: Date;
  /** Default: a new remote key id per file (a KMS key takes one material, so tests must not share one). */
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
      return JSON.stringify({ KeyId: options.remoteKeyId ?? `arn:aws:kms:eu-west-1:111122223333:key/${randomUUID()}`, ImportToken: importToken, PublicKey: publicKey, ParametersValidTo: options.validTo.toISOString() }, null, 2);
    case 'tencent':
      return JSON.stringify({ Response: { KeyId: options.remoteKeyId ?? randomUUID(), ImportToken: importToken, PublicKey: publicKey, ParametersValidTo: seconds, RequestId: 'b5e0a3c4-1111-2222-3333-444455556666' } }, null, 2);
    case 'huawei':
      return JSON.stringify({ key_id: options.remoteKeyId ?? randomUUID(), import_token: importToken, expiration_time: seconds, public_key: publicKey }, null, 2);
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
