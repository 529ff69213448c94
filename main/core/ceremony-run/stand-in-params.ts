// Rehearsal stand-ins for a KMS's import parameters: a wrapping key pair generated on the spot, written
// in the same provider's own file format (same remote key id, same algorithm, same wrapping key size),
// with a fresh deadline. The rehearsal wraps to it exactly as the real run will wrap to the KMS's key.
import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { ByokError } from '../../../shared/errors.ts';
import { PROVIDERS, type ProviderId, type WrappingAlgorithm } from '../../../shared/providers.ts';
import { isoUtc } from '../clock.ts';

const generateRsa = promisify(generateKeyPair);

export interface StandInRequest {
  provider: ProviderId;
  remoteKeyId: string | null;
  wrappingKeyBits: number;
  algorithm: WrappingAlgorithm | null;
  validTo: Date;
  /** GCP: the import method the real job names. Azure: the key-exchange key id. */
  gcpImportMethod?: string;
  azureKid?: string;
}

interface StandInFields {
  remoteKeyId: string;
  publicKeyBase64: string;
  publicKeyPem: string;
  token: string;
  validTo: Date;
  algorithm: WrappingAlgorithm | null;
  request: StandInRequest;
}

/** Each provider's reply shape, as users save it (see main/core/wrap/import-params.ts for the reader). */
const WRITERS: Readonly<Record<ProviderId, (fields: StandInFields) => unknown>> = {
  aws: (fields) => ({
    KeyId: fields.remoteKeyId,
    ImportToken: fields.token,
    PublicKey: fields.publicKeyBase64,
    ParametersValidTo: isoUtc(fields.validTo),
  }),
  tencent: (fields) => ({
    Response: {
      KeyId: fields.remoteKeyId,
      ImportToken: fields.token,
      PublicKey: fields.publicKeyBase64,
      ParametersValidTo: Math.floor(fields.validTo.getTime() / 1000),
      RequestId: randomUUID(),
    },
  }),
  huawei: (fields) => ({
    key_id: fields.remoteKeyId,
    import_token: fields.token,
    public_key: fields.publicKeyBase64,
    expiration_time: Math.floor(fields.validTo.getTime() / 1000),
    ...(fields.algorithm ? { wrapping_algorithm: fields.algorithm } : {}),
  }),
  gcp: (fields) => ({
    name: fields.remoteKeyId,
    importMethod: fields.request.gcpImportMethod,
    state: 'ACTIVE',
    expireTime: isoUtc(fields.validTo),
    publicKey: { pem: fields.publicKeyPem },
  }),
  azure: (fields) => ({
    key: { kid: fields.request.azureKid ?? fields.remoteKeyId, kty: 'RSA-HSM', key_ops: ['import'], pem: fields.publicKeyPem },
    attributes: { exp: Math.floor(fields.validTo.getTime() / 1000) },
  }),
};

const PLACEHOLDER_KEY_IDS: Readonly<Record<ProviderId, () => string>> = {
  aws: () => `arn:aws:kms:us-east-1:000000000000:key/${randomUUID()}`,
  tencent: () => randomUUID(),
  huawei: () => randomUUID(),
  gcp: () => `projects/rehearsal/locations/global/keyRings/rehearsal/importJobs/${randomUUID()}`,
  azure: () => `https://rehearsal.vault.azure.net/keys/kek/${randomUUID().replaceAll('-', '')}`,
};

/** Writes nothing: returns the stand-in file's text. The private half is discarded (nobody unwraps). */
export async function createStandInParams(request: StandInRequest): Promise<string> {
  if (!PROVIDERS[request.provider]) throw new ByokError('UNSUPPORTED', `No rehearsal stand-in for provider ${request.provider}.`);
  const { publicKey } = await generateRsa('rsa', { modulusLength: request.wrappingKeyBits, publicExponent: 0x10001 });
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const fields: StandInFields = {
    remoteKeyId: request.remoteKeyId ?? PLACEHOLDER_KEY_IDS[request.provider](),
    publicKeyBase64: der.toString('base64'),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    token: randomBytes(96).toString('base64'),
    validTo: request.validTo,
    algorithm: request.algorithm,
    request,
  };
  return `${JSON.stringify(WRITERS[request.provider](fields), null, 2)}\n`;
}
